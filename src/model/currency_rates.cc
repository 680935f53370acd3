// CurrencyRates: exact conversion through rates scaled 1e9, in 128-bit
// integers, rounded half away from zero. Used for comparisons and reports
// only; amounts are never silently converted on push.
#include <optional>

#include "dealsync/policy.h"

namespace dealsync {
namespace {

using int128 = __int128;
constexpr int64_t kNano = 1'000'000'000;

int128 Pow10(int n) {
  int128 p = 1;
  for (int i = 0; i < n; ++i) {
    p *= 10;
  }
  return p;
}

// round(num / den) half away from zero; den > 0.
int128 DivRound(int128 num, int128 den) {
  int128 q = num / den;
  int128 r = num % den;
  int128 twice = (r < 0 ? -r : r) * 2;
  if (twice >= den) {
    q += num < 0 ? -1 : 1;
  }
  return q;
}

// minor * rate_from * 10^to_digits / (rate_to * 10^from_digits), overflow-checked.
std::optional<int64_t> Scale(int64_t minor, int64_t rate_from, int64_t rate_to, int from_digits,
                             int to_digits) {
  if (rate_from <= 0 || rate_to <= 0) {
    return std::nullopt;
  }
  int128 num;
  if (__builtin_mul_overflow(static_cast<int128>(minor), static_cast<int128>(rate_from), &num) ||
      __builtin_mul_overflow(num, Pow10(to_digits), &num)) {
    return std::nullopt;
  }
  int128 den = static_cast<int128>(rate_to) * Pow10(from_digits);
  int128 q = DivRound(num, den);
  if (q > INT64_MAX || q < INT64_MIN) {
    return std::nullopt;
  }
  return static_cast<int64_t>(q);
}

std::optional<int64_t> RateOf(const CurrencyRates& rates, const std::string& currency) {
  if (currency == rates.reporting_currency) {
    return kNano;
  }
  auto it = rates.nano_rates.find(currency);
  if (it == rates.nano_rates.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace

std::optional<Money> CurrencyRates::ToReporting(const Money& m) const {
  return Convert(m, reporting_currency);
}

std::optional<Money> CurrencyRates::Convert(const Money& m, std::string_view to_currency) const {
  const std::string to(to_currency);
  if (m.currency == to) {
    return m;
  }
  std::optional<int64_t> rate_from = RateOf(*this, m.currency);
  std::optional<int64_t> rate_to = RateOf(*this, to);
  std::optional<int> from_digits = CurrencyMinorDigits(m.currency);
  std::optional<int> to_digits = CurrencyMinorDigits(to);
  if (!rate_from || !rate_to || !from_digits || !to_digits) {
    return std::nullopt;
  }
  std::optional<int64_t> minor = Scale(m.minor, *rate_from, *rate_to, *from_digits, *to_digits);
  if (!minor) {
    return std::nullopt;
  }
  return Money{*minor, to};
}

}  // namespace dealsync
