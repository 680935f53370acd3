// Per-connector transport counters, read by /metrics.
// Thread-safety: atomics; written on the connector's executor, read anywhere.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "dealsync/status.h"

namespace dealsync {

// Requests a CRM counts against its own quota, and that quota (ParseQuotaUsage).
struct QuotaUsage {
  int64_t used = 0;
  int64_t limit = 0;
};

inline constexpr size_t kStatusCodeCount = static_cast<size_t>(StatusCode::kInternal) + 1;

struct TransportCounters {
  std::atomic<uint64_t> api_calls{0};           // requests handed to the network (each attempt)
  std::atomic<uint64_t> retries{0};             // attempts after the first
  std::atomic<uint64_t> rate_limit_waits{0};    // times the limiter made a request wait
  std::atomic<uint64_t> rate_limit_wait_ms{0};  // total time waited for the limiter
  std::atomic<uint64_t> token_refreshes{0};     // OAuth2 token fetches
  // Final outcomes that were not OK, by StatusCode (index = static_cast<size_t>(code)).
  std::array<std::atomic<uint64_t>, kStatusCodeCount> failures_by_code{};
  // The CRM's own quota as its latest response reported it (ParseQuotaUsage,
  // token_bucket.h); -1 until a response said. Read with ReportedQuota.
  std::atomic<int64_t> quota_used{-1};
  std::atomic<int64_t> quota_limit{-1};
  std::atomic<int> last_http_status{0};  // 0 when the last call got no HTTP response
  std::atomic<int> last_status_code{0};  // static_cast<int>(StatusCode) of the last outcome

  void RecordFailure(StatusCode code) {
    failures_by_code[static_cast<size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  }
};

// The quota the CRM last reported through `counters`; nullopt until it has.
inline std::optional<QuotaUsage> ReportedQuota(const TransportCounters& counters) {
  const int64_t used = counters.quota_used.load(std::memory_order_relaxed);
  const int64_t limit = counters.quota_limit.load(std::memory_order_relaxed);
  if (used < 0 || limit <= 0) {
    return std::nullopt;
  }
  return QuotaUsage{used, limit};
}

}  // namespace dealsync
