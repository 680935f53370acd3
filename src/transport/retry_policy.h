// RetryPolicy: exponential backoff with full jitter, decided from a Status code
// only (sans-io; the RetryingTransport carries the waits out).
//
//   retryable:  kUnavailable, kDeadlineExceeded, kResourceExhausted
//   delay(n) =  uniform[0, min(max_backoff, initial_backoff * 2^(n-1))]   (n = failed attempt)
//   a server's Retry-After is honoured as a lower bound; one longer than
//   max_retry_after gives up at once (the caller reschedules, e.g. the daily
//   Salesforce quota).
// Thread-safety: const methods; the Random is the caller's.
#pragma once

#include <chrono>
#include <optional>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/status.h"

namespace dealsync {

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryConfig config,
                       std::chrono::milliseconds max_retry_after = std::chrono::minutes(5));

  static bool IsRetryable(StatusCode code);

  // `failure` ended attempt number `attempt` (1-based). Returns how long to wait
  // before the next attempt, or nullopt when the caller should give up.
  std::optional<std::chrono::milliseconds> NextDelay(const Status& failure, int attempt,
                                                     Random& random) const;

  int max_attempts() const { return config_.max_attempts; }

 private:
  RetryConfig config_;
  std::chrono::milliseconds max_retry_after_;
};

}  // namespace dealsync
