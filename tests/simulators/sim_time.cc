#include "tests/simulators/sim_time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace dealsync::sim {
namespace {

using namespace std::chrono;

struct Parts {
  int year;
  unsigned month, day;
  long hour, minute, second, millis;
};

Parts Split(Timestamp t) {
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> hms(t - day);
  return {int(ymd.year()),
          unsigned(ymd.month()),
          unsigned(ymd.day()),
          hms.hours().count(),
          hms.minutes().count(),
          static_cast<long>(hms.seconds().count()),
          static_cast<long>(hms.subseconds().count())};
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<sys_days> DateAt(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, y) || !Digits(s, 5, 2, m) ||
      !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  const year_month_day ymd{year(y), month(unsigned(m)), day(unsigned(d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return sys_days(ymd);
}

}  // namespace

std::string IsoMillisZ(Timestamp t) {
  const Parts p = Split(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", p.year, p.month, p.day,
                p.hour, p.minute, p.second, p.millis);
  return buf;
}

std::string IsoSecondsZ(Timestamp t) {
  const Parts p = Split(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", p.year, p.month, p.day,
                p.hour, p.minute, p.second);
  return buf;
}

std::string SalesforceDateTime(Timestamp t) {
  const Parts p = Split(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ld+0000", p.year, p.month,
                p.day, p.hour, p.minute, p.second, p.millis);
  return buf;
}

std::string IsoWithOffset(Timestamp t, int offset_minutes) {
  const Parts p = Split(t + minutes(offset_minutes));
  const int abs_off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld%c%02d:%02d", p.year, p.month,
                p.day, p.hour, p.minute, p.second, offset_minutes < 0 ? '-' : '+', abs_off / 60,
                abs_off % 60);
  return buf;
}

std::string IsoDate(Timestamp t) {
  const Parts p = Split(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", p.year, p.month, p.day);
  return buf;
}

std::optional<Timestamp> ParseIsoDate(std::string_view s) {
  if (s.size() != 10) {
    return std::nullopt;
  }
  auto d = DateAt(s);
  if (!d) {
    return std::nullopt;
  }
  return Timestamp(*d);
}

std::optional<Timestamp> ParseIsoDateTime(std::string_view s) {
  auto date = DateAt(s);
  int h = 0, mi = 0, se = 0;
  if (!date || s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      !Digits(s, 11, 2, h) || !Digits(s, 14, 2, mi) || !Digits(s, 17, 2, se) || h > 23 || mi > 59 ||
      se > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (s[pos] == '.') {
    ++pos;
    int digits = 0;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0 || digits > 9) {
      return std::nullopt;
    }
  }
  int offset_min = 0;
  std::string_view zone = s.substr(pos);
  if (zone == "Z") {
    offset_min = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0, om = 0;
    if (!Digits(zone, 1, 2, oh) || !Digits(zone, 4, 2, om)) {
      return std::nullopt;
    }
    offset_min = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    int oh = 0, om = 0;
    if (!Digits(zone, 1, 2, oh) || !Digits(zone, 3, 2, om)) {
      return std::nullopt;
    }
    offset_min = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  return Timestamp(*date) + hours(h) + minutes(mi) + seconds(se) + milliseconds(millis) -
         minutes(offset_min);
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 18) {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

Timestamp FromEpochMs(int64_t ms) {
  return Timestamp(milliseconds(ms));
}
int64_t ToEpochMs(Timestamp t) {
  return t.time_since_epoch().count();
}

}  // namespace dealsync::sim
