#include "src/transport/decorators.h"

#include <algorithm>
#include <cctype>

#include "src/transport/url.h"

namespace dealsync {
namespace {

// Replaces any existing header of that name (a connector's own Authorization
// must not survive next to ours).
void SetHeader(HttpHeaders& headers, const std::string& name, std::string value) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&name](const auto& h) { return EqualsIgnoreCase(h.first, name); }),
                headers.end());
  headers.emplace_back(name, std::move(value));
}

// The token headers of a token scheme: each template with {token} replaced,
// or the standard Authorization: Bearer.
void SetTokenHeaders(HttpHeaders& headers,
                     const std::vector<std::pair<std::string, std::string>>& templates,
                     const std::string& token) {
  if (templates.empty()) {
    SetHeader(headers, "Authorization", "Bearer " + token);
    return;
  }
  constexpr std::string_view kPlaceholder = "{token}";
  for (const auto& [name, value_template] : templates) {
    std::string value = value_template;
    for (size_t at = value.find(kPlaceholder); at != std::string::npos;
         at = value.find(kPlaceholder, at + token.size())) {
      value.replace(at, kPlaceholder.size(), token);
    }
    SetHeader(headers, name, std::move(value));
  }
}

Result<HttpResponse> Redacted(Result<HttpResponse> r, const Redactor& redactor) {
  if (r.ok()) {
    return r;
  }
  Status s(r.status().code(), redactor.Redact(r.status().message()));
  if (r.status().retry_after()) {
    s.WithRetryAfter(*r.status().retry_after());
  }
  return s;
}

// The Status a response means for retrying: only 408, 429 and 5xx count.
Status RetryableHttpStatus(const HttpResponse& response) {
  Status s = StatusFromHttp(response, "HTTP");
  return s.IsRetryable() ? s : Status::Ok();
}

void RecordOutcome(TransportCounters* counters, const Result<HttpResponse>& r) {
  if (counters == nullptr) {
    return;
  }
  const Status s = r.ok() ? StatusFromHttp(*r, "") : r.status();
  counters->last_http_status.store(r.ok() ? r->status : 0, std::memory_order_relaxed);
  counters->last_status_code.store(static_cast<int>(s.code()), std::memory_order_relaxed);
  if (!s.ok()) {
    counters->RecordFailure(s.code());
  }
}

}  // namespace

std::string AppendQueryParam(const std::string& url, std::string_view name,
                             std::string_view value) {
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + UrlEncode(name) + "=" + UrlEncode(value);
}

AuthenticatingTransport::AuthenticatingTransport(AuthConfig auth, std::string secret,
                                                 HttpTransport& next, const Redactor& redactor)
    : auth_(std::move(auth)),
      secret_(std::move(secret)),
      next_(next),
      redactor_(redactor),
      counters_(nullptr) {}

AuthenticatingTransport::AuthenticatingTransport(
    std::unique_ptr<OAuth2TokenSource> tokens,
    std::vector<std::pair<std::string, std::string>> token_headers, HttpTransport& next,
    const Redactor& redactor, TransportCounters* counters)
    : tokens_(std::move(tokens)), next_(next), redactor_(redactor), counters_(counters) {
  auth_.headers = std::move(token_headers);
}

Awaitable<Result<HttpResponse>> AuthenticatingTransport::Send(HttpRequest request) {
  if (tokens_) {
    co_return co_await SendWithOAuth2(std::move(request));
  }
  switch (auth_.type) {
    case AuthConfig::Type::kBearer:
      SetTokenHeaders(request.headers, auth_.headers, secret_);
      break;
    case AuthConfig::Type::kApiKeyHeader:
      SetHeader(request.headers, auth_.header, secret_);
      break;
    case AuthConfig::Type::kApiKeyQuery:
      request.url = AppendQueryParam(request.url, auth_.param, secret_);
      break;
    case AuthConfig::Type::kBasic:
      SetHeader(
          request.headers, "Authorization",
          "Basic " + Base64Encode(auth_.credential_is_username ? secret_ + ":"
                                                               : auth_.username + ":" + secret_));
      break;
    case AuthConfig::Type::kNone:
    case AuthConfig::Type::kOAuth2ClientCredentials:
    case AuthConfig::Type::kOAuth2RefreshToken:
    case AuthConfig::Type::kOAuth2JwtBearer:
      break;
  }
  co_return Redacted(co_await next_.Send(std::move(request)), redactor_);
}

