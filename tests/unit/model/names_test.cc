#include <gtest/gtest.h>

#include "dealsync/model.h"
#include "dealsync/policy.h"

namespace dealsync {
namespace {

TEST(StageTest, NamesOrdinalsAndProbabilities) {
  ASSERT_EQ(AllStages().size(), static_cast<size_t>(kStageCount));
  int expected_ordinal = 0;
  for (Stage s : AllStages()) {
    EXPECT_EQ(ParseStage(StageName(s)), s);
    EXPECT_EQ(StageOrdinal(s), expected_ordinal++);
  }
  EXPECT_EQ(StageName(Stage::kClosedWon), "closed_won");
  EXPECT_EQ(ParseStage("Closed Won"), std::nullopt);
  EXPECT_EQ(DefaultProbabilityPercent(Stage::kProspect), 10);
  EXPECT_EQ(DefaultProbabilityPercent(Stage::kProposal), 70);
  EXPECT_EQ(DefaultProbabilityPercent(Stage::kClosedWon), 100);
  EXPECT_EQ(DefaultProbabilityPercent(Stage::kClosedLost), 0);
  EXPECT_TRUE(IsTerminal(Stage::kClosedLost));
  EXPECT_FALSE(IsTerminal(Stage::kProposal));
}

TEST(FieldAndRuleTest, RoundTrip) {
  for (Field f : {Field::kStage, Field::kAmount, Field::kCloseDate}) {
    EXPECT_EQ(ParseField(FieldName(f)), f);
  }
  EXPECT_EQ(FieldName(Field::kCloseDate), "close_date");
  EXPECT_EQ(ParseField("owner"), std::nullopt);
  for (int i = 0; i <= static_cast<int>(PolicyRule::kLatest); ++i) {
    auto rule = static_cast<PolicyRule>(i);
    EXPECT_EQ(ParsePolicyRule(PolicyRuleName(rule)), rule);
  }
  EXPECT_EQ(ParsePolicyRule("furthest_stage_wins"), PolicyRule::kFurthestStageWins);
  EXPECT_EQ(ParsePolicyRule("vendor-wins"), std::nullopt);
}

}  // namespace
}  // namespace dealsync
