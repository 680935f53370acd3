// The engine's indexes: counterpart ids scoped to the partner that owns them,
// and gauges kept incrementally that always equal a full recount.
#include <gtest/gtest.h>

#include <random>

#include "dealsync/engine.h"
#include "src/engine/records_json.h"
#include "src/platform/fake_clock.h"
#include "src/store/memory_store.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

// A vendor and two partners whose CRMs number deals the same way.
Config TwoPartnerConfig() {
  Config c = TestConfig();
  c.partners.clear();
  for (const char* id : {"hubspot", "contoso"}) {
    SourceConfig p;
    p.role = Role::kPartner;
    p.id = id;
    p.connection.retry.max_attempts = 3;
    c.partners.push_back(p);
  }
  return c;
}

void Ingest(SyncEngine& engine, const std::string& source, std::vector<Opportunity> records) {
  FetchPage page;
  page.records = std::move(records);
  page.next_cursor = "c";
  ASSERT_OK(engine.IngestPage(source, page));
}

Opportunity VendorNaming(const std::string& id, const std::string& counterpart,
                         const std::string& owner) {
  Opportunity v = Deal(id, "", "qualified", "1000.00 USD", "2026-12-01");
  v.counterpart_id = counterpart;
  v.counterpart_source = owner;
  return v;
}

class CounterpartScope : public ::testing::TestWithParam<bool> {};  // vendor polled first?

TEST_P(CounterpartScope, UnnamedPartnerDealIdHeldByTwoPartnersIsRefusedAsAmbiguous) {
  MemoryStore store;
  FakeClock clock;
  SyncEngine engine(store, TwoPartnerConfig(), clock);
  auto vendor = [&] { Ingest(engine, "vendor", {VendorNaming("V1", "5068", "")}); };
  if (GetParam()) {
    vendor();
  }
  Ingest(engine, "hubspot", {Deal("5068", "", "proposal", "1000.00 USD", "2026-12-01")});
  Ingest(engine, "contoso", {Deal("5068", "", "solution", "1000.00 USD", "2026-12-01")});
  if (!GetParam()) {
    vendor();
  }
  EXPECT_TRUE(engine.ListLinks("")->empty());
  Result<std::vector<LinkAmbiguity>> amb = engine.ListAmbiguities();
  ASSERT_OK(amb);
  ASSERT_EQ(amb->size(), 1u);
  EXPECT_EQ(amb->front().native_id, "V1");
  EXPECT_EQ(amb->front().key_kind, "counterpart_id");
  EXPECT_EQ(amb->front().candidates, (std::vector<std::string>{"contoso/5068", "hubspot/5068"}));
  EXPECT_EQ(engine.Counters()->ambiguous_records, 1u);
}

TEST_P(CounterpartScope, NamedPartnerDealIdLinksThatPartnerOnly) {
  MemoryStore store;
  FakeClock clock;
  SyncEngine engine(store, TwoPartnerConfig(), clock);
  auto vendor = [&] { Ingest(engine, "vendor", {VendorNaming("V1", "5068", "contoso")}); };
  if (GetParam()) {
    vendor();
  }
  Ingest(engine, "hubspot", {Deal("5068", "", "proposal", "1000.00 USD", "2026-12-01")});
  Ingest(engine, "contoso", {Deal("5068", "", "solution", "1000.00 USD", "2026-12-01")});
  if (!GetParam()) {
    vendor();
  }
  Result<std::vector<Link>> links = engine.ListLinks("");
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ(links->front().id, "contoso/V1/5068");
  EXPECT_EQ(links->front().key_kind, "counterpart_id");
  EXPECT_TRUE(engine.ListAmbiguities()->empty());
  Result<std::vector<Opportunity>> unlinked = engine.UnlinkedRecords("hubspot");
  ASSERT_OK(unlinked);
  ASSERT_EQ(unlinked->size(), 1u);
}

TEST_P(CounterpartScope, RegistrationIdSettlesAClashingUnnamedId) {
  MemoryStore store;
  FakeClock clock;
  SyncEngine engine(store, TwoPartnerConfig(), clock);
  Opportunity v = VendorNaming("V1", "5068", "");
  v.registration_id = "DR-1";
  auto vendor = [&] { Ingest(engine, "vendor", {v}); };
  if (GetParam()) {
    vendor();
  }
  Ingest(engine, "hubspot", {Deal("5068", "", "proposal", "1000.00 USD", "2026-12-01")});
  Ingest(engine, "contoso", {Deal("5068", "DR-1", "solution", "1000.00 USD", "2026-12-01")});
  if (!GetParam()) {
    vendor();
  }
  Result<std::vector<Link>> links = engine.ListLinks("");
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ(links->front().id, "contoso/V1/5068");
  EXPECT_EQ(links->front().key_kind, "registration_id");
  EXPECT_TRUE(engine.ListAmbiguities()->empty());
}

