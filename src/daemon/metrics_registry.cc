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
  return t == MetricType::kCounter ? "counter" : "gauge";
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
  auto& series = it->second.series;
  for (auto s = series.begin(); s != series.end();) {
    // Match a whole label pair: preceded by '{' or ',' and followed by ',' or '}'.
    const size_t at = s->first.find(needle);
    const bool whole = at != std::string::npos &&
                       (s->first[at - 1] == '{' || s->first[at - 1] == ',') &&
                       (s->first[at + needle.size()] == ',' || s->first[at + needle.size()] == '}');
    s = whole ? series.erase(s) : std::next(s);
  }
}

void MetricsRegistry::ClearSeries(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    it->second.series.clear();
  }
}

double MetricsRegistry::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    return 0;
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
  }
  return out;
}

}  // namespace dealsync
