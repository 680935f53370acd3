// Sanity bounds before anything is pushed (negative and huge amounts, close
// dates far away, oversized records, records with no reconciled field: each
// rejected with its reason, that record only), and the oscillation guard.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;

// Journal entries of kind "reject" (their JSON text).
std::vector<std::string> Rejects(MemoryStore& store) {
  std::vector<std::string> out;
  EXPECT_TRUE(store
                  .Scan(Column::kJournal, "",
                        [&](std::string_view, std::string_view v) {
                          if (v.find("\"reject\"") != std::string_view::npos) {
                            out.emplace_back(v);
                          }
                          return true;
                        })
                  .ok());
  return out;
}

uint64_t JournalBytes(MemoryStore& store) {
  uint64_t bytes = 0;
  EXPECT_TRUE(store
                  .Scan(Column::kJournal, "",
                        [&](std::string_view, std::string_view v) {
                          bytes += v.size();
                          return true;
                        })
                  .ok());
  return bytes;
}

// One linked pair in agreement; then the partner's record takes a hostile value.
class HostileValues : public ::testing::Test {
 protected:
  void SetUp() override {
    h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.vendor.Put(Deal("V2", "REG-2", "qualified", "2000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P2", "REG-2", "qualified", "2000.00 USD", "2026-12-01"));
    h.Settle();
    ASSERT_EQ(h.engine->ListLinks(kPartner)->size(), 2u);
    h.clock.Advance(minutes(10));
    calls_before_ = h.vendor.update_calls();
  }

  // The partner edits P1 with `edit` and P2's stage legitimately; a cycle runs.
  template <typename F>
  void PartnerEditsThenCycle(F&& edit) {
    h.partner.Edit("P1", edit);
    h.partner.Edit("P2", [](Opportunity& o) { o.stage = Stage::kProposal; });
    h.Settle();
  }

  // P1's hostile value reached nothing; P2's good edit went through.
  void ExpectOnlyP1Rejected(const std::string& reason) {
    EXPECT_EQ(h.vendor.Get("V1").amount->minor, 100000);
    EXPECT_EQ(FormatDate(*h.vendor.Get("V1").close_date), "2026-12-01");
    EXPECT_EQ(h.vendor.Get("V2").stage, Stage::kProposal);  // the rest of the page is fine
    EXPECT_EQ(h.vendor.applied().count("V1"), 0u);
    std::vector<std::string> rejects = Rejects(h.store);
    ASSERT_EQ(rejects.size(), 1u);
    EXPECT_NE(rejects[0].find(reason), std::string::npos) << rejects[0];
    EXPECT_NE(rejects[0].find("\"P1\""), std::string::npos) << rejects[0];
    Result<std::optional<Opportunity>> kept = h.engine->GetRecord(kPartner, "P1");
    ASSERT_OK(kept);
    ASSERT_TRUE(kept->has_value());
    EXPECT_EQ((*kept)->amount->minor, 100000);  // the last good version
  }

  EngineHarness h;
  size_t calls_before_ = 0;
};

TEST_F(HostileValues, NegativeAmountIsRejected) {
  PartnerEditsThenCycle([](Opportunity& o) { o.amount = Money{-500, "USD"}; });
  ExpectOnlyP1Rejected("is negative");
}

TEST_F(HostileValues, AmountAboveTheCeilingIsRejected) {
  PartnerEditsThenCycle([](Opportunity& o) {
    o.amount = Money{int64_t{100'000'000'000'000'000}, "USD"};
  });  // 1e15
  ExpectOnlyP1Rejected("above bounds.max_amount");
}

TEST_F(HostileValues, CloseDateFarInTheFutureIsRejected) {
  PartnerEditsThenCycle([](Opportunity& o) { o.close_date = *ParseDate("9999-12-31"); });
  ExpectOnlyP1Rejected("days in the future");
}

TEST_F(HostileValues, CloseDateFarInThePastIsRejected) {
  PartnerEditsThenCycle([](Opportunity& o) { o.close_date = *ParseDate("1900-01-01"); });
  ExpectOnlyP1Rejected("days in the past");
}

TEST_F(HostileValues, RecordWithNoReconciledFieldIsRejected) {
  PartnerEditsThenCycle([](Opportunity& o) {
    o.stage.reset();
    o.amount.reset();
    o.close_date.reset();
  });
  ExpectOnlyP1Rejected("none of the reconciled fields");
}

TEST_F(HostileValues, SixtyMebibyteNameIsRejectedAndNotJournaled) {
  const uint64_t before = JournalBytes(h.store);
  PartnerEditsThenCycle([](Opportunity& o) { o.name.assign(size_t{60} << 20, 'x'); });
  ExpectOnlyP1Rejected("name is 62914560 bytes");
  EXPECT_LT(JournalBytes(h.store) - before, uint64_t{256} << 10);
}

TEST_F(HostileValues, OversizedPayloadIsRejectedAndKeptOnlyInPart) {
  const uint64_t before = JournalBytes(h.store);
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{123400, "USD"}; });
  // FakeCrm stamps a small payload; replace it with a huge one as received.
  Opportunity big = h.partner.Get("P1");
  big.native_payload = "{\"blob\":\"" + std::string(size_t{8} << 20, 'y') + "\"}";
  std::map<std::string, Opportunity> all = h.partner.records();
  all["P1"] = big;
  h.partner.Load(all);
  h.Settle();
  std::vector<std::string> rejects = Rejects(h.store);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_NE(rejects[0].find("more than bounds.max_record_bytes"), std::string::npos);
  EXPECT_LT(JournalBytes(h.store) - before, uint64_t{256} << 10);
  EXPECT_EQ(h.vendor.Get("V1").amount->minor, 100000);
}

