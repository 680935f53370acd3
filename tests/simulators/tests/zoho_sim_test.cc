#include "tests/simulators/zoho_sim.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/simulators/sim_time.h"
#include "tests/simulators/tests/sim_test_util.h"

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::HasViolation;

const std::string kDeals = "/crm/v6/Deals";
const std::string kFields = "fields=Deal_Name,Stage,Amount,Modified_Time";

class ZohoSimTest : public ::testing::Test {
 protected:
  ZohoSimTest() : sim_(clock_, random_) {}

  std::string Add(const std::string& name, const std::string& stage = "Qualification") {
    auto id = sim_.CreateRecord({{"Deal_Name", name},
                                 {"Stage", stage},
                                 {"Amount", 1234.5},
                                 {"Currency", "EUR"},
                                 {"Closing_Date", "2026-12-01"},
                                 {"Account_Name", {{"name", "Acme GmbH"}}},
                                 {"Deal_Registration_ID", "DR-1"}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }
  HttpRequest Api(std::string method, std::string url) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers.emplace_back("Authorization", "Zoho-oauthtoken " + token_);
    return r;
  }
  HttpResponse Get(const std::string& url, const std::string& since = "") {
    HttpRequest r = Api("GET", url);
    if (!since.empty())
      r.headers.emplace_back("If-Modified-Since", since);
    return sim_.Handle(r);
  }
  HttpResponse Put(const Json& body) {
    HttpRequest r = Api("PUT", kDeals);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body.dump();
    return sim_.Handle(r);
  }
  HttpResponse Refresh(const std::string& form) {
    HttpRequest r;
    r.method = "POST";
    r.url = "/oauth/v2/token";
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    r.body = form;
    return sim_.Handle(r);
  }

  FakeClock clock_;  // 2026-09-21T14:13:20Z
  ScriptedRandom random_{{3, 7, 11}};
  ZohoSim sim_;
  std::string token_ = sim_.IssueToken();
};

const std::string kGoodGrant =
    "grant_type=refresh_token&client_id=1000.ZOHOSIMCLIENT&client_secret=zoho-client-secret&"
    "refresh_token=1000.zoho-refresh-token";

TEST_F(ZohoSimTest, RefreshesTokensAndRequiresTheZohoOauthtokenScheme) {
  auto resp = Refresh(kGoodGrant);
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json grant = BodyOf(resp);
  const std::string token = grant["access_token"];
  EXPECT_EQ(token.rfind("1000.", 0), 0u);
  EXPECT_EQ(grant["token_type"], "Bearer");
  EXPECT_EQ(grant["expires_in"], 3600);
  EXPECT_EQ(grant["api_domain"], "https://127.0.0.1");

  HttpRequest zoho;
  zoho.url = kDeals + "?fields=Deal_Name";
  zoho.headers = {{"Authorization", "Zoho-oauthtoken " + token}};
  EXPECT_EQ(sim_.Handle(zoho).status, 204);  // no deals yet
  HttpRequest bearer = zoho;
  bearer.headers = {{"Authorization", "Bearer " + token}};
  resp = sim_.Handle(bearer);
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(BodyOf(resp), Json({{"code", "INVALID_TOKEN"},
                                {"details", Json::object()},
                                {"message", "invalid oauth token"},
                                {"status", "error"}}));
  EXPECT_TRUE(HasViolation(sim_.violations(), "auth.scheme"));
  HttpRequest anonymous = zoho;
  anonymous.headers.clear();
  resp = sim_.Handle(anonymous);
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(BodyOf(resp)["code"], "AUTHENTICATION_FAILURE");
  EXPECT_TRUE(HasViolation(sim_.violations(), "auth.missing"));

  // Refused grants answer {"error": ...}.
  resp = Refresh(
      "grant_type=refresh_token&client_id=1000.ZOHOSIMCLIENT&client_secret=bad&"
      "refresh_token=1000.zoho-refresh-token");
  EXPECT_EQ(BodyOf(resp), Json({{"error", "invalid_client"}}));
  resp = Refresh(
      "grant_type=refresh_token&client_id=1000.ZOHOSIMCLIENT&client_secret=zoho-client-secret&"
      "refresh_token=1000.revoked");
  EXPECT_EQ(BodyOf(resp), Json({{"error", "invalid_code"}}));
  // The parameters may also come as a query string.
  HttpRequest query;
  query.method = "POST";
  query.url = "/oauth/v2/token?" + kGoodGrant;
  EXPECT_TRUE(BodyOf(sim_.Handle(query)).contains("access_token"));
  EXPECT_EQ(sim_.violations().entries().size(), 4u) << sim_.violations().Describe();

  // An expired token is refused, but that is normal life, not a violation.
  clock_.Advance(3601s);
  resp = sim_.Handle(zoho);
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(BodyOf(resp)["code"], "INVALID_TOKEN");
  EXPECT_EQ(sim_.violations().entries().size(), 4u) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, RefreshingMoreThanTenTimesInTenMinutesIsBlocked) {
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(Refresh(kGoodGrant).status, 200);
  auto resp = Refresh(kGoodGrant);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["error"], "Access Denied");
  EXPECT_TRUE(HasViolation(sim_.violations(), "oauth.too_many_requests"));
  clock_.Advance(10min);
  EXPECT_EQ(Refresh(kGoodGrant).status, 200);
}

