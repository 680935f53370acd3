// Limits the engine applies so that no update is lost silently and no hostile
// value reaches a CRM: the outbox's own retry policy and the sanity bounds a
// record must meet before anything of it is reconciled or pushed. Plain value
// types with documented defaults, read from dealsync.toml's [push] and a
// policy's bounds (config/README.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "dealsync/model.h"

namespace dealsync {

// How the outbox retries a push that failed with an error a retry can fix
// (unavailable, rate-limited, timed out, aborted or locked, unparsable
// acknowledgement). Separate from ConnectionConfig::retry, which repeats one
// HTTP request within seconds: these retries outlast outages of hours. Errors
// that need a person (invalid value, permission denied, failed precondition,
// not found) become dead letters at once.
struct PushRetryConfig {
  std::chrono::milliseconds initial_backoff{10000};
  std::chrono::milliseconds max_backoff{std::chrono::hours(1)};
  // A push still failing this long after its first failure becomes a dead letter.
  std::chrono::milliseconds give_up_after{std::chrono::hours(24 * 3)};
};

// Sanity bounds a record read from a CRM must meet; a record outside them is
// journaled as a reject with the reason and kept at its last good version.
struct ValueBounds {
  bool allow_negative_amounts = false;
  // Amounts above this (converted to its currency through the configured
  // rates; compared in major units when no rate is known) are rejected.
  std::optional<Money> max_amount = Money{100'000'000'000, "USD"};  // 1,000,000,000.00
  // Close dates more than this many days before / after the ingest day.
  int close_date_past_days = 3660;
  int close_date_future_days = 3660;
  size_t max_record_bytes = 1 << 20;  // native payload as received
  size_t max_field_bytes = 4096;      // each text field (id, name, account, owner, ...)
};

}  // namespace dealsync
