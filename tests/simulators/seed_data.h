// A deterministic channel pipeline for the demo and end-to-end tests: vendor
// opportunities in Salesforce with partner copies in a HubSpot partner and two
// generic REST partners (northwind: EUR, epoch-ms dates; contoso: USD, ISO
// dates at UTC-5), linked by deal registration ids, with realistic drift.
// Same seed, same data.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "dealsync/model.h"

namespace dealsync::sim {

struct SeedOptions {
  uint64_t seed = 42;
  int vendor_deals = 300;
  int partner_only_deals = 5;  // per partner, with no vendor counterpart
  double eur_per_usd = 0.92;   // northwind keeps amounts in EUR
  // Records are stamped within the 30 days before this instant.
  Timestamp now = Timestamp(std::chrono::milliseconds(1'790'000'000'000));
};

// {"salesforce": [...], "hubspot": [...], "rest": {"northwind": [...],
//  "contoso": [...]}} in each simulator's control shape (Simulator::Seed()).
// What was planted is summarised under "summary" (counts per kind of drift).
nlohmann::json GenerateChannelSeed(const SeedOptions& options);

}  // namespace dealsync::sim
