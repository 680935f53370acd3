#include "tests/simulators/hubspot_sim.h"

#include <gtest/gtest.h>

#include "tests/simulators/sim_time.h"
#include "tests/simulators/tests/sim_test_util.h"

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::HasViolation;
using testing::WithJson;

const std::string kToken = "pat-na1-sim-token";
const std::string kSearch = "/crm/v3/objects/deals/search";
const std::string kUpdate = "/crm/v3/objects/deals/batch/update";
const std::string kRead = "/crm/v3/objects/deals/batch/read";

class HubSpotSimTest : public ::testing::Test {
 protected:
  HubSpotSimTest() : sim_(clock_, random_) {}

  std::string Add(const std::string& name) {
    auto id = sim_.CreateRecord({{"properties",
                                  {{"dealname", name},
                                   {"dealstage", "qualifiedtobuy"},
                                   {"amount", "1234.5"},
                                   {"deal_currency_code", "EUR"},
                                   {"closedate", "2026-12-01T00:00:00Z"}}}});
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : "";
  }
  Json SinceBody(Timestamp since, int limit, std::string after = "") {
    Json b = {{"filterGroups",
               {{{"filters",
                  {{{"propertyName", "hs_lastmodifieddate"},
                    {"operator", "GTE"},
                    {"value", std::to_string(ToEpochMs(since))}}}}}}},
              {"sorts", {{{"propertyName", "hs_lastmodifieddate"}, {"direction", "ASCENDING"}}}},
              {"properties", {"dealname", "dealstage", "amount", "hs_lastmodifieddate"}},
              {"limit", limit}};
    if (!after.empty())
      b["after"] = after;
    return b;
  }
  HttpResponse Post(const std::string& path, const Json& body) {
    return sim_.Handle(WithJson("POST", path, body, kToken));
  }

  FakeClock clock_;
  ScriptedRandom random_{{1, 2, 3}};
  HubSpotSim sim_;
};

