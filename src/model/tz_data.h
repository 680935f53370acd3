// The parsed contents of one TZif file (RFC 8536), shared by TimeZone copies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/model.h"
#include "src/model/posix_tz.h"

namespace dealsync {

struct TimeZone::Data {
  std::string name;
  std::vector<int64_t> transitions;               // UTC seconds, ascending
  std::vector<int32_t> offset_after;              // UTC offset from transitions[i] on
  int32_t offset_before_first = 0;                // before the first transition
  std::optional<model_internal::PosixTz> footer;  // after the last transition

  int32_t OffsetAt(int64_t utc_seconds) const;
};

namespace model_internal {

// Parses the bytes of a TZif file; the error names `zone_name`.
Result<TimeZone::Data> ParseTzif(std::string_view bytes, std::string_view zone_name);

}  // namespace model_internal
}  // namespace dealsync
