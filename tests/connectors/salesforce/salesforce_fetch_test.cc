#include <gtest/gtest.h>

#include "tests/connectors/salesforce/salesforce_test_util.h"

namespace dealsync::connectors::salesforce::testing {
namespace {

constexpr char kQueryPrefix[] = "https://acme.my.salesforce.test/services/data/v59.0/queryAll/?q=";

std::vector<std::string> Ids(const FetchPage& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.records) {
    ids.push_back(r.native_id);
  }
  return ids;
}

TEST(SalesforceFetchTest, FullFetchAcrossPagesSurvivesRestart) {
  Harness h;
  h.transport.Push(200, QueryBody(json::array({Opp("006A", "2026-11-23T10:00:00.000+0000"),
                                               Opp("006B", "2026-11-23T10:00:00.000+0000")}),
                                  false, "/services/data/v59.0/query/01gXX-2000"));
  auto first = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(first);
  EXPECT_TRUE(first->has_more);
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"006A", "006B"}));
  const HttpRequest& q = h.transport.requests().at(0);
  EXPECT_EQ(q.method, "GET");
  EXPECT_EQ(q.url.rfind(kQueryPrefix, 0), 0u) << q.url;
  EXPECT_EQ(SoqlOf(q),
            "SELECT Id, IsDeleted, SystemModstamp, Deal_Registration_ID__c, Partner_Deal_ID__c, "
            "Name, Account.Name, Owner.Name, StageName, Amount, CurrencyIsoCode, CloseDate FROM "
            "Opportunity WHERE SystemModstamp >= 1970-01-01T00:00:00Z ORDER BY SystemModstamp "
            "ASC, Id ASC");
  EXPECT_EQ(FindHeader(q.headers, "Sforce-Query-Options"), "batchSize=2000");

  // A new connector instance (as after a restart) continues from the stored cursor.
  std::string stored = first->next_cursor;
  h.transport.Push(200,
                   QueryBody(json::array({Opp("006C", "2026-11-23T10:00:01.000+0000")}), true));
  auto second = Await(h.Make()->FetchChanges(stored));
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_more);
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"006C"}));
  EXPECT_EQ(h.transport.requests().at(1).url,
            "https://acme.my.salesforce.test/services/data/v59.0/query/01gXX-2000");

  const Opportunity& c = second->records.at(0);
  EXPECT_EQ(c.source, "vendor");
  EXPECT_EQ(c.account, "Acme");
  EXPECT_EQ(c.owner, "Jo");
  EXPECT_EQ(c.stage, Stage::kQualified);
  EXPECT_EQ(c.amount, (Money{123450, "EUR"}));
  EXPECT_EQ(c.close_date, (CalendarDate{2026, 12, 1}));
  EXPECT_EQ(c.registration_id, "DR-006C");
  EXPECT_EQ(FormatTimestamp(c.modified_at), "2026-11-23T10:00:01.000Z");
}

TEST(SalesforceFetchTest, IncrementalPollDedupesOverlapAndFindsLateRows) {
  Harness h;
  h.transport.Push(200, QueryBody(json::array({Opp("006A", "2026-11-23T10:00:00.000+0000"),
                                               Opp("006B", "2026-11-23T10:00:05.000+0000")}),
                                  true));
  auto first = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(first);
  EXPECT_FALSE(first->has_more);

  // The next poll re-reads from watermark - 5m. It sees both rows again, a row
  // that committed late with a stamp below the watermark, a second row at the
  // watermark second and a newer version of 006A.
  h.transport.Push(
      200, QueryBody(json::array({Opp("006L", "2026-11-23T09:58:00.000+0000"),
                                  Opp("006B", "2026-11-23T10:00:05.000+0000"),
                                  Opp("006D", "2026-11-23T10:00:05.000+0000"),
                                  Opp("006A", "2026-11-23T10:01:00.000+0000", "Closed Won")}),
                     true));
  auto second = Await(h.Make()->FetchChanges(first->next_cursor));
  ASSERT_OK(second);
  EXPECT_NE(SoqlOf(h.transport.requests().at(1))
                .find("WHERE SystemModstamp >= 2026-11-23T09:55:05Z ORDER BY"),
            std::string::npos);
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"006L", "006D", "006A"}));
  EXPECT_EQ(second->records.back().stage, Stage::kClosedWon);

  // Polling again with nothing new delivers nothing.
  h.transport.Push(
      200, QueryBody(json::array({Opp("006D", "2026-11-23T10:00:05.000+0000"),
                                  Opp("006A", "2026-11-23T10:01:00.000+0000", "Closed Won")}),
                     true));
  auto third = Await(h.Make()->FetchChanges(second->next_cursor));
  ASSERT_OK(third);
  EXPECT_TRUE(third->records.empty());
  EXPECT_NE(SoqlOf(h.transport.requests().at(2)).find(">= 2026-11-23T09:56:00Z"),
            std::string::npos);
}