TEST_F(ZohoSimTest, RendersDealsAsZohoDoes) {
  const std::string id = Add("Fleet renewal");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9]{19}"))) << id;
  auto resp = Get(kDeals + "/" + id);
  ASSERT_EQ(resp.status, 200) << resp.body;
  const Json d = BodyOf(resp)["data"][0];
  EXPECT_EQ(d["id"], id);
  EXPECT_EQ(d["Deal_Name"], "Fleet renewal");
  EXPECT_EQ(d["Stage"], "Qualification");
  EXPECT_EQ(d["Amount"], 1234.5);
  EXPECT_EQ(d["Currency"], "EUR");
  EXPECT_EQ(d["Closing_Date"], "2026-12-01");
  EXPECT_EQ(d["Pipeline"], "Standard (Standard)");
  EXPECT_EQ(d["Account_Name"]["name"], "Acme GmbH");
  EXPECT_TRUE(
      std::regex_match(d["Account_Name"]["id"].get<std::string>(), std::regex("[0-9]{19}")));
  EXPECT_EQ(d["Owner"], Json({{"name", "Patricia Boyle"},
                              {"id", "5725767000000411001"},
                              {"email", "p.boyle@zylker.example"}}));
  EXPECT_EQ(d["Deal_Registration_ID"], "DR-1");
  EXPECT_TRUE(d["Vendor_Opportunity_ID"].is_null());
  EXPECT_EQ(d["Created_Time"], "2026-09-21T14:13:20+00:00");
  // One record for an id with no record is "no content".
  EXPECT_EQ(Get(kDeals + "/5725767000009999999").status, 204);
  const Json view = sim_.ControlView(*sim_.records().Find(id));
  EXPECT_EQ(view["visible_at"], "2026-09-21T14:13:20.000Z");
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, ModifiedTimeHasWholeSeconds) {
  clock_.Advance(1250ms);
  const std::string id = Add("a");
  const std::regex whole("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+00:00");
  const Json d = BodyOf(Get(kDeals + "?" + kFields))["data"][0];
  EXPECT_EQ(d["Modified_Time"], "2026-09-21T14:13:21+00:00");  // .250 truncated
  clock_.Advance(1900ms);
  auto resp = Put({{"data", {{{"id", id}, {"Stage", "Needs Analysis"}}}}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  const Json details = BodyOf(resp)["data"][0]["details"];
  EXPECT_EQ(details["Modified_Time"], "2026-09-21T14:13:23+00:00");
  EXPECT_TRUE(std::regex_match(details["Created_Time"].get<std::string>(), whole));
  EXPECT_EQ(details["Modified_By"],
            Json({{"name", "Patricia Boyle"}, {"id", "5725767000000411001"}}));
}

TEST_F(ZohoSimTest, IfModifiedSinceSelectsLaterChangesAndAnswers304) {
  const std::string a = Add("a");
  Add("b");
  const std::string created = "2026-09-21T14:13:20+00:00";
  const std::string url = kDeals + "?" + kFields + "&sort_by=Modified_Time&sort_order=asc";
  // Strictly after the instant: nothing is, so 304 with no body.
  auto resp = Get(url, created);
  EXPECT_EQ(resp.status, 304);
  EXPECT_TRUE(resp.body.empty());
  clock_.Advance(2s);
  ASSERT_OK(sim_.EditRecord(a, {{"Stage", "Closed Won"}}));
  resp = Get(url, "2026-09-21T16:13:20+02:00");  // the same instant at another offset
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json body = BodyOf(resp);
  ASSERT_EQ(body["data"].size(), 1u);
  EXPECT_EQ(body["data"][0]["id"], a);
  EXPECT_EQ(body["data"][0]["Stage"], "Closed Won");
  EXPECT_EQ(Get(url).status, 200);  // without the header: everything
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();

  // Only Zoho's documented spelling is accepted.
  EXPECT_EQ(Get(url, "Mon, 21 Sep 2026 14:13:20 GMT").status, 400);
  EXPECT_EQ(Get(url, "2026-09-21T14:13:20Z").status, 400);
  EXPECT_EQ(Get(url, "2026-09-21T14:13:20.000+00:00").status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 3u) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, PagesWithNextPageTokenAcrossSeveralPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 450; ++i) {
    ids.push_back(Add("d" + std::to_string(i)));
    if (i % 100 == 99)
      clock_.Advance(1s);
  }
  const std::string url =
      kDeals + "?" + kFields + "&per_page=200&sort_by=Modified_Time&sort_order=asc";
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto resp = Get(url + (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(resp.status, 200) << resp.body;
    const Json body = BodyOf(resp);
    const Json& info = body["info"];
    EXPECT_EQ(info["per_page"], 200);
    EXPECT_EQ(info["count"], body["data"].size());
    EXPECT_EQ(info["page"], 1);
    EXPECT_EQ(info["sort_by"], "Modified_Time");
    EXPECT_EQ(info["sort_order"], "asc");
    // As in Zoho's sample, the first page fetched by token has no previous token
    // (the page before it was fetched by number).
    EXPECT_EQ(info["previous_page_token"].is_null(), pages < 2);
    for (const auto& d : body["data"]) {
      seen.push_back(d["id"]);
      EXPECT_EQ(d.size(), 5u);  // the four fields asked for, and id
    }
    EXPECT_EQ(info["more_records"], !info["next_page_token"].is_null());
    token = info["more_records"] ? info["next_page_token"].get<std::string>() : "";
    ++pages;
    if (pages == 1) {
      // An edit between pages: the record moves behind the unread ones and is met again.
      clock_.Advance(1s);
      ASSERT_OK(sim_.EditRecord(ids[0], {{"Stage", "Negotiation/Review"}}));
    }
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 451u);
  EXPECT_EQ(seen.back(), ids[0]);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 450u);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, PagingRulesAreEnforced) {
  for (int i = 0; i < 3; ++i)
    Add("d" + std::to_string(i));
  const std::string url = kDeals + "?" + kFields + "&per_page=2";
  const Json first = BodyOf(Get(url));
  EXPECT_EQ(first["info"]["more_records"], true);
  EXPECT_TRUE(first["info"]["page_token_expiry"].is_string());
  const std::string token = first["info"]["next_page_token"];
  EXPECT_EQ(BodyOf(Get(url + "&page=2"))["data"].size(), 1u);
  EXPECT_EQ(Get(url + "&page=3").status, 204);

  // A token is bound to the parameters of the listing it came from.
  auto resp = Get(kDeals + "?" + kFields + "&per_page=3&page_token=" + token);
  EXPECT_EQ(BodyOf(resp)["code"], "TOKEN_BOUND_DATA_MISMATCH");
  resp = Get(url + "&page=2&page_token=" + token);
  EXPECT_EQ(BodyOf(resp)["code"], "AMBIGUITY_DURING_PROCESSING");
  resp = Get(url + "&page_token=ffff");
  EXPECT_EQ(BodyOf(resp)["code"], "INVALID_DATA");
  resp = Get(kDeals + "?" + kFields + "&page=11");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["code"], "DISCRETE_PAGINATION_LIMIT_EXCEEDED");
  EXPECT_EQ(Get(kDeals + "?" + kFields + "&per_page=201").status, 400);
  EXPECT_EQ(Get(kDeals + "?" + kFields + "&sort_by=Deal_Name").status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 6u) << sim_.violations().Describe();

  // After 24 hours the token has expired: refused, but not a client bug.
  clock_.Advance(24h);
  token_ = sim_.IssueToken();
  resp = Get(url + "&page_token=" + token);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["code"], "EXPIRED_VALUE");
  EXPECT_EQ(sim_.violations().entries().size(), 6u) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, FieldsAreRequiredKnownAndAtMostFifty) {
  Add("a");
  auto resp = Get(kDeals);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp), Json({{"code", "REQUIRED_PARAM_MISSING"},
                                {"details", {{"param_name", "fields"}}},
                                {"message", "required param is missing"},
                                {"status", "error"}}));
  resp = Get(kDeals + "?fields=Deal_Name,Closing_Dat");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["code"], "INVALID_DATA");
  EXPECT_EQ(BodyOf(resp)["details"]["api_name"], "Closing_Dat");
  std::string many = "fields=Deal_Name";
  for (int i = 0; i < 50; ++i)
    many += ",Stage";
  resp = Get(kDeals + "?" + many);
  EXPECT_EQ(BodyOf(resp)["code"], "LIMIT_EXCEEDED");
  EXPECT_EQ(Get(kDeals + "?" + kFields + "&modified_since=2026-01-01").status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 4u) << sim_.violations().Describe();

  // Spaces after commas are allowed; a record has what was asked for, and id.
  resp = Get(kDeals + "?fields=Deal_Name,%20Account_Name");
  ASSERT_EQ(resp.status, 200) << resp.body;
  const Json d = BodyOf(resp)["data"][0];
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d["Account_Name"]["name"], "Acme GmbH");
}

