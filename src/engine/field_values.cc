#include "src/engine/field_values.h"

#include <cstdlib>

namespace dealsync {

std::optional<Money> ParseMoneyText(std::string_view text) {
  size_t space = text.rfind(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  Result<Money> m = ParseMoney(text.substr(0, space), text.substr(space + 1));
  if (!m.ok()) {
    return std::nullopt;
  }
  return *m;
}

std::optional<int> StageLevel(std::string_view text) {
  std::optional<Stage> s = ParseStage(text);
  if (!s) {
    return std::nullopt;
  }
  return IsTerminal(*s) ? StageOrdinal(Stage::kClosedWon) : StageOrdinal(*s);
}

std::optional<int64_t> ReportingMinor(std::string_view money_text, const CurrencyRates& rates) {
  std::optional<Money> m = ParseMoneyText(money_text);
  if (!m) {
    return std::nullopt;
  }
  if (m->currency == rates.reporting_currency) {
    return m->minor;
  }
  std::optional<Money> converted = rates.ToReporting(*m);
  if (!converted) {
    return std::nullopt;
  }
  return converted->minor;
}

namespace {

// |a - b| within the absolute or the relative tolerance; a and b in one currency.
bool WithinTolerance(int64_t a, int64_t b, std::string_view currency, const AmountPolicy& policy,
                     const CurrencyRates& rates) {
  const __int128 diff = a > b ? static_cast<__int128>(a) - b : static_cast<__int128>(b) - a;
  if (diff == 0) {
    return true;
  }
  if (policy.tolerance_absolute) {
    std::optional<int64_t> tol;
    if (policy.tolerance_absolute->currency == currency) {
      tol = policy.tolerance_absolute->minor;
    } else if (auto conv = rates.Convert(*policy.tolerance_absolute, currency)) {
      tol = conv->minor;
    }
    if (tol && diff <= *tol) {
      return true;
    }
  }
  if (policy.tolerance_ppm > 0) {
    const __int128 larger = std::max(std::llabs(a), std::llabs(b));
    return diff * 1'000'000 <= larger * policy.tolerance_ppm;
  }
  return false;
}

}  // namespace

bool ValuesEquivalent(Field f, std::string_view a, std::string_view b, const AmountPolicy& policy,
                      const CurrencyRates& rates) {
  if (a == b) {
    return true;
  }
  if (f != Field::kAmount || a.empty() || b.empty()) {
    return false;
  }
  std::optional<Money> ma = ParseMoneyText(a);
  std::optional<Money> mb = ParseMoneyText(b);
  if (!ma || !mb) {
    return false;
  }
  if (ma->currency == mb->currency) {
    return WithinTolerance(ma->minor, mb->minor, ma->currency, policy, rates);
  }
  std::optional<int64_t> ra = ReportingMinor(a, rates);
  std::optional<int64_t> rb = ReportingMinor(b, rates);
  if (!ra || !rb) {
    return false;  // no rate: different currencies cannot be shown equal
  }
  return WithinTolerance(*ra, *rb, rates.reporting_currency, policy, rates);
}

}  // namespace dealsync
