#include "src/daemon/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>

namespace dealsync {

void SystemdNotifier::Notify(const std::string& state) {
  // unset_environment = 0: a reload or re-exec keeps talking to systemd.
  (void)sd_notify(0, state.c_str());
}

std::optional<std::chrono::milliseconds> SystemdNotifier::WatchdogPetInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
    return std::nullopt;
  }
  // Pet at half the deadline so one late tick does not get us killed.
  return std::chrono::milliseconds(std::max<uint64_t>(usec / 2000, 1));
}

}  // namespace dealsync
