// RestConnector::Update: single-record PATCH (northwind) and batches with
// per-record results (contoso), including partial failures.
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

RecordUpdate StageUpdate(std::string id, Stage stage) {
  RecordUpdate u;
  u.native_id = std::move(id);
  u.stage = stage;
  return u;
}

class RestUpdateTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestConnector> Make(const SourceConfig& config) {
    config_ = config;
    ConnectorContext context{config_, transport_, clock_};
    auto connector = RestConnector::Create(context);
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    return connector.ok() ? std::move(*connector) : nullptr;
  }
  const HttpRequest& Request(size_t i) const { return transport_.requests().at(i); }

  SourceConfig config_;
  ScriptedTransport transport_;
  FakeClock clock_;
};

TEST_F(RestUpdateTest, SinglePatchesEachRecordAndMapsHttpOutcomes) {
  auto c = Make(NorthwindConfig());
  RecordUpdate full;
  full.native_id = "nw-1";
  full.stage = Stage::kProposal;
  full.amount = Money{99900, "EUR"};
  full.close_date = CalendarDate{2026, 12, 1};
  transport_.Push(
      200, json{{"id", "nw-1"}, {"status", "Quote sent"}, {"updated_at", 1763899999000}}.dump());
  transport_.Push(404, R"({"error":{"code":"not_found","message":"no such deal"}})");
  transport_.Push(422, R"({"error":{"code":"invalid","message":"value must be positive"}})");
  transport_.Push(409, R"({"error":{"code":"conflict","message":"edited concurrently"}})");
  transport_.Push(502, "bad gateway");
  auto outcomes = RunAwaitable(c->Update(
      {full, StageUpdate("nw-2", Stage::kClosedWon), StageUpdate("nw-3", Stage::kClosedWon),
       StageUpdate("nw-4", Stage::kClosedLost), StageUpdate("nw-5", Stage::kQualified)}));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 5u);
  EXPECT_OK((*outcomes)[0].status);
  ASSERT_TRUE((*outcomes)[0].modified_at.has_value());
  EXPECT_EQ(EpochMs(*(*outcomes)[0].modified_at), 1763899999000);
  EXPECT_EQ((*outcomes)[1].status.code(), StatusCode::kNotFound);
  EXPECT_THAT((*outcomes)[1].status.message(), HasSubstr("no such deal"));
  EXPECT_EQ((*outcomes)[2].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*outcomes)[3].status.code(), StatusCode::kAborted);
  EXPECT_EQ((*outcomes)[4].status.code(), StatusCode::kUnavailable);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*outcomes)[i].native_id, "nw-" + std::to_string(i + 1));
  }

  const HttpRequest& first = Request(0);
  EXPECT_EQ(first.method, "PATCH");
  EXPECT_EQ(first.url, "https://nw.test/api/v2/deals/nw-1");
  EXPECT_EQ(*FindHeader(first.headers, "Content-Type"), "application/json");
  // Stage as the first native value, amount as a decimal string, close date as
  // epoch ms of local midnight in Europe/Berlin (2026-11-30T23:00:00Z).
  EXPECT_EQ(json::parse(first.body), (json{{"status", "Quote sent"},
                                           {"value", "999.00"},
                                           {"currency", "EUR"},
                                           {"expected_close", 1796079600000}}));
  EXPECT_EQ(json::parse(Request(1).body), (json{{"status", "Won"}}));
}

TEST_F(RestUpdateTest, SingleStopsTheCallOnAuthAndRateLimit) {
  auto c = Make(NorthwindConfig());
  transport_.Push(401, R"({"error":{"code":"unauthorized","message":"key revoked"}})");
  auto unauth = RunAwaitable(c->Update({StageUpdate("nw-1", Stage::kClosedWon)}));
  ASSERT_FALSE(unauth.ok());
  EXPECT_EQ(unauth.status().code(), StatusCode::kUnauthenticated);
  transport_.Push(429, "{}", {{"Retry-After", "3"}});
  auto limited = RunAwaitable(c->Update({StageUpdate("nw-1", Stage::kClosedWon)}));
  EXPECT_EQ(limited.status().code(), StatusCode::kResourceExhausted);
  transport_.Push(Result<HttpResponse>(Unavailable("timeout")));
  EXPECT_EQ(RunAwaitable(c->Update({StageUpdate("nw-1", Stage::kClosedWon)})).status().code(),
            StatusCode::kUnavailable);
}

