#include "dealsync/duration_text.h"

#include <limits>

namespace dealsync {

std::optional<DurationParts> SplitDuration(std::string_view text) {
  constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
  DurationParts parts;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    const int d = text[digits] - '0';
    if (parts.count > (kMaxInt - d) / 10) {
      return std::nullopt;
    }
    parts.count = parts.count * 10 + d;
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(digits);
  if (unit == "ms") {
    parts.unit_ms = 1;
  } else if (unit == "s") {
    parts.unit_ms = 1000;
  } else if (unit == "m") {
    parts.unit_ms = 60'000;
  } else if (unit == "h") {
    parts.unit_ms = 3'600'000;
  } else if (unit == "d") {
    parts.unit_ms = 86'400'000;
  } else {
    return std::nullopt;
  }
  return parts;
}

}  // namespace dealsync
