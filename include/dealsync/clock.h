// Clock and Random: time and randomness are injected. Only src/platform/ reads the
// real clock or sleeps; tests use FakeClock (src/platform/fake_clock.h), whose
// SleepFor advances time instantly.
// Thread-safety: implementations are safe to call from the io_context thread.
#pragma once

#include <chrono>
#include <cstdint>

#include "dealsync/asio.h"
#include "dealsync/model.h"

namespace dealsync {

class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  // Wall-clock time (UTC), for journal timestamps and report ages.
  virtual Timestamp Now() const = 0;
  // Monotonic time, for rate limiters, timeouts and backoff.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
  // Suspends the calling coroutine for `d` (real clock: a steady_timer on the
  // current executor; fake clock: advances time and returns at once).
  virtual Awaitable<void> SleepFor(std::chrono::milliseconds d) = 0;
};

class Random {
 public:
  Random() = default;
  Random(const Random&) = delete;
  Random& operator=(const Random&) = delete;
  virtual ~Random() = default;
  // Uniform in [0, bound). REQUIRES: bound > 0.
  virtual uint64_t Uniform(uint64_t bound) = 0;
};

}  // namespace dealsync