TEST(SalesforceFetchTest, ExpiredQueryLocatorRestartsFromTheWatermark) {
  Harness h;
  h.transport.Push(200, QueryBody(json::array({Opp("006A", "2026-11-23T10:00:00.000+0000"),
                                               Opp("006B", "2026-11-23T10:00:02.000+0000")}),
                                  false, "/services/data/v59.0/query/01gXX-2000"));
  auto first = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(first);
  h.transport.Push(400,
                   R"([{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}])");
  h.transport.Push(200, QueryBody(json::array({Opp("006A", "2026-11-23T10:00:00.000+0000"),
                                               Opp("006B", "2026-11-23T10:00:02.000+0000"),
                                               Opp("006C", "2026-11-23T10:00:03.000+0000")}),
                                  true));
  auto second = Await(h.Make()->FetchChanges(first->next_cursor));
  ASSERT_OK(second);
  ASSERT_EQ(h.transport.requests().size(), 3u);
  EXPECT_EQ(h.transport.requests()[1].url,
            "https://acme.my.salesforce.test/services/data/v59.0/query/01gXX-2000");
  EXPECT_EQ(h.transport.requests()[2].url.rfind(kQueryPrefix, 0), 0u);
  EXPECT_NE(SoqlOf(h.transport.requests()[2]).find(">= 2026-11-23T09:55:02Z"), std::string::npos);
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"006C"}));
  EXPECT_FALSE(second->has_more);
}

TEST(SalesforceFetchTest, DeletedRowsAreMarkedDeleted) {
  Harness h;
  h.config.fields.erase("deleted");
  h.config.fields["deleted"] = FieldMapping{"/IsDeleted", "bool", {}};
  h.transport.Push(
      200,
      QueryBody(json::array({Opp("006A", "2026-11-23T10:00:00.000+0000", "Prospecting", true)}),
                true));
  auto page = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(page);
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_TRUE(page->records[0].deleted);
}

TEST(SalesforceFetchTest, UnmappableRowsAreRejectedNotDropped) {
  Harness h;
  json bad_stage = Opp("006X", "2026-11-23T10:00:00.000+0000", "Won-ish");
  json no_stamp = Opp("006Y", "2026-11-23T10:00:00.000+0000");
  no_stamp.erase("SystemModstamp");
  h.transport.Push(
      200,
      QueryBody(json::array({bad_stage, no_stamp, Opp("006A", "2026-11-23T10:00:01.000+0000")}),
                true));
  auto page = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(page);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"006A"}));
  ASSERT_EQ(page->rejects.size(), 2u);
  EXPECT_EQ(page->rejects[0].native_id, "006X");
  EXPECT_NE(page->rejects[0].message.find("stage: value \"Won-ish\" at /StageName"),
            std::string::npos);
  EXPECT_EQ(json::parse(page->rejects[0].native_payload), bad_stage);
  EXPECT_EQ(page->rejects[1].native_id, "006Y");
  // The rejected row counts as delivered: it is not rejected again next time.
  h.transport.Push(200, QueryBody(json::array({bad_stage}), true));
  auto again = Await(h.Make()->FetchChanges(page->next_cursor));
  ASSERT_OK(again);
  EXPECT_TRUE(again->rejects.empty());
}

TEST(SalesforceFetchTest, MalformedResponsesAreRetryable) {
  Harness h;
  auto connector = h.Make();
  h.transport.Push(200, R"({"totalSize":1,"done":true,"records":[{"Id":"006A",)");
  auto truncated = Await(connector->FetchChanges(""));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(truncated.status().message().find("salesforce query: response is not valid JSON"),
            std::string::npos);
  h.transport.Push(200, R"({"totalSize":1,"done":true})");
  auto shapeless = Await(connector->FetchChanges(""));
  EXPECT_EQ(shapeless.status().code(), StatusCode::kUnavailable);
  h.transport.Push(Unavailable("connection reset"));
  auto reset = Await(connector->FetchChanges(""));
  EXPECT_EQ(reset.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Await(connector->FetchChanges("{not json")).status().code(), StatusCode::kDataLoss);
}

