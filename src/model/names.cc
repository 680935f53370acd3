// Names of the model's enums: stages, reconciled fields, policy rules and
// conflict statuses.
#include <array>

#include "dealsync/model.h"
#include "dealsync/policy.h"
#include "dealsync/sync_records.h"

namespace dealsync {
namespace {

constexpr std::array<std::string_view, kStageCount> kStageNames = {
    "prospect", "qualified", "discovery", "solution", "proposal", "closed_won", "closed_lost"};
constexpr std::array<int, kStageCount> kStageProbability = {10, 20, 30, 50, 70, 100, 0};

constexpr std::array<std::string_view, 3> kFieldNames = {"stage", "amount", "close_date"};

constexpr std::array<std::string_view, 7> kRuleNames = {
    "vendor_wins", "partner_wins", "latest_change_wins", "manual", "furthest_stage_wins",
    "earliest",    "latest"};

}  // namespace

std::string_view StageName(Stage s) {
  auto i = static_cast<size_t>(s);
  return i < kStageNames.size() ? kStageNames[i] : "invalid_stage";
}

std::optional<Stage> ParseStage(std::string_view name) {
  for (size_t i = 0; i < kStageNames.size(); ++i) {
    if (kStageNames[i] == name) {
      return static_cast<Stage>(i);
    }
  }
  return std::nullopt;
}

int StageOrdinal(Stage s) {
  return static_cast<int>(s);
}

int DefaultProbabilityPercent(Stage s) {
  auto i = static_cast<size_t>(s);
  return i < kStageProbability.size() ? kStageProbability[i] : 0;
}

bool IsTerminal(Stage s) {
  return s == Stage::kClosedWon || s == Stage::kClosedLost;
}

const std::vector<Stage>& AllStages() {
  static const std::vector<Stage> kAll = {Stage::kProspect,  Stage::kQualified, Stage::kDiscovery,
                                          Stage::kSolution,  Stage::kProposal,  Stage::kClosedWon,
                                          Stage::kClosedLost};
  return kAll;
}

const std::vector<MappedFieldRule>& MappedFieldRules() {
  static const std::vector<std::string_view> kText = {"string", "number"};
  static const std::vector<MappedFieldRule> kRules = {
      {"id", kText},
      {"registration_id", kText},
      {"counterpart_id", kText},
      {"counterpart_source", kText},
      {"name", kText},
      {"account", kText},
      {"owner", kText},
      {"pipeline", kText},
      {"stage", kText},
      {"status", kText},
      {"currency", kText},
      {"amount", {"decimal_string", "number", "minor_units"}},
      {"close_date", {"iso_date", "iso_datetime", "epoch_ms", "epoch_s"}},
      {"modified_at", {"iso_datetime", "epoch_ms", "epoch_s"}},
      {"deleted", {"bool", "string", "number"}},
  };
  return kRules;
}

const MappedFieldRule* FindMappedFieldRule(std::string_view name) {
  for (const MappedFieldRule& rule : MappedFieldRules()) {
    if (rule.name == name) {
      return &rule;
    }
  }
  return nullptr;
}

std::string_view FieldName(Field f) {
  auto i = static_cast<size_t>(f);
  return i < kFieldNames.size() ? kFieldNames[i] : "invalid_field";
}

std::optional<Field> ParseField(std::string_view name) {
  for (size_t i = 0; i < kFieldNames.size(); ++i) {
    if (kFieldNames[i] == name) {
      return static_cast<Field>(i);
    }
  }
  return std::nullopt;
}

std::string_view PolicyRuleName(PolicyRule r) {
  auto i = static_cast<size_t>(r);
  return i < kRuleNames.size() ? kRuleNames[i] : "invalid_rule";
}

std::optional<PolicyRule> ParsePolicyRule(std::string_view name) {
  for (size_t i = 0; i < kRuleNames.size(); ++i) {
    if (kRuleNames[i] == name) {
      return static_cast<PolicyRule>(i);
    }
  }
  return std::nullopt;
}

// ---- sync_records.h: conflict statuses --------------------------------------

std::string_view ConflictStatusName(ConflictStatus s) {
  switch (s) {
    case ConflictStatus::kAutoResolved:
      return "auto_resolved";
    case ConflictStatus::kHeldForReview:
      return "held_for_review";
    case ConflictStatus::kResolvedByOperator:
      return "resolved_by_operator";
  }
  return "unknown";
}

std::optional<ConflictStatus> ParseConflictStatus(std::string_view s) {
  for (ConflictStatus c : {ConflictStatus::kAutoResolved, ConflictStatus::kHeldForReview,
                           ConflictStatus::kResolvedByOperator}) {
    if (ConflictStatusName(c) == s) {
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace dealsync
