// POSIX TZ string parsing and evaluation (POSIX.1-2017 section 8.3, with the
// RFC 8536 extension that rule times may range over -167..167 hours).
#include "src/model/posix_tz.h"

#include <cctype>
#include <chrono>

#include "src/model/text_util.h"

namespace dealsync::model_internal {
namespace {

using namespace std::chrono;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool Take(char c) { return TakeChar(text_, pos_, c); }
  char Peek() const { return done() ? '\0' : text_[pos_]; }

  // A zone abbreviation: 3+ letters, or <...> with letters, digits, + and -.
  bool Name() {
    size_t start = pos_;
    if (Take('<')) {
      while (!done() && Peek() != '>') {
        char c = Peek();
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') {
          return false;
        }
        ++pos_;
      }
      return Take('>') && pos_ - start >= 5;
    }
    while (!done() && std::isalpha(static_cast<unsigned char>(Peek()))) {
      ++pos_;
    }
    return pos_ - start >= 3;
  }

  std::optional<int> Number(int max_value) {
    if (!IsDigit(Peek())) {
      return std::nullopt;
    }
    int value = 0;
    while (IsDigit(Peek())) {
      value = value * 10 + (text_[pos_++] - '0');
      if (value > max_value) {
        return std::nullopt;
      }
    }
    return value;
  }

  // [+-]hh[:mm[:ss]] in seconds, with the sign as written.
  std::optional<int32_t> Time(int max_hours) {
    int sign = 1;
    if (Take('-')) {
      sign = -1;
    } else {
      Take('+');
    }
    std::optional<int> h = Number(max_hours);
    if (!h) {
      return std::nullopt;
    }
    int32_t total = *h * 3600;
    for (int unit : {60, 1}) {
      if (!Take(':')) {
        break;
      }
      std::optional<int> part = Number(59);
      if (!part) {
        return std::nullopt;
      }
      total += *part * unit;
    }
    return sign * total;
  }

  std::optional<PosixTzRule> Rule() {
    PosixTzRule rule;
    if (Take('M')) {
      rule.kind = PosixTzRule::Kind::kMonthWeekDay;
      std::optional<int> m = Number(12);
      std::optional<int> w = m && Take('.') ? Number(5) : std::nullopt;
      std::optional<int> d = w && Take('.') ? Number(6) : std::nullopt;
      if (!d || *m < 1 || *w < 1) {
        return std::nullopt;
      }
      rule.month = *m;
      rule.week = *w;
      rule.weekday = *d;
    } else if (Take('J')) {
      rule.kind = PosixTzRule::Kind::kJulian1;
      std::optional<int> n = Number(365);
      if (!n || *n < 1) {
        return std::nullopt;
      }
      rule.day = *n;
    } else {
      rule.kind = PosixTzRule::Kind::kJulian0;
      std::optional<int> n = Number(365);
      if (!n) {
        return std::nullopt;
      }
      rule.day = *n;
    }
    if (Take('/')) {
      std::optional<int32_t> t = Time(167);
      if (!t) {
        return std::nullopt;
      }
      rule.time = *t;
    }
    return rule;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool IsLeap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Seconds since the epoch of local midnight starting the rule's day in year y.
int64_t RuleDayStart(const PosixTzRule& rule, int y) {
  sys_days jan1 = sys_days(year{y} / January / 1);
  sys_days day;
  switch (rule.kind) {
    case PosixTzRule::Kind::kJulian1:
      day = jan1 + days(rule.day - 1 + (IsLeap(y) && rule.day >= 60 ? 1 : 0));
      break;
    case PosixTzRule::Kind::kJulian0:
      day = jan1 + days(rule.day);
      break;
    case PosixTzRule::Kind::kMonthWeekDay: {
      const auto ym = year{y} / month{static_cast<unsigned>(rule.month)};
      if (rule.week == 5) {
        day = sys_days(ym / weekday{static_cast<unsigned>(rule.weekday)}[last]);
      } else {
        day = sys_days(
            ym / weekday{static_cast<unsigned>(rule.weekday)}[static_cast<unsigned>(rule.week)]);
      }
      break;
    }
  }
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

}  // namespace

int32_t PosixTz::OffsetAt(int64_t utc_seconds) const {
  if (!has_dst) {
    return std_offset;
  }
  const int64_t local_std = utc_seconds + std_offset;
  const int y =
      static_cast<int>(year_month_day{floor<days>(sys_seconds(seconds(local_std)))}.year());
  const int64_t dst_begins = RuleDayStart(start, y) + start.time - std_offset;
  const int64_t dst_ends = RuleDayStart(end, y) + end.time - dst_offset;
  bool in_dst;
  if (dst_begins < dst_ends) {  // northern hemisphere: DST inside the year
    in_dst = utc_seconds >= dst_begins && utc_seconds < dst_ends;
  } else {  // southern hemisphere: DST spans the new year
    in_dst = !(utc_seconds >= dst_ends && utc_seconds < dst_begins);
  }
  return in_dst ? dst_offset : std_offset;
}

std::optional<PosixTz> ParsePosixTz(std::string_view text) {
  Scanner s(text);
  PosixTz tz;
  if (!s.Name()) {
    return std::nullopt;
  }
  std::optional<int32_t> std_offset = s.Time(24);
  if (!std_offset) {
    return std::nullopt;
  }
  tz.std_offset = -*std_offset;
  if (s.done()) {
    return tz;
  }
  if (!s.Name()) {
    return std::nullopt;
  }
  tz.has_dst = true;
  tz.dst_offset = tz.std_offset + 3600;
  if (s.Peek() != ',' && !s.done()) {
    std::optional<int32_t> dst_offset = s.Time(24);
    if (!dst_offset) {
      return std::nullopt;
    }
    tz.dst_offset = -*dst_offset;
  }
  // TZif footers always carry the rule; a DST zone without one is not supported.
  if (!s.Take(',')) {
    return std::nullopt;
  }
  std::optional<PosixTzRule> start = s.Rule();
  std::optional<PosixTzRule> end = start && s.Take(',') ? s.Rule() : std::nullopt;
  if (!end || !s.done()) {
    return std::nullopt;
  }
  tz.start = *start;
  tz.end = *end;
  return tz;
}

}  // namespace dealsync::model_internal
