#include "src/transport/retry_policy.h"

#include <algorithm>

namespace dealsync {

RetryPolicy::RetryPolicy(RetryConfig config, std::chrono::milliseconds max_retry_after)
    : config_(config), max_retry_after_(max_retry_after) {
  config_.max_attempts = std::max(config_.max_attempts, 1);
  config_.initial_backoff = std::max(config_.initial_backoff, std::chrono::milliseconds(1));
  config_.max_backoff = std::max(config_.max_backoff, config_.initial_backoff);
}

bool RetryPolicy::IsRetryable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
         code == StatusCode::kResourceExhausted;
}

std::optional<std::chrono::milliseconds> RetryPolicy::NextDelay(const Status& failure, int attempt,
                                                                Random& random) const {
  if (failure.ok() || !IsRetryable(failure.code()) || attempt >= config_.max_attempts) {
    return std::nullopt;
  }
  if (failure.retry_after() && *failure.retry_after() > max_retry_after_) {
    return std::nullopt;
  }
  // initial * 2^(attempt-1), capped; the shift is bounded so it cannot overflow.
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const int64_t cap = config_.max_backoff.count();
  const int64_t ceiling = std::min<int64_t>(cap, config_.initial_backoff.count() << doublings);
  // Full jitter (uniform in [0, ceiling]) spreads many clients' retries apart.
  auto delay = std::chrono::milliseconds(
      static_cast<int64_t>(random.Uniform(static_cast<uint64_t>(ceiling) + 1)));
  if (failure.retry_after()) {
    delay = std::max(delay, *failure.retry_after());
  }
  return delay;
}

}  // namespace dealsync