TEST_F(HubSpotSimTest, SearchPagesInModifiedOrder) {
  for (int i = 0; i < 450; ++i) {
    Add("d" + std::to_string(i));
    if (i % 100 == 0)
      clock_.Advance(1ms);
  }
  std::string after;
  std::vector<std::string> seen;
  int64_t last = 0;
  do {
    auto resp = Post(kSearch, SinceBody(Timestamp{}, 200, after));
    ASSERT_EQ(resp.status, 200) << resp.body;
    Json body = BodyOf(resp);
    EXPECT_EQ(body["total"], 450);
    for (const auto& r : body["results"]) {
      const int64_t t =
          ToEpochMs(*ParseIsoDateTime(r["properties"]["hs_lastmodifieddate"].get<std::string>()));
      EXPECT_LE(last, t);
      last = t;
      seen.push_back(r["id"]);
      EXPECT_EQ(r["properties"]["amount"], "1234.5");
    }
    after = body.contains("paging") ? body["paging"]["next"]["after"].get<std::string>() : "";
  } while (!after.empty());
  EXPECT_EQ(seen.size(), 450u);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(HubSpotSimTest, FiltersAndOrAcrossGroupsAndIdSlices) {
  const std::string a = Add("a");
  const std::string b = Add("b");
  const std::string c = Add("c");
  const Timestamp t = clock_.Now();
  // The connector's slice: EQ on the timestamp AND hs_object_id GT last id.
  Json slice = {{"filterGroups",
                 {{{"filters",
                    {{{"propertyName", "hs_lastmodifieddate"},
                      {"operator", "EQ"},
                      {"value", std::to_string(ToEpochMs(t))}},
                     {{"propertyName", "hs_object_id"}, {"operator", "GT"}, {"value", a}}}}}}},
                {"sorts", {{{"propertyName", "hs_object_id"}, {"direction", "ASCENDING"}}}},
                {"limit", 1}};
  Json body = BodyOf(Post(kSearch, slice));
  EXPECT_EQ(body["total"], 2);
  EXPECT_EQ(body["results"][0]["id"], b);
  Json any = {
      {"filterGroups",
       {{{"filters", {{{"propertyName", "dealname"}, {"operator", "EQ"}, {"value", "a"}}}}},
        {{"filters", {{{"propertyName", "dealname"}, {"operator", "EQ"}, {"value", "c"}}}}}}}};
  body = BodyOf(Post(kSearch, any));
  ASSERT_EQ(body["total"], 2);
  EXPECT_EQ(body["results"][1]["id"], c);
}

TEST_F(HubSpotSimTest, SearchCapAndLimitAreValidated) {
  Add("a");
  auto resp = Post(kSearch, SinceBody(Timestamp{}, 200, "9900"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["category"], "VALIDATION_ERROR");
  EXPECT_EQ(Post(kSearch, SinceBody(Timestamp{}, 201)).status, 400);
  EXPECT_EQ(Post(kSearch, SinceBody(Timestamp{}, 100, "9900")).status, 200);
  Json bad_op = SinceBody(Timestamp{}, 10);
  bad_op["filterGroups"][0]["filters"][0]["operator"] = "GREATER";
  EXPECT_EQ(Post(kSearch, bad_op).status, 400);
  Json bad_value = SinceBody(Timestamp{}, 10);
  bad_value["filterGroups"][0]["filters"][0]["value"] = true;
  EXPECT_EQ(Post(kSearch, bad_value).status, 400);
  Json unknown_prop = SinceBody(Timestamp{}, 10);
  unknown_prop["filterGroups"][0]["filters"][0]["propertyName"] = "lastmodified";
  EXPECT_EQ(Post(kSearch, unknown_prop).status, 400);
  Json two_sorts = SinceBody(Timestamp{}, 10);
  two_sorts["sorts"].push_back(two_sorts["sorts"][0]);
  EXPECT_EQ(Post(kSearch, two_sorts).status, 400);
  Json bad_after = SinceBody(Timestamp{}, 10, "abc");
  EXPECT_EQ(Post(kSearch, bad_after).status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 7u) << sim_.violations().Describe();
}

TEST_F(HubSpotSimTest, AuthAndContentType) {
  auto resp = sim_.Handle(WithJson("POST", kSearch, Json::object()));
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(BodyOf(resp)["category"], "INVALID_AUTHENTICATION");
  EXPECT_EQ(sim_.Handle(WithJson("POST", kSearch, Json::object(), "wrong")).status, 401);
  HttpRequest text = WithJson("POST", kSearch, Json::object(), kToken);
  text.headers[0].second = "text/plain";
  EXPECT_EQ(sim_.Handle(text).status, 415);
  HttpRequest broken = WithJson("POST", kSearch, Json::object(), kToken);
  broken.body = "{";
  EXPECT_EQ(sim_.Handle(broken).status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 4u);
}

Json Input(const std::string& id, Json props, const std::string& trace = "t-1") {
  return {{"id", id}, {"objectWriteTraceId", trace}, {"properties", std::move(props)}};
}

TEST_F(HubSpotSimTest, BatchUpdateAppliesBumpsAndReports207) {
  const std::string a = Add("a");
  clock_.Advance(3s);
  Json body = {
      {"inputs",
       {Input(a, {{"dealstage", "closedwon"}, {"amount", "99.50"}, {"closedate", "2027-01-31"}},
              "trace-a"),
        Input("999999", {{"dealstage", "closedwon"}}, "trace-x")}}};
  auto resp = Post(kUpdate, body);
  ASSERT_EQ(resp.status, 207) << resp.body;
  Json out = BodyOf(resp);
  EXPECT_EQ(out["numErrors"], 1);
  EXPECT_EQ(out["errors"][0]["category"], "OBJECT_NOT_FOUND");
  EXPECT_EQ(out["errors"][0]["context"]["ids"][0], "999999");
  EXPECT_EQ(out["errors"][0]["context"]["objectWriteTraceId"][0], "trace-x");
  EXPECT_EQ(out["results"][0]["objectWriteTraceId"], "trace-a");
  EXPECT_EQ(out["results"][0]["properties"]["closedate"], "2027-01-31T00:00:00Z");
  EXPECT_EQ(out["results"][0]["properties"]["hs_lastmodifieddate"], IsoMillisZ(clock_.Now()));
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(HubSpotSimTest, BatchUpdateValidation) {
  const std::string a = Add("a");
  Json many = {{"inputs", Json::array()}};
  for (int i = 0; i < 101; ++i)
    many["inputs"].push_back(Input(std::to_string(i), Json::object()));
  EXPECT_EQ(Post(kUpdate, many).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {{"nope", "x"}})}}}).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {{"dealstage", "won"}})}}}).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {{"amount", true}})}}}).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {{"amount", "12,5"}})}}}).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {{"hs_lastmodifieddate", "1"}})}}}).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {}), Input(a, {})}}}).status, 400);
  EXPECT_EQ(Post(kUpdate, {{"inputs", {{{"properties", Json::object()}}}}}).status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 8u) << sim_.violations().Describe();
  EXPECT_TRUE(HasViolation(sim_.violations(), "VALIDATION_ERROR"));
  // Numbers are accepted as property values.
  EXPECT_EQ(Post(kUpdate, {{"inputs", {Input(a, {{"amount", 12.5}})}}}).status, 200);
}

