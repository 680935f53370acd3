// The outbox outlasts outages: its own retry policy (backoff up to hours,
// Retry-After), retryable vs. needs-a-person decided by the error code, a
// per-record attempt history, re-drive after recovery, dead letters retried
// and discarded, and acknowledgements that must name the records sent.
#include <gtest/gtest.h>

#include "src/engine/push_policy.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr int kPairs = 12;

// kPairs linked deals; the vendor then moves every one to "discovery", so a
// push to the partner is queued for each.
class Outbox : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < kPairs; ++i) {
      const std::string n = std::to_string(i);
      h.vendor.Put(Deal("V" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
      h.partner.Put(Deal("P" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
    }
    h.Settle();
    ASSERT_EQ(h.engine->ListLinks(kPartner)->size(), size_t{kPairs});
    h.clock.Advance(minutes(10));
    for (int i = 0; i < kPairs; ++i) {
      h.vendor.Edit("V" + std::to_string(i), [](Opportunity& o) { o.stage = Stage::kDiscovery; });
    }
    h.Poll(h.vendor);
    ASSERT_EQ(h.engine->Counters()->outbox_depth, size_t{kPairs});
  }

  size_t Delivered() const {
    size_t n = 0;
    for (int i = 0; i < kPairs; ++i) {
      n += h.partner.Get("P" + std::to_string(i)).stage == Stage::kDiscovery ? 1 : 0;
    }
    return n;
  }

  // Runs the pusher every `tick` of fake time for `span`.
  void PushFor(milliseconds span, milliseconds tick) {
    for (milliseconds t{0}; t < span; t += tick) {
      h.Push(h.partner);
      h.clock.Advance(tick);
    }
  }

  EngineHarness h;
};

TEST_F(Outbox, SixtySecondOutageEndsWithEveryPushDelivered) {
  h.partner.FailUpdatesUntil(h.clock.Now() + seconds(60),
                             Unavailable("connect to partner: Connection refused"));
  PushFor(minutes(10), seconds(1));
  EXPECT_EQ(Delivered(), size_t{kPairs});
  Result<EngineCounters> c = h.engine->Counters();
  ASSERT_OK(c);
  EXPECT_EQ(c->dead_letters, 0u);
  EXPECT_EQ(c->outbox_depth, 0u);
}

TEST_F(Outbox, HoursLongOutageIsRetriedWithGrowingBackoffUntilDelivered) {
  h.partner.FailUpdatesUntil(h.clock.Now() + hours(6), Unavailable("502 Bad Gateway"));
  const size_t calls_before = h.partner.update_calls();
  PushFor(hours(8), seconds(30));
  EXPECT_EQ(Delivered(), size_t{kPairs});
  EXPECT_EQ(h.engine->Counters()->dead_letters, 0u);
  // Backoff doubles up to push.max_backoff (1h): a handful of calls in 6 hours,
  // not one every 30 s.
  EXPECT_LT(h.partner.update_calls() - calls_before, 40u);
}

TEST_F(Outbox, LockedRecordIsRetriedNotDeadLettered) {
  h.partner.FailUpdatesFor("P3", Aborted("423 locked by approval"));
  PushFor(minutes(30), seconds(15));
  EXPECT_EQ(h.engine->Counters()->dead_letters, 0u);
  EXPECT_EQ(Delivered(), size_t{kPairs - 1});
  h.partner.ClearFailures();
  PushFor(hours(2), minutes(1));
  EXPECT_EQ(Delivered(), size_t{kPairs});
}

TEST_F(Outbox, EachFailedAttemptIsInTheEntrysHistory) {
  h.partner.FailUpdatesFor("P0", Unavailable("503 first"));
  h.Push(h.partner);
  h.clock.Advance(minutes(5));
  h.partner.FailUpdatesFor("P0", ResourceExhausted("429 second"));
  h.Push(h.partner);
  Result<std::vector<OutboxEntry>> left =
      h.engine->DuePushes(kPartner, 10, h.clock.Now() + hours(9));
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  const OutboxEntry& e = left->front();
  EXPECT_EQ(e.attempts, 2);
  ASSERT_EQ(e.history.size(), 2u);
  EXPECT_NE(e.history[0].error.find("503 first"), std::string::npos);
  EXPECT_NE(e.history[1].error.find("429 second"), std::string::npos);
  EXPECT_EQ(e.history[1].at - e.history[0].at, minutes(5));
  EXPECT_EQ(e.first_failed_at, e.history[0].at);
}

TEST_F(Outbox, ErrorsThatNeedAPersonAreDeadLetteredAtOnceWithTheReason) {
  h.partner.FailUpdatesFor("P1", InvalidArgument("FIELD_CUSTOM_VALIDATION_EXCEPTION"));
  h.partner.FailUpdatesFor("P2", Status(StatusCode::kPermissionDenied, "403 read-only user"));
  h.partner.FailUpdatesFor("P4", FailedPrecondition("ENTITY_IS_LOCKED for ever"));
  PushStats s = h.Push(h.partner);
  EXPECT_EQ(s.dead_lettered, 3u);
  ASSERT_EQ(s.dead_lettered_records.size(), 3u);
  EXPECT_EQ(s.dead_lettered_records[0].first, "P1");
  EXPECT_NE(s.dead_lettered_records[0].second.find("FIELD_CUSTOM_VALIDATION"), std::string::npos);
  Result<std::vector<OutboxEntry>> dead = h.engine->DeadLetters(kPartner);
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 3u);
  EXPECT_NE(dead->front().last_error.find("needs a person"), std::string::npos);
}

TEST_F(Outbox, RetryableErrorBecomesADeadLetterOnlyAfterGiveUpAfter) {
  h.partner.FailUpdatesFor("P5", Unavailable("partner down"));
  PushFor(hours(70), minutes(10));
  EXPECT_EQ(h.engine->Counters()->dead_letters, 0u);  // push.give_up_after = 3 days
  PushFor(hours(4), minutes(10));
  Result<std::vector<OutboxEntry>> dead = h.engine->DeadLetters(kPartner);
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->front().last_error.find("push.give_up_after"), std::string::npos);
}

