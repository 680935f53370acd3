#include <gtest/gtest.h>

#include "tests/connectors/salesforce/salesforce_test_util.h"

namespace dealsync::connectors::salesforce::testing {
namespace {

RecordUpdate Upd(std::string id) {
  RecordUpdate u;
  u.native_id = std::move(id);
  u.stage = Stage::kProposal;
  u.amount = Money{123450, "EUR"};
  u.close_date = CalendarDate{2026, 12, 1};
  u.trace_id = "t-" + u.native_id;
  return u;
}

std::string Ok(const std::string& id) {
  return json{{"id", id}, {"success", true}, {"errors", json::array()}}.dump();
}

TEST(SalesforceUpdateTest, ChunksOf200WithPerRecordOutcomes) {
  Harness h;
  std::vector<RecordUpdate> updates;
  for (int i = 0; i < 250; ++i) {
    updates.push_back(Upd("006" + std::to_string(1000 + i)));
  }
  auto respond_all_ok = [](const HttpRequest& r) -> Result<HttpResponse> {
    json body = json::parse(r.body);
    json results = json::array();
    for (const auto& rec : body["records"]) {
      results.push_back(json::parse(Ok(rec["id"])));
    }
    // Three failures in the first chunk, one per error family.
    if (body["records"].size() == 200) {
      results[1] = {{"id", nullptr},
                    {"success", false},
                    {"errors",
                     {{{"statusCode", "ENTITY_IS_DELETED"},
                       {"message", "entity is deleted"},
                       {"fields", json::array()}}}}};
      results[2] = {{"id", nullptr},
                    {"success", false},
                    {"errors",
                     {{{"statusCode", "UNABLE_TO_LOCK_ROW"},
                       {"message", "unable to obtain exclusive access to this record"},
                       {"fields", json::array()}}}}};
      results[3] = {{"id", nullptr},
                    {"success", false},
                    {"errors",
                     {{{"statusCode", "FIELD_CUSTOM_VALIDATION_EXCEPTION"},
                       {"message", "Close date cannot be in the past"},
                       {"fields", {"CloseDate"}}}}}};
    }
    HttpResponse resp;
    resp.status = 200;
    resp.body = results.dump();
    return resp;
  };
  h.transport.PushHandler(respond_all_ok);
  h.transport.PushHandler(respond_all_ok);
  auto outcomes = Await(h.Make()->Update(updates));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 250u);
  ASSERT_EQ(h.transport.requests().size(), 2u);
  const HttpRequest& first = h.transport.requests()[0];
  EXPECT_EQ(first.method, "PATCH");
  EXPECT_EQ(first.url, "https://acme.my.salesforce.test/services/data/v59.0/composite/sobjects");
  EXPECT_EQ(FindHeader(first.headers, "Content-Type"), "application/json");
  json body = json::parse(first.body);
  EXPECT_EQ(body["allOrNone"], false);
  ASSERT_EQ(body["records"].size(), 200u);
  EXPECT_EQ(json::parse(h.transport.requests()[1].body)["records"].size(), 50u);
  EXPECT_EQ(body["records"][0], json::parse(R"({"attributes":{"type":"Opportunity"},
      "id":"0061000","StageName":"Proposal/Price Quote","Amount":1234.5,
      "CurrencyIsoCode":"EUR","CloseDate":"2026-12-01"})"));

