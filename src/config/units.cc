// Unit-bearing config values. Integer arithmetic only, overflow-checked.
#include "src/config/units.h"

#include <limits>

#include "dealsync/duration_text.h"

namespace dealsync::config_internal {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text.substr(0, 64)) + "\"";
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("invalid duration " + Quoted(text) +
                           " (expected a whole number and a unit: ms, s, m, h or d, e.g. \"30s\")");
  };
  const std::optional<DurationParts> parts = SplitDuration(text);
  if (!parts) {
    return bad();
  }
  const int64_t value = parts->count;
  const int64_t scale = parts->unit_ms;
  if (value > kMaxInt / scale / 1000) {  // keep headroom for later arithmetic
    return InvalidArgument("duration " + Quoted(text) + " is too long");
  }
  return std::chrono::milliseconds(value * scale);
}

Result<int64_t> ParseScaledDecimal(std::string_view text, int digits) {
  auto bad = [&] {
    return InvalidArgument("invalid number " + Quoted(text) +
                           " (expected a decimal such as \"1.08\"" + " with at most " +
                           std::to_string(digits) + " decimals)");
  };
  int64_t value = 0;
  int decimals = -1;  // -1 until the decimal point
  size_t seen_digits = 0;
  for (char c : text) {
    if (c == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9' || decimals == digits) {
      return bad();
    }
    if (value > (kMaxInt - (c - '0')) / 10) {
      return bad();
    }
    value = value * 10 + (c - '0');
    ++seen_digits;
    if (decimals >= 0) {
      ++decimals;
    }
  }
  if (seen_digits == 0 || decimals == 0) {
    return bad();
  }
  for (int i = decimals < 0 ? 0 : decimals; i < digits; ++i) {
    if (value > kMaxInt / 10) {
      return bad();
    }
    value *= 10;
  }
  return value;
}

Result<int64_t> ParsePercentPpm(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("invalid percentage " + Quoted(text) +
                           " (expected 0% to 100% with at most 4 decimals, e.g. \"0.5%\")");
  };
  if (text.size() < 2 || text.back() != '%') {
    return bad();
  }
  // ppm = percent * 10^4, i.e. the percentage scaled by four decimals.
  Result<int64_t> ppm = ParseScaledDecimal(text.substr(0, text.size() - 1), 4);
  if (!ppm.ok() || *ppm > 1'000'000) {
    return bad();
  }
  return *ppm;
}

Result<Money> ParseMoneyWithCurrency(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) {
    return InvalidArgument("invalid amount " + Quoted(text) +
                           " (expected a decimal and an ISO 4217 code, e.g. \"100 USD\")");
  }
  std::string_view code = text.substr(space + 1);
  if (code.size() != 3 || !CurrencyMinorDigits(code)) {
    return InvalidArgument("unknown currency " + Quoted(code) +
                           " (expected an upper-case ISO 4217 code such as USD, EUR, JPY)");
  }
  return ParseMoney(text.substr(0, space), code);
}

}  // namespace dealsync::config_internal
