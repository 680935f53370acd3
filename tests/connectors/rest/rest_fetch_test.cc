// RestConnector::FetchChanges / FetchByIds against a ScriptedTransport: every
// pagination style, every modified-since format, overlap de-duplication,
// restarts mid-pass and the error answers of a partner API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/rest/rest_connector.h"
#include "rest_test_configs.h"
#include "src/platform/fake_clock.h"
#include "support/test_support.h"

namespace dealsync::connectors::rest {
namespace {

using dealsync::testing::ContosoConfig;
using dealsync::testing::NorthwindConfig;
using dealsync::testing::Opt;
using dealsync::testing::RunAwaitable;
using dealsync::testing::ScriptedTransport;
using nlohmann::json;
using ::testing::HasSubstr;

json NorthwindDeal(const std::string& id, int64_t updated_ms,
                   const std::string& status = "Qualified") {
  return json{{"id", id},
              {"title", "Deal " + id},
              {"account", {{"name", "Acme"}}},
              {"owner", "kim"},
              {"status", status},
              {"value", "1234.50"},
              {"currency", "EUR"},
              {"expected_close", 1764547200000},  // 2025-12-01T00:00:00Z
              {"updated_at", updated_ms},
              {"custom", {{"vendor_reg_id", "DR-" + id}, {"vendor_opportunity_id", "006" + id}}},
              {"archived", false}};
}

std::string NorthwindPage(std::vector<json> deals, json next_cursor) {
  return json{{"data", std::move(deals)}, {"meta", {{"next_cursor", std::move(next_cursor)}}}}
      .dump();
}

json ContosoOpp(int id, const std::string& modified, const std::string& phase = "Proposal") {
  return json{{"opportunityId", id},
              {"name", "Opp " + std::to_string(id)},
              {"customer", "Fabrikam"},
              {"phase", phase},
              {"amount", {{"value", 12345.5}, {"currency", "USD"}}},
              {"closeDate", "2026-12-01T17:00:00-05:00"},
              {"lastModified", modified},
              {"dealRegistration", "DR-" + std::to_string(id)},
              {"vendorRef", "006" + std::to_string(id)},
              {"deleted", false}};
}

class RestFetchTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestConnector> Make(const SourceConfig& config) {
    config_ = config;
    ConnectorContext context{config_, transport_, clock_};
    auto connector = RestConnector::Create(context);
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    return connector.ok() ? std::move(*connector) : nullptr;
  }
  Result<FetchPage> Fetch(RestConnector& c, std::string cursor) {
    return RunAwaitable(c.FetchChanges(std::move(cursor)));
  }
  std::string Url(size_t i) const { return transport_.requests().at(i).url; }

  SourceConfig config_;
  ScriptedTransport transport_;
  FakeClock clock_;
};

TEST_F(RestFetchTest, NorthwindCursorPagesMapAndResumeIncrementally) {
  clock_.Set(TimestampFromEpochMs(1763892009000));  // the poll runs as nw-3 is saved
  auto c = Make(NorthwindConfig());
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-1", 1763892000000),
                                      NorthwindDeal("nw-2", 1763892005000, "BANT ok")},
                                     "c2"));
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-3", 1763892009000, "Won")}, nullptr));
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  EXPECT_TRUE(first->has_more);
  ASSERT_EQ(first->records.size(), 2u);
  const Opportunity& o = first->records[0];
  EXPECT_EQ(o.source, "northwind");
  EXPECT_EQ(o.native_id, "nw-1");
  EXPECT_EQ(o.registration_id, "DR-nw-1");
  EXPECT_EQ(o.counterpart_id, "006nw-1");
  EXPECT_EQ(o.account, "Acme");
  EXPECT_EQ(o.stage, Stage::kQualified);
  EXPECT_EQ(first->records[1].stage, Stage::kQualified);  // "BANT ok" also means qualified
  EXPECT_EQ(o.amount, (Money{123450, "EUR"}));
  EXPECT_EQ(o.close_date, (CalendarDate{2025, 12, 1}));  // midnight UTC is 01:00 in Berlin
  EXPECT_EQ(EpochMs(o.modified_at), 1763892000000);
  EXPECT_FALSE(o.native_payload.empty());

  auto second = Fetch(*c, first->next_cursor);
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_more);
  ASSERT_EQ(second->records.size(), 1u);
  EXPECT_EQ(second->records[0].stage, Stage::kClosedWon);
  EXPECT_EQ(Url(0), "https://nw.test/api/v2/deals?updated_after=0&limit=2");
  EXPECT_EQ(Url(1), "https://nw.test/api/v2/deals?updated_after=0&limit=2&cursor=c2");
  EXPECT_EQ(*FindHeader(transport_.requests()[0].headers, "Accept"), "application/json");

  // The next poll asks from the first poll's time minus the 60 s overlap and
  // drops nw-3, which comes back unchanged; nw-4 is new.
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-3", 1763892009000, "Won"),
                                      NorthwindDeal("nw-4", 1763892010000)},
                                     nullptr));
  auto third = Fetch(*c, second->next_cursor);
  ASSERT_OK(third);
  EXPECT_EQ(Url(2), "https://nw.test/api/v2/deals?updated_after=1763891949000&limit=2");
  ASSERT_EQ(third->records.size(), 1u);
  EXPECT_EQ(third->records[0].native_id, "nw-4");
}

