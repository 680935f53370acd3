// Sanity bounds a record read from a CRM must meet before the engine keeps
// it (and so before anything derived from it can be pushed): sizes, at least
// one reconciled field, amount sign and ceiling, close-date window. A record
// outside them is journaled as a reject with the reason; the rest of its page
// is ingested as usual. Pure functions; thread-safe.
#pragma once

#include <string>

#include "dealsync/model.h"
#include "dealsync/policy.h"
#include "dealsync/reliability_limits.h"
#include "dealsync/status.h"

namespace dealsync {

// Ok, or InvalidArgument naming the field, the value (shortened) and the bound.
Status CheckRecordBounds(const Opportunity& o, const ValueBounds& bounds,
                         const CurrencyRates& rates, CalendarDate today);

// A value an operator or a policy settled on, checked before it is queued.
Status CheckValueBounds(Field f, std::string_view value_text, const ValueBounds& bounds,
                        const CurrencyRates& rates, CalendarDate today);

// At most `max` bytes of `text`, cut at a UTF-8 boundary, with a note of the
// original size when cut (what a reject keeps of an oversized payload).
std::string Shortened(std::string_view text, size_t max);

}  // namespace dealsync
