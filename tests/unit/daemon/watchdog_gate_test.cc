#include "src/daemon/watchdog_gate.h"

#include <gtest/gtest.h>

namespace dealsync {
namespace {

using std::chrono::seconds;
using TimePoint = WatchdogGate::TimePoint;

TEST(WatchdogGateTest, PetsWhileStatusCyclesComplete) {
  WatchdogGate gate(seconds(15), seconds(60));
  TimePoint t{};
  for (int i = 0; i < 20; ++i) {
    gate.WorkDone(t);
    EXPECT_EQ(gate.OnTick(t + seconds(2), 0), "");
    t += seconds(5);
  }
}

TEST(WatchdogGateTest, WithholdsWhenNoWorkIsDone) {
  WatchdogGate gate(seconds(15), seconds(60));
  TimePoint t{};
  gate.WorkDone(t);
  EXPECT_EQ(gate.OnTick(t + seconds(15), 0), "");
  EXPECT_EQ(gate.OnTick(t + seconds(16), 0), "no status cycle completed for 16s");
  gate.WorkDone(t + seconds(17));
  EXPECT_EQ(gate.OnTick(t + seconds(18), 0), "");
}

// The event loop keeps turning (timers fire) while accept fails at the
// descriptor limit; after stuck_after of nothing but failed accepts the pet
// stops so systemd restarts the process.
TEST(WatchdogGateTest, WithholdsWhileAcceptsFailForTooLong) {
  WatchdogGate gate(seconds(15), seconds(60));
  TimePoint t{};
  uint64_t errors = 0;
  std::string reason;
  for (int s = 0; s <= 60; s += 15) {
    gate.WorkDone(t + seconds(s));
    errors += 7;
    reason = gate.OnTick(t + seconds(s), errors);
    if (s < 60) {
      EXPECT_EQ(reason, "") << s;
    }
  }
  EXPECT_EQ(reason,
            "the admin server has failed every accept for 60s (35 in a row; file-descriptor "
            "limit?)");
  // One successful accept resets the streak.
  gate.WorkDone(t + seconds(90));
  EXPECT_EQ(gate.OnTick(t + seconds(90), 0), "");
  EXPECT_EQ(gate.OnTick(t + seconds(91), 3), "");
}

}  // namespace
}  // namespace dealsync
