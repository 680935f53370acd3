#include <gtest/gtest.h>

#include "tests/connectors/hubspot/hubspot_test_util.h"

namespace dealsync::connectors::hubspot::testing {
namespace {

RecordUpdate Upd(std::string id) {
  RecordUpdate u;
  u.native_id = std::move(id);
  u.pipeline = "default";
  u.stage = Stage::kClosedWon;
  u.amount = Money{123450, "EUR"};
  u.close_date = CalendarDate{2026, 12, 1};
  u.trace_id = "trace-" + u.native_id;
  return u;
}

json Result(const std::string& id, const std::string& updated_at) {
  return {{"id", id},
          {"properties", {{"hs_object_id", id}, {"hs_lastmodifieddate", updated_at}}},
          {"createdAt", "2026-01-01T00:00:00Z"},
          {"updatedAt", updated_at},
          {"archived", false}};
}

TEST(HubspotUpdateTest, BatchesOf100WithTraceIdsAnd207Errors) {
  Harness h;
  std::vector<RecordUpdate> updates;
  for (int i = 0; i < 150; ++i) {
    updates.push_back(Upd(std::to_string(500 + i)));
  }
  auto answer = [](const HttpRequest& r) -> dealsync::Result<HttpResponse> {
    json body = json::parse(r.body);
    json results = json::array();
    json errors = json::array();
    for (const auto& input : body["inputs"]) {
      std::string id = input["id"];
      if (id == "501" || id == "502") {
        continue;
      }
      results.push_back(Result(id, "2026-11-23T10:00:00.123Z"));
    }
    if (body["inputs"].size() == 100) {
      errors.push_back({{"status", "error"},
                        {"category", "OBJECT_NOT_FOUND"},
                        {"message", "Could not get some DEAL objects, they may be deleted"},
                        {"context", {{"ids", {"501"}}}}});
      errors.push_back({{"status", "error"},
                        {"category", "VALIDATION_ERROR"},
                        {"message", "Property values were not valid"},
                        {"context", {{"ids", {"502"}}}}});
      json out = {{"status", "COMPLETE"}, {"results", results}, {"numErrors", 2},
                  {"errors", errors},     {"startedAt", "x"},   {"completedAt", "y"}};
      return JsonResponse(207, out);
    }
    return JsonResponse(
        200,
        {{"status", "COMPLETE"}, {"results", results}, {"startedAt", "x"}, {"completedAt", "y"}});
  };
  h.transport.PushHandler(answer);
  h.transport.PushHandler(answer);
  auto outcomes = Await(h.Make()->Update(updates));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 150u);
  ASSERT_EQ(h.transport.requests().size(), 2u);
  const HttpRequest& first = h.transport.requests()[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.url, "https://api.hubapi.test/crm/v3/objects/deals/batch/update");
  json body = json::parse(first.body);
  ASSERT_EQ(body["inputs"].size(), 100u);
  EXPECT_EQ(json::parse(h.transport.requests()[1].body)["inputs"].size(), 50u);
  // Midnight of Dec 1 in New York (the portal zone) is 05:00 UTC.
  EXPECT_EQ(body["inputs"][0], json::parse(R"({"id":"500","objectWriteTraceId":"trace-500",
      "properties":{"dealstage":"closedwon","amount":"1234.50","deal_currency_code":"EUR",
                    "closedate":"2026-12-01T05:00:00.000Z"}})"));