TEST_F(RestFetchTest, SameSecondEditWithNewValuesIsDelivered) {
  // Whole-second modified times: our write and a person's edit in the same
  // second differ only in their values.
  clock_.Set(TimestampFromEpochMs(1763892001000));
  auto c = Make(NorthwindConfig());
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-1", 1763892000000, "Qualified")}, nullptr));
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  ASSERT_EQ(first->records.size(), 1u);
  clock_.Advance(std::chrono::seconds(30));
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-1", 1763892000000, "Won")}, nullptr));
  auto second = Fetch(*c, first->next_cursor);
  ASSERT_OK(second);
  ASSERT_EQ(second->records.size(), 1u);
  EXPECT_EQ(second->records[0].stage, Stage::kClosedWon);
  clock_.Advance(std::chrono::seconds(30));
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-1", 1763892000000, "Won")}, nullptr));
  auto third = Fetch(*c, second->next_cursor);
  ASSERT_OK(third);
  EXPECT_TRUE(third->records.empty());  // that version again: a repeat
}

TEST_F(RestFetchTest, FutureModifiedTimeWarnsAndQuietPollsStayCheap) {
  clock_.Set(TimestampFromEpochMs(1763892001000));
  auto c = Make(NorthwindConfig());
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-1", 1763892000000),
                                      NorthwindDeal("nw-f", 1900000000000)},
                                     nullptr));
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  EXPECT_EQ(first->records.size(), 2u);
  ASSERT_EQ(first->warnings.size(), 1u);
  EXPECT_EQ(first->warnings[0].native_id, "nw-f");
  EXPECT_THAT(first->warnings[0].message, HasSubstr("ahead of this host's clock"));
  // Each quiet poll asks from its predecessor's time minus the overlap: one
  // small request, neither a year ahead nor stuck at the newest record.
  std::string cursor = first->next_cursor;
  for (int i = 1; i <= 3; ++i) {
    clock_.Advance(std::chrono::minutes(10));
    transport_.Push(200, NorthwindPage({}, nullptr));
    auto page = Fetch(*c, cursor);
    ASSERT_OK(page);
    cursor = page->next_cursor;
    const int64_t previous_poll = 1763892001000 + (i - 1) * 600000;
    EXPECT_EQ(Url(i), "https://nw.test/api/v2/deals?updated_after=" +
                          std::to_string(previous_poll - 60000) + "&limit=2");
  }
}

TEST_F(RestFetchTest, CursorAtRereadsFromTheInstant) {
  auto c = Make(NorthwindConfig());
  auto cursor = c->CursorAt(TimestampFromEpochMs(1763000000000));
  ASSERT_OK(cursor);
  transport_.Push(200, NorthwindPage({}, nullptr));
  ASSERT_OK(Fetch(*c, *cursor));
  EXPECT_EQ(Url(0), "https://nw.test/api/v2/deals?updated_after=1763000000000&limit=2");
}

