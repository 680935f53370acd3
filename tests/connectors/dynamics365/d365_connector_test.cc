// Dynamics365Connector over a scripted transport: the requests it sends (URLs,
// Prefer, If-Match) and how it reacts to refused delta links, 412s and
// whole-call failures.
#include "connectors/dynamics365/d365_connector.h"

#include <gtest/gtest.h>

#include "src/platform/fake_clock.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using nlohmann::json;
using testing::RunAwaitable;
using testing::ScriptedTransport;

const std::string kBase = "https://org.example";
const std::string kUsd = "c0ffee01-0000-4000-8000-000000000001";

json Row(const std::string& id, int version) {
  return {{"@odata.etag", "W/\"" + std::to_string(version) + "\""},
          {"opportunityid", id},
          {"name", "Deal " + id},
          {"statecode", 0},
          {"salesstage", 1},
          {"estimatedvalue", 10},
          {"_transactioncurrencyid_value", kUsd},
          {"estimatedclosedate", "2026-12-01"},
          {"modifiedon", "2026-11-23T10:00:00Z"}};
}

std::string Currencies() {
  return json{{"value", {{{"transactioncurrencyid", kUsd}, {"isocurrencycode", "USD"}}}}}.dump();
}

class D365ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.id = "fabrikam";
    config_.connector = "dynamics365";
    config_.currency = "USD";
    config_.connection.base_url = kBase;
    auto& s = config_.stages[""].native_by_stage;
    s[Stage::kProspect] = {"100000000"};
    s[Stage::kQualified] = {"0"};
    s[Stage::kDiscovery] = {"1"};
    s[Stage::kSolution] = {"100000001"};
    s[Stage::kProposal] = {"2", "3"};
    s[Stage::kClosedWon] = {"Won"};
    s[Stage::kClosedLost] = {"Lost"};
    RegisterDynamics365Connector(registry_);
    auto c = registry_.Find("dynamics365")->Create(ConnectorContext{config_, transport_, clock_});
    ASSERT_OK(c);
    connector_ = std::move(*c);
  }
  std::string Page(std::vector<json> rows, std::string delta) {
    json body = {{"value", rows}};
    body["@odata.deltaLink"] = delta;
    return body.dump();
  }

  SourceConfig config_;
  ConnectorRegistry registry_;
  ScriptedTransport transport_;
  FakeClock clock_;
  std::unique_ptr<Connector> connector_;
};

TEST_F(D365ConnectorTest, FirstReadAsksForChangesThenFollowsTheDeltaLink) {
  transport_.Push(200, Page({Row("a", 1)}, kBase + "/api/data/v9.2/opportunities?$deltatoken=5"));
  transport_.Push(200, Currencies());
  auto page = RunAwaitable(connector_->FetchChanges(""));
  ASSERT_OK(page);
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_FALSE(page->has_more);
  const HttpRequest& first = transport_.requests()[0];
  EXPECT_EQ(first.url.rfind(kBase + "/api/data/v9.2/opportunities?$select=", 0), 0u) << first.url;
  EXPECT_NE(FindHeader(first.headers, "Prefer")->find("odata.track-changes"), std::string::npos);
  EXPECT_NE(FindHeader(first.headers, "Prefer")->find("odata.maxpagesize=500"), std::string::npos);
  EXPECT_EQ(FindHeader(first.headers, "OData-Version"), "4.0");

  transport_.Push(200, Page({}, kBase + "/api/data/v9.2/opportunities?$deltatoken=6"));
  auto next = RunAwaitable(connector_->FetchChanges(page->next_cursor));
  ASSERT_OK(next);
  EXPECT_EQ(transport_.requests()[2].url, kBase + "/api/data/v9.2/opportunities?$deltatoken=5");
}

// Filter mode (no change tracking): a far-future modifiedon is delivered with a
// warning and leaves the watermark where the other rows put it.
TEST_F(D365ConnectorTest, FarFutureModifiedTimeDoesNotMoveTheFilterWatermark) {
  config_.options["dynamics365.change_tracking"] = OptionValue{false, {}};
  auto c = registry_.Find("dynamics365")->Create(ConnectorContext{config_, transport_, clock_});
  ASSERT_OK(c);
  clock_.Set(*ParseTimestamp("2026-11-23T12:00:00Z"));
  json future = Row("b", 2);
  future["modifiedon"] = "2999-12-31T00:00:00Z";
  json body = {{"value", {Row("a", 1), future}}};
  transport_.Push(200, body.dump());
  transport_.Push(200, Currencies());
  auto page = RunAwaitable((*c)->FetchChanges(""));
  ASSERT_OK(page);
  EXPECT_EQ(page->records.size(), 2u);
  ASSERT_EQ(page->warnings.size(), 1u);
  EXPECT_EQ(page->warnings[0].native_id, "b");
  EXPECT_NE(page->warnings[0].message.find("does not advance"), std::string::npos);
  auto decoded = connectors::dynamics365::Cursor::Decode(page->next_cursor);
  ASSERT_OK(decoded);
  ASSERT_TRUE(decoded->watermark.has_value());
  EXPECT_EQ(FormatTimestamp(*decoded->watermark), "2026-11-23T10:00:00.000Z");
}

