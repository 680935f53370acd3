// Typed views of canonical field text ("proposal", "1234.50 EUR", "2026-12-01")
// and the equivalence the reconciler uses (amount tolerance, currency rates).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dealsync/model.h"
#include "dealsync/policy.h"

namespace dealsync {

// "1234.50 EUR" -> Money; nullopt when malformed or empty.
std::optional<Money> ParseMoneyText(std::string_view text);
// Stage ordinal with both terminal stages on one level (won and lost are equally "closed").
std::optional<int> StageLevel(std::string_view text);

// Amount in the reporting currency, minor units; nullopt without a rate.
std::optional<int64_t> ReportingMinor(std::string_view money_text, const CurrencyRates& rates);

// True when `a` and `b` mean the same value of field `f`: equal text, or for
// amounts within the policy's tolerance (through the configured rates when the
// currencies differ). Two empty values are equivalent; empty vs. set is not.
bool ValuesEquivalent(Field f, std::string_view a, std::string_view b, const AmountPolicy& policy,
                      const CurrencyRates& rates);

}  // namespace dealsync
