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

milliseconds PollScheduler::BackoffCeiling() const {
  // initial * 2^(failures-1), saturating at max_backoff (no overflow: stop doubling early).
  milliseconds ceiling = config_.initial_backoff;
  for (int i = 1; i < consecutive_failures_ && ceiling < config_.max_backoff; ++i) {
    ceiling *= 2;
  }
  return std::min(ceiling, config_.max_backoff);
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
  const milliseconds ceiling = BackoffCeiling();
  milliseconds delay = ceiling / 2 + Jitter(ceiling - ceiling / 2);
  if (status.retry_after()) {
    delay = std::max(delay, *status.retry_after());
  }
  return {state_, delay};
}

}  // namespace dealsync
