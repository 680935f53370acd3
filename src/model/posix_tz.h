// POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3"), as found in the footer of
// TZif v2+ files, which give the rule for instants after the last transition.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dealsync::model_internal {

struct PosixTzRule {
  enum class Kind : uint8_t { kJulian1, kJulian0, kMonthWeekDay };  // Jn, n, Mm.w.d
  Kind kind = Kind::kMonthWeekDay;
  int day = 0;          // Jn: 1..365 (Feb 29 never counted); n: 0..365
  int month = 0;        // Mm.w.d
  int week = 0;         // 1..5 (5 = last)
  int weekday = 0;      // 0 = Sunday
  int32_t time = 7200;  // seconds after local midnight (may be negative or > 24h)
};

struct PosixTz {
  int32_t std_offset = 0;  // seconds east of UTC (the POSIX sign is inverted)
  bool has_dst = false;
  int32_t dst_offset = 0;
  PosixTzRule start;  // given in standard local time
  PosixTzRule end;    // given in daylight local time

  // UTC offset in force at `utc_seconds`.
  int32_t OffsetAt(int64_t utc_seconds) const;
};

// nullopt when `text` is not a valid POSIX TZ string.
std::optional<PosixTz> ParsePosixTz(std::string_view text);

}  // namespace dealsync::model_internal
