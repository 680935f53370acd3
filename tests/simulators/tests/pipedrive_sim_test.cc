#include "tests/simulators/pipedrive_sim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <regex>
#include <set>

#include "tests/simulators/sim_time.h"
#include "tests/simulators/tests/sim_test_util.h"

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::HasViolation;

const std::string kToken = "pipedrive-api-token";

HttpRequest Api(const std::string& method, const std::string& path,
                const std::optional<Json>& body = std::nullopt) {
  HttpRequest r;
  r.method = method;
  r.url = "https://acme.pipedrive.com" + path;
  r.headers.emplace_back("x-api-token", kToken);
  if (body) {
    r.body = body->dump();
    r.headers.emplace_back("Content-Type", "application/json");
  }
  return r;
}

size_t HeaderCount(const HttpResponse& r, const std::string& name) {
  return std::count_if(r.headers.begin(), r.headers.end(),
                       [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

class PipedriveSimTest : public ::testing::Test {
 protected:
  PipedriveSimTest() : sim_(clock_, random_) {}

  std::string Add(const std::string& title, const Json& extra = Json::object()) {
    Json deal = {{"title", title},
                 {"stage_id", 2},
                 {"value", 1234.5},
                 {"currency", "EUR"},
                 {"expected_close_date", "2026-12-01"},
                 {"custom_fields", {{kPipedriveDealRegistrationIdKey, "DR-" + title}}}};
    deal.update(extra);
    auto id = sim_.CreateRecord(deal);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }
  HttpResponse Get(const std::string& path) { return sim_.Handle(Api("GET", path)); }
  HttpResponse Patch(const std::string& id, const Json& body) {
    return sim_.Handle(Api("PATCH", "/api/v2/deals/" + id, body));
  }

  FakeClock clock_;
  ScriptedRandom random_{{7, 3, 11}};
  PipedriveSim sim_;
};

TEST_F(PipedriveSimTest, EveryRequestNeedsTheXApiTokenHeader) {
  Add("a");
  HttpRequest none = Api("GET", "/api/v2/deals");
  none.headers.clear();
  auto resp = sim_.Handle(none);
  EXPECT_EQ(resp.status, 401);
  Json body = BodyOf(resp);
  EXPECT_EQ(body["success"], false);
  EXPECT_EQ(body["errorCode"], 401);
  EXPECT_TRUE(body["error"].is_string());

  HttpRequest wrong = none;
  wrong.headers.emplace_back("x-api-token", "not-the-token");
  EXPECT_EQ(sim_.Handle(wrong).status, 401);
  HttpRequest bearer = none;
  bearer.headers.emplace_back("Authorization", "Bearer " + kToken);
  EXPECT_EQ(sim_.Handle(bearer).status, 401);
  HttpRequest query = none;
  query.url += "?api_token=" + kToken;
  EXPECT_EQ(sim_.Handle(query).status, 401);
  EXPECT_EQ(sim_.violations().entries().size(), 4u) << sim_.violations().Describe();
  EXPECT_TRUE(HasViolation(sim_.violations(), "auth.missing"));
  EXPECT_TRUE(HasViolation(sim_.violations(), "auth.invalid"));

  HttpRequest mixed_case = none;
  mixed_case.headers.emplace_back("X-API-Token", kToken);
  resp = sim_.Handle(mixed_case);
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(BodyOf(resp)["data"].size(), 1u);
}

TEST_F(PipedriveSimTest, UpdatedSinceAndCursorPagingToANullNextCursor) {
  for (int i = 0; i < 3; ++i)
    Add("old" + std::to_string(i));
  clock_.Advance(2s);
  const Timestamp since = clock_.Now();
  std::set<int64_t> expected;
  for (int i = 0; i < 25; ++i) {
    expected.insert(std::stoll(Add("d" + std::to_string(i))));
    if (i % 4 == 3)
      clock_.Advance(1s);
  }
  const std::string query =
      "/api/v2/deals?updated_since=" + IsoSecondsZ(since) + "&sort_by=update_time&limit=10";
  std::string cursor;
  std::set<int64_t> seen;
  std::string last_update;
  int pages = 0;
  do {
    auto resp = Get(query + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(resp.status, 200) << resp.body;
    Json body = BodyOf(resp);
    EXPECT_EQ(body["success"], true);
    for (const auto& d : body["data"]) {
      EXPECT_TRUE(d["id"].is_number_integer());
      EXPECT_TRUE(seen.insert(d["id"].get<int64_t>()).second) << d.dump();
      const std::string update = d["update_time"];
      EXPECT_LE(last_update, update);  // same format, so string order is time order
      EXPECT_GE(update, IsoSecondsZ(since));
      last_update = update;
    }
    ++pages;
    ASSERT_TRUE(body["additional_data"].contains("next_cursor"));
    const Json& next = body["additional_data"]["next_cursor"];
    cursor = next.is_null() ? "" : next.get<std::string>();
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, expected);

  // updated_until is exclusive: only the first second's four deals.
  Json first_second = BodyOf(Get("/api/v2/deals?updated_since=" + IsoSecondsZ(since) +
                                 "&updated_until=" + IsoSecondsZ(since + 1s)));
  EXPECT_EQ(first_second["data"].size(), 4u);
  EXPECT_TRUE(first_second["additional_data"]["next_cursor"].is_null());
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(PipedriveSimTest, ListParametersAreValidated) {
  Add("a");
  EXPECT_EQ(Get("/api/v2/deals?limit=500").status, 200);
  auto resp = Get("/api/v2/deals?limit=501");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["code"], "ERR_SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(Get("/api/v2/deals?limit=0").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?updated_since=2026-11-23T10:00:49.000Z").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?updated_since=2026-11-23").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?modified_since=2026-11-23T10:00:49Z").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?cursor=bogus").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?sort_by=title").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?status=archived").status, 400);
  EXPECT_EQ(Get("/api/v2/deals?filter_id=3").status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 9u) << sim_.violations().Describe();
  EXPECT_TRUE(HasViolation(sim_.violations(), "cursor.unknown"));
  EXPECT_TRUE(HasViolation(sim_.violations(), "sim.unsupported_parameter"));
  EXPECT_EQ(Get("/api/v2/deals?updated_since=2026-11-23T10:00:49%2B01:00&status=open,won").status,
            200);
}

TEST_F(PipedriveSimTest, PatchStageIdMustBeAnIntegerOfAKnownStage) {
  const std::string id = Add("a");
  clock_.Advance(3s);
  auto resp = Patch(id, {{"stage_id", 4}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json d = BodyOf(resp)["data"];
  EXPECT_EQ(d["stage_id"], 4);
  EXPECT_TRUE(d["stage_id"].is_number_integer());
  EXPECT_EQ(d["update_time"], IsoSecondsZ(clock_.Now()));
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();

  resp = Patch(id, {{"stage_id", "4"}});
  EXPECT_EQ(resp.status, 400);
  Json body = BodyOf(resp);
  EXPECT_EQ(body["success"], false);
  EXPECT_EQ(body["code"], "ERR_SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(body["error"], "Validation failed: stage_id: must be integer");
  EXPECT_TRUE(HasViolation(sim_.violations(), "ERR_SCHEMA_VALIDATION_FAILED"));

  EXPECT_EQ(Patch(id, {{"stage_id", 99}}).status, 400);
  resp = Patch(id, {{kPipedriveDealRegistrationIdKey, "DR-9"}});
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(BodyOf(resp)["error"].get<std::string>().find("is not allowed for this request"),
            std::string::npos);
  EXPECT_EQ(Patch(id, {{"value", "99.5"}}).status, 400);
  EXPECT_EQ(Patch(id, {{"currency", "JPY"}}).status, 400);
  EXPECT_EQ(Patch(id, {{"expected_close_date", "2026-12-01T00:00:00Z"}}).status, 400);
  HttpRequest text = Api("PATCH", "/api/v2/deals/" + id, Json{{"stage_id", 3}});
  text.headers.back().second = "text/plain";
  EXPECT_EQ(sim_.Handle(text).status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 7u) << sim_.violations().Describe();
  EXPECT_EQ(sim_.records().Find(id)->fields["stage_id"], 4);

  resp = Patch(id, {{"value", 99.5},
                    {"currency", "USD"},
                    {"custom_fields", {{kPipedriveVendorOpportunityIdKey, "006X"}}}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  d = BodyOf(resp)["data"];
  EXPECT_EQ(d["value"], 99.5);
  EXPECT_EQ(d["custom_fields"][kPipedriveVendorOpportunityIdKey], "006X");
  EXPECT_EQ(d["custom_fields"][kPipedriveDealRegistrationIdKey], "DR-a");
}

TEST_F(PipedriveSimTest, StatusWonStampsWonTimeInWholeSeconds) {
  const std::string id = Add("a");
  clock_.Advance(1234ms);
  auto resp = Patch(id, {{"status", "won"}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json d = BodyOf(resp)["data"];
  const std::regex whole_seconds(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  EXPECT_TRUE(std::regex_match(d["update_time"].get<std::string>(), whole_seconds)) << d.dump();
  EXPECT_TRUE(std::regex_match(d["add_time"].get<std::string>(), whole_seconds));
  EXPECT_EQ(d["status"], "won");
  EXPECT_EQ(d["won_time"], IsoSecondsZ(clock_.Now()));
  EXPECT_EQ(d["close_time"], IsoSecondsZ(clock_.Now()));
  EXPECT_TRUE(d["lost_time"].is_null());

  clock_.Advance(5s);
  d = BodyOf(Patch(id, {{"status", "lost"}, {"lost_reason", "Price"}}))["data"];
  EXPECT_TRUE(d["won_time"].is_null());
  EXPECT_EQ(d["lost_time"], IsoSecondsZ(clock_.Now()));
  EXPECT_EQ(d["lost_reason"], "Price");

  d = BodyOf(Patch(id, {{"status", "open"}}))["data"];
  EXPECT_TRUE(d["lost_time"].is_null());
  EXPECT_TRUE(d["close_time"].is_null());
  EXPECT_TRUE(d["lost_reason"].is_null());
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();

  EXPECT_EQ(Patch(id, {{"lost_reason", "Price"}}).status, 400);
  EXPECT_EQ(Patch(id, {{"status", "deleted"}}).status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 2u);
}

TEST_F(PipedriveSimTest, UnknownDealIs404AndThereIsNoBatchRoute) {
  const std::string id = Add("a");
  auto resp = Get("/api/v2/deals/999");
  EXPECT_EQ(resp.status, 404);
  Json body = BodyOf(resp);
  EXPECT_EQ(body["success"], false);
  EXPECT_EQ(body["errorCode"], 404);
  EXPECT_EQ(Patch("999", {{"title", "x"}}).status, 404);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();

  EXPECT_EQ(sim_.Handle(Api("PATCH", "/api/v2/deals", Json{{"data", Json::array()}})).status, 404);
  EXPECT_TRUE(HasViolation(sim_.violations(), "route.unknown"));
  EXPECT_EQ(Get("/api/v1/deals").status, 404);
  EXPECT_EQ(sim_.Handle(Api("PUT", "/api/v2/deals/" + id, Json{{"title", "x"}})).status, 404);
  EXPECT_EQ(Get("/api/v2/deals/abc").status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 4u) << sim_.violations().Describe();
  EXPECT_EQ(sim_.stats().Get("GET /api/v2/deals/{id}"), 2);
}

TEST_F(PipedriveSimTest, RateLimitHeadersAndInjected429) {
  Add("a");
  sim_.faults().Add(FaultRule::Of(FaultKind::kRateLimit, "GET", "/api/v2/deals"));
  auto limited = Get("/api/v2/deals");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(BodyOf(limited)["success"], false);
  EXPECT_EQ(limited.header("x-ratelimit-limit"), "80");
  EXPECT_EQ(limited.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(limited.header("x-ratelimit-reset"), "1");
  EXPECT_EQ(HeaderCount(limited, "x-ratelimit-limit"), 1u);
  EXPECT_FALSE(limited.header("Retry-After").has_value());

  auto ok = Get("/api/v2/deals");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("x-ratelimit-remaining"), "79");
  EXPECT_EQ(ok.header("x-ratelimit-reset"), "2");
  EXPECT_EQ(Get("/api/v2/deals").header("x-ratelimit-remaining"), "78");
  clock_.Advance(2s);
  EXPECT_EQ(Get("/api/v2/deals").header("x-ratelimit-remaining"), "79");
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(PipedriveSimTest, EnforcedBurstLimitAnswers429) {
  PipedriveSimConfig config;
  config.rate_limit_per_2s = 2;
  config.enforce_rate_limit = true;
  PipedriveSim sim(clock_, random_, config);
  EXPECT_EQ(sim.Handle(Api("GET", "/api/v2/deals")).status, 200);
  EXPECT_EQ(sim.Handle(Api("GET", "/api/v2/deals")).status, 200);
  auto limited = sim.Handle(Api("GET", "/api/v2/deals"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("x-ratelimit-reset"), "2");
  clock_.Advance(2s);
  EXPECT_EQ(sim.Handle(Api("GET", "/api/v2/deals")).status, 200);
}

TEST_F(PipedriveSimTest, DeletedDealsAreListedOnlyOnRequestFor30Days) {
  Add("a");
  const std::string b = Add("b");
  ASSERT_OK(sim_.DeleteRecord(b));
  EXPECT_EQ(BodyOf(Get("/api/v2/deals"))["data"].size(), 1u);
  Json deleted = BodyOf(Get("/api/v2/deals?status=deleted"))["data"];
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0]["is_deleted"], true);
  EXPECT_EQ(deleted[0]["status"], "deleted");
  EXPECT_EQ(Get("/api/v2/deals/" + b).status, 200);
  EXPECT_EQ(Patch(b, {{"title", "x"}}).status, 404);
  clock_.Advance(std::chrono::days(31));
  EXPECT_EQ(Get("/api/v2/deals/" + b).status, 404);
  EXPECT_EQ(BodyOf(Get("/api/v2/deals?status=deleted"))["data"].size(), 0u);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(PipedriveSimTest, ControlShapeIsValidatedAndLoadsBack) {
  const std::string a = Add("a", {{"status", "won"}});
  const Json view = sim_.ControlView(*sim_.records().Find(a));
  EXPECT_TRUE(view.contains("visible_at"));
  EXPECT_EQ(view["won_time"], view["update_time"]);
  EXPECT_EQ(view["custom_fields"][kPipedriveDealRegistrationIdKey], "DR-a");
  EXPECT_TRUE(view["custom_fields"][kPipedriveVendorOpportunityIdKey].is_null());
  PipedriveSim copy(clock_, random_);
  ASSERT_OK(copy.CreateRecord(view));
  EXPECT_EQ(copy.ControlView(*copy.records().Find(a)), view);

  EXPECT_FALSE(sim_.CreateRecord({{"title", "x"}, {"stage_id", "4"}}).ok());
  EXPECT_FALSE(sim_.CreateRecord({{"stage_id", 1}}).ok());
  EXPECT_FALSE(sim_.EditRecord(a, {{"custom_fields", {{"nope", "x"}}}}).ok());
  EXPECT_FALSE(sim_.EditRecord(a, {{"owner", "Jo"}}).ok());

  Json one = BodyOf(
      Get("/api/v2/deals/" + a + "?custom_fields=" + kPipedriveDealRegistrationIdKey))["data"];
  EXPECT_EQ(one["custom_fields"].size(), 1u);
  EXPECT_EQ(one["custom_fields"][kPipedriveDealRegistrationIdKey], "DR-a");
}

}  // namespace
}  // namespace dealsync::sim