TEST_F(ZohoSimTest, UpdateAnswersPerRecordInRequestOrder) {
  const std::string a = Add("a");
  const std::string b = Add("b");
  const std::string c = Add("c");
  clock_.Advance(5s);
  auto resp =
      Put({{"data",
            {{{"id", a}, {"Stage", "Closed Won"}, {"Amount", 99.5}},
             {{"id", b}, {"Amount", "99.50"}},
             {{"id", c}, {"Stage", "Won"}},
             {{"id", "5725767000009999999"}, {"Stage", "Closed Won"}},
             {{"id", c}, {"Closing_Date", "2026-12-31"}, {"Deal_Registration_ID", "DR-9"}}}},
           {"trigger", Json::array()}});
  ASSERT_EQ(resp.status, 207) << resp.body;
  const Json results = BodyOf(resp)["data"];
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["code"], "SUCCESS");
  EXPECT_EQ(results[0]["message"], "record updated");
  EXPECT_EQ(results[0]["details"]["id"], a);
  EXPECT_EQ(results[1], Json({{"code", "INVALID_DATA"},
                              {"details",
                               {{"expected_data_type", "double"},
                                {"api_name", "Amount"},
                                {"json_path", "$.data[1].Amount"}}},
                              {"message", "invalid data"},
                              {"status", "error"}}));
  EXPECT_EQ(results[2]["code"], "INVALID_DATA");
  EXPECT_EQ(results[2]["details"]["api_name"], "Stage");
  EXPECT_EQ(results[2]["details"]["json_path"], "$.data[2].Stage");
  EXPECT_EQ(results[3]["details"], Json({{"api_name", "id"}, {"json_path", "$.data[3].id"}}));
  EXPECT_EQ(results[4]["status"], "success");
  EXPECT_EQ(sim_.violations().entries().size(), 3u) << sim_.violations().Describe();

  const Json after = BodyOf(Get(
      kDeals +
      "?fields=Stage,Amount,Closing_Date,Deal_Registration_ID&sort_by=id&sort_order=asc"))["data"];
  EXPECT_EQ(after[0]["Stage"], "Closed Won");
  EXPECT_EQ(after[0]["Amount"], 99.5);
  EXPECT_EQ(after[1]["Amount"], 1234.5);  // the failed record is unchanged
  EXPECT_EQ(after[2]["Stage"], "Qualification");
  EXPECT_EQ(after[2]["Closing_Date"], "2026-12-31");
  EXPECT_EQ(after[2]["Deal_Registration_ID"], "DR-9");

  // All succeed: 200; all fail: 400.
  EXPECT_EQ(Put({{"data", {{{"id", a}, {"Currency", "GBP"}}}}}).status, 200);
  resp = Put({{"data", {{{"id", a}, {"Currency", "CHF"}}, {{"Stage", "Closed Won"}}}}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["data"][1]["code"], "MANDATORY_NOT_FOUND");
}

