#include "tests/simulators/suitecrm_sim.h"

#include <gtest/gtest.h>

#include "tests/simulators/sim_time.h"
#include "tests/simulators/tests/sim_test_util.h"

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::Get;
using testing::HasViolation;
using testing::WithJson;

constexpr char kList[] = "/legacy/Api/V8/module/Opportunities";
constexpr char kUsd[] = "c0ffee00-0000-4000-8000-000000000001";

Json Deal(const std::string& name, const std::string& stage, const std::string& amount) {
  return {{"attributes",
           {{"name", name},
            {"sales_stage", stage},
            {"amount", amount},
            {"date_closed", "2026-12-31"},
            {"deal_registration_id_c", "DR-" + name}}}};
}

Json Update(const std::string& id, const Json& attributes,
            const std::string& type = "Opportunities") {
  return {{"data", {{"type", type}, {"id", id}, {"attributes", attributes}}}};
}

HttpRequest Patch(const Json& body, const std::string& token,
                  const std::string& content_type = "application/vnd.api+json") {
  HttpRequest r = WithJson("PATCH", "/legacy/Api/V8/module", body, token);
  r.headers[0].second = content_type;
  return r;
}

class SuiteCrmSimTest : public ::testing::Test {
 protected:
  SuiteCrmSimTest() : sim_(clock_, random_) {}
  void SetUp() override { clock_.Set(*ParseIsoDateTime("2026-11-23T10:00:00Z")); }

  FakeClock clock_;
  ScriptedRandom random_{{7, 3, 12, 9, 1, 14, 5, 10, 2, 15, 4}};
  SuiteCrmSim sim_;
};

TEST_F(SuiteCrmSimTest, TokenEndpointAndBearerTokens) {
  HttpRequest form;
  form.method = "POST";
  form.url = "/legacy/Api/access_token";
  form.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  form.body =
      "grant_type=client_credentials&client_id=suitecrm-client&client_secret=suitecrm-secret";
  auto resp = sim_.Handle(form);
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json token = BodyOf(resp);
  EXPECT_EQ(token["token_type"], "Bearer");
  EXPECT_EQ(token["expires_in"], 3600);
  EXPECT_FALSE(token.contains("refresh_token"));
  const std::string jwt = token["access_token"];
  EXPECT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2);

  // The docs post JSON; Slim parses both.
  auto json = sim_.Handle(WithJson("POST", "/legacy/Api/access_token",
                                   {{"grant_type", "client_credentials"},
                                    {"client_id", "suitecrm-client"},
                                    {"client_secret", "suitecrm-secret"}}));
  EXPECT_EQ(json.status, 200) << json.body;

  form.body = "grant_type=client_credentials&client_id=suitecrm-client&client_secret=nope";
  auto bad = sim_.Handle(form);
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(BodyOf(bad), Json({{"error", "invalid_client"},
                               {"error_description", "Client authentication failed"},
                               {"message", "Client authentication failed"}}));
  EXPECT_TRUE(HasViolation(sim_.violations(), "oauth.invalid_client"));
  form.body = "grant_type=client_credentials&client_id=someone-else&client_secret=x";
  auto unknown = sim_.Handle(form);
  EXPECT_EQ(unknown.status, 500);
  EXPECT_EQ(BodyOf(unknown)["error"], "unknown_error");

  auto anonymous = sim_.Handle(Get(kList));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(BodyOf(anonymous)["error"], "access_denied");
  EXPECT_EQ(BodyOf(anonymous)["hint"], "Missing \"Authorization\" header");
  EXPECT_EQ(sim_.Handle(Get(kList, jwt)).status, 200);
  clock_.Advance(3601s);
  auto expired = sim_.Handle(Get(kList, jwt));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(BodyOf(expired)["hint"], "Access token could not be verified");
  EXPECT_EQ(sim_.violations().entries().size(), 3u) << sim_.violations().Describe();
}

