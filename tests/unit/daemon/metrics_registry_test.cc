#include "src/daemon/metrics_registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace dealsync {
namespace {

TEST(MetricsRegistryTest, RendersHelpTypeAndSortedSeries) {
  MetricsRegistry m;
  ASSERT_TRUE(
      m.Declare("dealsync_polls_total", MetricType::kCounter, "Polls by source and result."));
  ASSERT_TRUE(m.Declare("dealsync_outbox_depth", MetricType::kGauge, "Queued pushes."));
  ASSERT_TRUE(m.Increment("dealsync_polls_total", {{"source", "vendor"}, {"result", "ok"}}));
  ASSERT_TRUE(m.Increment("dealsync_polls_total", {{"result", "error"}, {"source", "acme"}}, 2));
  ASSERT_TRUE(m.Increment("dealsync_polls_total", {{"source", "vendor"}, {"result", "ok"}}));
  ASSERT_TRUE(m.Set("dealsync_outbox_depth", 12));
  EXPECT_EQ(m.RenderText(),
            "# HELP dealsync_outbox_depth Queued pushes.\n"
            "# TYPE dealsync_outbox_depth gauge\n"
            "dealsync_outbox_depth 12\n"
            "# HELP dealsync_polls_total Polls by source and result.\n"
            "# TYPE dealsync_polls_total counter\n"
            "dealsync_polls_total{result=\"error\",source=\"acme\"} 2\n"
            "dealsync_polls_total{result=\"ok\",source=\"vendor\"} 2\n");
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry m;
  ASSERT_TRUE(m.Declare("x_total", MetricType::kCounter, "a \\ b\nc \"q\""));
  ASSERT_TRUE(m.Increment("x_total", {{"source", "we\"ird\\name\n"}}));
  EXPECT_EQ(m.RenderText(),
            "# HELP x_total a \\\\ b\\nc \"q\"\n"
            "# TYPE x_total counter\n"
            "x_total{source=\"we\\\"ird\\\\name\\n\"} 1\n");
}

TEST(MetricsRegistryTest, RejectsMisuseWithoutCrashing) {
  MetricsRegistry m;
  EXPECT_FALSE(m.Declare("1bad", MetricType::kGauge, ""));
  EXPECT_FALSE(m.Declare("bad-name", MetricType::kGauge, ""));
  EXPECT_FALSE(m.Increment("undeclared_total"));
  ASSERT_TRUE(m.Declare("g", MetricType::kGauge, "g"));
  EXPECT_FALSE(m.Increment("g"));                           // not a counter
  EXPECT_FALSE(m.Declare("g", MetricType::kCounter, "g"));  // type clash
  EXPECT_TRUE(m.Declare("g", MetricType::kGauge, "g"));     // same type: no-op
  ASSERT_TRUE(m.Declare("c_total", MetricType::kCounter, "c"));
  EXPECT_FALSE(m.Set("c_total", 3));             // not a gauge
  EXPECT_FALSE(m.Increment("c_total", {}, -1));  // counters never go down
  EXPECT_EQ(m.Value("c_total"), 0);
}

TEST(MetricsRegistryTest, RemoveSeriesMatchesWholeLabelPairs) {
  MetricsRegistry m;
  ASSERT_TRUE(m.Declare("p_total", MetricType::kCounter, "p"));
  ASSERT_TRUE(m.Increment("p_total", {{"source", "acme"}, {"result", "ok"}}));
  ASSERT_TRUE(m.Increment("p_total", {{"source", "acme2"}, {"result", "ok"}}));
  ASSERT_TRUE(m.Increment("p_total", {{"other", "x"}, {"source", "acme"}}));
  m.RemoveSeries("p_total", "source", "acme");
  EXPECT_EQ(m.Value("p_total", {{"source", "acme"}, {"result", "ok"}}), 0);
  EXPECT_EQ(m.Value("p_total", {{"source", "acme2"}, {"result", "ok"}}), 1);
  EXPECT_EQ(m.RenderText(),
            "# HELP p_total p\n# TYPE p_total counter\n"
            "p_total{result=\"ok\",source=\"acme2\"} 1\n");
  m.ClearSeries("p_total");
  EXPECT_EQ(m.RenderText(), "# HELP p_total p\n# TYPE p_total counter\n");
}

TEST(MetricsRegistryTest, FormatsValues) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(-3), "-3");
  EXPECT_EQ(FormatMetricValue(1790000000.0), "1790000000");
  EXPECT_EQ(FormatMetricValue(0.5), "0.5");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatMetricValue(1e20), "1e+20");
}

TEST(MetricsRegistryTest, GaugesOverwrite) {
  MetricsRegistry m;
  ASSERT_TRUE(m.Declare("conflicts", MetricType::kGauge, "c"));
  ASSERT_TRUE(m.Set("conflicts", {{"status", "held_for_review"}}, 3));
  ASSERT_TRUE(m.Set("conflicts", {{"status", "held_for_review"}}, 1));
  EXPECT_EQ(m.Value("conflicts", {{"status", "held_for_review"}}), 1);
}

TEST(MetricsRegistryHistogramTest, RendersCumulativeBucketsSumAndCount) {
  MetricsRegistry r;
  ASSERT_TRUE(r.DeclareHistogram("dealsync_poll_duration_seconds", "Poll duration.", {0.1, 1, 10}));
  EXPECT_FALSE(r.DeclareHistogram("bad", "unsorted", {1, 0.1}));
  EXPECT_FALSE(r.Set("dealsync_poll_duration_seconds", {}, 1));  // not a gauge
  ASSERT_TRUE(r.TouchHistogram("dealsync_poll_duration_seconds", {{"source", "idle"}}));
  for (double v : {0.05, 0.1, 0.5, 3.0, 60.0}) {
    ASSERT_TRUE(r.Observe("dealsync_poll_duration_seconds", {{"source", "vendor"}}, v));
  }
  EXPECT_EQ(r.Value("dealsync_poll_duration_seconds", {{"source", "vendor"}}), 5);
  const std::string text = r.RenderText();
  EXPECT_NE(text.find("# TYPE dealsync_poll_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("dealsync_poll_duration_seconds_bucket{source=\"vendor\",le=\"0.1\"} 2\n"
                      "dealsync_poll_duration_seconds_bucket{source=\"vendor\",le=\"1\"} 3\n"
                      "dealsync_poll_duration_seconds_bucket{source=\"vendor\",le=\"10\"} 4\n"
                      "dealsync_poll_duration_seconds_bucket{source=\"vendor\",le=\"+Inf\"} 5\n"
                      "dealsync_poll_duration_seconds_sum{source=\"vendor\"} 63.649999999999999\n"
                      "dealsync_poll_duration_seconds_count{source=\"vendor\"} 5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dealsync_poll_duration_seconds_bucket{source=\"idle\",le=\"+Inf\"} 0\n"
                      "dealsync_poll_duration_seconds_sum{source=\"idle\"} 0\n"
                      "dealsync_poll_duration_seconds_count{source=\"idle\"} 0\n"),
            std::string::npos)
      << text;
  r.RemoveSeries("dealsync_poll_duration_seconds", "source", "idle");
  EXPECT_EQ(r.RenderText().find("idle"), std::string::npos);
}

}  // namespace
}  // namespace dealsync