TEST_F(HubSpotSimTest, FaultsRateLimitAndPartialFailure) {
  const std::string a = Add("a");
  const std::string b = Add("b");
  sim_.faults().Add(FaultRule::Of(FaultKind::kRateLimit, "POST", "/crm/v3/objects/deals/search"));
  auto limited = Post(kSearch, SinceBody(Timestamp{}, 10));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(BodyOf(limited)["policyName"], "SECONDLY");
  EXPECT_EQ(limited.header("Retry-After"), "1");
  EXPECT_TRUE(limited.header("X-HubSpot-RateLimit-Remaining").has_value());
  EXPECT_EQ(Post(kSearch, SinceBody(Timestamp{}, 10)).status, 200);
  sim_.faults().Add(FaultRule::Of(FaultKind::kFailIds).Ids({b}));
  auto resp = Post(
      kUpdate,
      {{"inputs",
        {Input(a, {{"dealstage", "closedwon"}}), Input(b, {{"dealstage", "closedwon"}}, "tb")}}});
  ASSERT_EQ(resp.status, 207);
  EXPECT_EQ(BodyOf(resp)["errors"][0]["context"]["ids"][0], b);
  EXPECT_EQ(sim_.records().Find(b)->fields["dealstage"], "qualifiedtobuy");
  EXPECT_EQ(sim_.records().Find(a)->fields["dealstage"], "closedwon");
}

TEST_F(HubSpotSimTest, BatchReadAndArchivedDealsLeaveSearch) {
  const std::string a = Add("a");
  const std::string b = Add("b");
  ASSERT_OK(sim_.EditRecord(b, {{"archived", true}}));
  Json body = BodyOf(Post(kSearch, SinceBody(Timestamp{}, 10)));
  EXPECT_EQ(body["total"], 1);
  auto read = Post(kRead, {{"properties", {"dealname"}}, {"inputs", {{{"id", a}}, {{"id", b}}}}});
  ASSERT_EQ(read.status, 207);
  EXPECT_EQ(BodyOf(read)["results"][0]["properties"]["dealname"], "a");
  auto archived =
      sim_.Handle(WithJson("POST", kRead + "?archived=true", {{"inputs", {{{"id", b}}}}}, kToken));
  EXPECT_EQ(archived.status, 200);
}

TEST_F(HubSpotSimTest, LateVisibleDealWithOldTimestamp) {
  Add("early");
  clock_.Advance(1min);
  const Timestamp cursor = clock_.Now();
  ASSERT_OK(sim_.CreateRecord({{"properties", {{"dealname", "late"}}},
                               {"modified_at", IsoMillisZ(cursor - 30s)},
                               {"visible_at", IsoMillisZ(cursor + 10s)}}));
  EXPECT_EQ(BodyOf(Post(kSearch, SinceBody(cursor - 1min, 10)))["total"], 1);
  clock_.Advance(10s);
  // Visible now, but stamped before the cursor: only a look-back window finds it.
  EXPECT_EQ(BodyOf(Post(kSearch, SinceBody(cursor, 10)))["total"], 0);
  EXPECT_EQ(BodyOf(Post(kSearch, SinceBody(cursor - 1min, 10)))["total"], 2);
}

}  // namespace
}  // namespace dealsync::sim
