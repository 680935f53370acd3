// SyncEngine throughput: IngestPage (journal + linking + reconciliation +
// outbox, one WriteBatch per page) in records/s, on MemoryStore and on the
// RocksDB store (fsync'd WAL, so that run measures the durable path).
//   build/bench/engine_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "src/platform/fake_clock.h"
#include "src/store/memory_store.h"

namespace dealsync {
namespace {

constexpr int kPageSize = 200;

Config BenchConfig() {
  Config c;
  c.vendor.role = Role::kVendor;
  c.vendor.id = "vendor";
  SourceConfig p;
  p.id = "partner";
  c.partners.push_back(p);
  c.daemon.rates.nano_rates["USD"] = 1'000'000'000;
  return c;
}

// A page of `kPageSize` deals starting at `first`; the partner's copies sit one
// stage further, so every pair is linked, reconciled and queues one push.
FetchPage MakePage(const std::string& source, int64_t first, Timestamp at, bool partner) {
  FetchPage page;
  for (int64_t i = first; i < first + kPageSize; ++i) {
    Opportunity o;
    o.source = source;
    o.native_id = (partner ? "P" : "V") + std::to_string(i);
    o.registration_id = "REG-" + std::to_string(i);
    o.name = "Deal " + std::to_string(i);
    o.account = "Account " + std::to_string(i % 97);
    o.stage = partner ? Stage::kDiscovery : Stage::kQualified;
    o.amount = Money{100'000 + i, "USD"};
    o.close_date = CalendarDate{2026, 12, static_cast<unsigned>(1 + i % 28)};
    o.modified_at = at;
    o.native_payload = R"({"id":")" + o.native_id + R"(","stage":"x","amount":"1000.00"})";
    page.records.push_back(std::move(o));
  }
  page.next_cursor = std::to_string(first + kPageSize);
  return page;
}

void RunIngest(benchmark::State& state, Store& store) {
  FakeClock clock;
  SyncEngine engine(store, BenchConfig(), clock);
  int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    FetchPage vendor = MakePage("vendor", next, clock.Now(), false);
    FetchPage partner = MakePage("partner", next, clock.Now(), true);
    next += kPageSize;
    state.ResumeTiming();
    Result<IngestStats> a = engine.IngestPage("vendor", vendor);
    Result<IngestStats> b = engine.IngestPage("partner", partner);
    if (!a.ok() || !b.ok() || b->pushes_queued != kPageSize) {
      state.SkipWithError("ingest failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * 2 * kPageSize);
  state.counters["records/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * 2 * kPageSize), benchmark::Counter::kIsRate);
}

void BM_IngestAndReconcile_MemoryStore(benchmark::State& state) {
  MemoryStore store;
  RunIngest(state, store);
}
BENCHMARK(BM_IngestAndReconcile_MemoryStore)->Unit(benchmark::kMillisecond);

void BM_IngestAndReconcile_RocksStore(benchmark::State& state) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("engine_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    Result<std::unique_ptr<Store>> store = OpenRocksStore(dir.string());
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    RunIngest(state, **store);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_IngestAndReconcile_RocksStore)->Unit(benchmark::kMillisecond);

// Re-delivered pages (overlap windows): the de-duplication path.
void BM_DuplicatePage_MemoryStore(benchmark::State& state) {
  MemoryStore store;
  FakeClock clock;
  SyncEngine engine(store, BenchConfig(), clock);
  FetchPage page = MakePage("vendor", 0, clock.Now(), false);
  if (!engine.IngestPage("vendor", page).ok()) {
    state.SkipWithError("ingest failed");
    return;
  }
  for (auto _ : state) {
    Result<IngestStats> s = engine.IngestPage("vendor", page);
    if (!s.ok() || s->duplicates != kPageSize) {
      state.SkipWithError("expected duplicates");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kPageSize);
}
BENCHMARK(BM_DuplicatePage_MemoryStore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dealsync

BENCHMARK_MAIN();
