#include "connectors/rest/rest_template.h"

#include <chrono>
#include <cstdio>

#include "dealsync/http.h"

namespace dealsync::connectors::rest {
namespace {

constexpr std::pair<std::string_view, TimeFormat> kFormats[] = {
    {"iso8601", TimeFormat::kIso8601},
    {"iso8601_ms", TimeFormat::kIso8601Millis},
    {"iso8601_offset", TimeFormat::kIso8601Offset},
    {"epoch_s", TimeFormat::kEpochS},
    {"epoch_ms", TimeFormat::kEpochMs},
    {"rfc1123", TimeFormat::kRfc1123},
    {"sql_datetime", TimeFormat::kSqlDateTime},
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

// Calls on_text(literal) and on_placeholder(name) in order.
template <typename Text, typename Placeholder>
void Scan(std::string_view text, Text on_text, Placeholder on_placeholder) {
  size_t literal_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && IsNameChar(text[j])) {
      ++j;
    }
    if (j == i + 1 || j >= text.size() || text[j] != '}') {
      continue;  // literal brace (e.g. a JSON object)
    }
    on_text(text.substr(literal_start, i - literal_start));
    on_placeholder(text.substr(i + 1, j - i - 1));
    literal_start = j + 1;
    i = j;
  }
  on_text(text.substr(literal_start));
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string_view TimeFormatName(TimeFormat f) {
  for (const auto& [name, format] : kFormats) {
    if (format == f) {
      return name;
    }
  }
  return "?";
}

std::optional<TimeFormat> ParseTimeFormat(std::string_view name) {
  for (const auto& [n, format] : kFormats) {
    if (n == name) {
      return format;
    }
  }
  return std::nullopt;
}

std::string FormatInstant(Timestamp t, TimeFormat format) {
  using namespace std::chrono;
  const int64_t ms = EpochMs(t);
  switch (format) {
    case TimeFormat::kEpochMs:
      return std::to_string(ms);
    case TimeFormat::kEpochS:
      return std::to_string(floor<seconds>(t).time_since_epoch().count());
    default:
      break;
  }
  const sys_seconds secs = floor<seconds>(t);
  const sys_days day = floor<days>(secs);
  const year_month_day ymd(day);
  const hh_mm_ss hms(secs - day);
  const int y = static_cast<int>(ymd.year());
  const unsigned mo = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  const int h = static_cast<int>(hms.hours().count());
  const int mi = static_cast<int>(hms.minutes().count());
  const int s = static_cast<int>(hms.seconds().count());
  char buf[48];
  switch (format) {
    case TimeFormat::kIso8601Millis:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s,
                    static_cast<int>(((ms % 1000) + 1000) % 1000));
      break;
    case TimeFormat::kIso8601Offset:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+00:00", y, mo, d, h, mi, s);
      break;
    case TimeFormat::kSqlDateTime:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", y, mo, d, h, mi, s);
      break;
    case TimeFormat::kRfc1123: {
      static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
      static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
      const unsigned wd = weekday(day).c_encoding();
      std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[wd], d,
                    kMonths[mo - 1], y, h, mi, s);
      break;
    }
    default:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
      break;
  }
  return buf;
}

std::set<std::string> Placeholders(std::string_view text) {
  std::set<std::string> names;
  Scan(
      text, [](std::string_view) {}, [&](std::string_view name) { names.emplace(name); });
  return names;
}

std::string CheckPlaceholders(std::string_view text, const std::set<std::string>& allowed) {
  std::string problem;
  Scan(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (problem.empty() && !allowed.contains(std::string(name))) {
          std::string known;
          for (const auto& a : allowed) {
            known += (known.empty() ? "{" : ", {") + a + "}";
          }
          problem = "unknown placeholder {" + std::string(name) +
                    "} (known here: " + (known.empty() ? std::string("none") : known) + ")";
        }
      });
  return problem;
}

std::string Expand(std::string_view text, const TemplateValues& v, Escape escape) {
  std::string out;
  auto put = [&](std::string_view value) {
    switch (escape) {
      case Escape::kPath:
        out += UrlEncode(value);
        break;
      case Escape::kJson:
        out += JsonEscape(value);
        break;
      case Escape::kNone:
        out += value;
        break;
    }
  };
  Scan(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        if (name == "since") {
          put(v.since ? FormatInstant(*v.since, v.since_format) : "");
        } else if (name == "cursor") {
          put(v.cursor);
        } else if (name == "page") {
          put(std::to_string(v.page));
        } else if (name == "offset") {
          put(std::to_string(v.offset));
        } else if (name == "page_size") {
          put(std::to_string(v.page_size));
        } else if (name == "id") {
          put(v.id);
        } else {
          out += "{" + std::string(name) + "}";  // unreachable after validation
        }
      });
  return out;
}

}  // namespace dealsync::connectors::rest
