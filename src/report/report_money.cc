#include "src/report/report_money.h"

#include "dealsync/report_model.h"

namespace dealsync {

std::string FormatMinor(int64_t minor, const std::string& currency) {
  return FormatDecimal(Money{minor, currency});
}

std::string FormatNanoRate(int64_t nano_rate) {
  constexpr int64_t kScale = 1'000'000'000;
  const bool negative = nano_rate < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(nano_rate) : static_cast<uint64_t>(nano_rate);
  std::string fraction = std::to_string(magnitude % kScale);
  fraction.insert(0, 9 - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') {
    fraction.pop_back();
  }
  return (negative ? "-" : "") + std::to_string(magnitude / kScale) + "." + fraction;
}

std::string FormatBasisPoints(int64_t bp) {
  // Two decimals of a percentage: 1234 bp -> "12.34".
  const bool negative = bp < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(bp) : static_cast<uint64_t>(bp);
  std::string fraction = std::to_string(magnitude % 100);
  if (fraction.size() < 2) {
    fraction.insert(0, "0");
  }
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + "." + fraction;
}

namespace report_internal {

int64_t DivRound(int64_t a, int64_t b) {
  const int64_t quotient = a / b;
  const int64_t remainder = a % b;
  if (remainder == 0) {
    return quotient;
  }
  const int64_t twice = remainder < 0 ? -2 * remainder : 2 * remainder;
  if (twice >= b) {
    return a < 0 ? quotient - 1 : quotient + 1;
  }
  return quotient;
}

std::optional<Money> ParseMoneyText(std::string_view text) {
  const size_t space = text.rfind(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  Result<Money> parsed = ParseMoney(text.substr(0, space), text.substr(space + 1));
  if (!parsed.ok()) {
    return std::nullopt;
  }
  return *parsed;
}

std::optional<int64_t> ReportingConverter::ToMinor(const std::optional<Money>& amount) {
  if (!amount) {
    return std::nullopt;
  }
  if (amount->currency == rates_.reporting_currency) {
    return amount->minor;
  }
  std::optional<Money> converted = rates_.ToReporting(*amount);
  if (!converted) {
    missing_.insert(amount->currency);
    return std::nullopt;
  }
  used_.insert(amount->currency);
  return converted->minor;
}

}  // namespace report_internal
}  // namespace dealsync
