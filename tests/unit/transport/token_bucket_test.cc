#include "src/transport/token_bucket.h"

#include "src/platform/fake_clock.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using std::chrono::milliseconds;

HttpResponse WithHeaders(int status, HttpHeaders headers) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

class TokenBucketTest : public ::testing::Test {
 protected:
  TokenBucket Bucket(int requests, milliseconds per) {
    return TokenBucket(RateLimitConfig{requests, per}, clock.SteadyNow());
  }
  // Takes tokens until one is refused; returns how many were granted.
  int Drain(TokenBucket& b) {
    int n = 0;
    while (b.Acquire(clock.SteadyNow()) == milliseconds(0) && n < 100000)
      ++n;
    return n;
  }
  FakeClock clock;
};

TEST_F(TokenBucketTest, BurstThenSteadyRate) {
  TokenBucket b = Bucket(10, milliseconds(1000));
  EXPECT_EQ(Drain(b), 10);
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(100));
  clock.Advance(milliseconds(99));
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(1));
  clock.Advance(milliseconds(1));
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(0));
  clock.Advance(milliseconds(10'000));
  EXPECT_EQ(Drain(b), 10) << "refill never exceeds the burst";
}

TEST_F(TokenBucketTest, RetryAfterOn429PausesTheBucket) {
  TokenBucket b = Bucket(10, milliseconds(1000));
  b.ObserveResponse(WithHeaders(429, {{"Retry-After", "3"}}), clock.SteadyNow(), clock.Now());
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(3000));
  clock.Advance(milliseconds(2500));
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(500));
  clock.Advance(milliseconds(500));
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(0));
}

TEST_F(TokenBucketTest, SalesforceUsageSlowsTheRateNearTheQuota) {
  TokenBucket b = Bucket(10, milliseconds(1000));
  b.ObserveResponse(WithHeaders(200, {{"Sforce-Limit-Info", "api-usage=100/15000"}}),
                    clock.SteadyNow(), clock.Now());
  EXPECT_DOUBLE_EQ(b.rate_factor(), 1.0);
  b.ObserveResponse(WithHeaders(200, {{"Sforce-Limit-Info", "api-usage=13125/15000"}}),
                    clock.SteadyNow(), clock.Now());
  EXPECT_NEAR(b.rate_factor(), 0.5, 1e-9);  // 87.5% used: half speed
  Drain(b);
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(200));
  b.ObserveResponse(WithHeaders(200, {{"Sforce-Limit-Info", "api-usage=15000/15000"}}),
                    clock.SteadyNow(), clock.Now());
  EXPECT_NEAR(b.rate_factor(), 0.05, 1e-9);
  b.ObserveResponse(WithHeaders(200, {{"Sforce-Limit-Info", "garbage"}}), clock.SteadyNow(),
                    clock.Now());
  EXPECT_NEAR(b.rate_factor(), 0.05, 1e-9) << "unreadable header changes nothing";
}

TEST_F(TokenBucketTest, HubSpotRemainingCapsCallsUntilTheIntervalEnds) {
  TokenBucket b = Bucket(100, milliseconds(1000));
  b.ObserveResponse(WithHeaders(200, {{"X-HubSpot-RateLimit-Remaining", "2"},
                                      {"X-HubSpot-RateLimit-Interval-Milliseconds", "10000"},
                                      {"X-HubSpot-RateLimit-Secondly-Remaining", "9"}}),
                    clock.SteadyNow(), clock.Now());
  EXPECT_EQ(Drain(b), 2);
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(10000));
  clock.Advance(milliseconds(10000));
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(0)) << "window over: local rate again";
}

TEST_F(TokenBucketTest, HubSpotSecondlyExhaustedWaitsOneSecond) {
  TokenBucket b = Bucket(100, milliseconds(1000));
  b.ObserveResponse(WithHeaders(200, {{"X-HubSpot-RateLimit-Secondly-Remaining", "0"}}),
                    clock.SteadyNow(), clock.Now());
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(1000));
}

TEST_F(TokenBucketTest, GenericRemainingAndResetDeltaOrEpoch) {
  TokenBucket b = Bucket(100, milliseconds(1000));
  b.ObserveResponse(WithHeaders(200, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "7"}}),
                    clock.SteadyNow(), clock.Now());
  EXPECT_EQ(b.Acquire(clock.SteadyNow()), milliseconds(7000));

  TokenBucket epoch = Bucket(100, milliseconds(1000));
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
  epoch.ObserveResponse(WithHeaders(200, {{"X-RateLimit-Remaining", "0"},
                                          {"X-RateLimit-Reset", std::to_string(now_s + 4)}}),
                        clock.SteadyNow(), clock.Now());
  EXPECT_EQ(epoch.Acquire(clock.SteadyNow()), milliseconds(4000));

  TokenBucket draft = Bucket(100, milliseconds(1000));
  draft.ObserveResponse(WithHeaders(200, {{"RateLimit-Remaining", "1"}, {"RateLimit-Reset", "2"}}),
                        clock.SteadyNow(), clock.Now());
  EXPECT_EQ(Drain(draft), 1);
  EXPECT_EQ(draft.Acquire(clock.SteadyNow()), milliseconds(2000));
}

// The CRM's own quota, as each vendor documents its headers: Salesforce
// Sforce-Limit-Info (api-usage=used/allocation), HubSpot's daily headers,
// and the common X-RateLimit-Limit / -Remaining pair.
TEST(QuotaUsageTest, ReadsEachVendorsQuotaHeaders) {
  auto quota = [](HttpHeaders headers) { return ParseQuotaUsage(WithHeaders(200, headers)); };
  auto sforce = quota({{"Sforce-Limit-Info", "api-usage=1234/15000"}});
  ASSERT_TRUE(sforce.has_value());
  EXPECT_EQ(sforce->used, 1234);
  EXPECT_EQ(sforce->limit, 15000);
  auto hubspot = quota({{"X-HubSpot-RateLimit-Daily", "250000"},
                        {"X-HubSpot-RateLimit-Daily-Remaining", "249000"},
                        {"X-HubSpot-RateLimit-Max", "100"},
                        {"X-HubSpot-RateLimit-Remaining", "99"}});
  ASSERT_TRUE(hubspot.has_value());
  EXPECT_EQ(hubspot->used, 1000);
  EXPECT_EQ(hubspot->limit, 250000);
  auto generic = quota({{"X-RateLimit-Limit", "600"}, {"X-RateLimit-Remaining", "590"}});
  ASSERT_TRUE(generic.has_value());
  EXPECT_EQ(generic->used, 10);
  EXPECT_EQ(generic->limit, 600);
  auto ietf = quota({{"RateLimit-Limit", "60"}, {"RateLimit-Remaining", "0"}});
  ASSERT_TRUE(ietf.has_value());
  EXPECT_EQ(ietf->used, 60);

  // Nothing said, or nonsense: unknown, never guessed.
  EXPECT_FALSE(quota({}).has_value());
  EXPECT_FALSE(quota({{"X-RateLimit-Remaining", "5"}}).has_value());
  EXPECT_FALSE(quota({{"X-RateLimit-Limit", "10"}, {"X-RateLimit-Remaining", "11"}}).has_value());
  EXPECT_FALSE(quota({{"X-RateLimit-Limit", "ten"}, {"X-RateLimit-Remaining", "1"}}).has_value());
  EXPECT_FALSE(quota({{"Sforce-Limit-Info", "api-usage=5/0"}}).has_value());
}

}  // namespace
}  // namespace dealsync