TEST_F(D365ConnectorTest, RefusedDeltaTokenStartsAFullRead) {
  connectors::dynamics365::Cursor cursor;
  cursor.delta_link = kBase + "/api/data/v9.2/opportunities?$deltatoken=1";
  transport_.Push(
      400,
      R"({"error":{"code":"0x80044352","message":"Version stamp associated with the client has expired."}})");
  transport_.Push(
      200, Page({Row("a", 1), Row("b", 2)}, kBase + "/api/data/v9.2/opportunities?$deltatoken=9"));
  transport_.Push(200, Currencies());
  auto page = RunAwaitable(connector_->FetchChanges(cursor.Encode()));
  ASSERT_OK(page);
  EXPECT_EQ(page->records.size(), 2u);
  EXPECT_EQ(transport_.requests()[1].url.find("$deltatoken"), std::string::npos);
  auto decoded = connectors::dynamics365::Cursor::Decode(page->next_cursor);
  ASSERT_OK(decoded);
  EXPECT_EQ(decoded->delta_link, kBase + "/api/data/v9.2/opportunities?$deltatoken=9");
}

TEST_F(D365ConnectorTest, PatchCarriesTheEtagAnd412IsAbortedWithoutRetry) {
  transport_.Push(200, Page({Row("a", 7)}, kBase + "/d"));
  transport_.Push(200, Currencies());
  ASSERT_OK(RunAwaitable(connector_->FetchChanges("")));
  RecordUpdate u;
  u.native_id = "a";
  u.close_date = CalendarDate{2027, 1, 2};
  transport_.Push(
      412,
      R"({"error":{"code":"0x80060882","message":"The version of the existing record doesn't match the RowVersion property provided."}})");
  auto out = RunAwaitable(connector_->Update({u}));
  ASSERT_OK(out);
  EXPECT_EQ((*out)[0].status.code(), StatusCode::kAborted);
  const HttpRequest& patch = transport_.requests().back();
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(FindHeader(patch.headers, "If-Match"), "W/\"7\"");
  EXPECT_EQ(json::parse(patch.body), (json{{"estimatedclosedate", "2027-01-02"}}));
  // Until the row is read again nothing is sent for it.
  const size_t sent = transport_.requests().size();
  auto again = RunAwaitable(connector_->Update({u}));
  ASSERT_OK(again);
  EXPECT_EQ((*again)[0].status.code(), StatusCode::kAborted);
  EXPECT_EQ(transport_.requests().size(), sent);
}

TEST_F(D365ConnectorTest, UnknownRowIsReadByIdFirst) {
  transport_.Push(200, Currencies());
  transport_.Push(200, Row("z", 3).dump());
  transport_.Push(200,
                  json{{"@odata.etag", "W/\"4\""}, {"modifiedon", "2026-11-24T00:00:00Z"}}.dump());
  RecordUpdate u;
  u.native_id = "z";
  u.stage = Stage::kProposal;
  auto out = RunAwaitable(connector_->Update({u}));
  ASSERT_OK(out);
  EXPECT_OK((*out)[0].status);
  ASSERT_TRUE((*out)[0].modified_at.has_value());
  EXPECT_EQ(FormatTimestamp(*(*out)[0].modified_at), "2026-11-24T00:00:00.000Z");
  EXPECT_EQ(transport_.requests()[1].method, "GET");
  EXPECT_EQ(FindHeader(transport_.requests()[2].headers, "If-Match"), "W/\"3\"");
  EXPECT_EQ(json::parse(transport_.requests()[2].body), (json{{"salesstage", 2}}));
}

TEST_F(D365ConnectorTest, NoResponseAtAllIsAFailedCall) {
  transport_.Push(200, Currencies());
  transport_.Push(200, Row("z", 3).dump());
  transport_.Push(Result<HttpResponse>(Unavailable("connection refused")));
  RecordUpdate u;
  u.native_id = "z";
  u.stage = Stage::kProposal;
  auto out = RunAwaitable(connector_->Update({u}));
  // The read reached the API, so the outcome is per record.
  ASSERT_OK(out);
  EXPECT_EQ((*out)[0].status.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace dealsync
