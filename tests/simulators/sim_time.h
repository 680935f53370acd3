// Time helpers for the simulators: the exact timestamp spellings each vendor
// uses on the wire, and a strict ISO 8601 parser. Kept local so the simulators
// depend only on the public headers (not on the model library's internals).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dealsync/model.h"

namespace dealsync::sim {

// "2026-11-23T10:00:00.123Z" (HubSpot, generic shapes).
std::string IsoMillisZ(Timestamp t);
// "2026-11-23T10:00:00Z" (seconds precision).
std::string IsoSecondsZ(Timestamp t);
// "2026-11-23T10:00:00.000+0000" (Salesforce datetime fields).
std::string SalesforceDateTime(Timestamp t);
// "2026-11-23T17:00:00-05:00": the instant shown at a fixed UTC offset.
std::string IsoWithOffset(Timestamp t, int offset_minutes);
// "2026-11-23" (UTC calendar date of t).
std::string IsoDate(Timestamp t);

// Accepts YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm|+hhmm|-hhmm).
std::optional<Timestamp> ParseIsoDateTime(std::string_view s);
// Accepts exactly YYYY-MM-DD; returns UTC midnight of that date.
std::optional<Timestamp> ParseIsoDate(std::string_view s);
// A non-negative decimal integer with no sign, spaces or fraction.
std::optional<int64_t> ParseInt(std::string_view s);
Timestamp FromEpochMs(int64_t ms);
int64_t ToEpochMs(Timestamp t);

}  // namespace dealsync::sim
