#include "src/daemon/daemon_metrics.h"

#include <gtest/gtest.h>

namespace dealsync {
namespace {

TEST(DaemonMetricsTest, DeclaresEveryFamilyWithHelp) {
  MetricsRegistry m;
  DeclareDaemonMetrics(m);
  InitSourceSeries(m, "vendor");
  const std::string text = m.RenderText();
  for (std::string_view family :
       {metric::kPolls, metric::kRecordsFetched, metric::kChangesJournaled, metric::kPushes,
        metric::kPushFailures, metric::kConflicts, metric::kRateLimitWaits, metric::kApiCalls,
        metric::kPollLag, metric::kOutboxDepth, metric::kDeadLetters, metric::kJournalBytes,
        metric::kLastSuccessfulPoll, metric::kUp}) {
    EXPECT_NE(text.find("# HELP " + std::string(family) + " "), std::string::npos) << family;
    EXPECT_NE(text.find("# TYPE " + std::string(family) + " "), std::string::npos) << family;
  }
  EXPECT_NE(text.find("dealsync_polls_total{result=\"error\",source=\"vendor\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("dealsync_api_calls_total{source=\"vendor\"} 0\n"), std::string::npos);
}

TEST(DaemonMetricsTest, RemovingASourceDropsItsSeries) {
  MetricsRegistry m;
  DeclareDaemonMetrics(m);
  InitSourceSeries(m, "acme");
  InitSourceSeries(m, "vendor");
  m.Set(metric::kPollLag, {{"source", "acme"}}, 3);
  RemoveSourceSeries(m, "acme");
  const std::string text = m.RenderText();
  EXPECT_EQ(text.find("\"acme\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"vendor\""), std::string::npos);
}

TEST(DaemonMetricsTest, PushRoundObservesEachEditToWriteBackDelay) {
  MetricsRegistry m;
  DeclareDaemonMetrics(m);
  InitSourceSeries(m, "acme");
  const std::string before = m.RenderText();
  EXPECT_NE(before.find("dealsync_edit_to_write_back_seconds_count{target=\"acme\"} 0\n"),
            std::string::npos)
      << before;
  CountPush(m, "acme", PushCounts{true, 2, 0, {42.0, 700.0}}, 0.2, 1'800'000'000);
  const std::string text = m.RenderText();
  EXPECT_NE(text.find("dealsync_edit_to_write_back_seconds_bucket{target=\"acme\",le=\"60\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dealsync_edit_to_write_back_seconds_bucket{target=\"acme\",le=\"1200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dealsync_edit_to_write_back_seconds_sum{target=\"acme\"} 742\n"),
            std::string::npos)
      << text;
}

TEST(DaemonMetricsTest, StatusLine) {
  DaemonSnapshot s;
  s.sources = 4;
  s.pushes_queued = 12;
  s.conflicts_held = 3;
  EXPECT_EQ(StatusLine(s), "polling 4 sources, 12 pushes queued, 3 conflicts held");
  s.sources = 1;
  s.failing_sources = 1;
  s.pushes_queued = 1;
  s.conflicts_held = 1;
  s.dead_letters = 2;
  s.stopping = true;
  EXPECT_EQ(StatusLine(s),
            "stopping: draining 1 source (1 failing), 1 push queued, 1 conflict held, 2 dead "
            "letters");
}

}  // namespace
}  // namespace dealsync
