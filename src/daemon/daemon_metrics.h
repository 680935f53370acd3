// The daemon's metric families (all prefixed dealsync_) and the STATUS= line
// it reports to systemd. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "src/daemon/metrics_registry.h"

namespace dealsync {

namespace metric {
inline constexpr std::string_view kPolls = "dealsync_polls_total";
inline constexpr std::string_view kRecordsFetched = "dealsync_records_fetched_total";
inline constexpr std::string_view kChangesJournaled = "dealsync_changes_journaled_total";
inline constexpr std::string_view kPushes = "dealsync_pushes_total";
inline constexpr std::string_view kPushFailures = "dealsync_push_failures_total";
inline constexpr std::string_view kConflicts = "dealsync_conflicts";
inline constexpr std::string_view kRateLimitWaits = "dealsync_rate_limit_waits_total";
inline constexpr std::string_view kApiCalls = "dealsync_api_calls_total";
inline constexpr std::string_view kPollLag = "dealsync_poll_lag_seconds";
inline constexpr std::string_view kOutboxDepth = "dealsync_outbox_depth";
inline constexpr std::string_view kDeadLetters = "dealsync_dead_letters";
inline constexpr std::string_view kJournalBytes = "dealsync_journal_bytes";
inline constexpr std::string_view kLastSuccessfulPoll =
    "dealsync_last_successful_poll_timestamp_seconds";
inline constexpr std::string_view kUp = "dealsync_up";
inline constexpr std::string_view kDeadLettered = "dealsync_dead_lettered_total";
inline constexpr std::string_view kRecordsRejected = "dealsync_records_rejected_total";
inline constexpr std::string_view kRecordWarnings = "dealsync_record_warnings_total";
inline constexpr std::string_view kPassRestarts = "dealsync_list_pass_restarts_total";
inline constexpr std::string_view kSourceWatermark = "dealsync_source_watermark_timestamp_seconds";
inline constexpr std::string_view kStoreFreeBytes = "dealsync_store_free_bytes";
inline constexpr std::string_view kStoreWriteFailing = "dealsync_store_write_failing";
}  // namespace metric

// Declares every family above with its HELP text.
void DeclareDaemonMetrics(MetricsRegistry& registry);

// Creates the per-source series at 0 so dashboards see a source before its
// first event (and rate() has a starting point).
void InitSourceSeries(MetricsRegistry& registry, std::string_view source);
// Drops a removed source's series.
void RemoveSourceSeries(MetricsRegistry& registry, std::string_view source);

struct DaemonSnapshot {
  size_t sources = 0;
  size_t failing_sources = 0;
  uint64_t pushes_queued = 0;
  uint64_t conflicts_held = 0;
  uint64_t dead_letters = 0;
  bool stopping = false;
};
// "polling 4 sources (1 failing), 12 pushes queued, 3 conflicts held, 2 dead letters"
std::string StatusLine(const DaemonSnapshot& s);

}  // namespace dealsync
