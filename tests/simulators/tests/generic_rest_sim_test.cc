#include "tests/simulators/generic_rest_sim.h"

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

Json Deal(const std::string& name, const std::string& stage) {
  return {{"name", name},
          {"account", "Acme GmbH"},
          {"owner", "Jo"},
          {"stage", stage},
          {"amount", "1234.50"},
          {"currency", "EUR"},
          {"close_at", "2026-12-01"},
          {"registration", "DR-1"},
          {"vendor_ref", "006X"}};
}

HttpRequest WithKey(HttpRequest r) {
  r.headers.emplace_back("X-Api-Key", "northwind-api-key");
  return r;
}

class NorthwindTest : public ::testing::Test {
 protected:
  NorthwindTest() : sim_(clock_, random_, Config()) {}
  static GenericRestSimConfig Config() {
    GenericRestSimConfig c;
    c.shape = RestShape::kNorthwind;
    c.base_path = "/api/v2";
    return c;
  }
  FakeClock clock_;
  ScriptedRandom random_;
  GenericRestSim sim_;
};

TEST_F(NorthwindTest, CursorPagingIsStableAndComplete) {
  for (int i = 0; i < 23; ++i) {
    ASSERT_OK(sim_.CreateRecord(Deal("d" + std::to_string(i), "Qualified")));
    if (i % 5 == 0)
      clock_.Advance(1ms);
  }
  std::string cursor;
  std::vector<std::string> ids;
  do {
    auto resp = sim_.Handle(WithKey(Get("/api/v2/deals?updated_after=0&limit=10" +
                                        (cursor.empty() ? "" : "&cursor=" + cursor))));
    ASSERT_EQ(resp.status, 200) << resp.body;
    Json body = BodyOf(resp);
    for (const auto& d : body["data"])
      ids.push_back(d["id"]);
    cursor =
        body["meta"]["next_cursor"].is_null() ? "" : body["meta"]["next_cursor"].get<std::string>();
    // An edit between pages moves a record to the end, never loses one.
    if (ids.size() == 10) {
      clock_.Advance(1ms);
      ASSERT_OK(sim_.EditRecord("nw-1", {{"stage", "Won"}}));
    }
  } while (!cursor.empty());
  EXPECT_EQ(ids.size(), 24u);  // nw-1 seen twice: once before, once after its edit
  EXPECT_EQ(ids.back(), "nw-1");
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(NorthwindTest, RendersShapeA) {
  ASSERT_OK(sim_.CreateRecord(Deal("a", "Quote sent")));
  Json d = BodyOf(sim_.Handle(WithKey(Get("/api/v2/deals/nw-1"))));
  EXPECT_EQ(d["title"], "a");
  EXPECT_EQ(d["account"]["name"], "Acme GmbH");
  EXPECT_EQ(d["value"], "1234.50");
  EXPECT_EQ(d["custom"]["vendor_reg_id"], "DR-1");
  EXPECT_EQ(d["updated_at"], ToEpochMs(clock_.Now()));
  EXPECT_TRUE(d["expected_close"].is_number_integer());
}

TEST_F(NorthwindTest, Validation) {
  EXPECT_EQ(sim_.Handle(Get("/api/v2/deals?updated_after=0")).status, 401);
  EXPECT_EQ(sim_.Handle(WithKey(Get("/api/v2/deals"))).status, 400);
  EXPECT_EQ(sim_.Handle(WithKey(Get("/api/v2/deals?updated_after=2026-01-01"))).status, 400);
  EXPECT_EQ(sim_.Handle(WithKey(Get("/api/v2/deals?updated_after=0&limit=500"))).status, 400);
  EXPECT_EQ(sim_.Handle(WithKey(Get("/api/v2/deals?updated_after=0&cursor=zz"))).status, 400);
  EXPECT_EQ(sim_.Handle(WithKey(Get("/api/v2/deals?updated_after=0&since=1"))).status, 400);
  ASSERT_OK(sim_.CreateRecord(Deal("a", "Qualified")));
  EXPECT_EQ(
      sim_.Handle(WithKey(WithJson("PATCH", "/api/v2/deals/nw-1", {{"status", "Closed"}}))).status,
      422);
  EXPECT_EQ(sim_.Handle(WithKey(WithJson("PATCH", "/api/v2/deals/nw-1", {{"value", 12.5}}))).status,
            422);
  HttpRequest text = WithKey(WithJson("PATCH", "/api/v2/deals/nw-1", {{"status", "Won"}}));
  text.headers[0].second = "text/plain";
  EXPECT_EQ(sim_.Handle(text).status, 415);
  EXPECT_EQ(sim_.violations().entries().size(), 9u) << sim_.violations().Describe();
}

TEST_F(NorthwindTest, PatchUpdatesBumpsAndHonoursFaults) {
  ASSERT_OK(sim_.CreateRecord(Deal("a", "Qualified")));
  clock_.Advance(2s);
  auto resp = sim_.Handle(WithKey(
      WithJson("PATCH", "/api/v2/deals/nw-1",
               {{"status", "Won"}, {"value", "99.00"}, {"expected_close", 1800000000000}})));
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json d = BodyOf(resp);
  EXPECT_EQ(d["status"], "Won");
  EXPECT_EQ(d["expected_close"], 1800000000000);
  EXPECT_EQ(d["updated_at"], ToEpochMs(clock_.Now()));
  EXPECT_EQ(
      sim_.Handle(WithKey(WithJson("PATCH", "/api/v2/deals/nw-9", {{"status", "Won"}}))).status,
      404);
  sim_.faults().Add(FaultRule::Of(FaultKind::kFailIds).Ids({"nw-1"}));
  EXPECT_EQ(
      sim_.Handle(WithKey(WithJson("PATCH", "/api/v2/deals/nw-1", {{"status", "Won"}}))).status,
      423);
  sim_.faults().Add(FaultRule::Of(FaultKind::kRateLimit, "GET"));
  auto limited = sim_.Handle(WithKey(Get("/api/v2/deals?updated_after=0")));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("X-RateLimit-Remaining"), "0");
  EXPECT_TRUE(limited.header("Retry-After").has_value());
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

class ContosoTest : public ::testing::Test {
 protected:
  ContosoTest() : sim_(clock_, random_, Config()) {}
  static GenericRestSimConfig Config() {
    GenericRestSimConfig c;
    c.shape = RestShape::kContoso;
    c.public_base_url = "https://127.0.0.1:9443";
    return c;
  }
  FakeClock clock_;
  ScriptedRandom random_{{5, 11}};
  GenericRestSim sim_;
};

TEST_F(ContosoTest, TokenWithBasicOrFormCredentials) {
  HttpRequest r;
  r.method = "POST";
  r.url = "/oauth/token";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"Authorization", "Basic Y29udG9zby1jbGllbnQ6Y29udG9zby1zZWNyZXQ="}};
  r.body = "grant_type=client_credentials";
  auto resp = sim_.Handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  const std::string token = BodyOf(resp)["access_token"];
  EXPECT_EQ(BodyOf(resp)["expires_in"], 3600);
  EXPECT_EQ(sim_.Handle(Get("/v1/opportunities?modified_since=2026-01-01T00:00:00Z", token)).status,
            200);
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = "grant_type=client_credentials&client_id=contoso-client&client_secret=bad";
  EXPECT_EQ(sim_.Handle(r).status, 401);
  EXPECT_TRUE(HasViolation(sim_.violations(), "oauth.invalid_client"));
  clock_.Advance(3601s);
  EXPECT_EQ(sim_.Handle(Get("/v1/opportunities?modified_since=2026-01-01T00:00:00Z", token)).status,
            401);
  EXPECT_EQ(sim_.violations().entries().size(), 1u);  // expiry is not a violation
}