TEST_F(RestFetchTest, RestartMidPassResumesAtTheSavedPage) {
  auto c = Make(NorthwindConfig());
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-1", 1000)}, "c2"));
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  // A new connector instance (process restart) continues from the saved cursor.
  auto restarted = Make(NorthwindConfig());
  transport_.Push(200, NorthwindPage({NorthwindDeal("nw-2", 2000)}, nullptr));
  auto second = Fetch(*restarted, first->next_cursor);
  ASSERT_OK(second);
  EXPECT_EQ(Url(1), "https://nw.test/api/v2/deals?updated_after=0&limit=2&cursor=c2");
  ASSERT_EQ(second->records.size(), 1u);
  EXPECT_EQ(second->records[0].native_id, "nw-2");
}

TEST_F(RestFetchTest, ContosoFollowsLinkHeaderWithIsoSince) {
  clock_.Set(*ParseTimestamp("2026-11-23T10:05:00.500Z"));
  auto c = Make(ContosoConfig());
  transport_.Push(200,
                  json{{"items", {ContosoOpp(123, "2026-11-23T10:00:00Z")}}, {"page", 1}}.dump(),
                  {{"Link",
                    "<https://contoso.test/v1/opportunities?modified_since=1970-01-01T00%3A00%3A00Z"
                    "&page=2&per_page=2>; rel=\"next\""}});
  transport_.Push(200, json{{"items", {ContosoOpp(124, "2026-11-23T10:05:00.500Z", "Closed Lost")}},
                            {"page", 2}}
                           .dump());
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  ASSERT_TRUE(first->has_more);
  ASSERT_EQ(first->records.size(), 1u);
  const Opportunity& o = first->records[0];
  EXPECT_EQ(o.native_id, "123");
  EXPECT_EQ(o.stage, Stage::kProposal);
  EXPECT_EQ(o.amount, (Money{1234550, "USD"}));
  EXPECT_EQ(o.close_date, (CalendarDate{2026, 12, 1}));
  auto second = Fetch(*c, first->next_cursor);
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_more);
  EXPECT_EQ(second->records.at(0).stage, Stage::kClosedLost);
  EXPECT_EQ(
      Url(0),
      "https://contoso.test/v1/opportunities?modified_since=1970-01-01T00%3A00%3A00Z&per_page=2");
  EXPECT_EQ(Url(1),
            "https://contoso.test/v1/opportunities?modified_since=1970-01-01T00%3A00%3A00Z"
            "&page=2&per_page=2");
  // Next poll: ISO seconds, 2 minutes (default overlap) before the first poll at 10:05:00.500.
  transport_.Push(200, json{{"items", json::array()}}.dump());
  ASSERT_OK(Fetch(*c, second->next_cursor));
  EXPECT_EQ(
      Url(2),
      "https://contoso.test/v1/opportunities?modified_since=2026-11-23T10%3A03%3A00Z&per_page=2");
}

TEST_F(RestFetchTest, LinkHeaderToAnotherHostIsRefused) {
  auto c = Make(ContosoConfig());
  transport_.Push(200, json{{"items", json::array()}}.dump(),
                  {{"Link", "<https://attacker.test/v1/opportunities?page=2>; rel=\"next\""}});
  auto page = Fetch(*c, "");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(page.status().message(),
              HasSubstr("refusing to follow a next-page URL on another origin"));
}

TEST_F(RestFetchTest, PageNumbersRunUntilAnEmptyPage) {
  SourceConfig config = NorthwindConfig();
  config.options.erase("list.page.next");
  config.options["list.page.style"] = Opt("page");
  config.options["list.page.param"] = Opt("page");
  config.options["list.page.size_param"] = Opt("per_page");
  auto c = Make(config);
  transport_.Push(200, NorthwindPage({NorthwindDeal("a", 1), NorthwindDeal("b", 2)}, nullptr));
  transport_.Push(200, NorthwindPage({NorthwindDeal("c", 3)}, nullptr));
  transport_.Push(200, NorthwindPage({}, nullptr));
  std::string cursor;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto page = Fetch(*c, cursor);
    ASSERT_OK(page);
    for (const auto& r : page->records)
      ids.push_back(r.native_id);
    cursor = page->next_cursor;
    EXPECT_EQ(page->has_more, i < 2);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_THAT(Url(0), HasSubstr("per_page=2&page=1"));
  EXPECT_THAT(Url(1), HasSubstr("per_page=2&page=2"));
  EXPECT_THAT(Url(2), HasSubstr("per_page=2&page=3"));
}

