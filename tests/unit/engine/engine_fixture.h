// A vendor and one partner (fake CRMs), a MemoryStore, a FakeClock and the
// engine, with helpers for poll/push cycles. Shared by the engine tests.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "dealsync/engine.h"
#include "src/platform/fake_clock.h"
#include "src/store/memory_store.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/fake_crm.h"

namespace dealsync::testing {

inline constexpr const char* kPartner = "northwind";

Config TestConfig();
// A deal with canonical values given as text ("" = absent).
Opportunity Deal(const std::string& id, const std::string& registration_id,
                 const std::string& stage, const std::string& amount, const std::string& date);
std::string Value(const Opportunity& o, Field f);

class EngineHarness {
 public:
  explicit EngineHarness(const std::function<void(Config&)>& tweak = {});

  // Polls every page of `crm` into the engine; sums the stats.
  IngestStats Poll(FakeCrm& crm);
  PushStats Push(FakeCrm& crm);
  // Poll both sides, then push to both.
  void Cycle();
  // Cycles until a cycle journals nothing and pushes nothing (at most `max`).
  int Settle(int max = 10);
  // Drops the engine object and builds a new one on the same store.
  void Restart();

  FakeClock clock;
  MemoryStore store;
  Config config;
  FakeCrm vendor{"vendor", clock};
  FakeCrm partner{kPartner, clock};
  std::unique_ptr<SyncEngine> engine;
};

}  // namespace dealsync::testing