  EXPECT_OK((*outcomes)[0].status);
  EXPECT_EQ((*outcomes)[1].native_id, "0061001");
  EXPECT_EQ((*outcomes)[1].status.code(), StatusCode::kNotFound);
  EXPECT_EQ((*outcomes)[2].status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE((*outcomes)[2].status.IsRetryable());
  EXPECT_EQ((*outcomes)[3].status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE((*outcomes)[3].status.message().find(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION: Close date cannot be in the past"),
            std::string::npos);
  EXPECT_OK((*outcomes)[249].status);
  EXPECT_EQ((*outcomes)[249].native_id, "0061249");
}

TEST(SalesforceUpdateTest, UnwritableRecordsFailAloneAndAreNotSent) {
  Harness h;
  // An org whose picklist has no value for closed_won in the configured map.
  auto& stages = h.config.stages[""].native_by_stage;
  stages[Stage::kQualified] = {"Qualification"};
  stages[Stage::kProposal] = {"Proposal/Price Quote"};
  std::vector<RecordUpdate> updates = {Upd("006A"), Upd("006B")};
  updates[0].stage = Stage::kClosedWon;
  h.transport.Push(200, "[" + Ok("006B") + "]");
  auto outcomes = Await(h.Make()->Update(updates));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 2u);
  EXPECT_EQ((*outcomes)[0].native_id, "006A");
  EXPECT_EQ((*outcomes)[0].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_OK((*outcomes)[1].status);
  json body = json::parse(h.transport.requests().at(0).body);
  ASSERT_EQ(body["records"].size(), 1u);
  EXPECT_EQ(body["records"][0]["id"], "006B");
}

TEST(SalesforceUpdateTest, WholeCallFailureIsAnError) {
  Harness h;
  h.transport.Push(
      403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  auto outcomes = Await(h.Make()->Update({Upd("006A")}));
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), StatusCode::kResourceExhausted);

  h.transport.Push(400, R"([{"message":"too many","errorCode":"EXCEEDED_ID_LIMIT"}])");
  outcomes = Await(h.Make()->Update({Upd("006A")}));
  EXPECT_EQ(outcomes.status().code(), StatusCode::kInvalidArgument);

  h.transport.Push(200, "[{\"id\":");  // truncated
  outcomes = Await(h.Make()->Update({Upd("006A")}));
  EXPECT_EQ(outcomes.status().code(), StatusCode::kUnavailable);

  h.transport.Push(200, "[]");  // wrong number of results
  outcomes = Await(h.Make()->Update({Upd("006A")}));
  EXPECT_EQ(outcomes.status().code(), StatusCode::kUnavailable);
}

// A 200 whose body does not say, per record, that the record was saved is
// not an acknowledgement: those records are retried, never taken as written.
TEST(SalesforceUpdateTest, TwoHundredWithoutAClearSaveResultIsNotAcknowledged) {
  Harness h;
  h.transport.Push(200, "<html><body>Maintenance</body></html>");
  auto outcomes = Await(h.Make()->Update({Upd("006A")}));
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), StatusCode::kUnavailable);

  h.transport.Push(200, R"([{"id":"006A"},{"id":"006C","success":true,"errors":[]},)"
                        R"({"id":"006C","success":"true","errors":[]}])");
  outcomes = Await(h.Make()->Update({Upd("006A"), Upd("006B"), Upd("006C")}));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 3u);
  for (const UpdateOutcome& o : *outcomes) {
    EXPECT_EQ(o.status.code(), StatusCode::kUnavailable) << o.native_id;
    EXPECT_NE(o.status.message().find("not acknowledged"), std::string::npos)
        << o.status.ToString();
  }
}

TEST(SalesforceUpdateTest, SecondChunkFailureKeepsFirstChunkOutcomes) {
  Harness h;
  std::vector<RecordUpdate> updates;
  json ok = json::array();
  for (int i = 0; i < 201; ++i) {
    updates.push_back(Upd("006" + std::to_string(2000 + i)));
    if (i < 200) {
      ok.push_back(json::parse(Ok(updates.back().native_id)));
    }
  }
  h.transport.Push(200, ok.dump());
  h.transport.Push(503, "Service Unavailable");
  auto outcomes = Await(h.Make()->Update(updates));
  ASSERT_OK(outcomes);
  EXPECT_OK((*outcomes)[199].status);
  EXPECT_EQ((*outcomes)[200].status.code(), StatusCode::kUnavailable);
}