TEST_F(RestFetchTest, OffsetsAdvanceByRecordsReceived) {
  SourceConfig config = NorthwindConfig();
  config.options["list.page.style"] = Opt("offset");
  config.options["list.page.param"] = Opt("offset");
  config.options["list.modified_since.format"] = Opt("epoch_s");
  clock_.Set(TimestampFromEpochMs(7000));
  auto c = Make(config);
  transport_.Push(200,
                  NorthwindPage({NorthwindDeal("a", 5000), NorthwindDeal("b", 7000)}, nullptr));
  transport_.Push(200, NorthwindPage({}, nullptr));
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  auto second = Fetch(*c, first->next_cursor);
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_more);
  EXPECT_EQ(Url(0), "https://nw.test/api/v2/deals?updated_after=0&limit=2&offset=0");
  EXPECT_EQ(Url(1), "https://nw.test/api/v2/deals?updated_after=0&limit=2&offset=2");
  transport_.Push(200, NorthwindPage({}, nullptr));
  ASSERT_OK(Fetch(*c, second->next_cursor));
  // epoch_s: (poll at 7000 ms - 60 s overlap) clamps to 0 -> "0"; 7 s would be "7".
  EXPECT_EQ(Url(2), "https://nw.test/api/v2/deals?updated_after=0&limit=2&offset=0");
}

TEST_F(RestFetchTest, EpochSecondsSinceAfterAPass) {
  SourceConfig config = NorthwindConfig();
  config.options["list.modified_since.format"] = Opt("epoch_s");
  clock_.Set(TimestampFromEpochMs(1763892000000));
  auto c = Make(config);
  transport_.Push(200, NorthwindPage({NorthwindDeal("a", 1763892000000)}, nullptr));
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  transport_.Push(200, NorthwindPage({}, nullptr));
  ASSERT_OK(Fetch(*c, first->next_cursor));
  EXPECT_EQ(Url(1), "https://nw.test/api/v2/deals?updated_after=1763891940&limit=2");
}

TEST_F(RestFetchTest, NextUrlInBodyIsFollowedRelativeToTheOrigin) {
  SourceConfig config = NorthwindConfig();
  config.options["list.page.style"] = Opt("next_url");
  config.options["list.page.next"] = Opt("/links/next");
  config.options.erase("list.modified_since.param");
  config.options.erase("list.modified_since.format");
  auto c = Make(config);
  transport_.Push(200, json{{"data", {NorthwindDeal("a", 1)}},
                            {"links", {{"next", "/api/v2/deals?after=a&limit=2"}}}}
                           .dump());
  transport_.Push(200,
                  json{{"data", {NorthwindDeal("b", 2)}}, {"links", {{"next", nullptr}}}}.dump());
  auto first = Fetch(*c, "");
  ASSERT_OK(first);
  auto second = Fetch(*c, first->next_cursor);
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_more);
  EXPECT_EQ(Url(0), "https://nw.test/api/v2/deals?limit=2");
  EXPECT_EQ(Url(1), "https://nw.test/api/v2/deals?after=a&limit=2");
}

TEST_F(RestFetchTest, NoPagingRootArrayIsOnePass) {
  SourceConfig config = NorthwindConfig();
  config.options["list.page.style"] = Opt("none");
  config.options["list.records"] = Opt("");
  config.options["list.page.size_param"] = Opt("");
  auto c = Make(config);
  transport_.Push(200, json::array({NorthwindDeal("a", 1), NorthwindDeal("b", 2)}).dump());
  auto page = Fetch(*c, "");
  ASSERT_OK(page);
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(page->records.size(), 2u);
  EXPECT_EQ(Url(0), "https://nw.test/api/v2/deals?updated_after=0");
}

TEST_F(RestFetchTest, UnmappableRecordsAreRejectedNotDropped) {
  auto c = Make(NorthwindConfig());
  json no_id = NorthwindDeal("x", 1);
  no_id.erase("id");
  transport_.Push(200, NorthwindPage({NorthwindDeal("ok", 1), NorthwindDeal("bad", 2, "Won-ish"),
                                      no_id, json("not an object")},
                                     nullptr));
  auto page = Fetch(*c, "");
  ASSERT_OK(page);
  ASSERT_EQ(page->records.size(), 1u);
  ASSERT_EQ(page->rejects.size(), 3u);
  EXPECT_EQ(page->rejects[0].native_id, "bad");
  EXPECT_THAT(
      page->rejects[0].message,
      HasSubstr("record #1 of the page: stage: value \"Won-ish\" at /status is not in [stages]"));
  EXPECT_EQ(page->rejects[1].native_id, "");
  EXPECT_THAT(page->rejects[1].message, HasSubstr("record #2 of the page: id: missing"));
  EXPECT_THAT(page->rejects[1].message, HasSubstr("/id"));
  EXPECT_THAT(page->rejects[2].message,
              HasSubstr("record #3 of the page: record is not a JSON object"));
}