TEST_F(RestUpdateTest, SingleUsesConfiguredMethod) {
  SourceConfig config = NorthwindConfig();
  config.options["update.method"] = Opt("PUT");
  auto c = Make(config);
  transport_.Push(204, "");
  auto outcomes = RunAwaitable(c->Update({StageUpdate("nw-1", Stage::kDiscovery)}));
  ASSERT_OK(outcomes);
  EXPECT_OK(outcomes->at(0).status);
  EXPECT_FALSE(outcomes->at(0).modified_at.has_value());
  EXPECT_EQ(Request(0).method, "PUT");
}

TEST_F(RestUpdateTest, BatchSplitsAtMaxSizeAndReportsPartialFailures) {
  SourceConfig config = ContosoConfig();
  config.options["update.batch.max_size"] = Opt(int64_t{2});
  auto c = Make(config);
  transport_.Push(200, R"({"results":[{"opportunityId":123,"ok":true},
                                      {"opportunityId":124,"ok":false,"error":"locked by approval"}]})");
  transport_.Push(200, R"({"results":[]})");
  RecordUpdate amount;
  amount.native_id = "125";
  amount.amount = Money{500, "EUR"};
  amount.close_date = CalendarDate{2026, 12, 1};
  auto outcomes = RunAwaitable(c->Update(
      {StageUpdate("123", Stage::kClosedWon), StageUpdate("124", Stage::kClosedLost), amount}));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 3u);
  EXPECT_OK((*outcomes)[0].status);
  EXPECT_EQ((*outcomes)[1].status.code(), StatusCode::kAborted);  // locked: retried later
  EXPECT_EQ((*outcomes)[1].status.message(), "rejected by the partner API: locked by approval");
  EXPECT_EQ((*outcomes)[2].status.code(), StatusCode::kUnavailable);
  EXPECT_THAT((*outcomes)[2].status.message(),
              HasSubstr("no result for id \"125\" at update.batch.result_id = \"/opportunityId\""));

  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(Request(0).method, "POST");
  EXPECT_EQ(Request(0).url, "https://contoso.test/v1/opportunities/batch");
  EXPECT_EQ(json::parse(Request(0).body),
            (json{{"updates",
                   {{{"opportunityId", 123}, {"phase", "Closed Won"}},
                    {{"opportunityId", 124}, {"phase", "Closed Lost"}}}}}));
  EXPECT_EQ(json::parse(Request(1).body),
            (json{{"updates",
                   {{{"opportunityId", 125},
                     {"amount", {{"value", 5.0}, {"currency", "EUR"}}},
                     {"closeDate", "2026-12-01"}}}}}));
}