  EXPECT_OK((*outcomes)[0].status);
  ASSERT_TRUE((*outcomes)[0].modified_at);
  EXPECT_EQ(FormatTimestamp(*(*outcomes)[0].modified_at), "2026-11-23T10:00:00.123Z");
  EXPECT_EQ((*outcomes)[1].native_id, "501");
  EXPECT_EQ((*outcomes)[1].status.code(), StatusCode::kNotFound);
  EXPECT_EQ((*outcomes)[2].status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE((*outcomes)[2].status.message().find("Property values were not valid"),
            std::string::npos);
  EXPECT_OK((*outcomes)[149].status);
}

TEST(HubspotUpdateTest, UnattributedAndMissingOutcomes) {
  Harness h;
  json out = {{"status", "COMPLETE"},
              {"results", {Result("1", "2026-11-23T10:00:00Z")}},
              {"numErrors", 1},
              {"errors", {{{"status", "error"}, {"category", "CONFLICT"}, {"message", "busy"}}}}};
  h.transport.Push(207, out.dump());
  auto outcomes = Await(h.Make()->Update({Upd("1"), Upd("2")}));
  ASSERT_OK(outcomes);
  EXPECT_OK((*outcomes)[0].status);
  EXPECT_EQ((*outcomes)[1].status.code(), StatusCode::kAborted);

  h.transport.Push(200, json{{"status", "COMPLETE"}, {"results", json::array()}}.dump());
  outcomes = Await(h.Make()->Update({Upd("3")}));
  ASSERT_OK(outcomes);
  EXPECT_EQ((*outcomes)[0].status.code(), StatusCode::kUnavailable);
}

TEST(HubspotUpdateTest, UnwritableUpdatesFailAlone) {
  Harness h;
  std::vector<RecordUpdate> updates = {Upd("1"), Upd("2")};
  updates[0].pipeline = "unknown-pipeline";  // "default" is the only stage map...
  h.config.stages = DefaultStages();
  h.config.stages["other"] = h.config.stages["default"];  // ...so no fallback applies
  h.transport.Push(
      200, json{{"status", "COMPLETE"}, {"results", {Result("2", "2026-11-23T10:00:00Z")}}}.dump());
  auto outcomes = Await(h.Make()->Update(updates));
  ASSERT_OK(outcomes);
  EXPECT_EQ((*outcomes)[0].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_OK((*outcomes)[1].status);
  EXPECT_EQ(json::parse(h.transport.requests()[0].body)["inputs"].size(), 1u);
}

TEST(HubspotUpdateTest, WholeCallFailures) {
  Harness h;
  h.transport.Push(
      429,
      R"({"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"SECONDLY"})",
      {{"Retry-After", "1"}});
  auto outcomes = Await(h.Make()->Update({Upd("1")}));
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), StatusCode::kResourceExhausted);

  h.transport.Push(
      400,
      R"({"status":"error","message":"Invalid input JSON","correlationId":"c","category":"VALIDATION_ERROR"})");
  EXPECT_EQ(Await(h.Make()->Update({Upd("1")})).status().code(), StatusCode::kInvalidArgument);

  h.transport.Push(200, R"({"status":"COMPL)");
  EXPECT_EQ(Await(h.Make()->Update({Upd("1")})).status().code(), StatusCode::kUnavailable);
}

TEST(HubspotFetchByIdsTest, BatchReadInChunksOf100) {
  Harness h;
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) {
    ids.push_back(std::to_string(700 + i));
  }
  auto answer = [](const HttpRequest& r) -> dealsync::Result<HttpResponse> {
    json body = json::parse(r.body);
    json results = json::array();
    for (const auto& input : body["inputs"]) {
      int64_t id = std::stoll(input["id"].get<std::string>());
      if (id != 701) {
        results.push_back(DealJson({id, 1'795'000'000'000}));
      }
    }
    return JsonResponse(200, {{"status", "COMPLETE"}, {"results", results}});
  };
  for (int i = 0; i < 3; ++i) {
    h.transport.PushHandler(answer);
  }
  auto records = Await(h.Make()->FetchByIds(ids));
  ASSERT_OK(records);
  EXPECT_EQ(records->size(), 249u);
  ASSERT_EQ(h.transport.requests().size(), 3u);
  json body = json::parse(h.transport.requests()[0].body);
  EXPECT_EQ(h.transport.requests()[0].url,
            "https://api.hubapi.test/crm/v3/objects/deals/batch/read");
  EXPECT_EQ(body["inputs"].size(), 100u);
  EXPECT_EQ(body["inputs"][0], json::parse(R"({"id":"700"})"));
  EXPECT_EQ(body["propertiesWithHistory"], json::array());
  EXPECT_EQ(body["properties"][1], "hs_lastmodifieddate");
  EXPECT_EQ(json::parse(h.transport.requests()[2].body)["inputs"].size(), 50u);
}

TEST(HubspotFactoryTest, RegistersValidatesAndCreates) {
  ConnectorRegistry registry;
  RegisterHubspotConnector(registry);
  const ConnectorFactory* factory = registry.Find("hubspot");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->DefaultFields().at("amount").format, "decimal_string");
  std::vector<ConfigError> errors;
  factory->Validate(PartnerConfig(), errors);
  EXPECT_TRUE(errors.empty()) << errors[0].message;

  SourceConfig bad = PartnerConfig();
  bad.options["hubspot.page_size"] = OptionValue{int64_t{500}, {bad.file, 9, 13}};
  bad.fields["stage"] = FieldMapping{"/dealstage", "", {bad.file, 20, 1}};
  factory->Validate(bad, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].key_path, "hubspot.page_size");
  EXPECT_EQ(errors[0].where.line, 9);
  EXPECT_EQ(errors[1].key_path, "fields.stage");
  EXPECT_EQ(errors[1].where.line, 20);

  SourceConfig pipelines = PartnerConfig();
  pipelines.options["hubspot.pipelines"] = OptionValue{std::vector<std::string>{"9999"}, {}};
  errors.clear();
  factory->Validate(pipelines, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key_path, "stages.9999");

  dealsync::testing::ScriptedTransport transport;
  FakeClock clock;
  SourceConfig good = PartnerConfig();
  ConnectorContext context{good, transport, clock};
  auto connector = factory->Create(context);
  ASSERT_OK(connector);
  EXPECT_EQ((*connector)->capabilities().max_batch_size, 100u);
  EXPECT_TRUE((*connector)->capabilities().returns_trace_ids);
  EXPECT_FALSE((*connector)->capabilities().supports_deletes);
}

}  // namespace
}  // namespace dealsync::connectors::hubspot::testing
