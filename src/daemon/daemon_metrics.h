// The daemon's metric families (all prefixed dealsync_) and the STATUS= line
// it reports to systemd. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
inline constexpr std::string_view kJournalPruned = "dealsync_journal_pruned_total";
inline constexpr std::string_view kLastSuccessfulPoll =
    "dealsync_last_successful_poll_timestamp_seconds";
inline constexpr std::string_view kUp = "dealsync_up";
inline constexpr std::string_view kSourceUp = "dealsync_source_up";
inline constexpr std::string_view kRecordsRejected = "dealsync_records_rejected_total";
inline constexpr std::string_view kConflictsRecorded = "dealsync_conflicts_recorded_total";
inline constexpr std::string_view kDeadLettered = "dealsync_dead_letters_total";
inline constexpr std::string_view kLastSuccessfulPush =
    "dealsync_last_successful_push_timestamp_seconds";
inline constexpr std::string_view kPollDuration = "dealsync_poll_duration_seconds";
inline constexpr std::string_view kPushDuration = "dealsync_push_duration_seconds";
inline constexpr std::string_view kWriteBackDelay = "dealsync_edit_to_write_back_seconds";
inline constexpr std::string_view kPollInterval = "dealsync_poll_interval_seconds";
inline constexpr std::string_view kApiRateLimit = "dealsync_api_rate_limit_requests_per_second";
inline constexpr std::string_view kBuildInfo = "dealsync_build_info";
inline constexpr std::string_view kRecordWarnings = "dealsync_record_warnings_total";
inline constexpr std::string_view kPassRestarts = "dealsync_list_pass_restarts_total";
inline constexpr std::string_view kSourceWatermark = "dealsync_source_watermark_timestamp_seconds";
inline constexpr std::string_view kStoreFreeBytes = "dealsync_store_free_bytes";
inline constexpr std::string_view kStoreWriteFailing = "dealsync_store_write_failing";
inline constexpr std::string_view kApiQuotaUsed = "dealsync_api_quota_used";
inline constexpr std::string_view kApiQuotaLimit = "dealsync_api_quota_limit";
inline constexpr std::string_view kSourceHeldConflicts = "dealsync_source_held_conflicts";
inline constexpr std::string_view kSourceQueuedPushes = "dealsync_source_queued_pushes";
inline constexpr std::string_view kSourceDeadLetters = "dealsync_source_dead_letters";
inline constexpr std::string_view kSourceLinks = "dealsync_source_links";
inline constexpr std::string_view kSourceRejectedRecords = "dealsync_source_rejected_records";
}  // namespace metric

// Declares every family above with its HELP text.
void DeclareDaemonMetrics(MetricsRegistry& registry);

// Creates the per-source series at 0 so dashboards see a source before its
// first event (and rate() has a starting point). The last-success timestamps
// start at 0 ("never"), which the staleness alert treats as stale.
void InitSourceSeries(MetricsRegistry& registry, std::string_view source);
// The configured poll interval and request rate of a source (for alerts:
// staleness in poll intervals, API budget used).
void SetSourceLimits(MetricsRegistry& registry, std::string_view source, double poll_interval_s,
                     double requests_per_second);
// dealsync_build_info{version,revision} 1.
void SetBuildInfo(MetricsRegistry& registry, std::string_view version, std::string_view revision);

// What one journaled page adds (rejects, conflicts recorded).
struct PageCounts {
  size_t rejects = 0;
  size_t conflicts = 0;
};
void CountPage(MetricsRegistry& registry, std::string_view source, const PageCounts& page);
// One poll request's duration, in seconds.
void ObservePoll(MetricsRegistry& registry, std::string_view source, double seconds);
// One push round to `target`: its duration, dead letters, and (when anything
// was acknowledged) the time of the last successful push.
struct PushCounts {
  bool ok = false;  // the round ran (individual records may still have failed)
  size_t succeeded = 0;
  size_t dead_lettered = 0;
  std::vector<double> write_back_delays_s;  // edit -> acknowledged write-back, per record
};
void CountPush(MetricsRegistry& registry, std::string_view target, const PushCounts& push,
               double seconds, double now_unix_seconds);
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
