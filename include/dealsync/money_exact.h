// Exact money parsing for values read from a CRM: like ParseMoney and
// ParseMoneyNumber (dealsync/model.h), but a value with more (non-zero)
// decimal digits than the currency has ("12.345" USD) is an error instead of
// being rounded, so a partner's typo is rejected, not silently changed.
#pragma once

#include <string_view>

#include "dealsync/model.h"

namespace dealsync {

Result<Money> ParseMoneyExact(std::string_view decimal, std::string_view currency);
Result<Money> ParseMoneyNumberExact(std::string_view number_text, std::string_view currency);

}  // namespace dealsync
