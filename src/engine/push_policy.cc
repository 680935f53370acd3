#include "src/engine/push_policy.h"

#include <algorithm>

namespace dealsync {

bool PushErrorIsRetryable(const Status& error) {
  switch (error.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return false;
    default:
      return true;
  }
}

PushRetryDecision DecidePushRetry(const PushRetryConfig& config, const Status& error, int attempts,
                                  Timestamp first_failed_at, Timestamp now) {
  PushRetryDecision d;
  if (!PushErrorIsRetryable(error)) {
    d.dead_letter = true;
    d.why = "needs a person (" + std::string(StatusCodeName(error.code())) + ")";
    return d;
  }
  if (now - first_failed_at >= config.give_up_after) {
    d.dead_letter = true;
    d.why = "still failing after " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::minutes>(now - first_failed_at).count()) +
            " minutes (push.give_up_after)";
    return d;
  }
  const std::chrono::milliseconds initial =
      std::max(config.initial_backoff, std::chrono::milliseconds(1));
  const std::chrono::milliseconds ceiling = std::max(config.max_backoff, initial);
  std::chrono::milliseconds backoff = initial;
  for (int i = 1; i < attempts && backoff < ceiling; ++i) {
    backoff *= 2;
  }
  backoff = std::min(backoff, ceiling);
  if (error.retry_after() && *error.retry_after() > backoff) {
    backoff = *error.retry_after();
  }
  d.not_before = now + backoff;
  d.why = "retry in " + std::to_string(backoff.count() / 1000) + "s";
  return d;
}

}  // namespace dealsync
