// The reconciler as a table: (base, vendor, partner, when, policy) -> decision.
#include "src/engine/reconciler.h"

#include <gtest/gtest.h>

#include <functional>

#include "src/engine/field_values.h"

namespace dealsync {
namespace {

using A = ReconcileAction;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kT0 = TimestampFromEpochMs(1'790'000'000'000);

struct Row {
  const char* name;
  Field field;
  std::optional<std::string> base;
  std::string vendor;
  int vendor_minute;
  std::string partner;
  int partner_minute;
  std::function<void(ReconcilePolicy&)> tweak;
  A action;
  std::string value;
  std::vector<std::string> flags;
  std::string rule;
  bool both_changed;
};

CurrencyRates Rates() {
  CurrencyRates r;
  r.reporting_currency = "USD";
  r.nano_rates["EUR"] = 1'080'000'000;  // 1 EUR = 1.08 USD
  r.nano_rates["USD"] = 1'000'000'000;
  return r;
}

void NoTweak(ReconcilePolicy&) {}
auto StageRule(PolicyRule r) {
  return [r](ReconcilePolicy& p) { p.stage.rule = r; };
}
auto AmountRule(PolicyRule r) {
  return [r](ReconcilePolicy& p) { p.amount.rule = r; };
}
auto DateRule(PolicyRule r) {
  return [r](ReconcilePolicy& p) { p.close_date.rule = r; };
}

const std::vector<Row>& Table() {
  static const std::vector<Row> rows = {
      // ---- nothing to do / agreement
      {"unchanged",
       Field::kStage,
       "qualified",
       "qualified",
       0,
       "qualified",
       0,
       NoTweak,
       A::kNone,
       "",
       {},
       "",
       false},
      {"equal_edits_agree",
       Field::kStage,
       "qualified",
       "proposal",
       1,
       "proposal",
       2,
       NoTweak,
       A::kAgree,
       "proposal",
       {},
       "agree",
       false},
      {"first_sight_equal",
       Field::kCloseDate,
       std::nullopt,
       "2026-12-01",
       0,
       "2026-12-01",
       0,
       NoTweak,
       A::kAgree,
       "2026-12-01",
       {},
       "agree",
       false},
      {"amount_within_relative_tolerance",
       Field::kAmount,
       "900.00 USD",
       "1003.00 USD",
       1,
       "1000.00 USD",
       0,
       [](ReconcilePolicy& p) { p.amount.tolerance_ppm = 5000; },
       A::kAgree,
       "1003.00 USD",
       {},
       "agree",
       false},
      {"amount_outside_relative_tolerance",
       Field::kAmount,
       "1000.00 USD",
       "1006.00 USD",
       1,
       "1000.00 USD",
       0,
       [](ReconcilePolicy& p) { p.amount.tolerance_ppm = 5000; },
       A::kPushToPartner,
       "1006.00 USD",
       {},
       "one_side_change",
       false},
      {"amount_within_absolute_tolerance",
       Field::kAmount,
       "1000.00 USD",
       "1000.00 USD",
       0,
       "1000.50 USD",
       1,
       [](ReconcilePolicy& p) {
         p.amount.tolerance_absolute = Money{100, "USD"};
       },
       A::kNone,
       "",
       {},
       "",
       false},
      {"eur_equals_usd_through_rates",
       Field::kAmount,
       std::nullopt,
       "1000.00 EUR",
       0,
       "1080.00 USD",
       0,
       NoTweak,
       A::kAgree,
       "1000.00 EUR",
       {},
       "agree",
       false},
      {"eur_vs_usd_differ_vendor_wins_keeps_currency",
       Field::kAmount,
       "1000.00 EUR",
       "1200.00 EUR",
       1,
       "1100.00 USD",
       2,
       NoTweak,
       A::kPushToPartner,
       "1200.00 EUR",
       {},
       "vendor_wins",
       true},
      // ---- one side changed
      {"vendor_changed_propagates",
       Field::kStage,
       "qualified",
       "discovery",
       1,
       "qualified",
       0,
       NoTweak,
       A::kPushToPartner,
       "discovery",
       {},
       "one_side_change",
       false},
      {"partner_changed_propagates",
       Field::kCloseDate,
       "2026-12-01",
       "2026-12-01",
       0,
       "2026-11-15",
       1,
       NoTweak,
       A::kPushToVendor,
       "2026-11-15",
       {},
       "one_side_change",
       false},
      {"edit_back_to_base_is_no_change",
       Field::kStage,
       "qualified",
       "qualified",
       3,
       "qualified",
       0,
       NoTweak,
       A::kNone,
       "",
       {},
       "",
       false},
      {"stage_regression_flagged_when_applied",
       Field::kStage,
       "proposal",
       "proposal",
       0,
       "discovery",
       1,
       NoTweak,
       A::kPushToVendor,
       "discovery",
       {"stage_regression"},
       "one_side_change",
       false},
      {"skip_of_three_stages_flagged",
       Field::kStage,
       "prospect",
       "prospect",
       0,
       "solution",
       1,
       NoTweak,
       A::kPushToVendor,
       "solution",
       {"stage_skip"},
       "one_side_change",
       false},
      {"skip_of_two_stages_not_flagged",
       Field::kStage,
       "prospect",
       "discovery",
       1,
       "prospect",
       0,
       NoTweak,
       A::kPushToPartner,
       "discovery",
       {},
       "one_side_change",
       false},
      {"close_date_slip_flagged",
       Field::kCloseDate,
       "2026-12-01",
       "2027-01-15",
       1,
       "2026-12-01",
       0,
       NoTweak,
       A::kPushToPartner,
       "2027-01-15",
       {"close_date_slip"},
       "one_side_change",
       false},
      {"reopen_of_closed_deal_held",
       Field::kStage,
       "closed_won",
       "proposal",
       1,
       "closed_won",
       0,
       NoTweak,
       A::kHold,
       "",
       {"reopen_blocked"},
       "terminal_sticky",
       false},
      {"reopen_allowed",
       Field::kStage,
       "closed_won",
       "proposal",
       1,
       "closed_won",
       0,
       [](ReconcilePolicy& p) { p.stage.allow_reopen = true; },
       A::kPushToPartner,
       "proposal",
       {"stage_regression"},
       "one_side_change",
       false},
      {"first_sight_one_side_empty",
       Field::kCloseDate,
       std::nullopt,
       "",
       0,
       "2026-12-01",
       0,
       NoTweak,
       A::kPushToVendor,
       "2026-12-01",
       {},
       "one_side_change",
       false},
      {"cleared_value_not_pushed",
       Field::kCloseDate,
       "2026-12-01",
       "",
       1,
       "2026-12-01",
       0,
       NoTweak,
       A::kNone,
       "",
       {},
       "one_side_change",
       false},
      // ---- both changed differently
      {"furthest_stage_wins",
       Field::kStage,
       "qualified",
       "proposal",
       1,
       "discovery",
       2,
       NoTweak,
       A::kPushToPartner,
       "proposal",
       {"stage_skip"},
       "furthest_stage_wins",
       true},
      {"furthest_stage_partner",
       Field::kStage,
       "qualified",
       "discovery",
       2,
       "solution",
       1,
       NoTweak,
       A::kPushToVendor,
       "solution",
       {},
       "furthest_stage_wins",
       true},
      {"won_vs_lost_held",
       Field::kStage,
       "proposal",
       "closed_won",
       1,
       "closed_lost",
       2,
       NoTweak,
       A::kHold,
       "",
       {"terminal_disagreement"},
       "furthest_stage_wins",
       true},
      {"terminal_sticky_beats_reopen",
       Field::kStage,
       "closed_won",
       "closed_lost",
       1,
       "discovery",
       2,
       StageRule(PolicyRule::kPartnerWins),
       A::kPushToPartner,
       "closed_lost",
       {},
       "terminal_sticky",
       true},
      {"vendor_wins",
       Field::kStage,
       "qualified",
       "discovery",
       1,
       "solution",
       2,
       StageRule(PolicyRule::kVendorWins),
       A::kPushToPartner,
       "discovery",
       {},
       "vendor_wins",
       true},
      {"partner_wins",
       Field::kAmount,
       "100.00 USD",
       "110.00 USD",
       2,
       "120.00 USD",
       1,
       AmountRule(PolicyRule::kPartnerWins),
       A::kPushToVendor,
       "120.00 USD",
       {},
       "partner_wins",
       true},
      {"manual_holds",
       Field::kAmount,
       "100.00 USD",
       "110.00 USD",
       2,
       "120.00 USD",
       1,
       AmountRule(PolicyRule::kManual),
       A::kHold,
       "",
       {},
       "manual",
       true},
      {"latest_change_wins_partner_later",
       Field::kCloseDate,
       "2026-12-01",
       "2026-12-05",
       1,
       "2026-11-20",
       10,
       NoTweak,
       A::kPushToVendor,
       "2026-11-20",
       {},
       "latest_change_wins",
       true},
      {"latest_change_wins_vendor_later_slip",
       Field::kCloseDate,
       "2026-12-01",
       "2026-12-05",
       10,
       "2026-11-20",
       1,
       NoTweak,
       A::kPushToPartner,
       "2026-12-05",
       {"close_date_slip"},
       "latest_change_wins",
       true},
      {"latest_change_within_skew_falls_back_to_vendor",
       Field::kCloseDate,
       "2026-12-01",
       "2026-11-25",
       1,
       "2026-11-20",
       2,
       NoTweak,
       A::kPushToPartner,
       "2026-11-25",
       {"clock_skew_tie"},
       "latest_change_wins",
       true},
      {"earliest",
       Field::kCloseDate,
       "2026-12-01",
       "2026-12-05",
       1,
       "2026-11-20",
       10,
       DateRule(PolicyRule::kEarliest),
       A::kPushToVendor,
       "2026-11-20",
       {},
       "earliest",
       true},
      {"latest",
       Field::kCloseDate,
       "2026-12-01",
       "2026-12-05",
       1,
       "2026-11-20",
       10,
       DateRule(PolicyRule::kLatest),
       A::kPushToPartner,
       "2026-12-05",
       {"close_date_slip"},
       "latest",
       true},
      {"first_sight_differing_is_conflict",
       Field::kStage,
       std::nullopt,
       "qualified",
       0,
       "proposal",
       0,
       NoTweak,
       A::kPushToVendor,
       "proposal",
       {"stage_skip"},
       "furthest_stage_wins",
       true},
      {"rule_not_for_field_holds",
       Field::kAmount,
       "1.00 USD",
       "2.00 USD",
       1,
       "3.00 USD",
       2,
       AmountRule(PolicyRule::kFurthestStageWins),
       A::kHold,
       "",
       {},
       "furthest_stage_wins",
       true},
  };
  return rows;
}

class ReconcilerTable : public ::testing::TestWithParam<Row> {};

TEST_P(ReconcilerTable, Decides) {
  const Row& row = GetParam();
  ReconcilePolicy policy;  // furthest_stage_wins, vendor_wins amounts, latest_change_wins dates
  policy.clock_skew = seconds(120);
  row.tweak(policy);
  ReconcileInput in;
  in.field = row.field;
  in.base = row.base;
  in.vendor = {row.vendor, kT0 + minutes(row.vendor_minute)};
  in.partner = {row.partner, kT0 + minutes(row.partner_minute)};
  ReconcileDecision d = Reconcile(in, policy, Rates());
  EXPECT_EQ(ReconcileActionName(d.action), ReconcileActionName(row.action)) << d.explanation;
  EXPECT_EQ(d.value, row.value) << d.explanation;
  EXPECT_EQ(d.flags, row.flags) << d.explanation;
  EXPECT_EQ(d.rule, row.rule) << d.explanation;
  EXPECT_EQ(d.both_changed, row.both_changed) << d.explanation;
  if (d.action != A::kNone || d.both_changed) {
    EXPECT_FALSE(d.explanation.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, ReconcilerTable, ::testing::ValuesIn(Table()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Reconciler, ExplanationNamesBothSidesAndTheRule) {
  ReconcilePolicy policy;
  ReconcileInput in{Field::kStage, "qualified", {"proposal", kT0}, {"discovery", kT0 + minutes(5)}};
  ReconcileDecision d = Reconcile(in, policy, Rates());
  EXPECT_NE(d.explanation.find("qualified"), std::string::npos) << d.explanation;
  EXPECT_NE(d.explanation.find("vendor set proposal"), std::string::npos) << d.explanation;
  EXPECT_NE(d.explanation.find("partner set discovery"), std::string::npos) << d.explanation;
  EXPECT_NE(d.explanation.find("further in the pipeline"), std::string::npos) << d.explanation;
}

TEST(Reconciler, SkewTieSaysSo) {
  ReconcilePolicy policy;
  ReconcileInput in{
      Field::kCloseDate, "2026-12-01", {"2026-12-02", kT0}, {"2026-12-03", kT0 + seconds(30)}};
  ReconcileDecision d = Reconcile(in, policy, Rates());
  EXPECT_NE(d.explanation.find("clock-skew allowance"), std::string::npos) << d.explanation;
  EXPECT_NE(d.explanation.find("vendor_wins"), std::string::npos) << d.explanation;
}

TEST(FieldValues, EquivalenceNeedsARateForForeignCurrencies) {
  CurrencyRates none;
  AmountPolicy p;
  EXPECT_FALSE(ValuesEquivalent(Field::kAmount, "1000.00 EUR", "1080.00 USD", p, none));
  EXPECT_TRUE(ValuesEquivalent(Field::kAmount, "1000.00 EUR", "1080.00 USD", p, Rates()));
  EXPECT_FALSE(ValuesEquivalent(Field::kAmount, "1000.00 EUR", "", p, Rates()));
  EXPECT_TRUE(ValuesEquivalent(Field::kStage, "", "", p, Rates()));
}

}  // namespace
}  // namespace dealsync
