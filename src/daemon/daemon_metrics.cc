#include "src/daemon/daemon_metrics.h"

#include <vector>

namespace dealsync {

namespace {

// Seconds: 5 ms .. 5 min, for HTTP round trips of a page or a batch.
const std::vector<double> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                              2.5,   5,    10,    30,   60,  120, 300};
// Edit-to-write-back spans poll intervals (minutes) and outages (hours).
const std::vector<double> kWriteBackBuckets = {1,   5,    15,   30,   60,   120,   300,
                                               600, 1200, 1800, 3600, 7200, 21600, 86400};

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

void DeclareDaemonMetrics(MetricsRegistry& r) {
  using T = MetricType;
  r.Declare(metric::kPolls, T::kCounter, "Poll requests (one per page) by source and result.");
  r.Declare(metric::kRecordsFetched, T::kCounter, "Records received from a source.");
  r.Declare(metric::kChangesJournaled, T::kCounter,
            "New changes journaled from a source (duplicates and echoes excluded).");
  r.Declare(metric::kPushes, T::kCounter, "Record pushes to a target by result.");
  r.Declare(metric::kPushFailures, T::kCounter,
            "Failed push attempts to a target (retried or dead-lettered).");
  r.Declare(metric::kConflicts, T::kGauge, "Conflict records by status.");
  r.Declare(metric::kRateLimitWaits, T::kCounter,
            "Requests the rate limiter held back (configured limit or 429 Retry-After).");
  r.Declare(metric::kApiCalls, T::kCounter, "HTTP requests sent to a source's API.");
  r.Declare(metric::kPollLag, T::kGauge, "Seconds since the source's last successful poll.");
  r.Declare(metric::kOutboxDepth, T::kGauge, "Pushes queued in the outbox.");
  r.Declare(metric::kDeadLetters, T::kGauge, "Pushes given up on, waiting for an operator.");
  r.Declare(metric::kJournalBytes, T::kGauge, "Approximate size of the change journal in bytes.");
  r.Declare(metric::kJournalPruned, T::kCounter,
            "Journal entries deleted by the retention policy ([store] keep_journal).");
  r.Declare(metric::kLastSuccessfulPoll, T::kGauge,
            "Unix time of the source's last successful poll.");
  r.Declare(metric::kUp, T::kGauge, "1 while the daemon is running.");
  r.Declare(metric::kRecordsRejected, T::kCounter,
            "Records of a source journaled as rejects (unmappable or outside the bounds).");
  r.Declare(metric::kConflictsRecorded, T::kCounter,
            "Conflict records written while reconciling a source's changes.");
  r.Declare(metric::kDeadLettered, T::kCounter,
            "Pushes to a target given up on (dead-lettered) since the daemon started.");
  r.Declare(metric::kLastSuccessfulPush, T::kGauge,
            "Unix time of the last push round with an acknowledged update (0: none yet).");
  r.DeclareHistogram(metric::kPollDuration, "Duration of one poll request (one page), seconds.",
                     kDurationBuckets);
  r.DeclareHistogram(metric::kPushDuration, "Duration of one push round to a target, seconds.",
                     kDurationBuckets);
  r.DeclareHistogram(metric::kWriteBackDelay,
                     "Seconds from an edit on one side (its modified time) to its write-back on "
                     "this target being acknowledged.",
                     kWriteBackBuckets);
  r.Declare(metric::kPollInterval, T::kGauge, "The source's configured poll interval, seconds.");
  r.Declare(metric::kApiQuotaUsed, T::kGauge,
            "Requests the CRM counts against its own quota, as its latest response reported "
            "(Salesforce daily API usage, HubSpot daily limit, X-RateLimit-*).");
  r.Declare(metric::kApiQuotaLimit, T::kGauge,
            "The CRM's own request quota that dealsync_api_quota_used counts against.");
  r.Declare(metric::kSourceHeldConflicts, T::kGauge,
            "Conflicts held for a channel manager, by partner.");
  r.Declare(metric::kSourceQueuedPushes, T::kGauge, "Pushes queued in the outbox, by target.");
  r.Declare(metric::kSourceDeadLetters, T::kGauge,
            "Pushes given up on and waiting for an operator, by target.");
  r.Declare(metric::kSourceLinks, T::kGauge, "Linked deal pairs, by partner.");
  r.Declare(metric::kSourceRejectedRecords, T::kGauge,
            "Records refused as unreadable (unmapped value, out of bounds) and not read since in "
            "a readable version, by source.");
  r.Declare(metric::kApiRateLimit, T::kGauge,
            "The source's configured request budget (connection.rate_limit), requests/second.");
  r.Declare(metric::kBuildInfo, T::kGauge, "Version and git revision of the running dealsyncd.");
  r.Declare(metric::kSourceUp, T::kGauge,
            "1 while the source is set up and syncing; 0 when it failed (invalid file, missing "
            "credential, unusable connection settings).");
  r.Declare(metric::kRecordWarnings, T::kCounter,
            "Records of a source journaled with a warning (e.g. a modified time in the future).");
  r.Declare(metric::kPassRestarts, T::kCounter,
            "List passes restarted from their start (interrupted, cursor refused, cursor cycle).");
  r.Declare(metric::kSourceWatermark, T::kGauge,
            "Unix time up to which a source's changes have been read (its cursor's watermark).");
  r.Declare(metric::kStoreFreeBytes, T::kGauge,
            "Free bytes on the file system holding the state directory.");
  r.Declare(metric::kStoreWriteFailing, T::kGauge,
            "1 while writes to the state store fail (disk full, I/O error); nothing is lost.");
}

void InitSourceSeries(MetricsRegistry& r, std::string_view source) {
  const std::string s(source);
  for (const char* result : {"ok", "error"}) {
    r.Increment(metric::kPolls, {{"source", s}, {"result", result}}, 0);
    r.Increment(metric::kPushes, {{"target", s}, {"result", result}}, 0);
  }
  r.Increment(metric::kRecordsFetched, {{"source", s}}, 0);
  r.Increment(metric::kChangesJournaled, {{"source", s}}, 0);
  r.Increment(metric::kRateLimitWaits, {{"source", s}}, 0);
  r.Increment(metric::kApiCalls, {{"source", s}}, 0);
  r.Increment(metric::kRecordsRejected, {{"source", s}}, 0);
  r.Increment(metric::kConflictsRecorded, {{"source", s}}, 0);
  r.Increment(metric::kDeadLettered, {{"target", s}}, 0);
  r.Increment(metric::kRecordWarnings, {{"source", s}}, 0);
  r.Increment(metric::kPassRestarts, {{"source", s}}, 0);
  r.Increment(metric::kPushFailures, {{"target", s}}, 0);
  r.TouchHistogram(metric::kPollDuration, {{"source", s}});
  r.TouchHistogram(metric::kPushDuration, {{"target", s}});
  r.TouchHistogram(metric::kWriteBackDelay, {{"target", s}});
  if (r.Value(metric::kLastSuccessfulPoll, {{"source", s}}) == 0) {
    r.Set(metric::kLastSuccessfulPoll, {{"source", s}}, 0);
  }
  if (r.Value(metric::kLastSuccessfulPush, {{"target", s}}) == 0) {
    r.Set(metric::kLastSuccessfulPush, {{"target", s}}, 0);
  }
}

void SetSourceLimits(MetricsRegistry& r, std::string_view source, double poll_interval_s,
                     double requests_per_second) {
  const std::string s(source);
  r.Set(metric::kPollInterval, {{"source", s}}, poll_interval_s);
  r.Set(metric::kApiRateLimit, {{"source", s}}, requests_per_second);
}

void SetBuildInfo(MetricsRegistry& r, std::string_view version, std::string_view revision) {
  r.ClearSeries(metric::kBuildInfo);
  r.Set(metric::kBuildInfo, {{"version", std::string(version)}, {"revision", std::string(revision)}},
        1);
}

void CountPage(MetricsRegistry& r, std::string_view source, const PageCounts& page) {
  const std::string s(source);
  r.Increment(metric::kRecordsRejected, {{"source", s}}, static_cast<double>(page.rejects));
  r.Increment(metric::kConflictsRecorded, {{"source", s}}, static_cast<double>(page.conflicts));
}

void ObservePoll(MetricsRegistry& r, std::string_view source, double seconds) {
  r.Observe(metric::kPollDuration, {{"source", std::string(source)}}, seconds);
}

void CountPush(MetricsRegistry& r, std::string_view target, const PushCounts& push,
               double seconds, double now_unix_seconds) {
  const std::string t(target);
  r.Observe(metric::kPushDuration, {{"target", t}}, seconds);
  for (double delay : push.write_back_delays_s) {
    r.Observe(metric::kWriteBackDelay, {{"target", t}}, delay);
  }
  r.Increment(metric::kDeadLettered, {{"target", t}}, static_cast<double>(push.dead_lettered));
  if (push.ok && push.succeeded > 0) {
    r.Set(metric::kLastSuccessfulPush, {{"target", t}}, now_unix_seconds);
  }
}

void RemoveSourceSeries(MetricsRegistry& r, std::string_view source) {
  for (std::string_view family :
       {metric::kPolls, metric::kRecordsFetched, metric::kChangesJournaled, metric::kRateLimitWaits,
        metric::kApiCalls, metric::kPollLag, metric::kLastSuccessfulPoll, metric::kRecordsRejected,
        metric::kConflictsRecorded, metric::kPollDuration, metric::kPollInterval,
        metric::kApiRateLimit, metric::kRecordWarnings, metric::kPassRestarts,
        metric::kSourceWatermark, metric::kApiQuotaUsed, metric::kApiQuotaLimit,
        metric::kSourceHeldConflicts, metric::kSourceQueuedPushes, metric::kSourceDeadLetters,
        metric::kSourceLinks, metric::kSourceRejectedRecords}) {
    r.RemoveSeries(family, "source", source);
  }
  for (std::string_view family : {metric::kPushes, metric::kPushFailures, metric::kDeadLettered,
                                  metric::kLastSuccessfulPush, metric::kPushDuration,
                                  metric::kWriteBackDelay}) {
    r.RemoveSeries(family, "target", source);
  }
}

std::string StatusLine(const DaemonSnapshot& s) {
  std::string line = s.stopping ? "stopping: draining " : "polling ";
  line += Plural(s.sources, "source", "sources");
  if (s.failing_sources > 0) {
    line += " (" + std::to_string(s.failing_sources) + " failing)";
  }
  line += ", " + Plural(s.pushes_queued, "push", "pushes") + " queued";
  line += ", " + Plural(s.conflicts_held, "conflict", "conflicts") + " held";
  if (s.dead_letters > 0) {
    line += ", " + Plural(s.dead_letters, "dead letter", "dead letters");
  }
  return line;
}

}  // namespace dealsync
