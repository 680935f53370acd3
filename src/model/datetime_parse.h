// The ISO 8601 date/datetime grammar shared by timestamps and close dates.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "dealsync/model.h"

namespace dealsync::model_internal {

struct DateTimeFields {
  CalendarDate date;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  std::optional<std::chrono::seconds> utc_offset;  // absent: a local datetime

  // The fields read as if they were UTC (the wall-clock time).
  Timestamp LocalTime() const;
};

// "YYYY-MM-DD" at text[pos] (a real calendar date); advances pos.
std::optional<CalendarDate> ParseDateOnly(std::string_view text, size_t& pos);

// "YYYY-MM-DD(T| )hh:mm[:ss[.f+]][Z|±hh:mm|±hhmm]"; the whole text must match.
std::optional<DateTimeFields> ParseDateTime(std::string_view text);

}  // namespace dealsync::model_internal