TEST_F(RestUpdateTest, BatchItemsThatCannotBeBuiltFailAlone) {
  auto c = Make(ContosoConfig());
  transport_.Push(200, R"({"results":[{"opportunityId":7,"ok":true}]})");
  auto outcomes = RunAwaitable(c->Update(
      {StageUpdate("not-a-number", Stage::kClosedWon), StageUpdate("7", Stage::kClosedWon)}));
  ASSERT_OK(outcomes);
  EXPECT_EQ((*outcomes)[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*outcomes)[0].status.message(),
            "id \"not-a-number\" is not a number, but update.batch.id_type = \"number\"");
  EXPECT_OK((*outcomes)[1].status);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(RestUpdateTest, BatchWholeCallFailures) {
  auto c = Make(ContosoConfig());
  transport_.Push(400, R"({"error":{"code":"too_many","message":"max 25 updates"}})");
  auto rejected = RunAwaitable(c->Update({StageUpdate("1", Stage::kClosedWon)}));
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.status().message(), HasSubstr("max 25 updates"));

  transport_.Push(200, R"({"outcome":"done"})");
  auto shapeless = RunAwaitable(c->Update({StageUpdate("1", Stage::kClosedWon)}));
  EXPECT_EQ(shapeless.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(shapeless.status().message(),
              HasSubstr("update.batch.results = \"/results\" does not point at an array (it is "
                        "absent)"));

  transport_.Push(200, "not json");
  EXPECT_EQ(RunAwaitable(c->Update({StageUpdate("1", Stage::kClosedWon)})).status().code(),
            StatusCode::kUnavailable);
}

TEST_F(RestUpdateTest, BatchWithRootArrayAndStringIds) {
  SourceConfig config = ContosoConfig();
  config.options["update.batch.wrapper"] = Opt("");
  config.options["update.batch.id_field"] = Opt("/id");
  config.options["update.batch.id_type"] = Opt("string");
  config.options["update.batch.results"] = Opt("/data");
  config.options["update.batch.result_ok"] = Opt("/success");
  config.options["update.batch.result_error"] = Opt("/errors");
  auto c = Make(config);
  transport_.Push(207, R"({"data":[{"id":"a","success":true},
                                   {"id":"b","success":false,"errors":[{"code":"x"}]}]})");
  auto outcomes = RunAwaitable(
      c->Update({StageUpdate("a", Stage::kQualified), StageUpdate("b", Stage::kQualified)}));
  ASSERT_OK(outcomes);
  EXPECT_OK((*outcomes)[0].status);
  EXPECT_EQ((*outcomes)[1].status.message(), "rejected by the partner API: [{\"code\":\"x\"}]");
  EXPECT_TRUE(json::parse(Request(0).body).is_array());
  EXPECT_EQ(json::parse(Request(0).body)[0]["id"], "a");
}

// Zoho CRM's batch answer: results in request order, "status" says success,
// an error result carries no id
// (https://www.zoho.com/crm/developer/docs/api/v6/update-records.html).
TEST_F(RestUpdateTest, BatchResultsByValueAndPosition) {
  SourceConfig config = ContosoConfig();
  config.options["update.batch.wrapper"] = Opt("/data");
  config.options["update.batch.id_field"] = Opt("/id");
  config.options["update.batch.id_type"] = Opt("string");
  config.options["update.batch.results"] = Opt("/data");
  config.options["update.batch.result_ok"] = Opt("/status");
  config.options["update.batch.result_ok_value"] = Opt("success");
  config.options["update.batch.result_match"] = Opt("position");
  config.options["update.batch.result_error"] = Opt("/message");
  auto c = Make(config);
  transport_.Push(200, R"({"data":[
      {"code":"SUCCESS","details":{"id":"a"},"message":"record updated","status":"success"},
      {"code":"INVALID_DATA","details":{"api_name":"Stage"},"message":"invalid data","status":"error"},
      {"code":"SUCCESS","details":{"id":"c"},"message":"record updated","status":"Success"}]})");
  auto outcomes = RunAwaitable(
      c->Update({StageUpdate("a", Stage::kQualified), StageUpdate("b", Stage::kQualified),
                 StageUpdate("c", Stage::kQualified)}));
  ASSERT_OK(outcomes);
  EXPECT_OK((*outcomes)[0].status);
  EXPECT_EQ((*outcomes)[1].status.message(), "rejected by the partner API: invalid data");
  EXPECT_FALSE((*outcomes)[2].status.ok()) << "only the exact value means success";

  // A count that does not pair up says nothing about any record.
  transport_.Push(200, R"({"data":[{"status":"success"}]})");
  auto short_answer = RunAwaitable(
      c->Update({StageUpdate("a", Stage::kQualified), StageUpdate("b", Stage::kQualified)}));
  ASSERT_FALSE(short_answer.ok());
  EXPECT_THAT(short_answer.status().message(), HasSubstr("1 results for 2 items"));
}

