// Fixtures shared by the Salesforce connector tests.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "connectors/salesforce/salesforce_connector.h"
#include "src/platform/fake_clock.h"
#include "support/test_support.h"

namespace dealsync::connectors::salesforce::testing {

using nlohmann::json;

template <typename T>
Result<T> Await(Awaitable<Result<T>> a) {
  return dealsync::testing::RunAwaitable(std::move(a));
}

inline SourceConfig VendorConfig() {
  SourceConfig c;
  c.role = Role::kVendor;
  c.id = "vendor";
  c.connector = "salesforce";
  c.file = "vendor.toml";
  c.time_zone = "UTC";
  c.currency = "USD";
  c.connection.base_url = "https://acme.my.salesforce.test/";
  c.fields["registration_id"] = FieldMapping{"/Deal_Registration_ID__c", "", {}};
  c.fields["counterpart_id"] = FieldMapping{"/Partner_Deal_ID__c", "", {}};
  return c;
}

inline json Opp(const std::string& id, const std::string& stamp,
                const std::string& stage = "Qualification", bool deleted = false) {
  return json{
      {"attributes",
       {{"type", "Opportunity"}, {"url", "/services/data/v59.0/sobjects/Opportunity/" + id}}},
      {"Id", id},
      {"IsDeleted", deleted},
      {"SystemModstamp", stamp},
      {"Name", "Deal " + id},
      {"Account", {{"attributes", {{"type", "Account"}}}, {"Name", "Acme"}}},
      {"Owner", {{"attributes", {{"type", "User"}}}, {"Name", "Jo"}}},
      {"StageName", stage},
      {"Amount", 1234.5},
      {"CurrencyIsoCode", "EUR"},
      {"CloseDate", "2026-12-01"},
      {"Deal_Registration_ID__c", "DR-" + id},
      {"Partner_Deal_ID__c", nullptr}};
}

inline std::string QueryBody(const json& records, bool done, const std::string& next = "") {
  json body = {{"totalSize", 9999}, {"done", done}, {"records", records}};
  if (!next.empty()) {
    body["nextRecordsUrl"] = next;
  }
  return body.dump();
}

inline std::string UrlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

// The SOQL text of a queryAll request.
inline std::string SoqlOf(const HttpRequest& r) {
  auto q = r.url.find("?q=");
  return q == std::string::npos ? "" : UrlDecode(r.url.substr(q + 3));
}

struct Harness {
  SourceConfig config = VendorConfig();
  dealsync::testing::ScriptedTransport transport;
  // "Now" is just after the rows the tests serve (they are stamped 2026-11-23T10:00-10:01).
  FakeClock clock{TimestampFromEpochMs(1'795'428'005'000)};  // 2026-11-23T10:00:05Z

  std::unique_ptr<SalesforceConnector> Make() {
    std::vector<ConfigError> errors;
    Settings settings = ReadSettings(config, errors);
    EXPECT_TRUE(errors.empty());
    auto mapper = RecordMapper::Create(config, DefaultFields(), DefaultStages());
    EXPECT_TRUE(mapper.ok()) << mapper.status().ToString();
    ConnectorContext context{config, transport, clock};
    return std::make_unique<SalesforceConnector>(context, settings, std::move(*mapper));
  }
};

}  // namespace dealsync::connectors::salesforce::testing
