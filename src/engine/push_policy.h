// What the outbox does after a push failed: retry later (when), or give up
// and keep the entry as a dead letter for a person. A pure function of the
// error, the entry's failure history and the configured PushRetryConfig.
//
// The error code decides, not an attempt count:
//   retry        Unavailable, ResourceExhausted, DeadlineExceeded, Aborted (the
//                record changed or is locked: the next poll re-reads it),
//                Unauthenticated (a fixed credential re-drives it), Internal and
//                DataLoss (an acknowledgement that did not parse), Unknown
//   a person     InvalidArgument, PermissionDenied, FailedPrecondition, NotFound,
//                AlreadyExists
// Backoff doubles from initial_backoff to max_backoff, never shorter than the
// server's Retry-After; a retryable failure becomes a dead letter only once
// the entry has been failing for give_up_after.
// Thread-safety: pure functions.
#pragma once

#include <chrono>

#include "dealsync/clock.h"
#include "dealsync/reliability_limits.h"
#include "dealsync/status.h"

namespace dealsync {

// True for errors a later retry of the same push may fix.
bool PushErrorIsRetryable(const Status& error);

struct PushRetryDecision {
  bool dead_letter = false;
  Timestamp not_before{};  // when to try again (unset for a dead letter)
  std::string why;         // for the log and the dead letter: "needs a person", ...
};

// `attempts` counts this failure too; `first_failed_at` is when the entry
// first failed (== now for the first failure).
PushRetryDecision DecidePushRetry(const PushRetryConfig& config, const Status& error, int attempts,
                                  Timestamp first_failed_at, Timestamp now);

}  // namespace dealsync