TEST_F(RestUpdateTest, BatchResultWithoutIndicatorIsNotSuccess) {
  SourceConfig config = ContosoConfig();
  config.options["update.batch.result_ok"] = Opt("/ok");
  auto c = Make(config);
  transport_.Push(200, R"({"results":[{"opportunityId":1}]})");
  auto outcomes = RunAwaitable(c->Update({StageUpdate("1", Stage::kClosedWon)}));
  ASSERT_OK(outcomes);
  EXPECT_EQ((*outcomes)[0].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT((*outcomes)[0].status.message(),
              HasSubstr("has nothing at update.batch.result_ok = \"/ok\", so it does not say the "
                        "record was written"));
}

TEST_F(RestUpdateTest, SingleUpdatesWrapTheirFieldsAndSetTheContentType) {
  SourceConfig config = NorthwindConfig();
  config.options["update.body"] = Opt(R"({"data": {"type": "Opportunities", "id": "{id}"}})");
  config.options["update.fields_at"] = Opt("/data/attributes");
  config.options["update.content_type"] = Opt("application/vnd.api+json");
  config.options["update.headers"] = Opt(std::vector<std::string>{"If-Match: *"});
  auto c = Make(config);
  transport_.Push(200, "{}");
  ASSERT_OK(RunAwaitable(c->Update({StageUpdate("nw-7", Stage::kQualified)})));
  const json body = json::parse(Request(0).body);
  EXPECT_EQ(body["data"]["type"], "Opportunities");
  EXPECT_EQ(body["data"]["id"], "nw-7");
  EXPECT_TRUE(body["data"]["attributes"].is_object());
  EXPECT_FALSE(body["data"]["attributes"].empty());
  EXPECT_EQ(FindHeader(Request(0).headers, "Content-Type").value_or(""),
            "application/vnd.api+json");
  EXPECT_EQ(FindHeader(Request(0).headers, "If-Match").value_or(""), "*");
}

// Optimistic concurrency: the record's ETag goes back as If-Match; a 412
// (changed meanwhile) is a retryable conflict, not a refusal.
TEST_F(RestUpdateTest, IfMatchCarriesTheRecordsVersionTag) {
  SourceConfig config = NorthwindConfig();
  config.options["update.if_match"] = Opt("/etag");
  auto c = Make(config);
  json deal = json::parse(R"({"id":"nw-7","etag":"W/\"42\"","status":"Qualified"})");
  transport_.Push(200, deal.dump());
  transport_.Push(200, "{}");
  auto ok = RunAwaitable(c->Update({StageUpdate("nw-7", Stage::kQualified)}));
  ASSERT_OK(ok);
  EXPECT_OK((*ok)[0].status);
  EXPECT_EQ(Request(0).method, "GET");
  EXPECT_EQ(Request(1).method, "PATCH");
  EXPECT_EQ(FindHeader(Request(1).headers, "If-Match").value_or(""), "W/\"42\"");

  transport_.Push(200, deal.dump());
  transport_.Push(412, R"({"error":{"code":"precondition_failed","message":"changed"}})");
  auto changed = RunAwaitable(c->Update({StageUpdate("nw-7", Stage::kQualified)}));
  ASSERT_OK(changed);
  EXPECT_EQ((*changed)[0].status.code(), StatusCode::kAborted);

  transport_.Push(200, R"({"id":"nw-7","status":"Qualified"})");
  auto untagged = RunAwaitable(c->Update({StageUpdate("nw-7", Stage::kQualified)}));
  ASSERT_OK(untagged);
  EXPECT_THAT((*untagged)[0].status.message(),
              HasSubstr("update.if_match = \"/etag\" matches no version tag in the record"));
}

}  // namespace
}  // namespace dealsync::connectors::rest