TEST_F(RestFetchTest, HttpErrorsBecomeStatusCodes) {
  auto c = Make(NorthwindConfig());
  transport_.Push(401, R"({"error":{"code":"unauthorized","message":"bad key"}})");
  auto unauth = Fetch(*c, "");
  ASSERT_FALSE(unauth.ok());
  EXPECT_EQ(unauth.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(unauth.status().message(),
              HasSubstr("rest northwind list GET /api/v2/deals: HTTP 401"));
  EXPECT_THAT(unauth.status().message(), HasSubstr("bad key"));

  transport_.Push(429, R"({"error":{"code":"rate_limited","message":"slow down"}})",
                  {{"Retry-After", "7"}});
  auto limited = Fetch(*c, "");
  EXPECT_EQ(limited.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(limited.status().retry_after(), std::chrono::seconds(7));

  transport_.Push(503, "upstream down");
  EXPECT_EQ(Fetch(*c, "").status().code(), StatusCode::kUnavailable);

  transport_.Push(Result<HttpResponse>(Unavailable("connection refused")));
  auto refused = Fetch(*c, "");
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().message(), "rest northwind GET /api/v2/deals: connection refused");
}

TEST_F(RestFetchTest, MalformedBodiesAreReportedWithTheirPointer) {
  auto c = Make(NorthwindConfig());
  transport_.Push(200, "<html>maintenance</html>", {{"Content-Type", "text/html"}});
  auto html = Fetch(*c, "");
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(html.status().message(),
            "rest northwind list GET /api/v2/deals: the response is not JSON (Content-Type "
            "text/html): \"<html>maintenance</html>\"");

  transport_.Push(200, R"({"data":[{"id":"a")");  // truncated
  EXPECT_EQ(Fetch(*c, "").status().code(), StatusCode::kUnavailable);

  transport_.Push(200, R"({"data":{"id":"a"},"meta":{}})");
  auto object = Fetch(*c, "");
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(object.status().message(),
            "rest northwind list GET /api/v2/deals: list.records = \"/data\" points at an object, "
            "not an array (top-level members: data, meta)");

  transport_.Push(200, R"({"results":[]})");
  EXPECT_EQ(Fetch(*c, "").status().message(),
            "rest northwind list GET /api/v2/deals: list.records = \"/data\" matches nothing in "
            "the response (top-level members: results)");

  EXPECT_EQ(Fetch(*c, "garbage cursor").status().code(), StatusCode::kDataLoss);
}

TEST_F(RestFetchTest, FetchByIdsSkipsMissingRecords) {
  auto c = Make(NorthwindConfig());
  transport_.Push(200, NorthwindDeal("nw-1", 1).dump());
  transport_.Push(404, R"({"error":{"code":"not_found","message":"no deal"}})");
  auto found = RunAwaitable(c->FetchByIds({"nw-1", "nw/9"}));
  ASSERT_OK(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).native_id, "nw-1");
  EXPECT_EQ(Url(0), "https://nw.test/api/v2/deals/nw-1");
  EXPECT_EQ(Url(1), "https://nw.test/api/v2/deals/nw%2F9");
  transport_.Push(500, "boom");
  EXPECT_EQ(RunAwaitable(c->FetchByIds({"nw-1"})).status().code(), StatusCode::kUnavailable);
}

TEST_F(RestFetchTest, CapabilitiesFollowTheFile) {
  auto nw = Make(NorthwindConfig());
  EXPECT_EQ(nw->capabilities().max_batch_size, 1u);
  EXPECT_TRUE(nw->capabilities().supports_deletes);
  auto contoso = Make(ContosoConfig());
  EXPECT_EQ(contoso->capabilities().max_batch_size, 25u);
}

}  // namespace
}  // namespace dealsync::connectors::rest
