#include "src/daemon/metrics_registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dealsync {

namespace {

bool ValidName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) {
      return false;
    }
  }
  return true;
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A bucket bound as written in configs: 0.005, 2.5, 60 (15 significant digits).
std::string FormatBound(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// `labels` ("" or "{a=\"b\"}") with le="<bound>" added.
std::string WithLe(const std::string& labels, const std::string& le) {
  if (labels.empty()) {
    return "{le=\"" + le + "\"}";
  }
  return labels.substr(0, labels.size() - 1) + ",le=\"" + le + "\"}";
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  return buf;
}

std::string MetricsRegistry::LabelKey(MetricLabels labels) {
  if (labels.empty()) {
    return "";
  }
  std::sort(labels.begin(), labels.end());
  std::string key = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) {
      key += ',';
    }
    key += labels[i].first;
    key += "=\"";
    key += EscapeLabelValue(labels[i].second);
    key += '"';
  }
  key += '}';
  return key;
}

bool MetricsRegistry::Declare(std::string_view name, MetricType type, std::string_view help) {
  if (!ValidName(name)) {
    return false;
  }
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    return it->second.type == type;
  }
  Family f;
  f.type = type;
  f.help = std::string(help);
  families_.emplace(std::string(name), std::move(f));
  return true;
}

bool MetricsRegistry::DeclareHistogram(std::string_view name, std::string_view help,
                                       std::vector<double> bounds) {
  if (!ValidName(name) || !std::is_sorted(bounds.begin(), bounds.end())) {
    return false;
  }
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    return it->second.type == MetricType::kHistogram && it->second.bounds == bounds;
  }
  Family f;
  f.type = MetricType::kHistogram;
  f.help = std::string(help);
  f.bounds = std::move(bounds);
  families_.emplace(std::string(name), std::move(f));
  return true;
}

bool MetricsRegistry::TouchHistogram(std::string_view name, const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != MetricType::kHistogram) {
    return false;
  }
  Histogram& h = it->second.histograms[LabelKey(labels)];
  h.buckets.resize(it->second.bounds.size(), 0);
  return true;
}

bool MetricsRegistry::Observe(std::string_view name, const MetricLabels& labels, double value) {
  if (std::isnan(value)) {
    return false;
  }
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != MetricType::kHistogram) {
    return false;
  }
  const std::vector<double>& bounds = it->second.bounds;
  Histogram& h = it->second.histograms[LabelKey(labels)];
  h.buckets.resize(bounds.size(), 0);
  const auto first = std::lower_bound(bounds.begin(), bounds.end(), value);  // value <= bound
  if (first != bounds.end()) {
    ++h.buckets[static_cast<size_t>(first - bounds.begin())];
  }
  ++h.count;
  h.sum += value;
  return true;
}

bool MetricsRegistry::Increment(std::string_view name, const MetricLabels& labels, double delta) {
  if (delta < 0) {
    return false;  // counters only go up
  }
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != MetricType::kCounter) {
    return false;
  }
  it->second.series[LabelKey(labels)] += delta;
  return true;
}

bool MetricsRegistry::Set(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != MetricType::kGauge) {
    return false;
  }
  it->second.series[LabelKey(labels)] = value;
  return true;
}

void MetricsRegistry::RemoveSeries(std::string_view name, std::string_view label,
                                   std::string_view value) {
  const std::string needle = std::string(label) + "=\"" + EscapeLabelValue(value) + "\"";
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    return;
  }
  // Match a whole label pair: preceded by '{' or ',' and followed by ',' or '}'.
  auto matches = [&needle](const std::string& key) {
    const size_t at = key.find(needle);
    return at != std::string::npos && (key[at - 1] == '{' || key[at - 1] == ',') &&
           (key[at + needle.size()] == ',' || key[at + needle.size()] == '}');
  };
  std::erase_if(it->second.series, [&](const auto& s) { return matches(s.first); });
  std::erase_if(it->second.histograms, [&](const auto& h) { return matches(h.first); });
}

void MetricsRegistry::ClearSeries(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    it->second.series.clear();
    it->second.histograms.clear();
  }
}

double MetricsRegistry::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    return 0;
  }
  if (it->second.type == MetricType::kHistogram) {
    auto h = it->second.histograms.find(LabelKey(labels));
    return h == it->second.histograms.end() ? 0 : static_cast<double>(h->second.count);
  }
  auto s = it->second.series.find(LabelKey(labels));
  return s == it->second.series.end() ? 0 : s->second;
}

std::string MetricsRegistry::RenderText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + EscapeHelp(family.help) + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(family.type)) + "\n";
    for (const auto& [labels, value] : family.series) {
      out += name + labels + " " + FormatMetricValue(value) + "\n";
    }
    for (const auto& [labels, h] : family.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < family.bounds.size(); ++i) {
        cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
        out += name + "_bucket" + WithLe(labels, FormatBound(family.bounds[i])) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + WithLe(labels, "+Inf") + " " + std::to_string(h.count) + "\n";
      out += name + "_sum" + labels + " " + FormatMetricValue(h.sum) + "\n";
      out += name + "_count" + labels + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace dealsync
