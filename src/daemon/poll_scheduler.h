// PollScheduler: when to poll one source next. A pure state machine
// (event -> delay), after Boost.Redis' reconnect loop: no timers, no sockets;
// the daemon's poll coroutine carries out the delays it returns.
//
//   Start()                      -> jitter only (spreads the first polls of many sources)
//   OnPageSucceeded(has_more)    -> 0 while the remote says more pages are ready,
//                                   else interval + jitter; clears the failure streak
//   OnPollFailed(status)         -> exponential backoff with jitter, at least the
//                                   server's Retry-After; non-retryable errors
//                                   (bad credentials, bad request) wait the maximum
//   OnLocalFailure(status)       -> the poll failed here, not at the remote (the
//                                   store could not be read or written: disk full,
//                                   I/O error): a short capped backoff whatever the
//                                   code, so sync resumes soon after space returns
//
// Thread-safety: none; one scheduler per source, used from its poll coroutine.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "dealsync/clock.h"
#include "dealsync/status.h"

namespace dealsync {

struct PollSchedulerConfig {
  std::chrono::milliseconds interval{300000};  // normal gap between polls
  std::chrono::milliseconds jitter{5000};      // uniform extra in [0, jitter]
  std::chrono::milliseconds initial_backoff{5000};
  std::chrono::milliseconds max_backoff{900000};  // raised to `interval` when smaller
  std::chrono::milliseconds local_initial_backoff{1000};  // local (store) failures
  std::chrono::milliseconds local_max_backoff{30000};
};

enum class PollState : uint8_t {
  kWaitingFirst,  // before the first poll
  kIdle,          // caught up; next poll after the interval
  kDraining,      // the remote has more pages; poll again at once
  kBackingOff,    // the last poll failed
};
std::string_view PollStateName(PollState s);  // "waiting_first", "idle", "draining", "backing_off"

struct NextPoll {
  PollState state = PollState::kIdle;
  std::chrono::milliseconds delay{0};
};

class PollScheduler {
 public:
  PollScheduler(PollSchedulerConfig config, Random& random);

  NextPoll Start();
  NextPoll OnPageSucceeded(bool has_more);
  NextPoll OnPollFailed(const Status& status);
  NextPoll OnLocalFailure(const Status& status);

  PollState state() const { return state_; }
  int consecutive_failures() const { return consecutive_failures_; }
  const PollSchedulerConfig& config() const { return config_; }

 private:
  std::chrono::milliseconds Jitter(std::chrono::milliseconds upto);
  std::chrono::milliseconds BackoffCeiling(std::chrono::milliseconds initial,
                                           std::chrono::milliseconds max) const;

  PollSchedulerConfig config_;
  Random& random_;
  PollState state_ = PollState::kWaitingFirst;
  int consecutive_failures_ = 0;
};

}  // namespace dealsync