TEST_F(ContosoTest, PagesWithLinkHeaderAndRendersShapeB) {
  for (int i = 0; i < 7; ++i)
    ASSERT_OK(sim_.CreateRecord(Deal("d", "Proposal")));
  const std::string token = sim_.IssueToken();
  auto resp = sim_.Handle(
      Get("/v1/opportunities?modified_since=2020-01-01T00:00:00Z&page=1&per_page=5", token));
  ASSERT_EQ(resp.status, 200);
  EXPECT_EQ(
      resp.header("Link"),
      "<https://127.0.0.1:9443/v1/opportunities?modified_since=2020-01-01T00%3A00%3A00Z&page=2&"
      "per_page=5>; rel=\"next\"");
  Json body = BodyOf(resp);
  ASSERT_EQ(body["items"].size(), 5u);
  const Json& item = body["items"][0];
  EXPECT_EQ(item["opportunityId"], 1);
  EXPECT_EQ(item["amount"]["value"], 1234.5);
  EXPECT_EQ(item["amount"]["currency"], "EUR");
  EXPECT_EQ(item["closeDate"], "2026-12-01T00:00:00-05:00");  // a bare date is local midnight
  auto last = sim_.Handle(
      Get("/v1/opportunities?modified_since=2020-01-01T00:00:00Z&page=2&per_page=5", token));
  EXPECT_EQ(BodyOf(last)["items"].size(), 2u);
  EXPECT_FALSE(last.header("Link").has_value());
}

