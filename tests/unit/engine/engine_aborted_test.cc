// A kAborted push outcome (the target refused because its record changed
// since it was read, e.g. a 412) waits at least the target's poll interval, so
// the change is read and reconciled before the retry; it is not dead-lettered.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(AbortedPush, WaitsForTheTargetsNextPollThenSucceeds) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(minutes(10));
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.Poll(h.vendor);
  ASSERT_EQ(h.config.partners.size(), 1u);
  const auto interval = h.config.partners[0].poll_interval;
  ASSERT_GT(interval, seconds(30));

  h.partner.FailUpdatesFor("P1", Aborted("412: changed since read"));
  PushStats s = h.Push(h.partner);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.dead_lettered, 0u);
  EXPECT_TRUE(h.engine->DuePushes(kPartner, 10, h.clock.Now() + interval - seconds(1))->empty())
      << "retried before the partner's next poll";
  EXPECT_EQ(h.engine->DuePushes(kPartner, 10, h.clock.Now() + interval)->size(), 1u);

  h.partner.ClearFailures();
  h.clock.Advance(interval);
  h.Settle();
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kDiscovery);
  EXPECT_EQ(h.engine->Counters()->dead_letters, 0u);
}

}  // namespace
}  // namespace dealsync::testing