TEST_F(HostileValues, TheSameRejectedVersionIsJournaledOnce) {
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{-1, "USD"}; });
  h.Settle();
  ASSERT_EQ(Rejects(h.store).size(), 1u);
  for (int i = 0; i < 3; ++i) {
    h.Poll(h.partner);  // the overlap window re-delivers the newest record
  }
  EXPECT_EQ(Rejects(h.store).size(), 1u);
}

TEST(Bounds, NegativeAmountsAreAcceptedWhereConfigured) {
  EngineHarness h([](Config& c) {
    c.vendor.policy.bounds.allow_negative_amounts = true;
    c.partners[0].policy.bounds.allow_negative_amounts = true;
  });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(minutes(1));
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{-2500, "USD"}; });  // a credit note
  h.Settle();
  EXPECT_EQ(h.partner.Get("P1").amount->minor, -2500);
  EXPECT_TRUE(Rejects(h.store).empty());
}

TEST(Bounds, OperatorValueOutsideTheBoundsIsRefused) {
  EngineHarness h([](Config& c) { c.partners[0].policy.amount.rule = PolicyRule::kManual; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(minutes(1));
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{150000, "USD"}; });
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{170000, "USD"}; });
  h.Settle();
  ConflictFilter held;
  held.status = ConflictStatus::kHeldForReview;
  Result<std::vector<Conflict>> c = h.engine->ListConflicts(held);
  ASSERT_OK(c);
  ASSERT_EQ(c->size(), 1u);
  Resolution r{Resolution::Choice::kValue, "-5.00 USD", "alice"};
  Status s = h.engine->ResolveConflict(c->front().id, r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("negative"), std::string::npos) << s.ToString();
}

// Each side keeps changing the stage back: without the guard every cycle
// pushes qualified to one side and proposal to the other, for ever.
TEST(Oscillation, AlternatingPushesArePausedAndHeldForAPerson) {
  EngineHarness h(
      [](Config& c) { c.partners[0].policy.stage.rule = PolicyRule::kLatestChangeWins; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  size_t pushes = 0;
  for (int round = 0; round < 12; ++round) {
    h.clock.Advance(minutes(5));
    const size_t before = h.vendor.update_calls() + h.partner.update_calls();
    if (round % 2 == 0) {
      h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });
    } else {
      h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kQualified; });
    }
    h.Settle();
    pushes += h.vendor.update_calls() + h.partner.update_calls() - before;
  }
  ConflictFilter held;
  held.status = ConflictStatus::kHeldForReview;
  Result<std::vector<Conflict>> c = h.engine->ListConflicts(held);
  ASSERT_OK(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ(c->front().field, Field::kStage);
  EXPECT_EQ(c->front().rule, "oscillation_guard");
  ASSERT_EQ(c->front().flags.size(), 1u);
  EXPECT_EQ(c->front().flags[0], "oscillation");
  EXPECT_LE(pushes, 6u);  // paused after three round trips, not one push per round
  EXPECT_TRUE(h.engine->PlanNextCycle()->pushes.empty());

  // A channel manager settles it: the field is reconciled and pushed again.
  ASSERT_OK(h.engine->ResolveConflict(c->front().id, {Resolution::Choice::kVendor, "", "alice"}));
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").stage, h.partner.Get("P1").stage);
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kProposal);
}

}  // namespace
}  // namespace dealsync::testing
