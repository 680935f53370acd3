#include "src/daemon/poll_scheduler.h"

#include <algorithm>

namespace dealsync {

using std::chrono::milliseconds;

std::string_view PollStateName(PollState s) {
  switch (s) {
    case PollState::kWaitingFirst:
      return "waiting_first";
    case PollState::kIdle:
      return "idle";
    case PollState::kDraining:
      return "draining";
    case PollState::kBackingOff:
      return "backing_off";
  }
  return "unknown";
}

PollScheduler::PollScheduler(PollSchedulerConfig config, Random& random)
    : config_(config), random_(random) {
  config_.max_backoff = std::max(config_.max_backoff, config_.interval);
  config_.initial_backoff =
      std::clamp(config_.initial_backoff, milliseconds(1), config_.max_backoff);
}

milliseconds PollScheduler::Jitter(milliseconds upto) {
  if (upto.count() <= 0) {
    return milliseconds(0);
  }
  return milliseconds(
      static_cast<int64_t>(random_.Uniform(static_cast<uint64_t>(upto.count()) + 1)));
}

NextPoll PollScheduler::Start() {
  state_ = PollState::kWaitingFirst;
  return {state_, Jitter(config_.jitter)};
}

NextPoll PollScheduler::OnPageSucceeded(bool has_more) {
  consecutive_failures_ = 0;
  if (has_more) {
    state_ = PollState::kDraining;
    return {state_, milliseconds(0)};
  }
  state_ = PollState::kIdle;
  return {state_, config_.interval + Jitter(config_.jitter)};
}

milliseconds PollScheduler::BackoffCeiling(milliseconds initial, milliseconds max) const {
  // initial * 2^(failures-1), saturating at `max` (no overflow: stop doubling early).
  milliseconds ceiling = initial;
  for (int i = 1; i < consecutive_failures_ && ceiling < max; ++i) {
    ceiling *= 2;
  }
  return std::min(ceiling, max);
}

NextPoll PollScheduler::OnPollFailed(const Status& status) {
  ++consecutive_failures_;
  state_ = PollState::kBackingOff;
  // Retrying a rejected credential or request soon cannot help and may lock the
  // account: wait the longest backoff until someone fixes it (SIGHUP resets).
  if (!status.IsRetryable()) {
    return {state_, config_.max_backoff};
  }
  // "Equal jitter": half the ceiling fixed, half random, so a fleet of failing
  // sources does not retry in lock-step yet each one still backs off.
  const milliseconds ceiling = BackoffCeiling(config_.initial_backoff, config_.max_backoff);
  milliseconds delay = ceiling / 2 + Jitter(ceiling - ceiling / 2);
  if (status.retry_after()) {
    delay = std::max(delay, *status.retry_after());
  }
  return {state_, delay};
}

NextPoll PollScheduler::OnLocalFailure(const Status& /*status*/) {
  ++consecutive_failures_;
  state_ = PollState::kBackingOff;
  const milliseconds initial = std::max(config_.local_initial_backoff, milliseconds(1));
  const milliseconds ceiling =
      BackoffCeiling(initial, std::max(config_.local_max_backoff, initial));
  return {state_, ceiling / 2 + Jitter(ceiling - ceiling / 2)};
}

}  // namespace dealsync
