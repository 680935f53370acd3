// Channel-manager reports: conflicts and the joint pipeline review.
//
// One data model (dealsync/report_model.h) is built by a pure function from a
// ReportInput, then rendered three ways: self-contained HTML, CSV and JSON.
// Nothing here reads the clock or the store: LoadReportInput() gathers the
// input from a SyncEngine once, everything after that is deterministic, which
// is what the golden-file tests rely on.
//
// Money: every total is in the reporting currency, in integer minor units,
// converted with the configured CurrencyRates; the rates used are listed in
// the report. Percentages are basis points (1% = 100 bp), integer arithmetic.
// Thread-safety: pure functions over value types.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/model.h"
#include "dealsync/policy.h"
#include "dealsync/report_model.h"
#include "dealsync/status.h"
#include "dealsync/sync_records.h"

namespace dealsync {

class SyncEngine;
struct Config;

struct ReportPartnerInfo {
  std::string id;
  std::string name;
  int skip_flag_threshold = 2;  // a stage move of more than this many stages is a skip
};

// Everything a report is computed from. Plain data, so tests can build it by hand.
struct ReportInput {
  std::string config_dir;  // absolute; for the commands the HTML report prints
  CurrencyRates rates;     // rates.reporting_currency is the report's currency
  std::chrono::milliseconds stalled_after{std::chrono::hours(24 * 30)};
  std::optional<Money> pipeline_target;  // per partner; any currency with a rate
  std::vector<ReportPartnerInfo> partners;
  std::vector<Link> links;
  std::vector<Opportunity> vendor_records;   // source "vendor"
  std::vector<Opportunity> partner_records;  // source = partner id
  std::vector<Conflict> conflicts;
  Timestamp now{};
  // When a record entered its current stage, keyed StageEntryKey(source, native id).
  // A record missing here falls back to its modified_at (see BuildReport).
  std::map<std::string, Timestamp> stage_entered_at;
};

std::string StageEntryKey(std::string_view source, std::string_view native_id);

struct ReportOptions {
  std::string partner;  // "" = every partner; else only this partner's data
};

// Builds the report model. Fails with kInvalidArgument when options.partner is
// not a configured partner or the reporting currency is not ISO 4217.
Result<Report> BuildReport(const ReportInput& input, const ReportOptions& options);

// Renderers. Each takes the same model.
std::string RenderReportHtml(const Report& report);
std::string RenderReportJson(const Report& report);
// What starts a CSV for spreadsheet programs that guess the encoding otherwise.
inline constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";
// RFC 4180 CSV (CRLF line ends), one row per conflict.
std::string RenderConflictsCsv(const Report& report);
// RFC 4180 CSV, one row per partner and side (vendor view / partner view).
std::string RenderPipelineCsv(const Report& report);

// Gathers a ReportInput from the engine's store: links, records of every
// configured source, and every conflict. Stage-entry times: the engine keeps
// no per-stage history accessible here, so a record's modified_at stands in
// for the time it entered its stage (a deal edited recently for another reason
// is therefore not reported as stalled). Only built with dealsync_engine.
Result<ReportInput> LoadReportInput(SyncEngine& engine, const Config& config, Timestamp now);

}  // namespace dealsync
