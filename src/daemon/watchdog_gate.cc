#include "src/daemon/watchdog_gate.h"

namespace dealsync {

namespace {

std::string Seconds(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

std::string WatchdogGate::OnTick(TimePoint now, uint64_t consecutive_accept_errors) {
  if (consecutive_accept_errors == 0) {
    accept_failing_since_.reset();
  } else if (!accept_failing_since_) {
    accept_failing_since_ = now;
  }
  if (!last_work_) {
    last_work_ = now;  // the first tick starts the clock
  }
  if (now - *last_work_ > work_within_) {
    return "no status cycle completed for " + Seconds(now - *last_work_);
  }
  if (accept_failing_since_ && now - *accept_failing_since_ >= stuck_after_) {
    return "the admin server has failed every accept for " + Seconds(now - *accept_failing_since_) +
           " (" + std::to_string(consecutive_accept_errors) + " in a row; file-descriptor limit?)";
  }
  return "";
}

}  // namespace dealsync
