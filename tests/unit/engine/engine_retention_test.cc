// Journal retention: what PruneJournal deletes and what it keeps (each
// record's latest version, a held conflict's evidence, a listed reject's
// entry), that every entry is examined once, and that a kept latest version
// goes when its successor is journaled.
#include <gtest/gtest.h>

#include "src/engine/keys.h"
#include "src/engine/records_json.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
namespace keys = engine_keys;

constexpr hours kDay{24};

std::vector<JournalEntry> Journal(MemoryStore& store) {
  std::vector<JournalEntry> out;
  EXPECT_OK(store.Scan(Column::kJournal, "", [&](std::string_view, std::string_view v) {
    Result<JournalEntry> e = DecodeJournal(v);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (e.ok()) {
      out.push_back(std::move(*e));
    }
    return true;
  }));
  return out;
}

bool HasEntry(MemoryStore& store, uint64_t seq) {
  Result<std::optional<std::string>> raw = store.Get(Column::kJournal, keys::EncodeSeq(seq));
  EXPECT_TRUE(raw.ok());
  return raw.ok() && raw->has_value();
}

uint64_t LatestSeq(MemoryStore& store, std::string_view source, std::string_view id) {
  Result<std::optional<std::string>> raw = store.Get(Column::kRecords, keys::RecordKey(source, id));
  EXPECT_TRUE(raw.ok() && raw->has_value());
  if (!raw.ok() || !raw->has_value()) {
    return 0;
  }
  Result<StoredRecord> r = DecodeRecord(**raw);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->journal_seq : 0;
}

JournalPruneStats PruneAll(SyncEngine& engine, Timestamp before, size_t batch = 1000) {
  JournalPruneStats total;
  for (int i = 0; i < 10'000; ++i) {
    Result<JournalPruneStats> pass = engine.PruneJournal(before, batch);
    EXPECT_TRUE(pass.ok()) << pass.status().ToString();
    if (!pass.ok()) {
      break;
    }
    total.examined += pass->examined;
    total.deleted += pass->deleted;
    total.kept += pass->kept;
    if (pass->finished) {
      total.finished = true;
      break;
    }
  }
  return total;
}

