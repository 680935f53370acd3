// RecordMapper::ToCanonical throughput on realistic Salesforce and HubSpot
// records (items/s = records/s). "Parsed" variants include nlohmann parsing of
// the record text, as a connector does for each page.
// Run: build/bench/mapping_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "connectors/common/record_mapper.h"
#include "connectors/hubspot/hubspot_options.h"
#include "connectors/salesforce/salesforce_options.h"

namespace dealsync::connectors {
namespace {

using nlohmann::json;

std::vector<json> SalesforceRecords(int n) {
  const char* stages[] = {"Prospecting",       "Qualification",        "Needs Analysis",
                          "Value Proposition", "Proposal/Price Quote", "Negotiation/Review",
                          "Closed Won"};
  std::vector<json> out;
  for (int i = 0; i < n; ++i) {
    std::string id = "0065g00000" + std::to_string(100000 + i) + "AAA";
    out.push_back(
        {{"attributes",
          {{"type", "Opportunity"}, {"url", "/services/data/v59.0/sobjects/Opportunity/" + id}}},
         {"Id", id},
         {"IsDeleted", false},
         {"SystemModstamp", "2026-11-23T10:00:" + std::to_string(10 + i % 50) + ".000+0000"},
         {"Name", "Acme Corp - Renewal " + std::to_string(i)},
         {"Account", {{"attributes", {{"type", "Account"}}}, {"Name", "Acme Corp"}}},
         {"Owner", {{"attributes", {{"type", "User"}}}, {"Name", "Jo Seller"}}},
         {"StageName", stages[i % 7]},
         {"Amount", 1234.5 + i},
         {"CurrencyIsoCode", i % 2 ? "EUR" : "USD"},
         {"CloseDate", "2026-12-" + std::to_string(10 + i % 18)},
         {"Deal_Registration_ID__c", "DR-" + std::to_string(i)},
         {"Partner_Deal_ID__c", std::to_string(9000 + i)}});
  }
  return out;
}

std::vector<json> HubspotRecords(int n) {
  const char* stages[] = {"appointmentscheduled",
                          "qualifiedtobuy",
                          "presentationscheduled",
                          "decisionmakerboughtin",
                          "contractsent",
                          "closedwon",
                          "closedlost"};
  std::vector<json> out;
  for (int i = 0; i < n; ++i) {
    std::string id = std::to_string(15000000000LL + i);
    out.push_back({{"id", id},
                   {"properties",
                    {{"dealname", "Globex - Expansion " + std::to_string(i)},
                     {"dealstage", stages[i % 7]},
                     {"pipeline", "default"},
                     {"amount", std::to_string(1000 + i) + ".50"},
                     {"deal_currency_code", "USD"},
                     {"closedate", "2026-12-01T05:00:00Z"},
                     {"hs_lastmodifieddate", "2026-11-23T10:00:00.123Z"},
                     {"hs_object_id", id},
                     {"vendor_deal_registration_id", "DR-" + std::to_string(i)}}},
                   {"createdAt", "2026-01-01T00:00:00Z"},
                   {"updatedAt", "2026-11-23T10:00:00.123Z"},
                   {"archived", false}});
  }
  return out;
}

RecordMapper SalesforceMapper() {
  SourceConfig config;
  config.id = "vendor";
  config.time_zone = "America/Los_Angeles";
  config.currency = "USD";
  config.fields["registration_id"] = FieldMapping{"/Deal_Registration_ID__c", "", {}};
  config.fields["counterpart_id"] = FieldMapping{"/Partner_Deal_ID__c", "", {}};
  return std::move(
      RecordMapper::Create(config, salesforce::DefaultFields(), salesforce::DefaultStages())
          .value());
}

RecordMapper HubspotMapper() {
  SourceConfig config;
  config.id = "globex";
  config.time_zone = "America/New_York";
  config.currency = "USD";
  config.fields["registration_id"] =
      FieldMapping{"/properties/vendor_deal_registration_id", "", {}};
  return std::move(
      RecordMapper::Create(config, hubspot::DefaultFields(), hubspot::DefaultStages()).value());
}

void MapAll(benchmark::State& state, const RecordMapper& mapper, const std::vector<json>& records) {
  int64_t mapped = 0;
  for (auto _ : state) {
    for (const json& r : records) {
      auto opp = mapper.ToCanonical(r);
      if (!opp.ok()) {
        state.SkipWithError(opp.status().ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(opp);
      ++mapped;
    }
  }
  state.SetItemsProcessed(mapped);
}

void ParseAndMapAll(benchmark::State& state, const RecordMapper& mapper,
                    const std::vector<json>& records) {
  std::string page = json(records).dump();  // one page as received
  int64_t mapped = 0;
  for (auto _ : state) {
    json parsed = json::parse(page);
    for (const json& r : parsed) {
      auto opp = mapper.ToCanonical(r);
      benchmark::DoNotOptimize(opp);
      ++mapped;
    }
  }
  state.SetItemsProcessed(mapped);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(page.size()));
}

void BM_SalesforceToCanonical(benchmark::State& state) {
  MapAll(state, SalesforceMapper(), SalesforceRecords(2000));
}
void BM_HubspotToCanonical(benchmark::State& state) {
  MapAll(state, HubspotMapper(), HubspotRecords(200));
}
void BM_SalesforceParseAndMapPage(benchmark::State& state) {
  ParseAndMapAll(state, SalesforceMapper(), SalesforceRecords(2000));
}
void BM_HubspotParseAndMapPage(benchmark::State& state) {
  ParseAndMapAll(state, HubspotMapper(), HubspotRecords(200));
}

BENCHMARK(BM_SalesforceToCanonical)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HubspotToCanonical)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SalesforceParseAndMapPage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HubspotParseAndMapPage)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dealsync::connectors

BENCHMARK_MAIN();
