// Money arithmetic for reports: conversion into the reporting currency that
// remembers which rates it used, and integer rounding helpers. No floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "dealsync/model.h"
#include "dealsync/policy.h"
#include "dealsync/sync_records.h"

namespace dealsync::report_internal {

// a / b rounded half away from zero. REQUIRES: b > 0.
int64_t DivRound(int64_t a, int64_t b);

// Parses canonical money text "1234.50 EUR"; nullopt for anything else.
std::optional<Money> ParseMoneyText(std::string_view text);

// Converts amounts into the reporting currency, recording the currencies it
// converted from (with a rate) and those it could not convert (no rate).
class ReportingConverter {
 public:
  explicit ReportingConverter(const CurrencyRates& rates) : rates_(rates) {}

  std::optional<int64_t> ToMinor(const std::optional<Money>& amount);
  const std::string& currency() const { return rates_.reporting_currency; }
  const std::set<std::string>& used() const { return used_; }
  const std::set<std::string>& missing() const { return missing_; }
  const CurrencyRates& rates() const { return rates_; }

 private:
  const CurrencyRates& rates_;
  std::set<std::string> used_;
  std::set<std::string> missing_;
};

}  // namespace dealsync::report_internal