// A linked pair edited on both sides over thirty days: a journal with old
// versions, pushes and their latest versions.
class AgedPair : public ::testing::Test {
 protected:
  void SetUp() override {
    h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.Settle();
    for (int day = 1; day <= 30; ++day) {
      h.clock.Advance(kDay);
      h.partner.Edit("P1", [&](Opportunity& o) { o.amount = Money{100'000 + day * 100, "USD"}; });
      h.Settle();
    }
  }
  EngineHarness h;
};

TEST_F(AgedPair, OldEntriesGoAndEachRecordsLatestVersionStays) {
  const size_t before = Journal(h.store).size();
  const Timestamp cutoff = h.clock.Now() - 10 * kDay;
  JournalPruneStats s = PruneAll(*h.engine, cutoff);
  EXPECT_TRUE(s.finished);
  EXPECT_GT(s.deleted, 40u);  // 20 old partner versions, their pushes and the vendor's copies
  EXPECT_EQ(s.examined, s.deleted + s.kept);
  std::vector<JournalEntry> after = Journal(h.store);
  EXPECT_EQ(after.size(), before - s.deleted);
  const uint64_t vendor_latest = LatestSeq(h.store, "vendor", "V1");
  const uint64_t partner_latest = LatestSeq(h.store, kPartner, "P1");
  for (const JournalEntry& e : after) {
    EXPECT_TRUE(e.recorded_at >= cutoff || e.seq == vendor_latest || e.seq == partner_latest)
        << "entry " << e.seq << " recorded " << FormatTimestamp(e.recorded_at) << " survived";
  }
  EXPECT_TRUE(HasEntry(h.store, vendor_latest));
  EXPECT_TRUE(HasEntry(h.store, partner_latest));
  // Entries newer than the cut-off are all there: ten days of edits and pushes.
  size_t recent = 0;
  for (const JournalEntry& e : after) {
    recent += e.recorded_at >= cutoff ? 1 : 0;
  }
  EXPECT_GE(recent, 20u);
  // The pair still syncs afterwards.
  h.clock.Advance(kDay);
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{777'700, "USD"}; });
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").amount->minor, 777'700);
}

TEST_F(AgedPair, EachEntryIsExaminedOnceAndBatchesAddUp) {
  const Timestamp cutoff = h.clock.Now() - 10 * kDay;
  JournalPruneStats batched = PruneAll(*h.engine, cutoff, /*batch=*/3);
  EXPECT_TRUE(batched.finished);
  EXPECT_GT(batched.deleted, 40u);
  // Nothing older is left to look at: a second pass examines nothing, and a
  // later cut-off examines only what aged since.
  Result<JournalPruneStats> again = h.engine->PruneJournal(cutoff, 1000);
  ASSERT_OK(again);
  EXPECT_EQ(again->examined, 0u);
  EXPECT_TRUE(again->finished);
  Result<JournalPruneStats> later = h.engine->PruneJournal(cutoff + kDay, 1000);
  ASSERT_OK(later);
  EXPECT_GT(later->examined, 0u);
  EXPECT_LT(later->examined, 10u);
}

TEST_F(AgedPair, AKeptLatestVersionGoesWhenItsSuccessorIsJournaled) {
  // The vendor record has not changed in thirty days except by our pushes; its
  // latest version is older than the cut-off and kept.
  h.clock.Advance(40 * kDay);
  const uint64_t old_latest = LatestSeq(h.store, kPartner, "P1");
  PruneAll(*h.engine, h.clock.Now() - 10 * kDay);
  ASSERT_TRUE(HasEntry(h.store, old_latest));
  h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.Settle();
  EXPECT_NE(LatestSeq(h.store, kPartner, "P1"), old_latest);
  EXPECT_FALSE(HasEntry(h.store, old_latest));
  EXPECT_TRUE(HasEntry(h.store, LatestSeq(h.store, kPartner, "P1")));
}

TEST(EngineRetention, TheVersionsAHeldConflictPointsAtAreKept) {
  EngineHarness h([](Config& c) { c.partners[0].policy.amount.rule = PolicyRule::kManual; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(kDay);
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{120'000, "USD"}; });
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{130'000, "USD"}; });
  h.Settle();
  ConflictFilter held_only;
  held_only.status = ConflictStatus::kHeldForReview;
  Result<std::vector<Conflict>> held = h.engine->ListConflicts(held_only);
  ASSERT_OK(held);
  ASSERT_EQ(held->size(), 1u);
  const uint64_t evidence = held->front().partner_change.journal_seq;
  ASSERT_NE(evidence, 0u);
  // The partner then edits another field: the conflict's version is no longer
  // the record's latest, and both age past the cut-off.
  h.clock.Advance(kDay);
  h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.Settle();
  ASSERT_NE(LatestSeq(h.store, kPartner, "P1"), evidence);
  h.clock.Advance(30 * kDay);
  JournalPruneStats s = PruneAll(*h.engine, h.clock.Now() - kDay);
  EXPECT_GT(s.deleted, 0u);
  EXPECT_TRUE(HasEntry(h.store, evidence));
  EXPECT_TRUE(HasEntry(h.store, held->front().vendor.journal_seq));

  // Without a held conflict the same history is pruned to the latest versions.
  EngineHarness plain;
  plain.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  plain.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  plain.Settle();
  plain.clock.Advance(kDay);
  plain.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{130'000, "USD"}; });
  plain.Settle();
  const uint64_t superseded = LatestSeq(plain.store, kPartner, "P1");
  plain.clock.Advance(kDay);
  plain.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  plain.Settle();
  plain.clock.Advance(30 * kDay);
  PruneAll(*plain.engine, plain.clock.Now() - kDay);
  EXPECT_FALSE(HasEntry(plain.store, superseded));
}

TEST(EngineRetention, ARefusedRecordsEntryStaysWhileListedAndGoesOnceReadable) {
  EngineHarness h;
  FetchPage page;
  page.rejects.push_back({"X9", "stage \"Verbal\" is not mapped", "{\"id\":\"X9\"}"});
  page.next_cursor = "c1";
  ASSERT_OK(h.engine->IngestPage(kPartner, page));
  Result<std::vector<RejectedRecord>> refused = h.engine->RejectedRecords(kPartner);
  ASSERT_OK(refused);
  ASSERT_EQ(refused->size(), 1u);
  const uint64_t entry = refused->front().journal_seq;
  h.clock.Advance(30 * kDay);
  PruneAll(*h.engine, h.clock.Now() - kDay);
  EXPECT_TRUE(HasEntry(h.store, entry));

  FetchPage fixed;
  fixed.records.push_back(Deal("X9", "REG-9", "proposal", "10.00 USD", "2026-12-01"));
  fixed.next_cursor = "c2";
  ASSERT_OK(h.engine->IngestPage(kPartner, fixed));
  EXPECT_TRUE(h.engine->RejectedRecords(kPartner)->empty());
  EXPECT_FALSE(HasEntry(h.store, entry));
}

TEST(EngineRetention, EntriesYoungerThanTheCutOffAndUnreadableOnesAreLeftAlone) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(minutes(5));
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.Settle();
  const size_t journaled = Journal(h.store).size();
  ASSERT_GE(journaled, 2u);
  // A cut-off before everything: nothing to examine.
  Result<JournalPruneStats> none = h.engine->PruneJournal(h.clock.Now() - kDay, 1000);
  ASSERT_OK(none);
  EXPECT_EQ(none->examined, 0u);
  EXPECT_TRUE(none->finished);
  EXPECT_EQ(Journal(h.store).size(), journaled);

  // A damaged entry in front of the old ones is kept and stepped over.
  WriteBatch damage;
  damage.Put(Column::kJournal, keys::EncodeSeq(1), "{not json");
  ASSERT_OK(h.store.Write(damage));
  h.clock.Advance(30 * kDay);
  JournalPruneStats s = PruneAll(*h.engine, h.clock.Now() - kDay);
  EXPECT_TRUE(s.finished);
  EXPECT_TRUE(HasEntry(h.store, 1));
  EXPECT_TRUE(HasEntry(h.store, LatestSeq(h.store, "vendor", "V1")));
  EXPECT_EQ(s.deleted + s.kept, s.examined);
}

}  // namespace
}  // namespace dealsync::testing