TEST_F(SuiteCrmSimTest, DateFilterPagesWithTotalPagesAndRelativeLinks) {
  Json old = Deal("old", "Prospecting", "1");
  old["modified_at"] = "2026-11-23T09:00:00Z";
  ASSERT_OK(sim_.CreateRecord(old));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(sim_.CreateRecord(Deal("d" + std::to_string(i), "Qualification", "100")));
    clock_.Advance(30s);
  }
  const std::string token = sim_.IssueToken();
  const std::string query =
      "?filter[date_modified][gte]=2026-11-23%2010:00:00&page[number]=1&page[size]=2&sort="
      "date_modified";
  auto first = sim_.Handle(Get(kList + query, token));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("Content-Type"), "application/vnd.api+json");
  Json body = BodyOf(first);
  EXPECT_EQ(body["meta"]["total-pages"], 3);
  EXPECT_EQ(body["meta"]["records-on-this-page"], 2);
  ASSERT_EQ(body["data"].size(), 2u);
  EXPECT_EQ(body["data"][0]["type"], "Opportunity");
  EXPECT_EQ(body["data"][0]["attributes"]["name"], "d0");
  // Stored at 10:00:30, rendered at minute resolution.
  EXPECT_EQ(body["data"][1]["attributes"]["date_modified"], "2026-11-23T10:00:00+00:00");
  EXPECT_EQ(body["data"][0]["attributes"]["amount"], "100");
  EXPECT_EQ(body["data"][0]["attributes"]["probability"], "20");
  EXPECT_TRUE(body["links"]["first"].is_null());
  EXPECT_TRUE(body["links"]["prev"].is_null());
  const std::string link =
      "V8/module/Opportunities?filter[date_modified][gte]=2026-11-23 10:00:00&page[number]=";
  EXPECT_EQ(body["links"]["next"], link + "2&page[size]=2&sort=date_modified");
  EXPECT_EQ(body["links"]["last"], link + "3&page[size]=2&sort=date_modified");

  auto last = BodyOf(sim_.Handle(
      Get(kList + std::string("?filter[date_modified][gte]=2026-11-23%2010:00:00&page[number]=3&"
                              "page[size]=2&sort=date_modified"),
          token)));
  EXPECT_EQ(last["meta"]["records-on-this-page"], 1);
  EXPECT_EQ(last["data"][0]["attributes"]["name"], "d4");
  EXPECT_TRUE(last["links"]["next"].is_null());
  EXPECT_TRUE(last["links"]["last"].is_null());
  EXPECT_EQ(last["links"]["first"], link + "1&page[size]=2&sort=date_modified");
  EXPECT_EQ(last["links"]["prev"], link + "2&page[size]=2&sort=date_modified");
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();

  // The filter value is pasted into SQL; only the column's own spelling is safe.
  auto iso = sim_.Handle(Get(
      kList + std::string("?filter[date_modified][gte]=2026-11-23T10:00:00%2B00:00&page[number]=1"
                          "&page[size]=2"),
      token));
  EXPECT_EQ(iso.status, 400);
  EXPECT_EQ(BodyOf(iso)["errors"]["status"], 400);
  EXPECT_TRUE(BodyOf(iso)["errors"]["title"].is_null());
  EXPECT_TRUE(HasViolation(sim_.violations(), "filter.date_format"));
}

