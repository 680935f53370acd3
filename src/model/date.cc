// Calendar dates and their conversion from instants in a time zone.
#include <cstdio>

#include "dealsync/model.h"
#include "src/model/datetime_parse.h"
#include "src/model/text_util.h"

namespace dealsync {

using namespace std::chrono;
using model_internal::Quote;

namespace {
// Instants outside years 0001..9999 are not close dates; reject them early so
// no arithmetic below can overflow.
constexpr int64_t kMinEpochMs = -62135596800000;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxEpochMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
}  // namespace

sys_days CalendarDate::ToSysDays() const {
  return sys_days(
      year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}});
}

CalendarDate CalendarDate::FromSysDays(sys_days d) {
  const year_month_day ymd{d};
  return CalendarDate{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                      static_cast<unsigned>(ymd.day())};
}

std::string FormatDate(const CalendarDate& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

Result<CalendarDate> ParseDate(std::string_view iso_date) {
  size_t pos = 0;
  std::optional<CalendarDate> date = model_internal::ParseDateOnly(iso_date, pos);
  if (!date || pos != iso_date.size()) {
    return InvalidArgument("date " + Quote(iso_date) +
                           " is not a calendar date in ISO 8601 form (expected YYYY-MM-DD)");
  }
  return *date;
}

Result<CalendarDate> DateFromEpochMs(int64_t ms, const TimeZone& zone) {
  if (ms < kMinEpochMs || ms > kMaxEpochMs) {
    return InvalidArgument("epoch milliseconds " + std::to_string(ms) +
                           " are outside years 0001..9999");
  }
  return zone.LocalDate(TimestampFromEpochMs(ms));
}

Result<CalendarDate> DateFromIsoDateOrDateTime(std::string_view text, const TimeZone& zone) {
  size_t pos = 0;
  std::optional<CalendarDate> date = model_internal::ParseDateOnly(text, pos);
  if (date && pos == text.size()) {
    return *date;
  }
  std::optional<model_internal::DateTimeFields> f = model_internal::ParseDateTime(text);
  if (!f) {
    return InvalidArgument("date " + Quote(text) +
                           " is neither an ISO date (YYYY-MM-DD) nor an ISO datetime "
                           "(YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm])");
  }
  if (!f->utc_offset) {
    return f->date;  // a local datetime is already in the CRM's own zone
  }
  return zone.LocalDate(f->LocalTime() - *f->utc_offset);
}

}  // namespace dealsync
