// The one parser of duration text ("500ms", "90s", "5m", "2h", "1d") shared by
// the config loader and the connectors' option readers, which each wrap it with
// their own error wording and range checks.
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dealsync {

// A whole number followed by a unit: count * unit_ms milliseconds.
struct DurationParts {
  int64_t count = 0;    // >= 0
  int64_t unit_ms = 0;  // 1 (ms), 1000 (s), 60'000 (m), 3'600'000 (h) or 86'400'000 (d)
};

// Splits "<digits><unit>" with unit ms, s, m, h or d. nullopt when there are no
// digits, the number does not fit in int64_t, or the unit is anything else
// (signs, spaces and decimals included).
std::optional<DurationParts> SplitDuration(std::string_view text);

}  // namespace dealsync