TEST_F(ZohoSimTest, UpdateRequestRules) {
  const std::string a = Add("a");
  Json many = Json::array();
  for (int i = 0; i < 101; ++i)
    many.push_back({{"id", a}, {"Stage", "Closed Won"}});
  auto resp = Put({{"data", many}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["data"][0]["code"], "LIMIT_EXCEEDED");
  EXPECT_EQ(BodyOf(resp)["data"][0]["details"]["maximum_length"], 100);
  resp = Put({{"data", {{{"id", a}}}}, {"trigger", Json::array({"workflows"})}});
  EXPECT_EQ(BodyOf(resp)["data"][0]["details"]["json_path"], "$.trigger[0]");
  HttpRequest text = Api("PUT", kDeals);
  text.headers.emplace_back("Content-Type", "text/plain");
  text.body = Json({{"data", {{{"id", a}}}}}).dump();
  EXPECT_EQ(sim_.Handle(text).status, 415);
  HttpRequest post = Api("POST", kDeals);
  EXPECT_EQ(BodyOf(sim_.Handle(post))["code"], "INVALID_REQUEST_METHOD");
  EXPECT_EQ(BodyOf(Get("/crm/v6/Leads?fields=Last_Name"))["code"], "INVALID_MODULE");
  EXPECT_EQ(Get("/crm/v2/Deals?fields=Deal_Name").status, 404);
  EXPECT_EQ(sim_.violations().entries().size(), 6u) << sim_.violations().Describe();

  // System fields and "$" keys of a GET response are accepted and ignored.
  Json echoed = BodyOf(Get(kDeals + "/" + a))["data"][0];
  echoed["$currency_symbol"] = "€";
  echoed["Stage"] = "Closed Lost";
  EXPECT_EQ(Put({{"data", Json::array({echoed})}}).status, 200);
  EXPECT_EQ(sim_.violations().entries().size(), 6u) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, FaultsAnswerInZohoShape) {
  const std::string a = Add("a");
  sim_.faults().Add(FaultRule::Of(FaultKind::kRateLimit, "GET"));
  auto resp = Get(kDeals + "?" + kFields);
  EXPECT_EQ(resp.status, 429);
  EXPECT_EQ(BodyOf(resp)["code"], "TOO_MANY_REQUESTS");
  EXPECT_FALSE(resp.header("Retry-After").has_value());  // Zoho documents none

  sim_.faults().Add(FaultRule::Of(FaultKind::kFailIds).Ids({a}));
  resp = Put({{"data", {{{"id", a}, {"Stage", "Closed Won"}}}}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["data"][0]["code"], "RECORD_LOCKED");

  sim_.faults().Add(FaultRule::Of(FaultKind::kExpireToken));
  EXPECT_EQ(Get(kDeals + "?" + kFields).status, 401);
  resp = Get(kDeals + "?" + kFields);
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(BodyOf(resp)["code"], "INVALID_TOKEN");
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(ZohoSimTest, ControlEditsValidateLikeTheApi) {
  EXPECT_FALSE(sim_.CreateRecord({{"Deal_Name", "x"}, {"Stage", "Won"}}).ok());
  EXPECT_FALSE(
      sim_.CreateRecord({{"Deal_Name", "x"}, {"Stage", "Qualification"}, {"Amount", "5"}}).ok());
  EXPECT_FALSE(sim_.CreateRecord({{"Deal_Name", "x"}}).ok());  // Stage is mandatory
  EXPECT_FALSE(
      sim_.CreateRecord({{"Deal_Name", "x"}, {"Stage", "Qualification"}, {"Colour", "red"}}).ok());
  const std::string a = Add("a");
  EXPECT_FALSE(sim_.EditRecord(a, {{"Modified_Time", "2026-01-01T00:00:00+00:00"}}).ok());
  ASSERT_OK(sim_.EditRecord(a, {{"Owner", {{"name", "Jo Lee"}, {"email", "jo@zylker.example"}}},
                                {"modified_at", "2026-01-01T00:00:00Z"}}));
  const Json view = sim_.ControlView(*sim_.records().Find(a));
  EXPECT_EQ(view["Owner"]["name"], "Jo Lee");
  EXPECT_EQ(view["Modified_By"]["name"], "Jo Lee");  // edited in the CRM by its owner
  EXPECT_EQ(view["Modified_Time"], "2026-01-01T00:00:00+00:00");
  // The API takes an Owner by the id Zoho gave the user.
  auto resp = Put({{"data", {{{"id", a}, {"Owner", {{"id", view["Owner"]["id"]}}}}}}});
  EXPECT_EQ(resp.status, 200) << resp.body;
  resp = Put({{"data", {{{"id", a}, {"Owner", {{"id", "5725767000000000001"}}}}}}});
  EXPECT_EQ(resp.status, 400);
}

}  // namespace
}  // namespace dealsync::sim
