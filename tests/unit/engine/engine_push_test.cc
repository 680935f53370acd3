// Push bookkeeping: partial batch failures, backoff, dead letters, manual
// holds settled by an operator, and the dry-run plan.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class TwoPairs : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : {"1", "2"}) {
      h.vendor.Put(Deal(std::string("V") + n, std::string("REG-") + n, "qualified", "1000.00 USD",
                        "2026-12-01"));
      h.partner.Put(Deal(std::string("P") + n, std::string("REG-") + n, "qualified", "1000.00 USD",
                         "2026-12-01"));
    }
    h.Settle();
    ASSERT_EQ(h.engine->ListLinks(kPartner)->size(), 2u);
    h.clock.Advance(minutes(10));
    h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
    h.vendor.Edit("V2", [](Opportunity& o) { o.stage = Stage::kSolution; });
    h.Poll(h.vendor);
  }
  EngineHarness h;
};

TEST_F(TwoPairs, PushFailingForOneRecordOfABatchOnlyAffectsThatRecord) {
  h.partner.FailUpdatesFor("P2", Unavailable("503 from partner"));
  PushStats s = h.Push(h.partner);
  EXPECT_EQ(h.partner.update_calls(), 1u);  // one batch of two
  EXPECT_EQ(s.sent, 2u);
  EXPECT_EQ(s.succeeded, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kDiscovery);
  Result<std::vector<OutboxEntry>> left =
      h.engine->DuePushes(kPartner, 10, h.clock.Now() + seconds(60));
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().update.native_id, "P2");
  EXPECT_EQ(left->front().attempts, 1);
  EXPECT_GT(left->front().not_before, h.clock.Now());
  EXPECT_NE(left->front().last_error.find("503 from partner"), std::string::npos);
  // Not due before its backoff.
  EXPECT_TRUE(h.engine->DuePushes(kPartner, 10, h.clock.Now())->empty());
  h.partner.ClearFailures();
  h.clock.Advance(seconds(10));  // past the outbox's first backoff (push.initial_backoff)
  h.Settle();
  EXPECT_EQ(h.partner.Get("P2").stage, Stage::kSolution);
  EXPECT_EQ(h.partner.applied().at("P1"), 1);
  EXPECT_EQ(h.partner.applied().at("P2"), 1);
}

TEST_F(TwoPairs, RetryableFailureOutlastsTheConnectionRetryBlockWithReasonVisible) {
  // connection.retry.max_attempts (3 here) bounds one request's retries, not
  // the outbox: an unavailable partner is retried by push.* until give_up_after.
  h.partner.FailUpdatesFor("P2", Unavailable("partner down"));
  for (int i = 0; i < 3; ++i) {
    h.Push(h.partner);
    h.clock.Advance(minutes(5));  // past any backoff
  }
  Result<EngineCounters> c = h.engine->Counters();
  ASSERT_OK(c);
  EXPECT_EQ(c->dead_letters, 0u);
  EXPECT_EQ(c->outbox_depth, 1u);
  Result<std::vector<OutboxEntry>> left =
      h.engine->DuePushes(kPartner, 10, h.clock.Now() + std::chrono::hours(2));
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().attempts, 3);
  EXPECT_NE(left->front().last_error.find("partner down"), std::string::npos);
  EXPECT_EQ(h.partner.Get("P2").stage, Stage::kQualified);
}

TEST_F(TwoPairs, ErrorARetryCannotFixIsDeadLetteredAtOnce) {
  h.partner.FailUpdatesFor("P1", InvalidArgument("FIELD_CUSTOM_VALIDATION_EXCEPTION"));
  PushStats s = h.Push(h.partner);
  EXPECT_EQ(s.dead_lettered, 1u);
  EXPECT_EQ(s.succeeded, 1u);
}

TEST_F(TwoPairs, WholeBatchFailureBacksOffEveryEntry) {
  h.partner.FailNextBatch(ResourceExhausted("429").WithRetryAfter(std::chrono::seconds(30)));
  PushStats s = h.Push(h.partner);
  EXPECT_EQ(s.failed, 2u);
  Result<std::vector<OutboxEntry>> due =
      h.engine->DuePushes(kPartner, 10, h.clock.Now() + seconds(29));
  EXPECT_TRUE(due->empty());  // Retry-After honoured
  due = h.engine->DuePushes(kPartner, 10, h.clock.Now() + seconds(30));
  EXPECT_EQ(due->size(), 2u);
}

TEST_F(TwoPairs, AcknowledgedPushReportsTheDelayFromTheEditToTheWriteBack) {
  // The vendor's edits were stamped when SetUp made them; the push is acked 45 s later.
  h.clock.Advance(seconds(45));
  PushStats s = h.Push(h.partner);
  ASSERT_EQ(s.succeeded, 2u);
  ASSERT_EQ(s.write_back_delays_s.size(), 2u);
  // (the fake CRM stamps successive edits 1 ms apart)
  EXPECT_NEAR(s.write_back_delays_s[0], 45.0, 0.01);
  EXPECT_NEAR(s.write_back_delays_s[1], 45.0, 0.01);
  // A failed push reports no delay; its later acknowledgement counts from the edit.
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.Poll(h.vendor);
  h.partner.FailUpdatesFor("P1", Unavailable("503 from partner"));
  h.clock.Advance(seconds(5));
  EXPECT_TRUE(h.Push(h.partner).write_back_delays_s.empty());
  h.partner.ClearFailures();
  h.clock.Advance(seconds(55));
  s = h.Push(h.partner);
  ASSERT_EQ(s.write_back_delays_s.size(), 1u);
  EXPECT_NEAR(s.write_back_delays_s[0], 60.0, 0.01);
}