TEST_F(ContosoTest, ListValidation) {
  const std::string token = sim_.IssueToken();
  EXPECT_EQ(sim_.Handle(Get("/v1/opportunities?modified_since=2020-01-01T00:00:00Z")).status, 401);
  EXPECT_EQ(sim_.Handle(Get("/v1/opportunities", token)).status, 400);
  EXPECT_EQ(sim_.Handle(Get("/v1/opportunities?modified_since=1700000000", token)).status, 400);
  EXPECT_EQ(sim_.Handle(Get("/v1/opportunities?modified_since=2020-01-01T00:00:00Z&page=0", token))
                .status,
            400);
  EXPECT_EQ(
      sim_.Handle(Get("/v1/opportunities?modified_since=2020-01-01T00:00:00Z&per_page=101", token))
          .status,
      400);
  EXPECT_EQ(sim_.violations().entries().size(), 5u);
}

TEST_F(ContosoTest, BatchUpdatesWithPerItemResults) {
  ASSERT_OK(sim_.CreateRecord(Deal("a", "Proposal")));
  ASSERT_OK(sim_.CreateRecord(Deal("b", "Proposal")));
  const std::string token = sim_.IssueToken();
  sim_.faults().Add(FaultRule::Of(FaultKind::kFailIds).Ids({"2"}));
  Json body = {{"updates",
                {{{"opportunityId", 1},
                  {"phase", "Closed Won"},
                  {"amount", {{"value", 99.5}, {"currency", "USD"}}},
                  {"closeDate", "2027-01-31"}},
                 {{"opportunityId", 2}, {"phase", "Negotiation"}},
                 {{"opportunityId", 3}, {"phase", "Negotiation"}}}}};
  clock_.Advance(1s);
  auto resp = sim_.Handle(WithJson("POST", "/v1/opportunities/batch", body, token));
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json results = BodyOf(resp)["results"];
  EXPECT_EQ(results[0]["ok"], true);
  EXPECT_EQ(results[1]["error"], "locked by approval");
  EXPECT_EQ(results[2]["error"], "not found");
  Json one = BodyOf(sim_.Handle(Get("/v1/opportunities/1", token)));
  EXPECT_EQ(one["phase"], "Closed Won");
  EXPECT_EQ(one["amount"]["value"], 99.5);
  EXPECT_EQ(one["closeDate"], "2027-01-31T00:00:00-05:00");
  EXPECT_EQ(one["lastModified"], IsoMillisZ(clock_.Now()));
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(ContosoTest, BatchValidation) {
  ASSERT_OK(sim_.CreateRecord(Deal("a", "Proposal")));
  const std::string token = sim_.IssueToken();
  Json many = {{"updates", Json::array()}};
  for (int i = 0; i < 26; ++i)
    many["updates"].push_back({{"opportunityId", 1}});
  EXPECT_EQ(sim_.Handle(WithJson("POST", "/v1/opportunities/batch", many, token)).status, 400);
  EXPECT_EQ(sim_.Handle(WithJson("POST", "/v1/opportunities/batch",
                                 {{"updates", {{{"opportunityId", "1"}}}}}, token))
                .status,
            422);
  EXPECT_EQ(sim_.Handle(WithJson("POST", "/v1/opportunities/batch",
                                 {{"updates", {{{"opportunityId", 1}, {"amount", "5"}}}}}, token))
                .status,
            422);
  Json bad_phase = BodyOf(
      sim_.Handle(WithJson("POST", "/v1/opportunities/batch",
                           {{"updates", {{{"opportunityId", 1}, {"phase", "Won"}}}}}, token)));
  EXPECT_EQ(bad_phase["results"][0]["ok"], false);
  EXPECT_EQ(sim_.violations().entries().size(), 4u) << sim_.violations().Describe();
}

TEST(GenericRestShape, ParsesNames) {
  EXPECT_TRUE(ParseRestShape("contoso").ok());
  EXPECT_FALSE(ParseRestShape("acme").ok());
}

}  // namespace
}  // namespace dealsync::sim
