// The report data model: what every renderer (HTML, CSV, JSON) draws from.
// Money here is always in the report's reporting currency, integer minor units;
// nullopt where a value could not be converted (no rate configured).
// Shares are basis points: 10000 = 100%.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/model.h"
#include "dealsync/sync_records.h"

namespace dealsync {

struct RateUsed {
  std::string currency;   // converted from
  int64_t nano_rate = 0;  // 1 unit = nano_rate / 1e9 reporting units
};

struct ConflictLine {
  Conflict conflict;
  std::string partner_name;
  std::optional<int64_t> stake_minor;  // larger of the two amounts, reporting currency
  int64_t age_days = 0;                // since detection
};

// A deal named in a list (only on one side, stalled, slipped, stage move).
struct DealLine {
  std::string side;       // "vendor" or "partner": whose record this is
  std::string native_id;  // that side's id
  std::string other_id;   // the linked record's id on the other side, "" if none
  std::string name;
  std::string account;
  std::optional<Stage> stage;
  std::optional<Money> amount;          // as the CRM holds it
  std::optional<int64_t> amount_minor;  // in the reporting currency
  std::optional<CalendarDate> close_date;
  std::string detail;  // why it is listed, in words ("in solution for 45 days")
  int64_t days = 0;    // days in stage (stalled) / days slipped (slipped)
};

// One side's view of a partner's deals.
struct SideMetrics {
  int deals = 0;               // records counted (not deleted)
  int open_deals = 0;          // not closed
  int64_t pipeline_minor = 0;  // sum of open amounts
  int64_t weighted_minor = 0;  // sum of open amount x stage probability
  int won_deals = 0;
  int lost_deals = 0;
  int64_t won_minor = 0;
  std::optional<int64_t> win_rate_bp;        // won / (won + lost)
  std::optional<int64_t> average_won_minor;  // won value / won deals
  std::optional<int64_t> coverage_bp;        // pipeline / target
  std::array<int, kStageCount> in_stage{};   // deals currently in each stage
  std::array<int, kStageCount> reached{};    // open or won deals at or past each stage
  int unpriced = 0;  // deals left out of money totals (no amount or no rate)
};

struct PartnerReview {
  std::string id;
  std::string name;
  int linked_deals = 0;
  SideMetrics vendor;               // the vendor's records linked to this partner
  SideMetrics partner;              // every record in the partner's CRM
  int64_t pipeline_diff_minor = 0;  // partner - vendor
  int64_t weighted_diff_minor = 0;
  int held_conflicts = 0;
  int auto_resolved_conflicts = 0;
  int operator_resolved_conflicts = 0;
  std::vector<DealLine> only_partner;  // in the partner CRM, not linked to a vendor deal
  std::vector<DealLine> stalled;
  std::vector<DealLine> stage_moves;  // skips and regressions
  std::vector<DealLine> slipped;      // close date moved later or passed while open
};

struct Report {
  std::string scope;  // "all" or a partner id
  std::string scope_name;
  Timestamp generated_at{};
  // Where the configuration was read from: the printed dealsyncctl commands
  // carry --config unless it is the default (/etc/dealsync).
  std::string config_dir;
  std::string reporting_currency;
  std::vector<RateUsed> rates_used;
  std::vector<std::string> missing_rates;  // currencies met with no configured rate
  int64_t stalled_after_days = 0;
  std::optional<int64_t> pipeline_target_minor;
  std::vector<ConflictLine> conflicts;  // held first, then by value at stake, descending
  std::vector<PartnerReview> partners;
  std::vector<DealLine> only_vendor;  // vendor deals linked to no partner (scope "all" only)
  SideMetrics all_vendor;             // sums over partners (scope "all")
  SideMetrics all_partner;
};

// "1234.50" for minor units in `currency` (exact digits).
std::string FormatMinor(int64_t minor, const std::string& currency);
// "1.08" for a rate scaled 1e9 (1'080'000'000); trailing zeros trimmed.
std::string FormatNanoRate(int64_t nano_rate);
// "12.34" for 1234 bp.
std::string FormatBasisPoints(int64_t bp);

}  // namespace dealsync
