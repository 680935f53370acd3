// How an operator names a point in time on the command line and in the admin
// API: a day ("2026-11-01", its start in UTC) or an ISO 8601 timestamp.
#pragma once

#include <string_view>

#include "dealsync/model.h"

namespace dealsync {

Result<Timestamp> ParseDayOrTimestamp(std::string_view text);

}  // namespace dealsync
