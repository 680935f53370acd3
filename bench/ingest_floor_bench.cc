// IngestPage against its floor, in the same run. The floor of ingesting a page
// is parsing it (nlohmann) and writing each record's bytes in one synced
// RocksDB WriteBatch; ingest is parsing, mapping (RecordMapper) and
// SyncEngine::IngestPage on the RocksDB store (journal, records, indexes,
// linking, reconciliation, outbox, cursor: one synced WriteBatch). Each
// iteration takes a fresh page (new ids) and times both, so the counters give
// per-record costs and their ratio measured side by side: CPU time of this
// thread (*_cpu_us) and wall time (*_wall_us, fsync included).
//
//   build/bench/ingest_floor_bench --benchmark_min_time=2
// Args: records already in the store before timing starts (the cost per record
// must not grow with it).
// The Salesforce case ingests vendor pages of 2,000 opportunities; the HubSpot
// case ingests partner pages of 200 deals whose vendor copies are stored, so
// every record is linked by registration id and reconciled (one push each).
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/common/record_mapper.h"
#include "connectors/hubspot/hubspot_options.h"
#include "connectors/salesforce/salesforce_options.h"
#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "src/platform/fake_clock.h"

namespace dealsync {
namespace {

using nlohmann::json;

json SalesforceRow(int64_t i) {
  static const char* stages[] = {"Prospecting",          "Qualification",     "Needs Analysis",
                                 "Value Proposition",    "Proposal/Price Quote",
                                 "Negotiation/Review"};
  std::string id = "0065g" + std::to_string(1000000000LL + i) + "AAA";
  return {{"attributes",
           {{"type", "Opportunity"}, {"url", "/services/data/v59.0/sobjects/Opportunity/" + id}}},
          {"Id", id},
          {"IsDeleted", false},
          {"SystemModstamp", "2026-11-23T10:00:" + std::to_string(10 + i % 50) + ".000+0000"},
          {"Name", "Acme Corp - Renewal " + std::to_string(i)},
          {"Account", {{"attributes", {{"type", "Account"}}}, {"Name", "Acme Corp"}}},
          {"Owner", {{"attributes", {{"type", "User"}}}, {"Name", "Jo Seller"}}},
          {"StageName", stages[i % 6]},
          {"Amount", 1234.5 + static_cast<double>(i % 1000)},
          {"CurrencyIsoCode", "USD"},
          {"CloseDate", "2026-12-" + std::to_string(10 + i % 18)},
          {"Deal_Registration_ID__c", "DR-" + std::to_string(i)},
          {"Partner_Deal_ID__c", std::to_string(9000000 + i)}};
}

json HubspotDeal(int64_t i) {
  static const char* stages[] = {"appointmentscheduled", "qualifiedtobuy",
                                 "presentationscheduled", "decisionmakerboughtin",
                                 "contractsent"};
  std::string id = std::to_string(15000000000LL + i);
  return {{"id", id},
          {"properties",
           {{"dealname", "Acme Corp - Renewal " + std::to_string(i)},
            {"dealstage", stages[(i + 1) % 5]},
            {"pipeline", "default"},
            {"amount", std::to_string(1234 + i % 1000) + ".50"},
            {"deal_currency_code", "USD"},
            {"closedate", "2026-12-" + std::to_string(10 + i % 18) + "T12:00:00Z"},
            {"hs_lastmodifieddate", "2026-11-23T10:00:00.123Z"},
            {"hs_object_id", id},
            {"vendor_deal_registration_id", "DR-" + std::to_string(i)}}},
          {"createdAt", "2026-01-01T00:00:00Z"},
          {"updatedAt", "2026-11-23T10:00:00.123Z"},
          {"archived", false}};
}

std::string PageText(bool hubspot, int64_t first, int n) {
  json records = json::array();
  for (int64_t i = first; i < first + n; ++i) {
    records.push_back(hubspot ? HubspotDeal(i) : SalesforceRow(i));
  }
  // The list envelope of each API: SOQL query result / CRM search result.
  return hubspot ? json{{"total", n}, {"results", records}}.dump()
                 : json{{"totalSize", n}, {"done", true}, {"records", records}}.dump();
}

connectors::RecordMapper Mapper(bool hubspot) {
  SourceConfig config;
  config.id = hubspot ? "globex" : "vendor";
  config.time_zone = hubspot ? "America/New_York" : "America/Los_Angeles";
  config.currency = "USD";
  if (hubspot) {
    config.fields["registration_id"] =
        FieldMapping{"/properties/vendor_deal_registration_id", "", {}};
    return std::move(connectors::RecordMapper::Create(config, connectors::hubspot::DefaultFields(),
                                                      connectors::hubspot::DefaultStages())
                         .value());
  }
  config.fields["registration_id"] = FieldMapping{"/Deal_Registration_ID__c", "", {}};
  config.fields["counterpart_id"] = FieldMapping{"/Partner_Deal_ID__c", "", {}};
  return std::move(connectors::RecordMapper::Create(config,
                                                    connectors::salesforce::DefaultFields(),
                                                    connectors::salesforce::DefaultStages())
                       .value());
}

Config EngineConfig() {
  Config c;
  c.vendor.role = Role::kVendor;
  c.vendor.id = "vendor";
  for (const char* id : {"globex", "northwind", "contoso"}) {
    SourceConfig p;
    p.role = Role::kPartner;
    p.id = id;
    c.partners.push_back(p);
  }
  c.daemon.rates.reporting_currency = "USD";
  c.daemon.rates.nano_rates["USD"] = 1'000'000'000;
  return c;
}

double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}
double WallUs() {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Dirs {
  std::filesystem::path root;
  Dirs() {
    root = std::filesystem::temp_directory_path() /
           ("ingest_floor_bench_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
  }
  ~Dirs() { std::filesystem::remove_all(root); }
};

// Parses and maps a page; false (and the state skipped) on error.
bool ParseAndMap(benchmark::State& state, const connectors::RecordMapper& mapper, bool hubspot,
                 const std::string& text, FetchPage& page) {
  json parsed = json::parse(text);
  for (const json& r : parsed.at(hubspot ? "results" : "records")) {
    Result<Opportunity> o = mapper.ToCanonical(r);
    if (!o.ok()) {
      state.SkipWithError(o.status().ToString().c_str());
      return false;
    }
    page.records.push_back(std::move(*o));
  }
  page.next_cursor = "cursor";
  return true;
}

void RunIngestVsFloor(benchmark::State& state, bool hubspot, int page_size) {
  const int64_t prefill = state.range(0);
  Dirs dirs;
  Result<std::unique_ptr<Store>> floor_store = OpenRocksStore((dirs.root / "floor").string());
  Result<std::unique_ptr<Store>> engine_store = OpenRocksStore((dirs.root / "engine").string());
  if (!floor_store.ok() || !engine_store.ok()) {
    state.SkipWithError("cannot open the stores");
    return;
  }
  FakeClock clock;
  SyncEngine engine(**engine_store, EngineConfig(), clock);
  const connectors::RecordMapper vendor_mapper = Mapper(false);
  const connectors::RecordMapper mapper = Mapper(hubspot);
  const std::string source = hubspot ? "globex" : "vendor";
  int64_t next = 0;
  // The vendor copies of the partner pages to come (HubSpot case), then
  // `prefill` more records of the measured source.
  auto ingest_vendor = [&](int64_t first, int n) {
    FetchPage page;
    return ParseAndMap(state, vendor_mapper, false, PageText(false, first, n), page) &&
           engine.IngestPage("vendor", page).ok();
  };
  for (int64_t done = 0; done < prefill; done += page_size) {
    FetchPage page;
    if (!ParseAndMap(state, mapper, hubspot, PageText(hubspot, next, page_size), page) ||
        !(hubspot ? ingest_vendor(next, page_size) : true) ||
        !engine.IngestPage(source, page).ok()) {
      state.SkipWithError("prefill failed");
      return;
    }
    next += page_size;
  }
  double floor_cpu = 0, floor_wall = 0, ingest_cpu = 0, ingest_wall = 0;
  int64_t records = 0;
  for (auto _ : state) {
    const std::string text = PageText(hubspot, next, page_size);
    if (hubspot && !ingest_vendor(next, page_size)) {
      state.SkipWithError("vendor page failed");
      return;
    }
    next += page_size;
    // Floor: parse + one synced batch of each record's bytes.
    double c0 = ThreadCpuUs(), w0 = WallUs();
    {
      json parsed = json::parse(text);
      WriteBatch batch;
      for (const json& r : parsed.at(hubspot ? "results" : "records")) {
        batch.Put(Column::kRecords, r.at(hubspot ? "id" : "Id").get<std::string>(), r.dump());
      }
      if (!(*floor_store)->Write(batch).ok()) {
        state.SkipWithError("floor write failed");
        return;
      }
    }
    double c1 = ThreadCpuUs(), w1 = WallUs();
    // Ingest: parse + map + IngestPage.
    FetchPage page;
    if (!ParseAndMap(state, mapper, hubspot, text, page)) {
      return;
    }
    Result<IngestStats> stats = engine.IngestPage(source, page);
    double c2 = ThreadCpuUs(), w2 = WallUs();
    if (!stats.ok() || stats->changes_journaled != static_cast<size_t>(page_size) ||
        (hubspot && stats->pushes_queued == 0)) {
      state.SkipWithError(stats.ok() ? "unexpected ingest stats" : stats.status().ToString().c_str());
      return;
    }
    state.SetIterationTime((w2 - w1) / 1e6);
    floor_cpu += c1 - c0;
    floor_wall += w1 - w0;
    ingest_cpu += c2 - c1;
    ingest_wall += w2 - w1;
    records += page_size;
  }
  const double n = static_cast<double>(std::max<int64_t>(records, 1));
  state.counters["floor_cpu_us"] = floor_cpu / n;
  state.counters["ingest_cpu_us"] = ingest_cpu / n;
  state.counters["cpu_ratio"] = floor_cpu > 0 ? ingest_cpu / floor_cpu : 0;
  state.counters["floor_wall_us"] = floor_wall / n;
  state.counters["ingest_wall_us"] = ingest_wall / n;
  state.counters["wall_ratio"] = floor_wall > 0 ? ingest_wall / floor_wall : 0;
  state.SetItemsProcessed(records);
}

void BM_SalesforcePage2000_IngestVsFloor(benchmark::State& state) {
  RunIngestVsFloor(state, false, 2000);
}
void BM_HubspotPage200_IngestVsFloor(benchmark::State& state) {
  RunIngestVsFloor(state, true, 200);
}
BENCHMARK(BM_SalesforcePage2000_IngestVsFloor)
    ->Arg(0)
    ->Arg(20000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HubspotPage200_IngestVsFloor)
    ->Arg(0)
    ->Arg(20000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dealsync

BENCHMARK_MAIN();
