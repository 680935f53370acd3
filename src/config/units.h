// Parsers for the unit-bearing strings of the config language: durations
// ("250ms", "30s", "5m", "1h", "1d"), percentages ("0.5%"), money ("100 USD")
// and exact decimals scaled to integers ("1.08" -> 1'080'000'000 nano).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::config_internal {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "0.5%" -> 5000 parts per million; at most 4 decimals, 0..100%.
Result<int64_t> ParsePercentPpm(std::string_view text);
// "<decimal> <ISO 4217 code>", e.g. "250000 USD".
Result<Money> ParseMoneyWithCurrency(std::string_view text);
// Exact non-negative decimal scaled by 10^digits ("1.08", 9 -> 1080000000).
Result<int64_t> ParseScaledDecimal(std::string_view text, int digits);

}  // namespace dealsync::config_internal
