#include "src/daemon/daemon_metrics.h"

namespace dealsync {

namespace {

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
            "Failed push attempts (retried or dead-lettered), all targets.");
  r.Declare(metric::kConflicts, T::kGauge, "Conflict records by status.");
  r.Declare(metric::kRateLimitWaits, T::kCounter,
            "Requests the rate limiter held back (configured limit or 429 Retry-After).");
  r.Declare(metric::kApiCalls, T::kCounter, "HTTP requests sent to a source's API.");
  r.Declare(metric::kPollLag, T::kGauge, "Seconds since the source's last successful poll.");
  r.Declare(metric::kOutboxDepth, T::kGauge, "Pushes queued in the outbox.");
  r.Declare(metric::kDeadLetters, T::kGauge, "Pushes given up on, waiting for an operator.");
  r.Declare(metric::kJournalBytes, T::kGauge, "Approximate size of the change journal in bytes.");
  r.Declare(metric::kLastSuccessfulPoll, T::kGauge,
            "Unix time of the source's last successful poll.");
  r.Declare(metric::kUp, T::kGauge, "1 while the daemon is running.");
  r.Declare(metric::kDeadLettered, T::kCounter,
            "Pushes given up on (dead letters written), by target.");
  r.Declare(metric::kRecordsRejected, T::kCounter,
            "Records of a source journaled as rejects (unmappable or outside the bounds).");
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
  r.Increment(metric::kDeadLettered, {{"target", s}}, 0);
  r.Increment(metric::kRecordsRejected, {{"source", s}}, 0);
  r.Increment(metric::kRecordWarnings, {{"source", s}}, 0);
  r.Increment(metric::kPassRestarts, {{"source", s}}, 0);
}

void RemoveSourceSeries(MetricsRegistry& r, std::string_view source) {
  for (std::string_view family :
       {metric::kPolls, metric::kRecordsFetched, metric::kChangesJournaled, metric::kRateLimitWaits,
        metric::kApiCalls, metric::kPollLag, metric::kLastSuccessfulPoll, metric::kRecordsRejected,
        metric::kRecordWarnings, metric::kPassRestarts, metric::kSourceWatermark}) {
    r.RemoveSeries(family, "source", source);
  }
  r.RemoveSeries(metric::kPushes, "target", source);
  r.RemoveSeries(metric::kDeadLettered, "target", source);
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
