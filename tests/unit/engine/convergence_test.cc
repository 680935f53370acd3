// Property test: random interleavings of user edits on both sides, polls,
// pushes, lost acks, failed store writes (a crash before the batch lands) and
// engine restarts always converge: both sides equal, no update lost, each
// conflict recorded once, and a bounded number of pushes per change (no loop).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "src/engine/records_json.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kPairs = 5;
constexpr std::array<Stage, 5> kOpenStages = {
    Stage::kProspect, Stage::kQualified, Stage::kDiscovery, Stage::kSolution, Stage::kProposal};

class Simulation {
 public:
  explicit Simulation(uint32_t seed)
      : rng_(seed), h_([](Config& c) {
          c.vendor.connection.retry.max_attempts = 1000;  // failures here are transient
          c.partners[0].connection.retry.max_attempts = 1000;
        }) {
    for (int i = 0; i < kPairs; ++i) {
      const std::string n = std::to_string(i);
      h_.vendor.Put(Deal("V" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
      h_.partner.Put(Deal("P" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
    }
  }

  // Applies a random edit to a random field of a random record on one side;
  // returns the value set.
  std::string RandomEdit(FakeCrm& crm, const std::string& id, Field f) {
    std::string value;
    crm.Edit(id, [&](Opportunity& o) {
      switch (f) {
        case Field::kStage:
          o.stage = kOpenStages[Pick(kOpenStages.size())];
          break;
        case Field::kAmount:
          o.amount = Money{static_cast<int64_t>(100'000 + Pick(50) * 1'000), "USD"};
          break;
        case Field::kCloseDate:
          o.close_date = CalendarDate{2026, 12, static_cast<unsigned>(1 + Pick(28))};
          break;
      }
      value = FieldValueText(o, f);
    });
    return value;
  }

  // Polls all pages; a failed write is a crash: the engine object is dropped.
  void Poll(FakeCrm& crm, const std::string& source) {
    for (int page = 0; page < 100; ++page) {
      if (Pick(20) == 0) {
        h_.store.FailNextWrites(1);
      }
      Result<std::string> cursor = h_.engine->LoadCursor(source);
      ASSERT_OK(cursor);
      Result<FetchPage> fetched = RunAwaitable(crm.FetchChanges(*cursor));
      ASSERT_OK(fetched);
      Result<IngestStats> s = h_.engine->IngestPage(source, *fetched);
      if (!s.ok()) {
        ASSERT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
        h_.Restart();
        return;
      }
      if (!fetched->has_more) {
        return;
      }
    }
  }

  void Push(FakeCrm& crm, const std::string& target) {
    Result<std::vector<OutboxEntry>> due = h_.engine->DuePushes(target, 3, h_.clock.Now());
    ASSERT_OK(due);
    if (due->empty()) {
      return;
    }
    std::vector<RecordUpdate> updates;
    for (const OutboxEntry& e : *due) {
      updates.push_back(e.update);
    }
    if (Pick(8) == 0) {
      crm.FailUpdatesFor(due->front().update.native_id, Unavailable("flaky"));
    }
    Result<std::vector<UpdateOutcome>> out = RunAwaitable(crm.Update(updates));
    crm.ClearFailures();
    ASSERT_OK(out);
    switch (Pick(6)) {
      case 0:  // crash after the remote applied, before the ack was recorded
        h_.Restart();
        return;
      case 1:  // the ack's batch fails to land
        h_.store.FailNextWrites(1);
        EXPECT_FALSE(h_.engine->RecordPushResults(target, *due, *out, Status::Ok()).ok());
        h_.Restart();
        return;
      default:
        ASSERT_OK(h_.engine->RecordPushResults(target, *due, *out, Status::Ok()));
    }
  }

  void RandomStep() {
    h_.clock.Advance(milliseconds(Pick(200'000)));
    const std::string n = std::to_string(Pick(kPairs));
    const Field f = static_cast<Field>(Pick(3));
    switch (Pick(7)) {
      case 0:
        RandomEdit(h_.vendor, "V" + n, f);
        break;
      case 1:
        RandomEdit(h_.partner, "P" + n, f);
        break;
      case 2:
        Poll(h_.vendor, "vendor");
        break;
      case 3:
        Poll(h_.partner, kPartner);
        break;
      case 4:
        Push(h_.vendor, "vendor");
        break;
      case 5:
        Push(h_.partner, kPartner);
        break;
      case 6:
        h_.Restart();
        break;
    }
  }

  // Clean cycles until nothing moves; returns cycles used.
  int Settle() {
    for (int i = 1; i <= 30; ++i) {
      h_.clock.Advance(seconds(3600));  // past any backoff
      const size_t before_v = TotalApplied(h_.vendor), before_p = TotalApplied(h_.partner);
      const uint64_t journal = h_.engine->Counters()->journal_entries;
      h_.Cycle();
      if (TotalApplied(h_.vendor) == before_v && TotalApplied(h_.partner) == before_p &&
          h_.engine->Counters()->journal_entries == journal &&
          h_.engine->Counters()->outbox_depth == 0) {
        return i;
      }
    }
    return 31;
  }

  static size_t TotalApplied(const FakeCrm& crm) {
    size_t n = 0;
    for (const auto& [id, count] : crm.applied()) {
      n += count;
    }
    return n;
  }

  void ExpectBothSidesEqual() {
    for (int i = 0; i < kPairs; ++i) {
      const std::string n = std::to_string(i);
      for (Field f : kAllFieldsForTest()) {
        EXPECT_EQ(FieldValueText(h_.vendor.Get("V" + n), f),
                  FieldValueText(h_.partner.Get("P" + n), f))
            << "pair " << n << " field " << FieldName(f);
      }
    }
  }

  static std::array<Field, 3> kAllFieldsForTest() {
    return {Field::kStage, Field::kAmount, Field::kCloseDate};
  }

  uint64_t Pick(uint64_t bound) {
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng_);
  }

  std::mt19937 rng_;
  EngineHarness h_;
};

TEST(Convergence, RandomInterleavingsAndCrashesConverge) {
  size_t two_sided_conflicts = 0;
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Simulation sim(seed);
    for (int step = 0; step < 120; ++step) {
      sim.RandomStep();
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
    ASSERT_LE(sim.Settle(), 30) << "did not settle";
    sim.ExpectBothSidesEqual();
    Result<EngineCounters> counters = sim.h_.engine->Counters();
    ASSERT_OK(counters);
    EXPECT_EQ(counters->conflicts_held, 0u);
    EXPECT_EQ(counters->dead_letters, 0u);
    EXPECT_EQ(counters->links, static_cast<uint64_t>(kPairs));

    // Each conflict recorded once: no two records for the same pair of changes.
    Result<std::vector<Conflict>> conflicts = sim.h_.engine->ListConflicts({});
    ASSERT_OK(conflicts);
    std::set<std::tuple<std::string, int, uint64_t, uint64_t>> seen;
    for (const Conflict& c : *conflicts) {
      two_sided_conflicts += c.vendor.journal_seq != 0 && c.partner_change.journal_seq != 0 &&
                             c.rule != "one_side_change";
      EXPECT_TRUE(seen.insert({c.link_id, static_cast<int>(c.field), c.vendor.journal_seq,
                               c.partner_change.journal_seq})
                      .second)
          << c.id;
    }

    // No lost update: after convergence, one edit per pair on a random side
    // reaches the other side, with at most one push per edit.
    std::vector<std::tuple<std::string, Field, std::string>> final_edits;
    const size_t pushes_before =
        Simulation::TotalApplied(sim.h_.vendor) + Simulation::TotalApplied(sim.h_.partner);
    for (int i = 0; i < kPairs; ++i) {
      const std::string n = std::to_string(i);
      const bool on_vendor = sim.Pick(2) == 0;
      const Field f = static_cast<Field>(sim.Pick(3));
      FakeCrm& crm = on_vendor ? sim.h_.vendor : sim.h_.partner;
      const std::string id = (on_vendor ? "V" : "P") + n;
      const std::string before = FieldValueText(crm.Get(id), f);
      std::string value = before;
      for (int tries = 0; tries < 50 && value == before; ++tries) {
        value = sim.RandomEdit(crm, id, f);
      }
      final_edits.emplace_back(n, f, value);
    }
    ASSERT_LE(sim.Settle(), 30);
    sim.ExpectBothSidesEqual();
    for (const auto& [n, f, value] : final_edits) {
      EXPECT_EQ(FieldValueText(sim.h_.vendor.Get("V" + n), f), value) << "pair " << n;
    }
    const size_t pushes_after =
        Simulation::TotalApplied(sim.h_.vendor) + Simulation::TotalApplied(sim.h_.partner);
    EXPECT_LE(pushes_after - pushes_before, static_cast<size_t>(kPairs));
    if (HasFailure()) {
      return;  // one seed's report is enough
    }
  }
  // The interleavings really produced both-sides conflicts (the test is not vacuous).
  EXPECT_GT(two_sided_conflicts, 100u);
}

}  // namespace
}  // namespace dealsync::testing
