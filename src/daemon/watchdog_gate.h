// WatchdogGate: whether the daemon sends WATCHDOG=1 on a watchdog tick. A
// timer on the event loop proves only that the loop turns; a loop that spins
// on a failing accept turns too. So the tick pets only while the loop also
// shows real work and no component is stuck:
//   - the status cycle (gauges read from the store, STATUS= sent) completed
//     within `work_within`;
//   - the admin server has not failed every accept for `stuck_after` (the
//     process is at its descriptor limit: it can neither serve nor poll).
// Otherwise the pet is withheld, with the reason, and systemd restarts the
// daemon after WatchdogSec=. Pure: the daemon passes the time and the facts.
// Thread-safety: none; used from the event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace dealsync {

class WatchdogGate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  WatchdogGate(std::chrono::milliseconds work_within, std::chrono::milliseconds stuck_after)
      : work_within_(work_within), stuck_after_(stuck_after) {}

  // The status cycle finished at `now`.
  void WorkDone(TimePoint now) { last_work_ = now; }

  // Empty to pet now, else why not.
  std::string OnTick(TimePoint now, uint64_t consecutive_accept_errors);

 private:
  std::chrono::milliseconds work_within_;
  std::chrono::milliseconds stuck_after_;
  std::optional<TimePoint> last_work_;
  std::optional<TimePoint> accept_failing_since_;
};

}  // namespace dealsync
