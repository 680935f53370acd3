// MetricsRegistry: counters, gauges and histograms with labels, rendered in the Prometheus
// text exposition format 0.0.4 (# HELP / # TYPE, escaped label values,
// families sorted by name and series by label set, so output is stable).
//
// A family must be declared (name, type, help) before it is used; using an
// undeclared family or the wrong kind is a programming error and is ignored
// (returns false) rather than crashing a production daemon.
// Thread-safety: all methods may be called from any thread (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dealsync {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

class MetricsRegistry {
 public:
  // Declares a family. Re-declaring with the same type is a no-op.
  // REQUIRES: `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*.
  bool Declare(std::string_view name, MetricType type, std::string_view help);

  // A histogram family with these upper bounds (ascending; +Inf is implicit).
  bool DeclareHistogram(std::string_view name, std::string_view help, std::vector<double> bounds);
  // Adds one observation (creates the series if new).
  bool Observe(std::string_view name, const MetricLabels& labels, double value);
  // Creates the series with no observations (so it is exported from the start).
  bool TouchHistogram(std::string_view name, const MetricLabels& labels);

  // Counter += delta (delta >= 0). Creates the series at 0 first if new.
  bool Increment(std::string_view name, const MetricLabels& labels = {}, double delta = 1);
  // Gauge = value.
  bool Set(std::string_view name, const MetricLabels& labels, double value);
  bool Set(std::string_view name, double value) { return Set(name, {}, value); }
  // Drops every series of `name` whose labels contain label=value (a removed source).
  void RemoveSeries(std::string_view name, std::string_view label, std::string_view value);
  // Drops every series of a family (gauges recomputed from scratch, e.g. conflicts by status).
  void ClearSeries(std::string_view name);

  // Current value (a histogram's observation count); 0 when the series does not exist.
  double Value(std::string_view name, const MetricLabels& labels = {}) const;

  std::string RenderText() const;
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // per bound, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::map<std::string, double> series;  // rendered label set ("{a=\"b\"}") -> value
    std::vector<double> bounds;                   // histograms only
    std::map<std::string, Histogram> histograms;  // histograms only
  };
  static std::string LabelKey(MetricLabels labels);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// Text helpers, exposed for tests.
std::string EscapeLabelValue(std::string_view v);  // \ -> \\, " -> \", newline -> \n
std::string EscapeHelp(std::string_view v);        // \ -> \\, newline -> \n
std::string FormatMetricValue(double v);           // integers without exponent, NaN, +Inf, -Inf

}  // namespace dealsync
