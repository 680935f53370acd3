// Money: decimal text <-> integer minor units. Integer arithmetic only; every
// multiplication is overflow-checked; rounding is half away from zero.
#include <cctype>
#include <limits>
#include <string>

#include "dealsync/model.h"
#include "dealsync/money_exact.h"
#include "src/model/text_util.h"

namespace dealsync {
namespace {

using model_internal::IsDigit;
using model_internal::Quote;

// Longest exponent honoured in a JSON number; anything larger cannot fit int64 minor units.
constexpr int kMaxExponent = 400;

// A parsed decimal: (-1)^negative * digits * 10^exponent.
struct Decimal {
  bool negative = false;
  std::string digits;  // significant digits, no leading zeros ("" means zero)
  int exponent = 0;
};

Result<std::string> NormalizeCurrency(std::string_view currency) {
  std::string code(currency);
  for (char& c : code) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (!CurrencyMinorDigits(code)) {
    return InvalidArgument("unknown currency " + Quote(currency) +
                           " (expected an ISO 4217 code such as USD, EUR, JPY)");
  }
  return code;
}

// Scans [+-]digits[.digits] (requires at least one digit); `allow_exponent`
// also accepts [eE][+-]digits. Returns nullopt on any other character.
std::optional<Decimal> ScanDecimal(std::string_view text, bool allow_exponent) {
  Decimal d;
  size_t pos = 0;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    d.negative = text[pos] == '-';
    ++pos;
  }
  size_t digit_count = 0;
  bool seen_point = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (IsDigit(c)) {
      ++digit_count;
      if (!d.digits.empty() || c != '0') {
        d.digits += c;
      }
      if (seen_point) {
        --d.exponent;
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digit_count == 0 || (seen_point && text[pos - 1] == '.')) {
    return std::nullopt;
  }
  if (pos < text.size() && allow_exponent && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    bool exp_negative = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
      exp_negative = text[pos] == '-';
      ++pos;
    }
    if (pos >= text.size()) {
      return std::nullopt;
    }
    int exp = 0;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      exp = exp * 10 + (text[pos] - '0');
      if (exp > kMaxExponent) {
        return std::nullopt;
      }
    }
    d.exponent += exp_negative ? -exp : exp;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  return d;
}

// Converts d to minor units with `minor_digits` decimals.
// exact: digits past the currency's minor digits that are not zero are an error.
Result<int64_t> ToMinorUnits(const Decimal& d, int minor_digits, std::string_view text,
                             bool exact) {
  const int shift = d.exponent + minor_digits;  // value_minor = digits * 10^shift
  std::string_view kept = d.digits;
  bool round_up = false;
  if (shift < 0) {
    size_t drop = static_cast<size_t>(-shift);
    if (drop > kept.size()) {
      if (exact && kept.find_first_not_of('0') != kept.npos) {
        return InvalidArgument("amount " + Quote(text) + " has more decimal digits than the " +
                               "currency's " + std::to_string(minor_digits) +
                               "; it is rejected, not rounded");
      }
      kept = {};
    } else {
      if (exact && kept.substr(kept.size() - drop).find_first_not_of('0') != kept.npos) {
        return InvalidArgument("amount " + Quote(text) + " has more decimal digits than the " +
                               "currency's " + std::to_string(minor_digits) +
                               "; it is rejected, not rounded");
      }
      // Half away from zero: the magnitude rounds up when the first dropped digit is >= 5.
      round_up = kept[kept.size() - drop] >= '5';
      kept.remove_suffix(drop);
    }
  }
  // Magnitude in unsigned: int64 min has one more unit than int64 max.
  const uint64_t limit = d.negative ? uint64_t{1} << 63 : std::numeric_limits<int64_t>::max();
  uint64_t magnitude = 0;
  auto overflow = [&] {
    return InvalidArgument("amount " + Quote(text) + " is out of range (at most " +
                           std::to_string(std::numeric_limits<int64_t>::max()) + " minor units)");
  };
  auto push_digit = [&](int digit) {
    if (magnitude > (limit - static_cast<uint64_t>(digit)) / 10) {
      return false;
    }
    magnitude = magnitude * 10 + static_cast<uint64_t>(digit);
    return true;
  };
  for (char c : kept) {
    if (!push_digit(c - '0')) {
      return overflow();
    }
  }
  if (shift > 0 && magnitude != 0) {
    for (int i = 0; i < shift; ++i) {
      if (!push_digit(0)) {
        return overflow();
      }
    }
  }
  if (round_up) {
    if (magnitude == limit) {
      return overflow();
    }
    ++magnitude;
  }
  if (d.negative) {
    return magnitude == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                            : -static_cast<int64_t>(magnitude);
  }
  return static_cast<int64_t>(magnitude);
}

Result<Money> Parse(std::string_view text, std::string_view currency, bool json_number,
                    bool exact) {
  Result<std::string> code = NormalizeCurrency(currency);
  if (!code.ok()) {
    return code.status();
  }
  std::optional<Decimal> decimal = ScanDecimal(text, json_number);
  if (!decimal) {
    return InvalidArgument("amount " + Quote(text) + " is not a decimal number" +
                           (json_number ? ""
                                        : " (expected digits with an optional sign and "
                                          "decimal point, e.g. \"-1234.50\")"));
  }
  Result<int64_t> minor = ToMinorUnits(*decimal, *CurrencyMinorDigits(*code), text, exact);
  if (!minor.ok()) {
    return minor.status();
  }
  return Money{*minor, std::move(code).value()};
}

}  // namespace

Result<Money> ParseMoney(std::string_view decimal, std::string_view currency) {
  return Parse(decimal, currency, /*json_number=*/false, /*exact=*/false);
}

Result<Money> ParseMoneyExact(std::string_view decimal, std::string_view currency) {
  return Parse(decimal, currency, /*json_number=*/false, /*exact=*/true);
}

Result<Money> ParseMoneyNumberExact(std::string_view number_text, std::string_view currency) {
  return Parse(number_text, currency, /*json_number=*/true, /*exact=*/true);
}

Result<Money> ParseMoneyNumber(std::string_view number_text, std::string_view currency) {
  return Parse(number_text, currency, /*json_number=*/true, /*exact=*/false);
}

Result<Money> MoneyFromMinorUnits(int64_t minor, std::string_view currency) {
  Result<std::string> code = NormalizeCurrency(currency);
  if (!code.ok()) {
    return code.status();
  }
  return Money{minor, std::move(code).value()};
}

std::string FormatDecimal(const Money& m) {
  const int digits = CurrencyMinorDigits(m.currency).value_or(2);
  const bool negative = m.minor < 0;
  uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(m.minor) : static_cast<uint64_t>(m.minor);
  std::string text = std::to_string(magnitude);
  if (digits > 0) {
    if (text.size() <= static_cast<size_t>(digits)) {
      text.insert(0, static_cast<size_t>(digits) + 1 - text.size(), '0');
    }
    text.insert(text.size() - static_cast<size_t>(digits), ".");
  }
  if (negative) {
    text.insert(0, "-");
  }
  return text;
}

std::string FormatMoney(const Money& m) {
  return FormatDecimal(m) + " " + m.currency;
}

}  // namespace dealsync
