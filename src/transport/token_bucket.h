// TokenBucket: a per-connector rate limiter over steady time that also adapts
// to what the server says about its own limits (sans-io: the caller passes the
// time and carries out the wait).
//
// Base rate: `requests` per `per`, bursts up to `requests`. ObserveResponse reads:
//   Sforce-Limit-Info: api-usage=N/M         past 75% of the org's daily quota the
//                                            rate is scaled down linearly to 5%
//   X-HubSpot-RateLimit-Remaining / -Interval-Milliseconds,
//   X-HubSpot-RateLimit-Secondly-Remaining   no more than `remaining` calls until the
//                                            window (interval, or 1 s) has passed
//   X-RateLimit-Remaining + X-RateLimit-Reset (delta seconds, or epoch seconds)
//   RateLimit-Remaining + RateLimit-Reset     (delta seconds, IETF draft)
//   429 (or 503) with Retry-After             pause the bucket for that long
// Thread-safety: not thread-safe; one connector's coroutines on one executor.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "dealsync/config.h"
#include "dealsync/http.h"
#include "dealsync/model.h"
#include "src/transport/transport_counters.h"

namespace dealsync {

// The CRM's own request quota as one response reports it: requests used and
// the quota they count against. Read from Sforce-Limit-Info (api-usage=N/M,
// the org's rolling 24 h allocation), X-HubSpot-RateLimit-Daily and
// -Daily-Remaining (the account's daily limit), else X-RateLimit-Limit /
// RateLimit-Limit with the matching -Remaining (the server's current window).
std::optional<QuotaUsage> ParseQuotaUsage(const HttpResponse& response);

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TokenBucket(RateLimitConfig config, TimePoint now);

  // Takes a token and returns zero when the caller may send now; otherwise
  // takes nothing and returns how long to wait before asking again.
  std::chrono::milliseconds Acquire(TimePoint now);

  // Adapts to rate-limit headers and 429s. `wall_now` interprets epoch resets.
  void ObserveResponse(const HttpResponse& response, TimePoint now, Timestamp wall_now);

  // No token is handed out before `until`.
  void PauseUntil(TimePoint until);

  // Current fraction of the configured rate (1.0 unless Sforce usage is high).
  double rate_factor() const { return rate_factor_; }

 private:
  void Refill(TimePoint now);
  void LimitWindow(int64_t remaining, TimePoint window_end);

  double capacity_;
  double tokens_;
  double tokens_per_ms_;
  double rate_factor_ = 1.0;
  TimePoint last_refill_;
  TimePoint paused_until_{};
  // What the server said is left until `window_end_` (unset: no server budget).
  std::optional<int64_t> server_remaining_;
  TimePoint window_end_{};
};

}  // namespace dealsync
