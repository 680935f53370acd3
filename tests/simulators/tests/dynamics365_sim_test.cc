// Dynamics365Sim answers as the Dataverse Web API does: tokens, change
// tracking, strict query options, If-Match, the close actions and $batch.
#include "tests/simulators/dynamics365_sim.h"

#include <gtest/gtest.h>

#include "tests/simulators/sim_time.h"
#include "tests/simulators/tests/sim_test_util.h"

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::HasViolation;

const std::string kApi = "/api/data/v9.2/";

class Dynamics365SimTest : public ::testing::Test {
 protected:
  Dynamics365SimTest() : sim_(clock_, random_) {
    sim_.SetPublicBaseUrl("https://org.example");
    HttpRequest r;
    r.method = "POST";
    r.url = sim_.TokenPath();
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body =
        "grant_type=client_credentials&client_id=d365-client-id&client_secret=d365-client-"
        "secret&scope=" +
        UrlEncode("https://org.example/.default");
    HttpResponse t = sim_.Handle(r);
    EXPECT_EQ(t.status, 200) << t.body;
    token_ = BodyOf(t).value("access_token", "");
  }

  std::string Add(const std::string& name, int stage = 0, const std::string& currency = "USD") {
    auto id = sim_.CreateRecord({{"name", name},
                                 {"salesstage", stage},
                                 {"estimatedvalue", 1000.5},
                                 {"currency", currency},
                                 {"estimatedclosedate", "2026-12-01"}});
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : "";
  }
  HttpRequest Req(std::string method, std::string url, std::string body = "",
                  HttpHeaders extra = {}) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = kApi + url;
    r.headers = {{"Authorization", "Bearer " + token_}, {"OData-Version", "4.0"}};
    if (!body.empty())
      r.headers.emplace_back("Content-Type", "application/json");
    for (auto& h : extra)
      r.headers.push_back(h);
    r.body = std::move(body);
    return r;
  }
  std::string ErrorCode(const HttpResponse& r) { return BodyOf(r)["error"].value("code", ""); }
  std::string EtagOf(const std::string& id) {
    return BodyOf(sim_.Handle(Req("GET", "opportunities(" + id + ")?$select=name")))
        .value("@odata.etag", "");
  }

  FakeClock clock_;
  ScriptedRandom random_{{1, 2, 3}};
  Dynamics365Sim sim_;
  std::string token_;
};

TEST_F(Dynamics365SimTest, TokenNeedsTheOrgScopeAndTheSecret) {
  HttpRequest r;
  r.method = "POST";
  r.url = sim_.TokenPath();
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body =
      "grant_type=client_credentials&client_id=d365-client-id&client_secret=d365-client-"
      "secret&scope=https%3A%2F%2Fother.example%2F.default";
  HttpResponse bad_scope = sim_.Handle(r);
  EXPECT_EQ(bad_scope.status, 400);
  EXPECT_EQ(BodyOf(bad_scope).value("error", ""), "invalid_scope");
  r.body = "grant_type=client_credentials&client_id=d365-client-id&client_secret=nope&scope=" +
           UrlEncode(sim_.Scope());
  HttpResponse bad_secret = sim_.Handle(r);
  EXPECT_EQ(bad_secret.status, 401);
  EXPECT_EQ(BodyOf(bad_secret).value("error", ""), "invalid_client");
  HttpRequest no_token = Req("GET", "opportunities?$select=name");
  no_token.headers.erase(no_token.headers.begin());
  EXPECT_EQ(sim_.Handle(no_token).status, 401);
}

