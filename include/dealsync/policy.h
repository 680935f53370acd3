// Reconciliation policies: how a field is settled when both sides changed it.
// Defaults come from dealsync.toml [reconciliation]; a partner file's [policy]
// overrides them field by field.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dealsync/model.h"
#include "dealsync/reliability_limits.h"

namespace dealsync {

enum class PolicyRule : uint8_t {
  kVendorWins = 0,
  kPartnerWins,
  kLatestChangeWins,   // remote modified timestamps, within a clock-skew allowance
  kManual,             // hold for a channel manager
  kFurthestStageWins,  // stage only: higher ordinal wins
  kEarliest,           // close_date only
  kLatest,             // close_date only
};
std::string_view PolicyRuleName(PolicyRule r);  // "vendor_wins", ...
std::optional<PolicyRule> ParsePolicyRule(std::string_view name);

struct StagePolicy {
  PolicyRule rule = PolicyRule::kFurthestStageWins;
  bool allow_reopen = false;  // may a terminal stage move back to an open one?
  int skip_flag_threshold = 2;  // a move of more than this many stages is flagged
};

struct AmountPolicy {
  PolicyRule rule = PolicyRule::kVendorWins;
  // Values closer than either tolerance are treated as equal.
  std::optional<Money> tolerance_absolute;
  int64_t tolerance_ppm = 0;  // relative tolerance in parts per million (0.5% = 5000)
};

struct CloseDatePolicy {
  PolicyRule rule = PolicyRule::kLatestChangeWins;
  bool flag_slip = true;  // flag a close date moved later
};

struct ReconcilePolicy {
  // Checked before anything of a record is reconciled or pushed. TOML:
  // [reconciliation.bounds] / a partner file's [policy.bounds].
  ValueBounds bounds;
  StagePolicy stage;
  AmountPolicy amount;
  CloseDatePolicy close_date;
  std::chrono::seconds clock_skew{120};  // for latest_change_wins
  bool propagate_deletes = false;
};

// Conversion rates into the reporting currency, as exact decimals scaled 1e9:
// rates["EUR"] = 1'080'000'000 means 1 EUR = 1.08 <reporting currency>.
struct CurrencyRates {
  std::string reporting_currency = "USD";
  std::map<std::string, int64_t> nano_rates;
  // Converts to the reporting currency (rounded half away from zero);
  // nullopt when no rate is configured for m.currency.
  std::optional<Money> ToReporting(const Money& m) const;
  std::optional<Money> Convert(const Money& m, std::string_view to_currency) const;
};

}  // namespace dealsync
