// ISO 8601 timestamps (UTC milliseconds) and the shared datetime parser.
#include <cstdio>

#include "dealsync/model.h"
#include "src/model/datetime_parse.h"
#include "src/model/text_util.h"

namespace dealsync {

using namespace std::chrono;
using model_internal::Quote;

std::string FormatTimestamp(Timestamp t) {
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  return buf;
}

Result<Timestamp> ParseTimestamp(std::string_view iso) {
  std::optional<model_internal::DateTimeFields> f = model_internal::ParseDateTime(iso);
  if (!f) {
    return InvalidArgument("timestamp " + Quote(iso) +
                           " is not an ISO 8601 datetime (expected e.g. "
                           "\"2026-11-23T20:54:00.000Z\" or \"2026-11-23T21:54:00+01:00\")");
  }
  if (!f->utc_offset) {
    return InvalidArgument("timestamp " + Quote(iso) +
                           " has no UTC offset (expected a trailing \"Z\" or \"+hh:mm\")");
  }
  return f->LocalTime() - *f->utc_offset;
}

Timestamp TimestampFromEpochMs(int64_t ms) {
  return Timestamp(milliseconds(ms));
}

int64_t EpochMs(Timestamp t) {
  return t.time_since_epoch().count();
}

namespace model_internal {

Timestamp DateTimeFields::LocalTime() const {
  return Timestamp(date.ToSysDays()) + hours(hour) + minutes(minute) + seconds(second) +
         milliseconds(millisecond);
}

std::optional<CalendarDate> ParseDateOnly(std::string_view text, size_t& pos) {
  std::optional<int> y = TakeDigits(text, pos, 4);
  if (!y || !TakeChar(text, pos, '-')) {
    return std::nullopt;
  }
  std::optional<int> m = TakeDigits(text, pos, 2);
  if (!m || !TakeChar(text, pos, '-')) {
    return std::nullopt;
  }
  std::optional<int> d = TakeDigits(text, pos, 2);
  if (!d) {
    return std::nullopt;
  }
  CalendarDate date{*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d)};
  if (!year_month_day{year{date.year}, month{date.month}, day{date.day}}.ok()) {
    return std::nullopt;
  }
  return date;
}

std::optional<DateTimeFields> ParseDateTime(std::string_view text) {
  DateTimeFields f;
  size_t pos = 0;
  std::optional<CalendarDate> date = ParseDateOnly(text, pos);
  if (!date ||
      !(TakeChar(text, pos, 'T') || TakeChar(text, pos, 't') || TakeChar(text, pos, ' '))) {
    return std::nullopt;
  }
  f.date = *date;
  std::optional<int> h = TakeDigits(text, pos, 2);
  if (!h || !TakeChar(text, pos, ':')) {
    return std::nullopt;
  }
  std::optional<int> mi = TakeDigits(text, pos, 2);
  if (!mi) {
    return std::nullopt;
  }
  std::optional<int> s = 0;
  if (TakeChar(text, pos, ':')) {
    s = TakeDigits(text, pos, 2);
  }
  // 23:59:60 (a leap second) is folded into :59.
  if (!s || *h > 23 || *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  f.hour = *h;
  f.minute = *mi;
  f.second = *s == 60 ? 59 : *s;
  if (TakeChar(text, pos, '.') || TakeChar(text, pos, ',')) {
    // Fractions beyond milliseconds are truncated.
    int digits = 0;
    int ms = 0;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos, ++digits) {
      if (digits < 3) {
        ms = ms * 10 + (text[pos] - '0');
      }
    }
    if (digits == 0) {
      return std::nullopt;
    }
    for (int i = digits; i < 3; ++i) {
      ms *= 10;
    }
    f.millisecond = ms;
  }
  if (pos == text.size()) {
    return f;  // no offset: a local datetime
  }
  if (TakeChar(text, pos, 'Z') || TakeChar(text, pos, 'z')) {
    f.utc_offset = seconds(0);
  } else {
    const char sign = text[pos];
    if (sign != '+' && sign != '-') {
      return std::nullopt;
    }
    ++pos;
    std::optional<int> oh = TakeDigits(text, pos, 2);
    if (!oh) {
      return std::nullopt;
    }
    TakeChar(text, pos, ':');
    std::optional<int> om = TakeDigits(text, pos, 2);
    if (!om || *oh > 18 || *om > 59) {
      return std::nullopt;
    }
    seconds offset = hours(*oh) + minutes(*om);
    f.utc_offset = sign == '-' ? -offset : offset;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  return f;
}

}  // namespace model_internal
}  // namespace dealsync
