#include "dealsync/day_or_time.h"

namespace dealsync {

Result<Timestamp> ParseDayOrTimestamp(std::string_view text) {
  if (text.size() == 10) {
    Result<CalendarDate> d = ParseDate(text);
    if (!d.ok()) {
      return d.status();
    }
    return TimeZone::Utc().StartOfDay(*d);
  }
  return ParseTimestamp(text);
}

}  // namespace dealsync