TEST(EngineManual, OperatorDecisionCountsTheWriteBackDelayFromTheDecision) {
  EngineHarness h([](Config& c) { c.partners[0].policy.amount.rule = PolicyRule::kManual; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{150'000, "USD"}; });
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{170'000, "USD"}; });
  h.Poll(h.vendor);
  h.Poll(h.partner);
  h.clock.Advance(std::chrono::hours(3));  // the conflict waits for a person
  Result<Plan> plan = h.engine->PlanNextCycle();
  ASSERT_OK(plan);
  ASSERT_EQ(plan->held.size(), 1u);
  Resolution r;
  r.choice = Resolution::Choice::kPartner;
  r.resolved_by = "carol";
  ASSERT_OK(h.engine->ResolveConflict(plan->held.front().id, r));
  h.clock.Advance(seconds(20));
  PushStats s = h.Push(h.vendor);
  ASSERT_EQ(s.write_back_delays_s.size(), 1u);
  EXPECT_DOUBLE_EQ(s.write_back_delays_s[0], 20.0);
}

TEST_F(TwoPairs, PlanShowsPushesAndWhyWithoutPushing) {
  Result<Plan> plan = h.engine->PlanNextCycle();
  ASSERT_OK(plan);
  ASSERT_EQ(plan->pushes.size(), 2u);
  EXPECT_EQ(plan->pushes[0].entry.target, kPartner);
  EXPECT_EQ(plan->pushes[0].entry.update.stage, Stage::kDiscovery);
  EXPECT_FALSE(plan->pushes[0].entry.update.trace_id.empty());
  EXPECT_NE(plan->pushes[0].entry.reason.find("vendor changed stage"), std::string::npos)
      << plan->pushes[0].entry.reason;
  EXPECT_EQ(h.partner.update_calls(), 0u);
}

TEST(EngineManual, HeldConflictIsNotPushedUntilAnOperatorResolvesIt) {
  EngineHarness h([](Config& c) { c.partners[0].policy.amount.rule = PolicyRule::kManual; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{150'000, "USD"}; });
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{170'000, "USD"}; });
  h.Settle();
  EXPECT_TRUE(h.vendor.applied().empty());
  EXPECT_TRUE(h.partner.applied().empty());
  Result<Plan> plan = h.engine->PlanNextCycle();
  ASSERT_OK(plan);
  EXPECT_TRUE(plan->pushes.empty());
  ASSERT_EQ(plan->held.size(), 1u);
  const Conflict held = plan->held.front();
  EXPECT_EQ(held.rule, "manual");
  EXPECT_EQ(held.outcome_value, "");

  Resolution r;
  r.choice = Resolution::Choice::kPartner;
  r.resolved_by = "carol";
  ASSERT_OK(h.engine->ResolveConflict(held.id, r));
  EXPECT_EQ(h.engine->ResolveConflict(held.id, r).code(), StatusCode::kFailedPrecondition);
  plan = h.engine->PlanNextCycle();
  ASSERT_EQ(plan->pushes.size(), 1u);
  EXPECT_EQ(plan->pushes[0].entry.target, "vendor");
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").amount, (Money{170'000, "USD"}));
  Result<Conflict> c = h.engine->GetConflict(held.id);
  ASSERT_OK(c);
  EXPECT_EQ(c->status, ConflictStatus::kResolvedByOperator);
  EXPECT_EQ(c->resolved_by, "carol");
  EXPECT_TRUE(c->resolved_at.has_value());
  EXPECT_EQ(h.engine->Counters()->conflicts_resolved_by_operator, 1u);
  EXPECT_EQ(h.engine->Counters()->conflicts_held, 0u);
}

TEST(EngineManual, TypedValueIsPushedToBothSides) {
  EngineHarness h([](Config& c) { c.partners[0].policy.stage.rule = PolicyRule::kManual; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "discovery", "1000.00 USD", "2026-12-01"));
  h.Settle();
  ConflictFilter held;
  held.status = ConflictStatus::kHeldForReview;
  Result<std::vector<Conflict>> c = h.engine->ListConflicts(held);
  ASSERT_OK(c);
  ASSERT_EQ(c->size(), 1u);  // first sight with differing values is a conflict
  Resolution r{Resolution::Choice::kValue, "no-such-stage", "dave"};
  EXPECT_EQ(h.engine->ResolveConflict(c->front().id, r).code(), StatusCode::kInvalidArgument);
  r.value = "solution";
  ASSERT_OK(h.engine->ResolveConflict(c->front().id, r));
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kSolution);
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kSolution);
}

}  // namespace
}  // namespace dealsync::testing

namespace dealsync::testing {
namespace {

TEST(EngineManual, HeldConflictIsSupersededWhenBothSidesAgreeLater) {
  EngineHarness h([](Config& c) { c.partners[0].policy.amount.rule = PolicyRule::kManual; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{150'000, "USD"}; });
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{170'000, "USD"}; });
  h.Settle();
  ASSERT_EQ(h.engine->Counters()->conflicts_held, 1u);
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{170'000, "USD"}; });
  h.Settle();
  Result<EngineCounters> c = h.engine->Counters();
  ASSERT_OK(c);
  EXPECT_EQ(c->conflicts_held, 0u);
  EXPECT_EQ(c->conflicts_auto_resolved, 1u);
  EXPECT_TRUE(h.partner.applied().empty());
}

}  // namespace
}  // namespace dealsync::testing
