// Each metric checked against numbers worked out by hand from the fixed dataset
// (report_fixture.cc); the arithmetic is in the comments.
#include <gtest/gtest.h>

#include "dealsync/report.h"
#include "tests/support/test_support.h"
#include "tests/unit/report/report_fixture.h"

namespace dealsync {
namespace {

using testing::MakeFixedReportInput;

Report Build(const ReportInput& in, std::string partner = "") {
  Result<Report> r = BuildReport(in, ReportOptions{std::move(partner)});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Report{};
}

const PartnerReview& Partner(const Report& r, const std::string& id) {
  for (const PartnerReview& p : r.partners) {
    if (p.id == id) {
      return p;
    }
  }
  throw std::out_of_range(id);
}

int Idx(Stage s) {
  return static_cast<int>(s);
}

TEST(ReportMetrics, NorthwindVendorView) {
  const Report report1 = Build(MakeFixedReportInput());
  const SideMetrics& v = Partner(report1, "northwind").vendor;
  EXPECT_EQ(v.deals, 4);
  EXPECT_EQ(v.open_deals, 2);
  EXPECT_EQ(v.pipeline_minor, 7'000'000);  // 50,000 + 20,000
  EXPECT_EQ(v.weighted_minor, 4'500'000);  // 50,000 x 70% + 20,000 x 50%
  EXPECT_EQ(v.won_deals, 1);
  EXPECT_EQ(v.lost_deals, 1);
  EXPECT_EQ(v.won_minor, 3'000'000);
  EXPECT_EQ(v.win_rate_bp, 5000);             // 1 / 2
  EXPECT_EQ(v.average_won_minor, 3'000'000);  // 30,000 / 1
  EXPECT_EQ(v.coverage_bp, 7000);             // 70,000 / 100,000
  EXPECT_EQ(v.in_stage[Idx(Stage::kProposal)], 1);
  EXPECT_EQ(v.in_stage[Idx(Stage::kSolution)], 1);
  EXPECT_EQ(v.in_stage[Idx(Stage::kClosedLost)], 1);
  // Reached: V1 (proposal), V2 (solution), V3 (won) pass every stage up to their own.
  EXPECT_EQ(v.reached[Idx(Stage::kProspect)], 3);
  EXPECT_EQ(v.reached[Idx(Stage::kSolution)], 3);
  EXPECT_EQ(v.reached[Idx(Stage::kProposal)], 2);
  EXPECT_EQ(v.reached[Idx(Stage::kClosedWon)], 1);
  EXPECT_EQ(v.reached[Idx(Stage::kClosedLost)], 0);
}

TEST(ReportMetrics, NorthwindPartnerViewConvertsCurrencies) {
  const Report report2 = Build(MakeFixedReportInput());
  const PartnerReview& p = Partner(report2, "northwind");
  // N1 46,000 EUR x 1.08 = 49,680; N2 20,000; N5 5,000 GBP x 1.25 = 6,250.
  EXPECT_EQ(p.partner.open_deals, 3);
  EXPECT_EQ(p.partner.pipeline_minor, 7'593'000);
  // 49,680 x 70% + 20,000 x 30% + 6,250 x 20% = 34,776 + 6,000 + 1,250
  EXPECT_EQ(p.partner.weighted_minor, 4'202'600);
  EXPECT_EQ(p.partner.coverage_bp, 7593);
  EXPECT_EQ(p.pipeline_diff_minor, 593'000);   // 75,930 - 70,000
  EXPECT_EQ(p.weighted_diff_minor, -297'400);  // 42,026 - 45,000
  EXPECT_EQ(p.linked_deals, 4);
  ASSERT_EQ(p.only_partner.size(), 1u);
  EXPECT_EQ(p.only_partner[0].native_id, "N5");
  EXPECT_EQ(p.only_partner[0].amount_minor, 625'000);
}

TEST(ReportMetrics, WeightedForecastRoundsHalfAwayFromZeroOnce) {
  const Report report3 = Build(MakeFixedReportInput());
  const PartnerReview& c = Partner(report3, "contoso");
  // 12,345.67 x 10% = 1,234.567 -> 1,234.57
  EXPECT_EQ(c.vendor.weighted_minor, 123'457);
  EXPECT_EQ(c.vendor.coverage_bp, 1235);           // 12,345.67 / 100,000 = 12.345 67%
  EXPECT_FALSE(c.vendor.win_rate_bp.has_value());  // no closed deals: no rate, not 0%
  EXPECT_FALSE(c.vendor.average_won_minor.has_value());
}

TEST(ReportMetrics, AmountsWithoutRateAreCountedNotGuessed) {
  Report r = Build(MakeFixedReportInput());
  const PartnerReview& c = Partner(r, "contoso");
  EXPECT_EQ(c.partner.open_deals, 2);
  EXPECT_EQ(c.partner.pipeline_minor, 0);
  EXPECT_EQ(c.partner.unpriced, 2);  // C1 in JPY (no rate), C2 with no amount
  ASSERT_EQ(r.missing_rates, std::vector<std::string>{"JPY"});
  ASSERT_EQ(r.rates_used.size(), 2u);
  EXPECT_EQ(r.rates_used[0].currency, "EUR");
  EXPECT_EQ(r.rates_used[1].currency, "GBP");
}

TEST(ReportMetrics, StalledDealsUseStageEntryTimeOrModifiedAt) {
  ReportInput in = MakeFixedReportInput();
  const Report report4 = Build(in);
  const PartnerReview& p = Partner(report4, "northwind");
  // V2 unchanged since 2026-09-01 07:00 (83 days), N2 since 2026-09-15 11:00 (69 days).
  ASSERT_EQ(p.stalled.size(), 2u);
  EXPECT_EQ(p.stalled[0].native_id, "V2");
  EXPECT_EQ(p.stalled[0].days, 83);
  EXPECT_EQ(p.stalled[1].native_id, "N2");
  EXPECT_EQ(p.stalled[1].days, 69);

  // A known stage-entry time wins over modified_at: V1 entered proposal 40 days ago.
  in.stage_entered_at[StageEntryKey("vendor", "V1")] = in.now - std::chrono::hours(24 * 40);
  const Report report5 = Build(in);
  const PartnerReview& q = Partner(report5, "northwind");
  ASSERT_EQ(q.stalled.size(), 3u);
  EXPECT_EQ(q.stalled[2].native_id, "V1");
  EXPECT_EQ(q.stalled[2].days, 40);
}

TEST(ReportMetrics, SlippedCloseDates) {
  const Report report6 = Build(MakeFixedReportInput());
  const PartnerReview& p = Partner(report6, "northwind");
  // Partner moved 2026-10-15 -> 2026-12-20 (66 days); both sides' 2026-11-01 passed 22 days
  // ago; the vendor moved 2026-10-15 -> 2026-11-01 (17 days).
  ASSERT_EQ(p.slipped.size(), 4u);
  EXPECT_EQ(p.slipped[0].side, "partner");
  EXPECT_EQ(p.slipped[0].days, 66);
  EXPECT_EQ(p.slipped[1].days, 22);
  EXPECT_EQ(p.slipped[2].days, 22);
  EXPECT_EQ(p.slipped[3].side, "vendor");
  EXPECT_EQ(p.slipped[3].days, 17);
}

TEST(ReportMetrics, StageSkipsAndRegressions) {
  Report r = Build(MakeFixedReportInput());
  const PartnerReview& n = Partner(r, "northwind");
  // prospect -> solution jumps 3 ordinals (> threshold 2); prospect -> discovery jumps 2.
  ASSERT_EQ(n.stage_moves.size(), 1u);
  EXPECT_EQ(n.stage_moves[0].side, "vendor");
  EXPECT_NE(n.stage_moves[0].detail.find("skipped 2 stage(s)"), std::string::npos);
  const PartnerReview& c = Partner(r, "contoso");
  ASSERT_EQ(c.stage_moves.size(), 1u);
  EXPECT_NE(c.stage_moves[0].detail.find("moved back 1 stage(s)"), std::string::npos);
}

TEST(ReportMetrics, ConflictsHeldFirstThenByValueAtStake) {
  Report r = Build(MakeFixedReportInput());
  ASSERT_EQ(r.conflicts.size(), 4u);
  EXPECT_EQ(r.conflicts[0].conflict.id, "northwind/V1/N1/amount/7");      // held, 50,000
  EXPECT_EQ(r.conflicts[0].stake_minor, 5'000'000);                       // max(50,000, 49,680)
  EXPECT_EQ(r.conflicts[1].conflict.id, "northwind/V2/N2/close_date/5");  // held, 20,000
  EXPECT_EQ(r.conflicts[2].conflict.id, "northwind/V2/N2/stage/3");       // settled, 20,000
  EXPECT_EQ(r.conflicts[3].conflict.id, "contoso/V5/C1/stage/2");         // settled, 12,345.67
  EXPECT_EQ(r.conflicts[3].stake_minor, 1'234'567);                       // C1's JPY has no rate
  EXPECT_EQ(r.conflicts[1].age_days, 13);
  const PartnerReview& n = Partner(r, "northwind");
  EXPECT_EQ(n.held_conflicts, 2);
  EXPECT_EQ(n.auto_resolved_conflicts, 1);
}

TEST(ReportMetrics, PartnerScopeKeepsOtherPartnersOut) {
  Report r = Build(MakeFixedReportInput(), "contoso");
  EXPECT_EQ(r.scope, "contoso");
  ASSERT_EQ(r.partners.size(), 1u);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].conflict.partner, "contoso");
  EXPECT_TRUE(r.only_vendor.empty());  // vendor-only deals are not a partner's business
}

TEST(ReportMetrics, AllScopeTotalsAndVendorOnlyDeals) {
  Report r = Build(MakeFixedReportInput());
  EXPECT_EQ(r.all_vendor.pipeline_minor, 7'000'000 + 1'234'567);
  EXPECT_EQ(r.all_partner.pipeline_minor, 7'593'000);
  EXPECT_EQ(r.all_vendor.win_rate_bp, 5000);
  ASSERT_EQ(r.only_vendor.size(), 1u);  // V6; deleted V7 is left out
  EXPECT_EQ(r.only_vendor[0].native_id, "V6");
}

TEST(ReportMetrics, RejectsUnknownPartnerAndCurrency) {
  ReportInput in = MakeFixedReportInput();
  Result<Report> r = BuildReport(in, ReportOptions{"nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("known: northwind, contoso"), std::string::npos);
  in.rates.reporting_currency = "XXQ";
  EXPECT_FALSE(BuildReport(in, ReportOptions{}).ok());
}

TEST(ReportFormat, BasisPointsAndRates) {
  EXPECT_EQ(FormatBasisPoints(7593), "75.93");
  EXPECT_EQ(FormatBasisPoints(5), "0.05");
  EXPECT_EQ(FormatBasisPoints(-1250), "-12.50");
  EXPECT_EQ(FormatNanoRate(1'080'000'000), "1.08");
  EXPECT_EQ(FormatNanoRate(6'543'210), "0.00654321");
  EXPECT_EQ(FormatMinor(-297'400, "USD"), "-2974.00");
}

}  // namespace
}  // namespace dealsync