TEST(SalesforceFetchTest, ErrorBodiesBecomeStatusCodes) {
  struct Case {
    int http;
    const char* body;
    StatusCode want;
    const char* text;
  } cases[] = {
      {403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])",
       StatusCode::kResourceExhausted, "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."},
      {401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])",
       StatusCode::kUnauthenticated, "INVALID_SESSION_ID: Session expired or invalid"},
      {400, R"([{"message":"unexpected token: FROM","errorCode":"MALFORMED_QUERY"}])",
       StatusCode::kInvalidArgument, "MALFORMED_QUERY: unexpected token: FROM"},
      {400, R"([{"message":"No such column 'Foo__c'","errorCode":"INVALID_FIELD"}])",
       StatusCode::kInvalidArgument, "INVALID_FIELD"},
      {503, R"([{"message":"down","errorCode":"SERVER_UNAVAILABLE"}])", StatusCode::kUnavailable,
       "SERVER_UNAVAILABLE"},
      {500, "<html>oops</html>", StatusCode::kUnavailable, ""},
  };
  for (const auto& c : cases) {
    Harness h;
    h.transport.Push(c.http, c.body);
    auto page = Await(h.Make()->FetchChanges(""));
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().code(), c.want) << c.body;
    EXPECT_NE(page.status().message().find(c.text), std::string::npos) << page.status().message();
  }
}

TEST(SalesforceFetchTest, TracksSforceLimitInfo) {
  Harness h;
  auto connector = h.Make();
  EXPECT_FALSE(connector->api_usage());
  h.transport.Push(200, QueryBody(json::array(), true),
                   {{"Sforce-Limit-Info", "api-usage=14000/15000"}});
  ASSERT_OK(Await(connector->FetchChanges("")));
  ASSERT_TRUE(connector->api_usage());
  EXPECT_EQ(connector->api_usage()->used, 14000);
  EXPECT_EQ(connector->api_usage()->max, 15000);
}

