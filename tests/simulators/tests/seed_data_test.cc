#include "tests/simulators/seed_data.h"

#include <gtest/gtest.h>

#include "src/platform/fake_clock.h"
#include "tests/simulators/generic_rest_sim.h"
#include "tests/simulators/hubspot_sim.h"
#include "tests/simulators/salesforce_sim.h"
#include "tests/support/test_support.h"

namespace dealsync::sim {
namespace {

TEST(SeedData, DeterministicAndLoadsIntoEverySimulator) {
  SeedOptions options;
  options.vendor_deals = 120;
  const auto seed = GenerateChannelSeed(options);
  EXPECT_EQ(seed, GenerateChannelSeed(options));
  options.seed = 7;
  EXPECT_NE(seed, GenerateChannelSeed(options));

  FakeClock clock;
  ScriptedRandom random;
  SalesforceSim sf(clock, random);
  HubSpotSim hs(clock, random);
  GenericRestSimConfig nw_config;
  nw_config.shape = RestShape::kNorthwind;
  GenericRestSim nw(clock, random, nw_config);
  GenericRestSimConfig ct_config;
  ct_config.shape = RestShape::kContoso;
  GenericRestSim ct(clock, random, ct_config);
  ASSERT_OK(sf.Seed(seed["salesforce"]));
  ASSERT_OK(hs.Seed(seed["hubspot"]));
  ASSERT_OK(nw.Seed(seed["rest"]["northwind"]));
  ASSERT_OK(ct.Seed(seed["rest"]["contoso"]));
  EXPECT_EQ(sf.records().size(), 120u);
  EXPECT_EQ(hs.records().size() + nw.records().size() + ct.records().size(), 120u + 3 * 5);

  // Every partner copy carries the registration id of its vendor opportunity.
  for (const auto& deal : seed["hubspot"]) {
    const auto& props = deal["properties"];
    if (!props.contains("vendor_opportunity_id"))
      continue;
    const SimRecord* vendor = sf.records().Find(props["vendor_opportunity_id"]);
    ASSERT_NE(vendor, nullptr);
    EXPECT_EQ(vendor->fields["Deal_Registration_ID__c"], props["vendor_registration_id"]);
  }
  const auto& summary = seed["summary"];
  EXPECT_GT(summary.value("stage_ahead_at_partner", 0), 0);
  EXPECT_GT(summary.value("currency_eur_partner", 0), 0);
  EXPECT_EQ(summary.value("time_zone_edge_close_date", 0), 1);
  // The time-zone edge: 23:30 at UTC-5 is the next day in UTC.
  bool found = false;
  for (const SimRecord* r : ct.records().Visible(clock.Now())) {
    const Json view = ct.ControlView(*r);
    if (view["closeDate"].is_string() &&
        view["closeDate"].get<std::string>().find("T23:30:00-05:00") != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace dealsync::sim