INSTANTIATE_TEST_SUITE_P(VendorFirstOrLast, CounterpartScope, ::testing::Bool());

TEST(CounterpartScopeOnePartner, UnnamedIdLinksWhenOnlyOnePartnerLinksByCounterpart) {
  EngineHarness h;
  h.vendor.Put(VendorNaming("V1", "P1", ""));
  h.partner.Put(Deal("P1", "", "proposal", "1000.00 USD", "2026-12-01"));
  h.Settle();
  Result<std::vector<Link>> links = h.engine->ListLinks("");
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ(links->front().id, std::string(kPartner) + "/V1/P1");
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kProposal);
}

// Gauges are kept in the same batch as every change; after a random workload
// (links, pushes, conflicts held and resolved, links broken, deletes) they
// equal what a full recount of a fresh engine on the same store finds.
TEST(IncrementalCounters, EqualAFullRecountAfterARandomWorkload) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    EngineHarness h([](Config& c) { c.partners[0].policy.close_date.rule = PolicyRule::kManual; });
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    const std::vector<std::string> stages = {"qualified", "discovery", "solution", "proposal"};
    for (int i = 0; i < 12; ++i) {
      const std::string reg = "REG-" + std::to_string(i % 9);  // some registration ids clash
      h.vendor.Put(Deal("V" + std::to_string(i), reg, stages[pick(4)], "1000.00 USD",
                        "2026-12-0" + std::to_string(1 + pick(8))));
      if (pick(4) != 0) {
        h.partner.Put(Deal("P" + std::to_string(i), reg, stages[pick(4)], "1000.00 USD",
                           "2026-12-0" + std::to_string(1 + pick(8))));
      }
    }
    for (int step = 0; step < 30; ++step) {
      const std::string i = std::to_string(pick(12));
      switch (pick(7)) {
        case 0:
          if (h.vendor.Has("V" + i)) {
            h.vendor.Edit("V" + i, [&](Opportunity& o) {
              EXPECT_OK(
                  SetFieldFromText(o, Field::kCloseDate, "2026-11-1" + std::to_string(pick(9))));
            });
          }
          break;
        case 1:
          if (h.partner.Has("P" + i)) {
            h.partner.Edit("P" + i, [&](Opportunity& o) { o.stage = Stage::kProposal; });
          }
          break;
        case 2:
          h.Cycle();
          break;
        case 3: {
          Result<std::vector<Link>> links = h.engine->ListLinks("");
          if (links.ok() && !links->empty()) {
            EXPECT_OK(
                h.engine->BreakLink((*links)[pick(static_cast<int>(links->size()))].id, "op"));
          }
          break;
        }
        case 4: {
          ConflictFilter held;
          held.status = ConflictStatus::kHeldForReview;
          Result<std::vector<Conflict>> c = h.engine->ListConflicts(held);
          if (c.ok() && !c->empty()) {
            EXPECT_OK(
                h.engine->ResolveConflict(c->front().id, {Resolution::Choice::kVendor, "", "op"}));
          }
          break;
        }
        case 5:
          if (h.partner.Has("P" + i)) {
            h.partner.Edit("P" + i, [&](Opportunity& o) { o.deleted = true; });
          }
          break;
        case 6: {  // a newer version the connector could not map, or a readable one
          FetchPage page;
          page.next_cursor = *h.engine->LoadCursor(kPartner);
          if (pick(2) == 0 || !h.partner.Has("P" + i)) {
            page.rejects.push_back({"P" + i, "stage \"Odd\" is not in [stages]", "{}"});
          } else {
            h.partner.Edit("P" + i, [&](Opportunity& o) { o.name += "."; });
            page.records.push_back(h.partner.Get("P" + i));
          }
          EXPECT_OK(h.engine->IngestPage(kPartner, page));
          break;
        }
      }
    }
    h.Cycle();
    Result<EngineCounters> incremental = h.engine->Counters();
    ASSERT_OK(incremental);
    h.Restart();  // read back as persisted
    Result<EngineCounters> persisted = h.engine->Counters();
    ASSERT_OK(persisted);
    WriteBatch forget;
    forget.Delete(Column::kMeta, "counters");
    ASSERT_OK(h.store.Write(forget));
    h.Restart();
    Result<EngineCounters> recount = h.engine->Counters();
    ASSERT_OK(recount);
    SCOPED_TRACE("seed " + std::to_string(seed));
    // Per source: kept in step, persisted, and equal to a recount; the
    // sources' shares add up to the totals.
    EXPECT_TRUE(incremental->by_source == persisted->by_source);
    EXPECT_TRUE(incremental->by_source == recount->by_source);
    SourceCounters sum;
    for (const auto& [source, c] : recount->by_source) {
      sum.outbox_depth += c.outbox_depth;
      sum.dead_letters += c.dead_letters;
      sum.links += c.links;
      sum.conflicts_held += c.conflicts_held;
      sum.unlinked_records += c.unlinked_records;
      sum.ambiguous_records += c.ambiguous_records;
      sum.rejected_records += c.rejected_records;
    }
    EXPECT_EQ(sum.outbox_depth, recount->outbox_depth);
    EXPECT_EQ(sum.dead_letters, recount->dead_letters);
    EXPECT_EQ(sum.links, recount->links);
    EXPECT_EQ(sum.conflicts_held, recount->conflicts_held);
    EXPECT_EQ(sum.unlinked_records, recount->unlinked_records);
    EXPECT_EQ(sum.ambiguous_records, recount->ambiguous_records);
    EXPECT_EQ(sum.rejected_records, recount->rejected_records);
    EXPECT_EQ(recount->rejected_records, h.engine->RejectedRecords("")->size());
    if (recount->links > 0) {
      EXPECT_EQ(recount->by_source.at(kPartner).links, recount->links);  // one partner
    }
    // A store written before per-source counters existed has no marker: recounted.
    WriteBatch older;
    older.Delete(Column::kMeta, "counters/by_source");
    ASSERT_OK(h.store.Write(older));
    h.Restart();
    Result<EngineCounters> upgraded = h.engine->Counters();
    ASSERT_OK(upgraded);
    EXPECT_TRUE(upgraded->by_source == incremental->by_source);
    EXPECT_EQ(incremental->outbox_depth, recount->outbox_depth);
    EXPECT_EQ(incremental->dead_letters, recount->dead_letters);
    EXPECT_EQ(incremental->links, recount->links);
    EXPECT_EQ(incremental->unlinked_records, recount->unlinked_records);
    EXPECT_EQ(incremental->ambiguous_records, recount->ambiguous_records);
    EXPECT_EQ(incremental->rejected_records, recount->rejected_records);
    EXPECT_EQ(incremental->conflicts_auto_resolved, recount->conflicts_auto_resolved);
    EXPECT_EQ(incremental->conflicts_held, recount->conflicts_held);
    EXPECT_EQ(incremental->conflicts_resolved_by_operator, recount->conflicts_resolved_by_operator);
    // Gauges written before the rejected-records gauge existed (8 of them): recounted.
    WriteBatch eight;
    eight.Put(Column::kMeta, "counters", std::string(8 * 8, '\0'));
    ASSERT_OK(h.store.Write(eight));
    h.Restart();
    Result<EngineCounters> widened = h.engine->Counters();
    ASSERT_OK(widened);
    EXPECT_TRUE(widened->by_source == incremental->by_source);
    EXPECT_EQ(widened->rejected_records, incremental->rejected_records);
    EXPECT_EQ(widened->links, incremental->links);
    EXPECT_EQ(recount->links, h.engine->ListLinks("")->size());
    EXPECT_GT(recount->links + recount->unlinked_records, 0u);
    EXPECT_EQ(recount->unlinked_records, h.engine->UnlinkedRecords("vendor")->size() +
                                             h.engine->UnlinkedRecords(kPartner)->size());
  }
}

}  // namespace
}  // namespace dealsync::testing