TEST(PollCursorTest, RoundTripsAndMigratesTheOlderShape) {
  PollCursor c;
  EXPECT_EQ(c.QueryFrom(), Timestamp{});
  const Timestamp now = *ParseTimestamp("2026-11-23T10:10:00.700Z");
  c.window.BeginPass(now);
  OverlapSettings settings{std::chrono::minutes(5), std::chrono::minutes(5), 100};
  Opportunity o;
  o.native_id = "c";
  ASSERT_TRUE(
      c.window.Admit("c", *ParseTimestamp("2026-11-23T10:09:00Z"), ContentHash(o), now, settings)
          .deliver);
  c.next_url = "/services/data/v59.0/query/01g-4000";
  c.newest = *ParseTimestamp("2026-11-23T10:09:00Z");
  auto back = PollCursor::Decode(c.Encode(), std::chrono::minutes(5));
  ASSERT_OK(back);
  EXPECT_EQ(back->next_url, c.next_url);
  EXPECT_EQ(back->newest, c.newest);
  EXPECT_TRUE(back->window.in_pass());
  EXPECT_FALSE(
      back->window
          .Admit("c", *ParseTimestamp("2026-11-23T10:09:00Z"), ContentHash(o), now, settings)
          .deliver);
  EXPECT_EQ(SoqlDateTime(back->ResumeFrom(std::chrono::seconds(90))), "2026-11-23T10:07:30Z");
  back->window.FinishPass(settings);
  EXPECT_EQ(SoqlDateTime(back->QueryFrom()), "2026-11-23T10:05:00Z");  // now - 5m, floored

  // {"wm", "seen"} cursors from before the shared window keep their position.
  auto old = PollCursor::Decode(R"({"wm":1795428600000,"seen":{"a":1795428600000}})",
                                std::chrono::minutes(5));
  ASSERT_OK(old);
  EXPECT_EQ(SoqlDateTime(old->QueryFrom()), "2026-11-23T10:05:00Z");
  EXPECT_EQ(old->window.remembered(), 1u);

  EXPECT_EQ(PollCursor::Decode("{\"wm\":\"x\"}", std::chrono::minutes(5)).status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(PollCursor::Decode("{\"w\":{\"seen\":1}}", std::chrono::minutes(5)).status().code(),
            StatusCode::kDataLoss);
  auto empty = PollCursor::Decode("", std::chrono::minutes(5));
  ASSERT_OK(empty);
  EXPECT_FALSE(empty->window.in_pass());
}

TEST(SalesforceFetchTest, SameSecondEditWithNewValuesIsDelivered) {
  // SystemModstamp has millisecond precision but many orgs' automation writes
  // several versions within one stamp; a row whose values changed is never
  // dropped as a repeat of the version delivered before.
  Harness h;
  h.transport.Push(200,
                   QueryBody(json::array({Opp("006A", "2026-11-23T10:00:04.000+0000")}), true));
  auto first = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(first);
  ASSERT_EQ(Ids(*first), std::vector<std::string>{"006A"});
  h.clock.Advance(std::chrono::seconds(30));
  h.transport.Push(
      200,
      QueryBody(json::array({Opp("006A", "2026-11-23T10:00:04.000+0000", "Closed Won")}), true));
  auto second = Await(h.Make()->FetchChanges(first->next_cursor));
  ASSERT_OK(second);
  ASSERT_EQ(Ids(*second), std::vector<std::string>{"006A"});
  EXPECT_EQ(second->records[0].stage, Stage::kClosedWon);
  // That version unchanged is a repeat.
  h.transport.Push(
      200,
      QueryBody(json::array({Opp("006A", "2026-11-23T10:00:04.000+0000", "Closed Won")}), true));
  auto third = Await(h.Make()->FetchChanges(second->next_cursor));
  ASSERT_OK(third);
  EXPECT_TRUE(third->records.empty());
}

TEST(SalesforceFetchTest, FutureStampWarnsAndDoesNotMoveTheNextQuery) {
  Harness h;
  h.transport.Push(200, QueryBody(json::array({Opp("006A", "2026-11-23T10:00:00.000+0000"),
                                               Opp("006F", "2031-01-01T00:00:00.000+0000")}),
                                  true));
  auto first = Await(h.Make()->FetchChanges(""));
  ASSERT_OK(first);
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"006A", "006F"}));
  ASSERT_EQ(first->warnings.size(), 1u);
  EXPECT_EQ(first->warnings[0].native_id, "006F");
  h.clock.Advance(std::chrono::minutes(1));
  h.transport.Push(200, QueryBody(json::array(), true));
  ASSERT_OK(Await(h.Make()->FetchChanges(first->next_cursor)));
  EXPECT_NE(SoqlOf(h.transport.requests().at(1)).find(">= 2026-11-23T09:55:05Z"), std::string::npos)
      << SoqlOf(h.transport.requests().at(1));
}

TEST(SalesforceFetchTest, CursorAtRereadsFromTheInstant) {
  Harness h;
  auto connector = h.Make();
  auto cursor = connector->CursorAt(*ParseTimestamp("2026-11-01T08:30:00Z"));
  ASSERT_OK(cursor);
  h.transport.Push(200, QueryBody(json::array(), true));
  ASSERT_OK(Await(connector->FetchChanges(*cursor)));
  EXPECT_NE(SoqlOf(h.transport.requests().at(0)).find(">= 2026-11-01T08:30:00Z"),
            std::string::npos);
}

TEST(SalesforceWireTest, LimitInfoAndRecordCodes) {
  auto usage = ParseLimitInfo("api-usage=25/15000; per-app-api-usage=17/250(appName=sample)");
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->used, 25);
  EXPECT_FALSE(ParseLimitInfo("garbage"));
  EXPECT_EQ(RecordErrorCode("ENTITY_IS_DELETED"), StatusCode::kNotFound);
  EXPECT_EQ(RecordErrorCode("UNABLE_TO_LOCK_ROW"), StatusCode::kUnavailable);
  EXPECT_EQ(RecordErrorCode("FIELD_CUSTOM_VALIDATION_EXCEPTION"), StatusCode::kInvalidArgument);
  EXPECT_EQ(RecordErrorCode("REQUEST_LIMIT_EXCEEDED"), StatusCode::kResourceExhausted);
  EXPECT_EQ(RecordErrorCode("ENTITY_IS_LOCKED"), StatusCode::kFailedPrecondition);
  EXPECT_EQ(RecordErrorCode("INSUFFICIENT_ACCESS_OR_READONLY"), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace dealsync::connectors::salesforce::testing