TEST_F(Outbox, ConfiguredPushRetryPolicyIsFollowed) {
  Config config = h.config;
  config.daemon.push_retry.initial_backoff = minutes(1);
  config.daemon.push_retry.max_backoff = minutes(4);
  config.daemon.push_retry.give_up_after = hours(2);
  h.engine->UpdateConfig(config);
  h.partner.FailUpdatesFor("P5", Unavailable("partner down"));
  PushFor(minutes(100), minutes(1));
  EXPECT_EQ(h.engine->Counters()->dead_letters, 0u);
  Result<std::vector<OutboxEntry>> waiting =
      h.engine->DuePushes(kPartner, 100, h.clock.Now() + hours(24));
  ASSERT_OK(waiting);
  ASSERT_EQ(waiting->size(), 1u);  // P5; the other 11 were delivered
  // 1, 2, 4, 4, 4 ... minutes apart: about 26 attempts in 100 minutes, not 100.
  EXPECT_GE(waiting->front().attempts, 20u);
  EXPECT_LE(waiting->front().attempts, 30u);
  PushFor(minutes(30), minutes(1));
  Result<std::vector<OutboxEntry>> dead = h.engine->DeadLetters(kPartner);
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->front().last_error.find("push.give_up_after"), std::string::npos);
}

TEST_F(Outbox, DeadLetterRetriedByAnOperatorIsDelivered) {
  h.partner.FailUpdatesFor("P1", InvalidArgument("validation rule"));
  h.Push(h.partner);
  ASSERT_EQ(h.engine->Counters()->dead_letters, 1u);
  h.partner.ClearFailures();
  const std::string link_id = h.engine->DeadLetters(kPartner)->front().link_id;
  EXPECT_EQ(h.engine->RetryDeadLetter(kPartner, "nope", "kim").code(), StatusCode::kNotFound);
  EXPECT_EQ(h.engine->RetryDeadLetter(kPartner, "P1", "").code(), StatusCode::kInvalidArgument);
  ASSERT_OK(h.engine->RetryDeadLetter(kPartner, "P1", "kim"));
  EXPECT_EQ(h.engine->Counters()->dead_letters, 0u);
  // Who retried it is kept with the link's history.
  Result<std::vector<OperatorAction>> actions = h.engine->LinkActions(link_id);
  ASSERT_OK(actions);
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_EQ(actions->front().by, "kim");
  EXPECT_EQ(actions->front().action, "dead_letter_retried");
  EXPECT_NE(actions->front().detail.find(std::string("push to ") + kPartner + " of P1 (stage"),
            std::string::npos)
      << actions->front().detail;
  EXPECT_NE(actions->front().detail.find("validation rule"), std::string::npos);
  EXPECT_EQ(actions->front().at, h.clock.Now());
  h.Push(h.partner);
  EXPECT_EQ(Delivered(), size_t{kPairs});
}

