// LoadReportInput against the real SyncEngine (MemoryStore, FakeClock, fake
// CRMs from the engine tests): what the engine recorded reaches the report,
// and a channel manager's resolution shows up in the next one.
#include <gtest/gtest.h>

#include "dealsync/report.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;

Report LoadAndBuild(EngineHarness& h) {
  Result<ReportInput> input = LoadReportInput(*h.engine, h.config, h.clock.Now());
  EXPECT_TRUE(input.ok()) << input.status().ToString();
  if (!input.ok()) {
    return Report{};
  }
  Result<Report> report = BuildReport(*input, ReportOptions{});
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : Report{};
}

class ReportFromEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P2", "", "discovery", "400.00 EUR", "2027-01-15"));
    h.vendor.Put(Deal("V2", "", "proposal", "250.00 USD", "2027-02-01"));
    h.Settle();
    h.clock.Advance(minutes(10));
    // Both sides change the amount; the partner's policy holds it for review.
    h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{150000, "USD"}; });
    h.clock.Advance(minutes(1));
    h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{120000, "USD"}; });
    h.Settle();
  }
  EngineHarness h{[](Config& c) { c.partners[0].policy.amount.rule = PolicyRule::kManual; }};
};

TEST_F(ReportFromEngine, HeldConflictLinksAndOneSidedDealsReachTheReport) {
  Report r = LoadAndBuild(h);
  ASSERT_EQ(r.conflicts.size(), 1u);
  const ConflictLine& line = r.conflicts[0];
  EXPECT_EQ(line.conflict.status, ConflictStatus::kHeldForReview);
  EXPECT_EQ(line.conflict.field, Field::kAmount);
  EXPECT_EQ(line.conflict.vendor.value, "1500.00 USD");
  EXPECT_EQ(line.conflict.partner_change.value, "1200.00 USD");
  EXPECT_EQ(line.stake_minor, 150000);
  ASSERT_EQ(r.partners.size(), 1u);
  const PartnerReview& p = r.partners[0];
  EXPECT_EQ(p.linked_deals, 1);
  EXPECT_EQ(p.held_conflicts, 1);
  ASSERT_EQ(p.only_partner.size(), 1u);
  EXPECT_EQ(p.only_partner[0].native_id, "P2");
  EXPECT_EQ(p.only_partner[0].amount_minor, 43200);  // 400 EUR x 1.08
  EXPECT_EQ(p.vendor.pipeline_minor, 150000);
  EXPECT_EQ(p.partner.pipeline_minor, 120000 + 43200);
  ASSERT_EQ(r.only_vendor.size(), 1u);
  EXPECT_EQ(r.only_vendor[0].native_id, "V2");
}

TEST_F(ReportFromEngine, ResolutionAppearsInTheNextReport) {
  Report before = LoadAndBuild(h);
  ASSERT_EQ(before.conflicts.size(), 1u);
  Resolution take_partner;
  take_partner.choice = Resolution::Choice::kPartner;
  take_partner.resolved_by = "carol";
  ASSERT_OK(h.engine->ResolveConflict(before.conflicts[0].conflict.id, take_partner));
  Report after = LoadAndBuild(h);
  ASSERT_EQ(after.conflicts.size(), 1u);
  const Conflict& c = after.conflicts[0].conflict;
  EXPECT_EQ(c.status, ConflictStatus::kResolvedByOperator);
  EXPECT_EQ(c.resolved_by, "carol");
  EXPECT_EQ(c.outcome_value, "1200.00 USD");
  EXPECT_NE(RenderReportHtml(after).find("resolved by carol"), std::string::npos);
}

}  // namespace
}  // namespace dealsync::testing
