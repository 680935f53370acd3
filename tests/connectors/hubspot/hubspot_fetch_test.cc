#include <gtest/gtest.h>

#include <set>

#include "tests/connectors/hubspot/hubspot_test_util.h"

namespace dealsync::connectors::hubspot::testing {
namespace {

constexpr int64_t kT = 1'795'000'000'000;  // 2026-11-18T...Z

// Polls until a pass completes, round-tripping the cursor through its string
// form and a fresh connector every page (as after a restart). Returns the
// delivered ids; fails the test on a runaway loop.
std::vector<std::string> Drain(Harness& h, FakeSearch& search, std::string& cursor,
                               int max_pages = 500) {
  std::vector<std::string> ids;
  for (int page_no = 0; page_no < max_pages; ++page_no) {
    h.transport.PushHandler(std::ref(search));
    auto page = Await(h.Make()->FetchChanges(cursor));
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) {
      return ids;
    }
    for (const auto& r : page->records) {
      ids.push_back(r.native_id);
    }
    EXPECT_TRUE(page->rejects.empty());
    cursor = page->next_cursor;
    if (!page->has_more) {
      return ids;
    }
  }
  ADD_FAILURE() << "no end after " << max_pages << " pages";
  return ids;
}

TEST(HubspotFetchTest, SearchRequestShape) {
  Harness h;
  h.transport.Push(200, R"({"total":0,"results":[]})");
  auto page = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(page);
  EXPECT_FALSE(page->has_more);
  const HttpRequest& r = h.transport.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://api.hubapi.test/crm/v3/objects/deals/search");
  EXPECT_EQ(FindHeader(r.headers, "Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body), json::parse(R"({
    "filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"0"}]}],
    "sorts":[{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}],
    "properties":["hs_object_id","hs_lastmodifieddate","pipeline","dealstage",
                  "vendor_registration_id","dealname","amount","deal_currency_code","closedate"],
    "limit":200,"after":"0"})"));
}

TEST(HubspotFetchTest, MapsDealsWithPerPipelineStagesAndPortalTimeZone) {
  Harness h;
  h.config.stages = DefaultStages();
  auto& custom = h.config.stages["7788"].native_by_stage;
  for (Stage s : AllStages()) {
    custom[s] = {"c-" + std::string(StageName(s))};
  }
  h.config.options["hubspot.pipelines"] =
      OptionValue{std::vector<std::string>{"default", "7788"}, {}};
  FakeSearch search;
  search.deals = {{1, kT, "default", "contractsent"}, {2, kT + 1, "7788", "c-closed_won"}};
  h.transport.PushHandler(std::ref(search));
  auto page = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(page);
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].stage, Stage::kProposal);
  EXPECT_EQ(page->records[1].stage, Stage::kClosedWon);
  EXPECT_EQ(page->records[1].pipeline, "7788");
  // 2026-12-01T05:00:00Z is midnight in New York.
  EXPECT_EQ(page->records[0].close_date, (CalendarDate{2026, 12, 1}));
  EXPECT_EQ(page->records[0].amount, (Money{123450, "EUR"}));
  EXPECT_EQ(page->records[0].registration_id, "DR-1");
  json body = json::parse(h.transport.requests()[0].body);
  EXPECT_EQ(
      body["filterGroups"][0]["filters"][1],
      json::parse(R"({"propertyName":"pipeline","operator":"IN","values":["default","7788"]})"));
}

TEST(HubspotFetchTest, FullAndIncrementalFetchAcrossPagesWithLookback) {
  Harness h;
  FakeSearch search;
  for (int i = 0; i < 450; ++i) {
    search.deals.push_back({1000 + i, kT + i * 1000});
  }
  const int64_t high = kT + 449 * 1000;
  h.clock.Set(TimestampFromEpochMs(high));  // the first poll runs as the last deal is saved
  std::string cursor;
  auto ids = Drain(h, search, cursor);
  EXPECT_EQ(ids.size(), 450u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 450u);
  EXPECT_EQ(search.requests, 3);

  // New changes, plus one that became visible late with a timestamp 30 s below
  // the first poll (inside the 2 minute look-back).
  h.clock.Advance(std::chrono::seconds(20));
  search.deals.push_back({5000, high + 10'000});
  search.deals.push_back({5001, high - 30'000});
  auto more = Drain(h, search, cursor);
  std::set<std::string> got(more.begin(), more.end());
  EXPECT_TRUE(got.count("5000"));
  EXPECT_TRUE(got.count("5001"));
  // The deals inside the look-back were delivered before, unchanged: not again.
  EXPECT_EQ(got, (std::set<std::string>{"5000", "5001"}));
  EXPECT_EQ(more.size(), 2u);
  json body = json::parse(h.transport.requests().back().body);
  EXPECT_EQ(body["filterGroups"][0]["filters"][0]["value"], std::to_string(high - 120'000));
  // The next pass starts at the second poll's time (newer than any deal) - 2 minutes.
  h.transport.Push(200, R"({"total":0,"results":[]})");
  auto idle = Await(h.Make()->FetchChanges(cursor));
  ASSERT_OK(idle);
  body = json::parse(h.transport.requests().back().body);
  EXPECT_EQ(body["filterGroups"][0]["filters"][0]["value"],
            std::to_string(high + 20'000 - 120'000));
}

TEST(HubspotFetchTest, SameMillisecondEditWithNewValuesIsDelivered) {
  Harness h;
  h.clock.Set(TimestampFromEpochMs(kT + 1000));
  FakeSearch search;
  search.deals = {{1, kT, "default", "qualifiedtobuy"}};
  std::string cursor;
  EXPECT_EQ(Drain(h, search, cursor), std::vector<std::string>{"1"});
  // A person's edit lands with the same hs_lastmodifieddate as our own write.
  search.deals[0].stage = "contractsent";
  h.clock.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Drain(h, search, cursor), std::vector<std::string>{"1"});
  h.clock.Advance(std::chrono::seconds(30));
  EXPECT_TRUE(Drain(h, search, cursor).empty());  // that version again: a repeat
}

TEST(HubspotFetchTest, FutureTimestampWarnsAndDoesNotPoisonTheAnchor) {
  Harness h;
  h.clock.Set(TimestampFromEpochMs(kT + 1000));
  FakeSearch search;
  search.deals = {{1, kT}, {2, kT + 400LL * 24 * 3600 * 1000}};
  h.transport.PushHandler(std::ref(search));
  auto page = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(page);
  EXPECT_EQ(page->records.size(), 2u);
  ASSERT_EQ(page->warnings.size(), 1u);
  EXPECT_EQ(page->warnings[0].native_id, "2");
  h.transport.PushHandler(std::ref(search));
  auto next = Await(h.Make()->FetchChanges(page->next_cursor));
  ASSERT_OK(next);
  EXPECT_TRUE(next->records.empty());
  json body = json::parse(h.transport.requests().back().body);
  EXPECT_EQ(body["filterGroups"][0]["filters"][0]["value"], std::to_string(kT + 1000 - 120'000));
}

TEST(HubspotFetchTest, CursorAtRereadsFromTheInstant) {
  Harness h;
  auto connector = h.Make();
  auto cursor = connector->CursorAt(TimestampFromEpochMs(kT - 86'400'000));
  ASSERT_OK(cursor);
  h.transport.Push(200, R"({"total":0,"results":[]})");
  ASSERT_OK(Await(connector->FetchChanges(*cursor)));
  json body = json::parse(h.transport.requests().back().body);
  EXPECT_EQ(body["filterGroups"][0]["filters"][0]["value"], std::to_string(kT - 86'400'000));
}

TEST(HubspotFetchTest, ReanchorsBeforeTheTenThousandCap) {
  Harness h;
  FakeSearch search;
  for (int i = 0; i < 12'000; ++i) {
    search.deals.push_back({100'000 + i, kT + (i / 3)});  // three deals share each ms
  }
  std::string cursor;
  auto ids = Drain(h, search, cursor);
  EXPECT_EQ(search.cap_violations, 0);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 12'000u);
  EXPECT_LT(ids.size(), 12'000u + 200u);  // repeats only around re-anchors
  bool reanchored = false;
  for (const auto& r : h.transport.requests()) {
    json b = json::parse(r.body);
    if (b["after"] == "0" && b["filterGroups"][0]["filters"][0]["value"] != "0") {
      reanchored = true;
    }
    EXPECT_LE(std::stoll(b["after"].get<std::string>()) + b["limit"].get<int64_t>(), 10'000);
  }
  EXPECT_TRUE(reanchored);
}

TEST(HubspotFetchTest, MoreThanTenThousandDealsSharingOneTimestamp) {
  Harness h;
  FakeSearch search;
  for (int i = 0; i < 20; ++i) {
    search.deals.push_back({10 + i, kT - 100 + i});
  }
  for (int i = 0; i < 10'050; ++i) {
    search.deals.push_back({1'000'000 + i * 7, kT});  // one bulk import
  }
  for (int i = 0; i < 30; ++i) {
    search.deals.push_back({50 + i, kT + 5});
  }
  std::string cursor;
  auto ids = Drain(h, search, cursor, 300);
  EXPECT_EQ(search.cap_violations, 0);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 10'100u);
  for (const auto& d : search.deals) {
    ASSERT_TRUE(unique.count(std::to_string(d.id))) << d.id;
  }
  // The slice reads by hs_object_id, so it ends: ~51 pages plus a few.
  EXPECT_LT(search.requests, 70);
  bool sliced = false;
  for (const auto& r : h.transport.requests()) {
    json b = json::parse(r.body);
    if (b["sorts"][0]["propertyName"] == "hs_object_id") {
      sliced = true;
      EXPECT_EQ(b["filterGroups"][0]["filters"][0]["operator"], "EQ");
      EXPECT_EQ(b["filterGroups"][0]["filters"][1]["propertyName"], "hs_object_id");
      EXPECT_EQ(b["after"], "0");
    }
  }
  EXPECT_TRUE(sliced);

  // The next poll terminates too (look-back covers the bulk timestamp again).
  auto again = Drain(h, search, cursor, 300);
  EXPECT_EQ(search.cap_violations, 0);
}

TEST(HubspotFetchTest, RejectsAndMalformedResponses) {
  Harness h;
  h.clock.Set(TimestampFromEpochMs(kT + 1000));
  FakeDeal bad{1, kT, "default", "no-such-stage"};
  FakeDeal good{2, kT + 1};
  json body = {{"total", 2}, {"results", {DealJson(bad), DealJson(good)}}};
  h.transport.Push(200, body.dump());
  auto page = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(page);
  ASSERT_EQ(page->records.size(), 1u);
  ASSERT_EQ(page->rejects.size(), 1u);
  EXPECT_EQ(page->rejects[0].native_id, "1");
  EXPECT_NE(page->rejects[0].message.find("stage: value \"no-such-stage\""), std::string::npos);
  EXPECT_NE(page->rejects[0].native_payload.find("no-such-stage"), std::string::npos);
  // The cursor still moves past the rejected record, which is not rejected
  // again while it is unchanged.
  auto cursor = SearchCursor::Decode(page->next_cursor);
  ASSERT_OK(cursor);
  EXPECT_EQ(cursor->anchor_ms, kT + 1000 - 120'000);
  h.transport.Push(200, body.dump());
  auto again = Await(h.Make()->FetchChanges(page->next_cursor));
  ASSERT_OK(again);
  EXPECT_TRUE(again->records.empty());
  EXPECT_TRUE(again->rejects.empty());

  h.transport.Push(200, R"({"total":1,"results":[{"id":"1","prop)");
  auto truncated = Await(h.Make()->FetchChanges(""));
  EXPECT_EQ(truncated.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(truncated.status().message().find("hubspot search"), std::string::npos);
  h.transport.Push(200, R"({"total":1})");
  EXPECT_EQ(Await(h.Make()->FetchChanges("")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Await(h.Make()->FetchChanges("[]")).status().code(), StatusCode::kDataLoss);
}

TEST(HubspotFetchTest, ErrorBodiesAndRateLimits) {
  struct Case {
    int http;
    std::string body;
    HttpHeaders headers;
    StatusCode want;
    std::string text;
  } cases[] = {
      {401,
       R"({"status":"error","message":"Authentication credentials not found.","correlationId":"c-401","category":"INVALID_AUTHENTICATION"})",
       {},
       StatusCode::kUnauthenticated,
       "INVALID_AUTHENTICATION: Authentication credentials not found. (correlationId c-401)"},
      {429,
       R"({"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c-429","policyName":"SECONDLY"})",
       {{"Retry-After", "1"}, {"X-HubSpot-RateLimit-Secondly-Remaining", "0"}},
       StatusCode::kResourceExhausted,
       "RATE_LIMIT: You have reached your secondly limit."},
      {400,
       R"({"status":"error","message":"There was a problem with the request.","correlationId":"c-400","category":"VALIDATION_ERROR"})",
       {},
       StatusCode::kInvalidArgument,
       "VALIDATION_ERROR"},
      {502, "<html>Bad gateway</html>", {}, StatusCode::kUnavailable, ""},
  };
  for (const auto& c : cases) {
    Harness h;
    h.transport.Push(c.http, c.body, c.headers);
    auto page = Await(h.Make()->FetchChanges(""));
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().code(), c.want) << c.body;
    EXPECT_NE(page.status().message().find(c.text), std::string::npos) << page.status().message();
    if (c.http == 429) {
      ASSERT_TRUE(page.status().retry_after());
      EXPECT_EQ(*page.status().retry_after(), std::chrono::seconds(1));
    }
  }
}

TEST(HubspotSearchTest, AdvanceNeverStallsOnOneTimestamp) {
  SearchCursor c;
  BeginPass(c, TimestampFromEpochMs(kT + 1000));
  const OverlapSettings two_minutes{std::chrono::minutes(2)};
  PageFacts full_same{200, kT, kT, kT, "900", std::string("200")};
  EXPECT_TRUE(Advance(c, full_same, 200, two_minutes));
  EXPECT_EQ(c.mode, SearchCursor::Mode::kSlice);
  EXPECT_EQ(c.slice_ms, kT);
  PageFacts slice_page{200, kT, kT, kT, "1200", std::nullopt};
  EXPECT_TRUE(Advance(c, slice_page, 200, two_minutes));
  EXPECT_EQ(c.slice_after_id, "1200");
  PageFacts slice_end{5, kT, kT, kT, "1300", std::nullopt};
  EXPECT_TRUE(Advance(c, slice_end, 200, two_minutes));
  EXPECT_EQ(c.mode, SearchCursor::Mode::kRange);
  EXPECT_EQ(c.anchor_ms, kT + 1);
  auto back = SearchCursor::Decode(c.Encode());
  ASSERT_OK(back);
  EXPECT_EQ(back->anchor_ms, kT + 1);
  EXPECT_TRUE(back->window.in_pass());
  // Near the cap: re-anchor on the last timestamp.
  SearchCursor r;
  BeginPass(r, TimestampFromEpochMs(kT + 1000));
  PageFacts near_cap{200, kT, kT + 50, kT + 50, "77", std::string("9900")};
  EXPECT_TRUE(Advance(r, near_cap, 200, two_minutes));
  EXPECT_EQ(r.anchor_ms, kT + 50);
  EXPECT_TRUE(r.after.empty());
}

}  // namespace
}  // namespace dealsync::connectors::hubspot::testing