TEST(SalesforceFetchByIdsTest, CollectionsGetInChunksSkipsMissing) {
  Harness h;
  std::vector<std::string> ids;
  for (int i = 0; i < 450; ++i) {
    ids.push_back("006" + std::to_string(3000 + i));
  }
  for (int call = 0; call < 3; ++call) {
    h.transport.PushHandler([](const HttpRequest& r) -> Result<HttpResponse> {
      auto ids_at = r.url.find("?ids=");
      auto fields_at = r.url.find("&fields=");
      std::string list = r.url.substr(ids_at + 5, fields_at - ids_at - 5);
      json out = json::array();
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string id =
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        json rec = Opp(id, "2026-11-23T10:00:00.000+0000");
        rec.erase("Account");
        rec.erase("Owner");
        out.push_back(id == "0063001" ? json(nullptr) : rec);
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
      HttpResponse resp;
      resp.status = 200;
      resp.body = out.dump();
      return resp;
    });
  }
  auto records = Await(h.Make()->FetchByIds(ids));
  ASSERT_OK(records);
  EXPECT_EQ(records->size(), 449u);
  ASSERT_EQ(h.transport.requests().size(), 3u);
  const std::string& url = h.transport.requests()[0].url;
  EXPECT_EQ(url.rfind("https://acme.my.salesforce.test/services/data/v59.0/composite/sobjects/"
                      "Opportunity?ids=0063000,0063001,",
                      0),
            0u);
  std::string fields = UrlDecode(url.substr(url.find("&fields=") + 8));
  EXPECT_EQ(fields,
            "Id,Deal_Registration_ID__c,Partner_Deal_ID__c,Name,StageName,Amount,"
            "CurrencyIsoCode,CloseDate,SystemModstamp,IsDeleted");
  EXPECT_EQ(records->at(0).native_id, "0063000");
}

TEST(SalesforceFactoryTest, RegistersValidatesAndCreates) {
  ConnectorRegistry registry;
  RegisterSalesforceConnector(registry);
  const ConnectorFactory* factory = registry.Find("salesforce");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->DefaultFields().at("amount").format, "number");
  EXPECT_EQ(factory->options().size(), 7u);

  SourceConfig config = VendorConfig();
  std::vector<ConfigError> errors;
  factory->Validate(config, errors);
  EXPECT_TRUE(errors.empty()) << errors[0].message;

  config.options["salesforce.page_size"] = OptionValue{int64_t{5000}, {"vendor.toml", 7, 13}};
  config.options["salesforce.api_version"] = OptionValue{std::string("59"), {"vendor.toml", 6, 15}};
  config.options["salesforce.overlap"] = OptionValue{int64_t{5}, {"vendor.toml", 8, 11}};
  factory->Validate(config, errors);
  ASSERT_EQ(errors.size(), 3u);
  std::map<std::string, ConfigError> by_key;
  for (const auto& e : errors) {
    by_key[e.key_path] = e;
  }
  EXPECT_EQ(by_key["salesforce.api_version"].where.line, 6);
  EXPECT_NE(by_key["salesforce.api_version"].message.find("write e.g. \"v59.0\""),
            std::string::npos);
  EXPECT_EQ(by_key["salesforce.overlap"].where.line, 8);
  EXPECT_EQ(by_key["salesforce.page_size"].where.column, 13);
  EXPECT_NE(by_key["salesforce.page_size"].message.find("between 200 and 2000"), std::string::npos);

  dealsync::testing::ScriptedTransport transport;
  FakeClock clock;
  ConnectorContext bad{config, transport, clock};
  EXPECT_EQ(factory->Create(bad).status().code(), StatusCode::kInvalidArgument);
  SourceConfig good = VendorConfig();
  ConnectorContext context{good, transport, clock};
  auto connector = factory->Create(context);
  ASSERT_OK(connector);
  EXPECT_EQ((*connector)->capabilities().max_batch_size, 200u);
  EXPECT_TRUE((*connector)->capabilities().supports_deletes);
}

}  // namespace
}  // namespace dealsync::connectors::salesforce::testing
