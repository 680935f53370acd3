// The real Clock and Random. Only this folder reads the wall clock or sleeps.
#pragma once

#include <cstdint>
#include <memory>
#include <random>

#include "dealsync/clock.h"

namespace dealsync {

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  // Suspends on a steady_timer of the calling coroutine's executor.
  Awaitable<void> SleepFor(std::chrono::milliseconds d) override;
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  // Seeded from std::random_device.
  static std::unique_ptr<SeededRandom> FromEntropy();
  uint64_t Uniform(uint64_t bound) override {
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(engine_);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace dealsync