namespace dealsync::testing {
namespace {

// Counts the scans that reach the store under the engine.
class ScanCountingStore final : public Store {
 public:
  explicit ScanCountingStore(Store& base) : base_(base) {}
  Result<std::optional<std::string>> Get(Column c, std::string_view key) override {
    return base_.Get(c, key);
  }
  Status Write(const WriteBatch& batch) override { return base_.Write(batch); }
  using Store::Scan;
  Status Scan(Column c, std::string_view prefix, std::string_view start,
              const ScanVisitor& visit) override {
    ++scans;
    return base_.Scan(c, prefix, start, visit);
  }
  uint64_t ApproximateSize(Column c) override { return base_.ApproximateSize(c); }
  int scans = 0;

 private:
  Store& base_;
};

// What /metrics and the review's Partners page read costs no scan, at any
// store size: the totals and the per-source gauges are kept with each write.
TEST(IncrementalCounters, ReadingThemScansNothing) {
  EngineHarness h;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    h.vendor.Put(Deal("V" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
  }
  h.Settle();
  ScanCountingStore counting(h.store);
  SyncEngine engine(counting, h.config, h.clock);
  Result<EngineCounters> first = engine.Counters();  // loads the persisted gauges
  ASSERT_OK(first);
  EXPECT_EQ(first->links, 40u);
  EXPECT_EQ(first->by_source.at(kPartner).links, 40u);
  EXPECT_LE(counting.scans, 1);  // the per-source gauges' few meta keys, once
  const int after_load = counting.scans;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(engine.Counters());
  }
  EXPECT_EQ(counting.scans, after_load);
}

}  // namespace
}  // namespace dealsync::testing
