#include "src/daemon/poll_scheduler.h"

#include <gtest/gtest.h>

#include "src/platform/fake_clock.h"

namespace dealsync {
namespace {

using std::chrono::milliseconds;

PollSchedulerConfig Config() {
  PollSchedulerConfig c;
  c.interval = milliseconds(60000);
  c.jitter = milliseconds(1000);
  c.initial_backoff = milliseconds(2000);
  c.max_backoff = milliseconds(120000);
  return c;
}

TEST(PollSchedulerTest, FirstPollWaitsOnlyTheJitter) {
  ScriptedRandom random({250});
  PollScheduler s(Config(), random);
  NextPoll next = s.Start();
  EXPECT_EQ(next.state, PollState::kWaitingFirst);
  EXPECT_EQ(next.delay, milliseconds(250));
}

TEST(PollSchedulerTest, IdleAfterLastPageWaitsIntervalPlusJitter) {
  ScriptedRandom random({999});
  PollScheduler s(Config(), random);
  NextPoll next = s.OnPageSucceeded(false);
  EXPECT_EQ(next.state, PollState::kIdle);
  EXPECT_EQ(next.delay, milliseconds(60999));
}

TEST(PollSchedulerTest, JitterNeverExceedsConfiguredJitter) {
  ScriptedRandom random({5000});  // Uniform(1001) -> 5000 % 1001
  PollScheduler s(Config(), random);
  NextPoll next = s.OnPageSucceeded(false);
  EXPECT_GE(next.delay, milliseconds(60000));
  EXPECT_LE(next.delay, milliseconds(61000));
}

TEST(PollSchedulerTest, MorePagesPollAgainImmediately) {
  ScriptedRandom random({700});
  PollScheduler s(Config(), random);
  NextPoll next = s.OnPageSucceeded(true);
  EXPECT_EQ(next.state, PollState::kDraining);
  EXPECT_EQ(next.delay, milliseconds(0));
  next = s.OnPageSucceeded(true);
  EXPECT_EQ(next.delay, milliseconds(0));
  next = s.OnPageSucceeded(false);
  EXPECT_EQ(next.state, PollState::kIdle);
  EXPECT_EQ(next.delay, milliseconds(60700));
}

TEST(PollSchedulerTest, FailuresBackOffExponentiallyUpToTheCap) {
  ScriptedRandom random({0});  // no random part: delay = ceiling / 2
  PollScheduler s(Config(), random);
  std::vector<int64_t> delays;
  for (int i = 0; i < 9; ++i) {
    NextPoll next = s.OnPollFailed(Unavailable("503"));
    EXPECT_EQ(next.state, PollState::kBackingOff);
    delays.push_back(next.delay.count());
  }
  EXPECT_EQ(delays,
            (std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000}));
  EXPECT_EQ(s.consecutive_failures(), 9);
}

TEST(PollSchedulerTest, BackoffRandomPartStaysWithinCeiling) {
  ScriptedRandom random({1u << 30});
  PollScheduler s(Config(), random);
  for (int i = 0; i < 12; ++i) {
    NextPoll next = s.OnPollFailed(Unavailable("timeout"));
    EXPECT_LE(next.delay, milliseconds(120000));
    EXPECT_GE(next.delay, milliseconds(1000));
  }
}

TEST(PollSchedulerTest, SuccessResetsTheFailureStreak) {
  ScriptedRandom random({0});
  PollScheduler s(Config(), random);
  (void)s.OnPollFailed(Unavailable("x"));
  (void)s.OnPollFailed(Unavailable("x"));
  (void)s.OnPollFailed(Unavailable("x"));
  NextPoll next = s.OnPageSucceeded(false);
  EXPECT_EQ(next.state, PollState::kIdle);
  EXPECT_EQ(next.delay, milliseconds(60000));
  EXPECT_EQ(s.consecutive_failures(), 0);
  next = s.OnPollFailed(Unavailable("x"));
  EXPECT_EQ(next.delay, milliseconds(1000));  // starts from the initial backoff again
}

TEST(PollSchedulerTest, RetryAfterIsHonouredWhenLonger) {
  ScriptedRandom random({0});
  PollScheduler s(Config(), random);
  Status limited = ResourceExhausted("429");
  limited.WithRetryAfter(milliseconds(45000));
  EXPECT_EQ(s.OnPollFailed(limited).delay, milliseconds(45000));
  Status short_wait = ResourceExhausted("429");
  short_wait.WithRetryAfter(milliseconds(10));
  EXPECT_EQ(s.OnPollFailed(short_wait).delay, milliseconds(2000));  // ceiling 4000 / 2
}

TEST(PollSchedulerTest, NonRetryableErrorsWaitTheMaximum) {
  ScriptedRandom random({0});
  PollScheduler s(Config(), random);
  EXPECT_EQ(s.OnPollFailed(Unauthenticated("401")).delay, milliseconds(120000));
  EXPECT_EQ(s.OnPollFailed(InvalidArgument("400")).delay, milliseconds(120000));
}

TEST(PollSchedulerTest, MaxBackoffIsAtLeastTheInterval) {
  PollSchedulerConfig c = Config();
  c.max_backoff = milliseconds(10);
  ScriptedRandom random({0});
  PollScheduler s(c, random);
  EXPECT_EQ(s.config().max_backoff, milliseconds(60000));
  EXPECT_EQ(s.OnPollFailed(Unauthenticated("401")).delay, milliseconds(60000));
}

TEST(PollSchedulerTest, HugeFailureCountsDoNotOverflow) {
  ScriptedRandom random({0});
  PollScheduler s(Config(), random);
  NextPoll next;
  for (int i = 0; i < 200; ++i) {
    next = s.OnPollFailed(Unavailable("x"));
  }
  EXPECT_EQ(next.delay, milliseconds(60000));
}

// A store that cannot be written (disk full, read-only, I/O error) is retried
// soon whatever the code, so sync resumes shortly after space returns instead
// of after the remote's longest backoff.
TEST(PollSchedulerTest, LocalFailuresBackOffBrieflyWhateverTheCode) {
  ScriptedRandom random({0});
  PollScheduler s(Config(), random);
  EXPECT_EQ(s.OnLocalFailure(ResourceExhausted("store write: No space left on device")).delay,
            milliseconds(500));  // ceiling 1000 / 2
  EXPECT_EQ(s.OnLocalFailure(FailedPrecondition("Read-only file system")).delay,
            milliseconds(1000));
  EXPECT_EQ(s.state(), PollState::kBackingOff);
  NextPoll next;
  for (int i = 0; i < 200; ++i) {
    next = s.OnLocalFailure(Internal("store get: IO error"));
  }
  EXPECT_EQ(next.delay, milliseconds(15000));  // capped at local_max_backoff (30 s) / 2
  EXPECT_EQ(s.consecutive_failures(), 202);
  // The remote's own policy is unchanged.
  EXPECT_EQ(s.OnPollFailed(Unauthenticated("401")).delay, milliseconds(120000));
  EXPECT_EQ(s.OnPageSucceeded(false).state, PollState::kIdle);
  EXPECT_EQ(s.consecutive_failures(), 0);
}

TEST(PollSchedulerTest, StateNames) {
  EXPECT_EQ(PollStateName(PollState::kBackingOff), "backing_off");
  EXPECT_EQ(PollStateName(PollState::kDraining), "draining");
}

}  // namespace
}  // namespace dealsync