TEST_F(SuiteCrmSimTest, PatchModuleAnswers201AtMinuteResolution) {
  auto id = sim_.CreateRecord(Deal("Acme", "Prospecting", "1000"));
  ASSERT_OK(id);
  clock_.Advance(107s);  // 10:01:47
  const std::string token = sim_.IssueToken();
  auto resp = sim_.Handle(Patch(
      Update(*id, {{"sales_stage", "Closed Won"}, {"amount", "1234.5"}, {"currency_id", kUsd}}),
      token));
  ASSERT_EQ(resp.status, 201) << resp.body;
  EXPECT_EQ(resp.header("Content-Type"), "application/vnd.api+json");
  Json data = BodyOf(resp)["data"];
  EXPECT_EQ(data["type"], "Opportunity");
  EXPECT_EQ(data["id"], *id);
  const Json& a = data["attributes"];
  EXPECT_EQ(a["sales_stage"], "Closed Won");
  EXPECT_EQ(a["amount"], "1234.5");
  EXPECT_EQ(a["amount_usdollar"], "987.6");  // 1234.5 / 1.25
  EXPECT_EQ(a["date_modified"], "2026-11-23T10:01:00+00:00");
  EXPECT_EQ(a["date_entered"], "2026-11-23T10:00:00+00:00");
  EXPECT_EQ(a["date_closed"], "2026-12-31");
  EXPECT_EQ(a["probability"], "10");  // set once from the first stage, not on update
  EXPECT_EQ(a["modified_user_id"], "1");
  EXPECT_EQ(a["deleted"], "0");
  EXPECT_EQ(data["relationships"]["Accounts"]["links"]["related"],
            "V8/module/" + *id + "/relationships/accounts");

  // Filters compare the stored seconds, not the rendered minute.
  auto after = BodyOf(sim_.Handle(
      Get(kList + std::string("?filter[date_modified][gt]=2026-11-23%2010:01:30&page[number]=1&"
                              "page[size]=10"),
          token)));
  ASSERT_EQ(after["data"].size(), 1u);
  EXPECT_EQ(after["data"][0]["id"], *id);

  // The alias type and plain application/json work alike; no 415.
  auto alias = sim_.Handle(
      Patch(Update(*id, {{"next_step", "sign"}}, "Opportunity"), token, "application/json"));
  EXPECT_EQ(alias.status, 201) << alias.body;
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(SuiteCrmSimTest, PatchRefusesUnknownCurrency) {
  auto id = sim_.CreateRecord(Deal("Acme", "Prospecting", "1000"));
  ASSERT_OK(id);
  const std::string token = sim_.IssueToken();
  auto resp = sim_.Handle(
      Patch(Update(*id, {{"currency_id", "feedface-0000-4000-8000-000000000009"}}), token));
  EXPECT_EQ(resp.status, 400);
  Json errors = BodyOf(resp)["errors"];
  ASSERT_TRUE(errors.is_object());
  EXPECT_EQ(errors["status"], 400);
  EXPECT_NE(errors.value("detail", "").find("currency_id"), std::string::npos);
  EXPECT_TRUE(HasViolation(sim_.violations(), "currency.unknown"));
  auto stored = BodyOf(sim_.Handle(Get(std::string(kList) + "/" + *id, token)));
  EXPECT_EQ(stored["data"]["attributes"]["currency_id"], "-99");
}

TEST_F(SuiteCrmSimTest, UnknownIdIs400AndIdGoesInTheBody) {
  const std::string token = sim_.IssueToken();
  const std::string missing = "00000000-0000-0000-0000-000000000000";
  auto get = sim_.Handle(Get(std::string(kList) + "/" + missing, token));
  EXPECT_EQ(get.status, 400);
  EXPECT_EQ(BodyOf(get)["errors"]["detail"],
            "Opportunities module with id " + missing + " is not found");
  auto patch = sim_.Handle(Patch(Update(missing, {{"name", "x"}}), token));
  EXPECT_EQ(patch.status, 400);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();

  auto id = sim_.CreateRecord(Deal("Acme", "Prospecting", "1000"));
  ASSERT_OK(id);
  HttpRequest by_path =
      WithJson("PATCH", std::string(kList) + "/" + *id, Update(*id, {{"name", "x"}}), token);
  auto not_allowed = sim_.Handle(by_path);
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(not_allowed.header("Allow"), "GET, DELETE");
  EXPECT_TRUE(HasViolation(sim_.violations(), "route.method_not_allowed"));
}

TEST_F(SuiteCrmSimTest, RefusesWhatSuiteCrmRefuses) {
  auto id = sim_.CreateRecord(Deal("Acme", "Prospecting", "1000"));
  ASSERT_OK(id);
  const std::string token = sim_.IssueToken();
  const auto detail = [&](const HttpResponse& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    const Json errors = BodyOf(r).value("errors", Json::object());
    return errors.is_object() ? errors.value("detail", "") : std::string();
  };
  EXPECT_EQ(detail(sim_.Handle(Get(kList + std::string("?filter[bogus][eq]=1"), token))),
            "Filter field bogus in Opportunity module is not found");
  EXPECT_EQ(detail(sim_.Handle(Get(kList + std::string("?filter[name][between]=a"), token))),
            "Filter operator between is invalid");
  EXPECT_EQ(detail(sim_.Handle(Get(kList + std::string("?page[size]=0"), token))),
            "The option \"size\" with value \"0\" is invalid.");
  EXPECT_EQ(detail(sim_.Handle(Get(kList + std::string("?limit=5"), token))),
            "The option \"limit\" does not exist. Defined options are: \"fields\", \"filter\", "
            "\"moduleName\", \"page\", \"sort\".");
  EXPECT_EQ(detail(sim_.Handle(Get(kList + std::string("?sort=bogus"), token))),
            "Sort field bogus in Opportunity module is not found");
  EXPECT_EQ(
      detail(sim_.Handle(Get(kList + std::string("?fields[Opportunities]=name,bogus"), token))),
      "The following field in Opportunity module is not found: bogus");
  EXPECT_EQ(detail(sim_.Handle(Patch(Update(*id, {{"bogus", "x"}}), token))),
            "Property bogus in Opportunity module is invalid");
  EXPECT_EQ(detail(sim_.Handle(Patch(Update(*id, {{"name", "x"}}), token, "text/plain"))),
            "The required option \"data\" is missing.");
  EXPECT_EQ(sim_.violations().entries().size(), 8u) << sim_.violations().Describe();

  // An enum is stored unchecked: accepted, but recorded.
  auto stage = sim_.Handle(Patch(Update(*id, {{"sales_stage", "Won"}}), token));
  EXPECT_EQ(stage.status, 201);
  EXPECT_TRUE(HasViolation(sim_.violations(), "sales_stage.not_in_dom"));

  auto some = BodyOf(sim_.Handle(
      Get(std::string(kList) + "/" + *id + "?fields[Opportunities]=name,amount", token)));
  EXPECT_EQ(some["data"]["attributes"], Json({{"name", "Acme"}, {"amount", "1000"}}));
}

TEST_F(SuiteCrmSimTest, DeletedRowsAreHiddenAndCannotBeListed) {
  auto kept = sim_.CreateRecord(Deal("kept", "Prospecting", "1"));
  auto gone = sim_.CreateRecord(Deal("gone", "Prospecting", "1"));
  ASSERT_OK(kept);
  ASSERT_OK(gone);
  ASSERT_OK(sim_.DeleteRecord(*gone));
  const std::string token = sim_.IssueToken();
  Json all = BodyOf(sim_.Handle(Get(kList, token)));
  ASSERT_EQ(all["data"].size(), 1u);
  EXPECT_EQ(all["data"][0]["id"], *kept);
  EXPECT_FALSE(all.contains("meta"));  // no page[size]: no meta, no links
  // getBeanSafe() re-reads each row and skips deleted ones (SuiteCRM issue #8631).
  auto deleted = sim_.Handle(Get(kList + std::string("?filter[deleted][eq]=1"), token));
  EXPECT_EQ(deleted.status, 400);
  EXPECT_EQ(BodyOf(deleted)["errors"]["detail"],
            "Opportunities module with id " + *gone + " is not found");
  EXPECT_TRUE(HasViolation(sim_.violations(), "list.deleted_rows"));
}

}  // namespace
}  // namespace dealsync::sim
