#include "src/transport/retry_policy.h"

#include "src/platform/fake_clock.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using std::chrono::milliseconds;

RetryConfig Config() {
  RetryConfig c;
  c.max_attempts = 5;
  c.initial_backoff = milliseconds(100);
  c.max_backoff = milliseconds(1000);
  return c;
}

TEST(RetryPolicy, DecidesFromTheCodeOnly) {
  struct Case {
    StatusCode code;
    bool retry;
  };
  const Case cases[] = {
      {StatusCode::kUnavailable, true},         {StatusCode::kDeadlineExceeded, true},
      {StatusCode::kResourceExhausted, true},   {StatusCode::kInvalidArgument, false},
      {StatusCode::kUnauthenticated, false},    {StatusCode::kPermissionDenied, false},
      {StatusCode::kNotFound, false},           {StatusCode::kAborted, false},
      {StatusCode::kFailedPrecondition, false}, {StatusCode::kInternal, false},
  };
  RetryPolicy policy(Config());
  ScriptedRandom random({7});
  for (const Case& c : cases) {
    EXPECT_EQ(policy.NextDelay(Status(c.code, "x"), 1, random).has_value(), c.retry)
        << StatusCodeName(c.code);
  }
  EXPECT_FALSE(policy.NextDelay(Status::Ok(), 1, random).has_value());
}

TEST(RetryPolicy, FullJitterUnderAnExponentialCeiling) {
  RetryPolicy policy(Config());
  // ScriptedRandom returns value % bound: a huge value shows the ceiling (bound - 1).
  ScriptedRandom max_random({1'000'000'007});
  const Status unavailable = Unavailable("x");
  // ceilings: 100, 200, 400, 800 (+1 bound) -> values % bound
  EXPECT_EQ(*policy.NextDelay(unavailable, 1, max_random), milliseconds(1'000'000'007 % 101));
  ScriptedRandom top({100, 200, 400, 800});
  EXPECT_EQ(*policy.NextDelay(unavailable, 1, top), milliseconds(100));
  EXPECT_EQ(*policy.NextDelay(unavailable, 2, top), milliseconds(200));
  EXPECT_EQ(*policy.NextDelay(unavailable, 3, top), milliseconds(400));
  EXPECT_EQ(*policy.NextDelay(unavailable, 4, top), milliseconds(800));
  ScriptedRandom zero({0});
  EXPECT_EQ(*policy.NextDelay(unavailable, 2, zero), milliseconds(0));
}

TEST(RetryPolicy, CapsTheCeilingAndStopsAfterMaxAttempts) {
  RetryConfig c = Config();
  c.max_attempts = 50;
  RetryPolicy policy(c);
  ScriptedRandom big({5000, 999'999});
  EXPECT_EQ(*policy.NextDelay(Unavailable("x"), 10, big), milliseconds(5000 % 1001));
  EXPECT_EQ(*policy.NextDelay(Unavailable("x"), 49, big), milliseconds(999'999 % 1001));
  EXPECT_FALSE(policy.NextDelay(Unavailable("x"), 50, big).has_value());
  RetryPolicy five(Config());
  EXPECT_TRUE(five.NextDelay(Unavailable("x"), 4, big).has_value());
  EXPECT_FALSE(five.NextDelay(Unavailable("x"), 5, big).has_value());
}

TEST(RetryPolicy, HonoursRetryAfterAsALowerBound) {
  RetryPolicy policy(Config(), std::chrono::minutes(5));
  ScriptedRandom random({50});
  Status limited = ResourceExhausted("429");
  limited.WithRetryAfter(milliseconds(30000));
  EXPECT_EQ(*policy.NextDelay(limited, 1, random), milliseconds(30000));
  Status soon = ResourceExhausted("429");
  soon.WithRetryAfter(milliseconds(10));
  EXPECT_EQ(*policy.NextDelay(soon, 1, random), milliseconds(50));
  Status daily = ResourceExhausted("quota");
  daily.WithRetryAfter(std::chrono::hours(3));
  EXPECT_FALSE(policy.NextDelay(daily, 1, random).has_value()) << "too long: caller reschedules";
}

}  // namespace
}  // namespace dealsync
