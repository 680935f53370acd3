#include "src/transport/token_bucket.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace dealsync {
namespace {

using std::chrono::milliseconds;

constexpr double kSforceSlowdownStart = 0.75;  // usage fraction where slowing starts
constexpr double kMinRateFactor = 0.05;
constexpr int64_t kEpochSecondsThreshold = 1'000'000'000;  // larger resets are epoch times

std::optional<int64_t> ParseInt(std::optional<std::string_view> value) {
  if (!value) {
    return std::nullopt;
  }
  std::string_view v = *value;
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) {
    return std::nullopt;
  }
  return out;
}

// "api-usage=25/15000" (possibly among other comma-separated entries).
std::optional<QuotaUsage> SforceApiUsage(std::string_view info) {
  const size_t at = info.find("api-usage=");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = info.substr(at + 10);
  rest = rest.substr(0, rest.find_first_of(", "));
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  auto used = ParseInt(rest.substr(0, slash));
  auto max = ParseInt(rest.substr(slash + 1));
  if (!used || !max || *max <= 0 || *used < 0) {
    return std::nullopt;
  }
  return QuotaUsage{*used, *max};
}

std::optional<double> SforceUsage(std::string_view info) {
  std::optional<QuotaUsage> usage = SforceApiUsage(info);
  if (!usage) {
    return std::nullopt;
  }
  return static_cast<double>(usage->used) / static_cast<double>(usage->limit);
}

// A limit and what is left of it; nullopt unless both parse and make sense.
std::optional<QuotaUsage> FromRemaining(std::optional<int64_t> limit,
                                        std::optional<int64_t> remaining) {
  if (!limit || !remaining || *limit <= 0 || *remaining < 0 || *remaining > *limit) {
    return std::nullopt;
  }
  return QuotaUsage{*limit - *remaining, *limit};
}

TokenBucket::TimePoint After(TokenBucket::TimePoint now, int64_t ms) {
  return now + milliseconds(std::max<int64_t>(ms, 0));
}

}  // namespace

std::optional<QuotaUsage> ParseQuotaUsage(const HttpResponse& response) {
  if (auto info = response.header("Sforce-Limit-Info")) {
    if (auto usage = SforceApiUsage(*info)) {
      return usage;
    }
  }
  if (auto daily =
          FromRemaining(ParseInt(response.header("X-HubSpot-RateLimit-Daily")),
                        ParseInt(response.header("X-HubSpot-RateLimit-Daily-Remaining")))) {
    return daily;
  }
  for (const char* prefix : {"X-RateLimit-", "RateLimit-"}) {
    const std::string p(prefix);
    if (auto window = FromRemaining(ParseInt(response.header(p + "Limit")),
                                    ParseInt(response.header(p + "Remaining")))) {
      return window;
    }
  }
  return std::nullopt;
}

TokenBucket::TokenBucket(RateLimitConfig config, TimePoint now)
    : capacity_(std::max(config.requests, 1)),
      tokens_(capacity_),
      tokens_per_ms_(capacity_ / static_cast<double>(std::max<int64_t>(config.per.count(), 1))),
      last_refill_(now) {}

void TokenBucket::Refill(TimePoint now) {
  if (now <= last_refill_) {
    return;
  }
  const double elapsed = std::chrono::duration<double, std::milli>(now - last_refill_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * tokens_per_ms_ * rate_factor_);
  last_refill_ = now;
}

milliseconds TokenBucket::Acquire(TimePoint now) {
  Refill(now);
  if (now < paused_until_) {
    return std::chrono::ceil<milliseconds>(paused_until_ - now);
  }
  if (server_remaining_ && now >= window_end_) {
    server_remaining_.reset();  // the server's window has passed
  }
  if (server_remaining_ && *server_remaining_ <= 0) {
    return std::chrono::ceil<milliseconds>(window_end_ - now);
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    if (server_remaining_) {
      --*server_remaining_;
    }
    return milliseconds(0);
  }
  const double missing_ms = (1.0 - tokens_) / (tokens_per_ms_ * rate_factor_);
  // The epsilon keeps float rounding (0.99999 tokens) from adding a millisecond.
  return milliseconds(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(missing_ms - 1e-6))));
}

void TokenBucket::PauseUntil(TimePoint until) {
  paused_until_ = std::max(paused_until_, until);
}

void TokenBucket::LimitWindow(int64_t remaining, TimePoint window_end) {
  server_remaining_ = remaining;
  window_end_ = window_end;
}

void TokenBucket::ObserveResponse(const HttpResponse& response, TimePoint now, Timestamp wall_now) {
  Refill(now);
  if (auto info = response.header("Sforce-Limit-Info")) {
    if (auto usage = SforceUsage(*info)) {
      const double headroom = (1.0 - *usage) / (1.0 - kSforceSlowdownStart);
      rate_factor_ = std::clamp(headroom, kMinRateFactor, 1.0);
    }
  }
  // HubSpot: the per-interval budget, then the stricter per-second one.
  if (auto remaining = ParseInt(response.header("X-HubSpot-RateLimit-Remaining"))) {
    const int64_t interval =
        ParseInt(response.header("X-HubSpot-RateLimit-Interval-Milliseconds")).value_or(10000);
    LimitWindow(*remaining, After(now, interval));
  }
  if (auto secondly = ParseInt(response.header("X-HubSpot-RateLimit-Secondly-Remaining"))) {
    if (*secondly <= 0) {
      LimitWindow(0, After(now, 1000));
    }
  }
  // Generic headers: remaining calls until a reset.
  for (const char* prefix : {"X-RateLimit-", "RateLimit-"}) {
    const std::string p(prefix);
    auto remaining = ParseInt(response.header(p + "Remaining"));
    auto reset = ParseInt(response.header(p + "Reset"));
    if (!remaining || !reset) {
      continue;
    }
    int64_t reset_in_ms = *reset * 1000;
    if (*reset > kEpochSecondsThreshold) {
      const auto wall_ms = std::chrono::duration_cast<milliseconds>(wall_now.time_since_epoch());
      reset_in_ms = *reset * 1000 - wall_ms.count();
    }
    LimitWindow(*remaining, After(now, reset_in_ms));
    break;
  }
  if (response.status == 429 || response.status == 503) {
    if (auto ra = response.header("Retry-After")) {
      if (auto delay = ParseRetryAfter(*ra)) {
        PauseUntil(now + *delay);
      }
    }
  }
}

}  // namespace dealsync