TEST_F(Outbox, DiscardedDeadLetterIsGoneAndNotPushed) {
  h.partner.FailUpdatesFor("P1", InvalidArgument("validation rule"));
  h.Push(h.partner);
  h.partner.ClearFailures();
  const std::string link_id = h.engine->DeadLetters(kPartner)->front().link_id;
  ASSERT_OK(h.engine->DiscardDeadLetter(kPartner, "P1", "kim"));
  EXPECT_TRUE(h.engine->DeadLetters(kPartner)->empty());
  EXPECT_EQ(h.engine->DiscardDeadLetter(kPartner, "P1", "kim").code(), StatusCode::kNotFound);
  Result<std::vector<OperatorAction>> actions = h.engine->LinkActions(link_id);
  ASSERT_OK(actions);
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_EQ(actions->front().action, "dead_letter_discarded");
  EXPECT_EQ(actions->front().by, "kim");
  h.Push(h.partner);
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kQualified);
}

TEST_F(Outbox, RecoveredTargetsParkedPushesAreRedrivenAtOnce) {
  h.partner.FailUpdatesUntil(h.clock.Now() + seconds(1), Unavailable("502"));
  h.Push(h.partner);
  h.clock.Advance(seconds(1));
  EXPECT_TRUE(h.engine->DuePushes(kPartner, 100, h.clock.Now())->empty());  // backing off
  Result<size_t> redriven = h.engine->RedrivePushes(kPartner);
  ASSERT_OK(redriven);
  EXPECT_EQ(*redriven, size_t{kPairs});
  h.Push(h.partner);
  EXPECT_EQ(Delivered(), size_t{kPairs});
}

TEST_F(Outbox, OutcomesNamingOtherRecordsAreNotAcknowledgements) {
  h.partner.MisattributeNextOutcomes();  // the first batch of 10; the next 2 are answered
  PushStats s = h.Push(h.partner);
  EXPECT_EQ(s.succeeded, 2u);
  EXPECT_EQ(s.failed, 10u);
  EXPECT_EQ(h.engine->Counters()->outbox_depth, 10u);
  PushFor(minutes(5), seconds(5));
  EXPECT_EQ(Delivered(), size_t{kPairs});
}

TEST(PushPolicy, BackoffDoublesUpToTheCeilingAndHonoursRetryAfter) {
  PushRetryConfig c;
  c.initial_backoff = seconds(10);
  c.max_backoff = hours(1);
  const Timestamp t0 = Timestamp(milliseconds(1'790'000'000'000));
  EXPECT_EQ(DecidePushRetry(c, Unavailable("x"), 1, t0, t0).not_before - t0, seconds(10));
  EXPECT_EQ(DecidePushRetry(c, Unavailable("x"), 2, t0, t0).not_before - t0, seconds(20));
  EXPECT_EQ(DecidePushRetry(c, Unavailable("x"), 40, t0, t0).not_before - t0, hours(1));
  EXPECT_EQ(DecidePushRetry(c, ResourceExhausted("429").WithRetryAfter(seconds(90)), 1, t0, t0)
                    .not_before -
                t0,
            seconds(90));
  for (StatusCode code :
       {StatusCode::kUnavailable, StatusCode::kResourceExhausted, StatusCode::kDeadlineExceeded,
        StatusCode::kAborted, StatusCode::kUnauthenticated, StatusCode::kInternal,
        StatusCode::kDataLoss}) {
    EXPECT_FALSE(DecidePushRetry(c, Status(code, "x"), 1000, t0, t0 + hours(71)).dead_letter)
        << StatusCodeName(code);
    EXPECT_TRUE(DecidePushRetry(c, Status(code, "x"), 2, t0, t0 + hours(72)).dead_letter)
        << StatusCodeName(code);
  }
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kPermissionDenied,
                          StatusCode::kFailedPrecondition, StatusCode::kNotFound}) {
    EXPECT_TRUE(DecidePushRetry(c, Status(code, "x"), 1, t0, t0).dead_letter)
        << StatusCodeName(code);
  }
}

}  // namespace
}  // namespace dealsync::testing
