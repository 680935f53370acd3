// FakeClock for tests: time moves only when told to, and SleepFor advances it
// at once (recording the requested sleep), so retry and backoff logic runs with
// no real waiting.
#pragma once

#include <vector>

#include "dealsync/clock.h"

namespace dealsync {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = Timestamp(std::chrono::milliseconds(1'790'000'000'000)))
      : now_(start) {}

  Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  Awaitable<void> SleepFor(std::chrono::milliseconds d) override {
    sleeps_.push_back(d);
    now_ += d;
    co_return;
  }

  void Advance(std::chrono::milliseconds d) { now_ += d; }
  void Set(Timestamp t) { now_ = t; }
  const std::vector<std::chrono::milliseconds>& sleeps() const { return sleeps_; }

 private:
  Timestamp now_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

// Deterministic "random": returns the values given, cycling; 0 when none.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> values = {}) : values_(std::move(values)) {}
  uint64_t Uniform(uint64_t bound) override {
    if (values_.empty()) {
      return 0;
    }
    return values_[next_++ % values_.size()] % bound;
  }

 private:
  std::vector<uint64_t> values_;
  size_t next_ = 0;
};

}  // namespace dealsync