Awaitable<Result<HttpResponse>> AuthenticatingTransport::SendWithOAuth2(HttpRequest request) {
  const uint64_t fetches_before = tokens_->fetches();
  Result<std::string> token = co_await tokens_->Token();
  if (!token.ok()) {
    co_return token.status();
  }
  HttpRequest replay = request;
  SetTokenHeaders(request.headers, auth_.headers, *token);
  Result<HttpResponse> response = co_await next_.Send(std::move(request));
  if (response.ok() && response->status == 401) {
    // The token was revoked or expired early: refresh once, replay once.
    tokens_->Invalidate(*token);
    Result<std::string> fresh = co_await tokens_->Token();
    if (!fresh.ok()) {
      co_return fresh.status();
    }
    SetTokenHeaders(replay.headers, auth_.headers, *fresh);
    response = co_await next_.Send(std::move(replay));
  }
  if (counters_ != nullptr) {
    counters_->token_refreshes.fetch_add(tokens_->fetches() - fetches_before,
                                         std::memory_order_relaxed);
  }
  co_return Redacted(std::move(response), redactor_);
}

RetryingTransport::RetryingTransport(RetryPolicy policy, HttpTransport& next, Clock& clock,
                                     Random& random, const Redactor& redactor,
                                     TransportCounters* counters)
    : policy_(policy),
      next_(next),
      clock_(clock),
      random_(random),
      redactor_(redactor),
      counters_(counters) {}

Awaitable<Result<HttpResponse>> RetryingTransport::Send(HttpRequest request) {
  // Every method is retried: the connectors' writes are idempotent by design
  // (PATCH of absolute values, HubSpot batch update, read-only searches).
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && counters_ != nullptr) {
      counters_->retries.fetch_add(1, std::memory_order_relaxed);
    }
    Result<HttpResponse> result = co_await next_.Send(request);
    const Status failure = result.ok() ? RetryableHttpStatus(*result) : result.status();
    const auto delay = failure.ok() ? std::nullopt : policy_.NextDelay(failure, attempt, random_);
    if (!delay) {
      RecordOutcome(counters_, result);
      co_return Redacted(std::move(result), redactor_);
    }
    co_await clock_.SleepFor(*delay);
  }
}

RateLimitedTransport::RateLimitedTransport(TokenBucket& bucket, HttpTransport& next, Clock& clock,
                                           TransportCounters* counters)
    : bucket_(bucket), next_(next), clock_(clock), counters_(counters) {}

Awaitable<Result<HttpResponse>> RateLimitedTransport::Send(HttpRequest request) {
  bool waited = false;
  for (;;) {
    const std::chrono::milliseconds wait = bucket_.Acquire(clock_.SteadyNow());
    if (wait.count() <= 0) {
      break;
    }
    if (counters_ != nullptr) {
      counters_->rate_limit_waits.fetch_add(waited ? 0 : 1, std::memory_order_relaxed);
      counters_->rate_limit_wait_ms.fetch_add(static_cast<uint64_t>(wait.count()),
                                              std::memory_order_relaxed);
    }
    waited = true;
    co_await clock_.SleepFor(wait);
  }
  if (counters_ != nullptr) {
    counters_->api_calls.fetch_add(1, std::memory_order_relaxed);
  }
  Result<HttpResponse> result = co_await next_.Send(std::move(request));
  if (result.ok()) {
    bucket_.ObserveResponse(*result, clock_.SteadyNow(), clock_.Now());
    if (std::optional<QuotaUsage> quota = ParseQuotaUsage(*result); quota && counters_) {
      counters_->quota_used.store(quota->used, std::memory_order_relaxed);
      counters_->quota_limit.store(quota->limit, std::memory_order_relaxed);
    }
  }
  co_return result;
}

}  // namespace dealsync