TEST_F(Dynamics365SimTest, StrictQueryOptions) {
  Add("a");
  HttpResponse unknown = sim_.Handle(Req("GET", "opportunities?$select=name,bogus"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(ErrorCode(unknown), "0x80060888");
  EXPECT_NE(BodyOf(unknown)["error"].value("message", "").find("bogus"), std::string::npos);
  EXPECT_EQ(sim_.Handle(Req("GET", "opportunities?$select=name&$expand=x")).status, 400);
  HttpResponse filtered_delta = sim_.Handle(
      Req("GET", "opportunities?$select=name&$filter=modifiedon%20ge%202026-01-01T00:00:00Z", "",
          {{"Prefer", "odata.track-changes"}}));
  EXPECT_EQ(filtered_delta.status, 400);
  EXPECT_EQ(sim_.Handle(Req("GET", "opportunities?$select=name&$filter=name%20eq%20'a'")).status,
            400);
  HttpRequest old_odata = Req("GET", "opportunities?$select=name");
  old_odata.headers[1].second = "3.0";
  EXPECT_EQ(sim_.Handle(old_odata).status, 400);
}

TEST_F(Dynamics365SimTest, ChangeTrackingPagesThenDeltaWithDeletes) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(Add("o" + std::to_string(i)));
  const HttpHeaders prefer = {{"Prefer", "odata.track-changes,odata.maxpagesize=2"}};
  HttpResponse first = sim_.Handle(Req("GET", "opportunities?$select=name,modifiedon", "", prefer));
  ASSERT_EQ(first.status, 200) << first.body;
  Json body = BodyOf(first);
  EXPECT_EQ(body["value"].size(), 2u);
  int pages = 1;
  while (body.contains("@odata.nextLink")) {
    std::string next = body["@odata.nextLink"];
    next = next.substr(next.find(kApi) + kApi.size());
    HttpResponse page = sim_.Handle(Req("GET", next, "", prefer));
    ASSERT_EQ(page.status, 200) << page.body;
    body = BodyOf(page);
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_TRUE(body.contains("@odata.deltaLink"));
  std::string delta = body["@odata.deltaLink"];
  delta = delta.substr(delta.find(kApi) + kApi.size());

  clock_.Advance(1min);
  ASSERT_TRUE(sim_.EditRecord(ids[1], {{"name", "renamed"}}).ok());
  ASSERT_TRUE(sim_.DeleteRecord(ids[3]).ok());
  HttpResponse changed = sim_.Handle(Req("GET", delta, "", prefer));
  ASSERT_EQ(changed.status, 200) << changed.body << "\n" << delta;
  Json changes = BodyOf(changed);
  ASSERT_EQ(changes["value"].size(), 2u) << changes.dump();
  std::map<std::string, Json> by_id;
  for (const Json& e : changes["value"]) {
    by_id[e.contains("id") ? e.value("id", "") : e.value("opportunityid", "")] = e;
  }
  EXPECT_EQ(by_id[ids[1]].value("name", ""), "renamed");
  EXPECT_EQ(by_id[ids[3]].value("reason", ""), "deleted");
  EXPECT_NE(by_id[ids[3]].value("@odata.context", "").find("$deletedEntity"), std::string::npos);

  sim_.ExpireDeltaTokens();
  HttpResponse expired = sim_.Handle(Req("GET", delta, "", prefer));
  EXPECT_EQ(expired.status, 400);
  EXPECT_EQ(ErrorCode(expired), "0x80044352");
}

TEST_F(Dynamics365SimTest, PatchNeedsTheCurrentEtag) {
  const std::string id = Add("a");
  const std::string etag = EtagOf(id);
  ASSERT_TRUE(sim_.EditRecord(id, {{"name", "someone else"}}).ok());
  HttpResponse stale = sim_.Handle(
      Req("PATCH", "opportunities(" + id + ")", R"({"estimatedvalue":5})", {{"If-Match", etag}}));
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(ErrorCode(stale), "0x80060882");
  HttpResponse ok = sim_.Handle(
      Req("PATCH", "opportunities(" + id + ")?$select=estimatedvalue", R"({"estimatedvalue":5})",
          {{"If-Match", EtagOf(id)}, {"Prefer", "return=representation"}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(BodyOf(ok).value("estimatedvalue", 0.0), 5.0);
  EXPECT_EQ(sim_.Handle(Req("PATCH", "opportunities(" + id + ")", R"({"bogus":1})",
                            {{"If-Match", EtagOf(id)}}))
                .status,
            400);
  EXPECT_EQ(sim_.Handle(Req("PATCH", "opportunities(" + id + ")", R"({"statecode":1})",
                            {{"If-Match", EtagOf(id)}}))
                .status,
            400);
  EXPECT_EQ(sim_.Handle(Req("PATCH", "opportunities(" + id + ")",
                            R"({"estimatedclosedate":"2026-12-01T00:00:00Z"})",
                            {{"If-Match", EtagOf(id)}}))
                .status,
            400);
  HttpRequest text = Req("PATCH", "opportunities(" + id + ")", "x", {{"If-Match", EtagOf(id)}});
  text.headers[2].second = "text/plain";
  EXPECT_EQ(sim_.Handle(text).status, 415);
}

TEST_F(Dynamics365SimTest, WinAndLoseActions) {
  const std::string won = Add("w", 2);
  const std::string lost = Add("l", 1);
  auto body = [](const std::string& id, int status) {
    return Json{{"Status", status},
                {"OpportunityClose",
                 {{"subject", "s"}, {"opportunityid@odata.bind", "/opportunities(" + id + ")"}}}}
        .dump();
  };
  EXPECT_EQ(sim_.Handle(Req("POST", "WinOpportunity", body(won, 4))).status, 400);
  EXPECT_EQ(sim_.Handle(Req("POST", "WinOpportunity", R"({"Status":3})")).status, 400);
  EXPECT_EQ(sim_.Handle(Req("POST", "WinOpportunity", body(won, 3))).status, 204);
  EXPECT_EQ(sim_.Handle(Req("POST", "LoseOpportunity", body(lost, 5))).status, 204);
  EXPECT_EQ(sim_.Handle(Req("POST", "LoseOpportunity", body(won, 4))).status, 400);  // closed
  Json w =
      BodyOf(sim_.Handle(Req("GET", "opportunities(" + won + ")?$select=statecode,statuscode")));
  EXPECT_EQ(w.value("statecode", -1), 1);
  EXPECT_EQ(w.value("statuscode", -1), 3);
  EXPECT_EQ(sim_.closes().size(), 2u);
  // A closed opportunity is read-only until reopened.
  EXPECT_EQ(sim_.Handle(Req("PATCH", "opportunities(" + won + ")", R"({"estimatedvalue":1})",
                            {{"If-Match", EtagOf(won)}}))
                .status,
            400);
  EXPECT_EQ(sim_.Handle(Req("PATCH", "opportunities(" + won + ")",
                            R"({"statecode":0,"statuscode":1,"salesstage":1})",
                            {{"If-Match", EtagOf(won)}}))
                .status,
            204);
}

TEST_F(Dynamics365SimTest, BatchChangeSetsAreAtomicEach) {
  const std::string a = Add("a");
  const std::string b = Add("b");
  const std::string etag_a = EtagOf(a);
  auto change_set = [&](const std::string& cs, const std::string& id, const std::string& etag,
                        const std::string& json) {
    return "--batch_1\r\nContent-Type: multipart/mixed; boundary=" + cs + "\r\n\r\n--" + cs +
           "\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
           "Content-ID: 1\r\n\r\nPATCH https://org.example/api/data/v9.2/opportunities(" +
           id + ") HTTP/1.1\r\nContent-Type: application/json\r\nIf-Match: " + etag + "\r\n\r\n" +
           json + "\r\n--" + cs + "--\r\n";
  };
  std::string body = change_set("cs1", a, etag_a, R"({"estimatedvalue":7})") +
                     change_set("cs2", b, "W/\"1\"", R"({"estimatedvalue":8})") + "--batch_1--\r\n";
  HttpResponse r = sim_.Handle(Req("POST", "$batch", "", {{"Prefer", "odata.continue-on-error"}}));
  EXPECT_EQ(r.status, 400);  // not multipart
  HttpRequest batch = Req("POST", "$batch", "",
                          {{"Prefer", "odata.continue-on-error"},
                           {"Content-Type", "multipart/mixed; boundary=batch_1"}});
  batch.body = body;
  HttpResponse out = sim_.Handle(batch);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.body.find("HTTP/1.1 204 No Content"), std::string::npos) << out.body;
  EXPECT_NE(out.body.find("HTTP/1.1 412 Precondition Failed"), std::string::npos) << out.body;
  EXPECT_EQ(BodyOf(sim_.Handle(Req("GET", "opportunities(" + a + ")?$select=estimatedvalue")))
                .value("estimatedvalue", 0.0),
            7.0);
  EXPECT_EQ(BodyOf(sim_.Handle(Req("GET", "opportunities(" + b + ")?$select=estimatedvalue")))
                .value("estimatedvalue", 0.0),
            1000.5);
  EXPECT_FALSE(HasViolation(sim_.violations(), "patch.without_if_match"));
}

}  // namespace
}  // namespace dealsync::sim
