// HttpTransport decorators a connector's transport is stacked from (see
// MakeConnectorTransport in connector_transport.h):
//
//   AuthenticatingTransport  adds credentials (bearer, api key header/query,
//                            basic, OAuth2); on a 401 with OAuth2 it refreshes
//                            the token once and replays the request once.
//   RetryingTransport        retries per RetryPolicy (network errors, 5xx, 408,
//                            429 honouring Retry-After), sleeping on the Clock.
//   RateLimitedTransport     waits for a TokenBucket token before each call and
//                            feeds every response's rate-limit headers back.
//
// Every error message leaving a decorator goes through the connector's Redactor.
// Thread-safety: one connector's coroutines on one executor. The wrapped
// transport, clock, random, redactor and counters outlive the decorator.
#pragma once

#include <memory>
#include <string>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/http.h"
#include "src/transport/oauth2.h"
#include "src/transport/redactor.h"
#include "src/transport/retry_policy.h"
#include "src/transport/token_bucket.h"
#include "src/transport/transport_counters.h"

namespace dealsync {

class AuthenticatingTransport final : public HttpTransport {
 public:
  // Static credentials: `auth` says where `secret` goes (kNone ignores it).
  // REQUIRES: auth.type is not an OAuth2 type (use the other constructor).
  AuthenticatingTransport(AuthConfig auth, std::string secret, HttpTransport& next,
                          const Redactor& redactor);
  // OAuth2: the token comes from `tokens` and goes into `token_headers`
  // (AuthConfig::headers; empty = Authorization: Bearer).
  AuthenticatingTransport(std::unique_ptr<OAuth2TokenSource> tokens,
                          std::vector<std::pair<std::string, std::string>> token_headers,
                          HttpTransport& next, const Redactor& redactor,
                          TransportCounters* counters = nullptr);

  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override;

 private:
  Awaitable<Result<HttpResponse>> SendWithOAuth2(HttpRequest request);

  AuthConfig auth_;
  std::string secret_;
  std::unique_ptr<OAuth2TokenSource> tokens_;
  HttpTransport& next_;
  const Redactor& redactor_;
  TransportCounters* counters_;
};

class RetryingTransport final : public HttpTransport {
 public:
  RetryingTransport(RetryPolicy policy, HttpTransport& next, Clock& clock, Random& random,
                    const Redactor& redactor, TransportCounters* counters = nullptr);

  // Returns the last HTTP response (even a 5xx/429 once attempts run out), or
  // the last network error, redacted.
  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override;

 private:
  RetryPolicy policy_;
  HttpTransport& next_;
  Clock& clock_;
  Random& random_;
  const Redactor& redactor_;
  TransportCounters* counters_;
};

class RateLimitedTransport final : public HttpTransport {
 public:
  RateLimitedTransport(TokenBucket& bucket, HttpTransport& next, Clock& clock,
                       TransportCounters* counters = nullptr);

  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override;

 private:
  TokenBucket& bucket_;
  HttpTransport& next_;
  Clock& clock_;
  TransportCounters* counters_;
};

// Adds `name=value` to the URL's query (value percent-encoded).
std::string AppendQueryParam(const std::string& url, std::string_view name, std::string_view value);

}  // namespace dealsync
