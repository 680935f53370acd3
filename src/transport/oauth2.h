// OAuth2 access tokens for connectors: client-credentials, refresh-token and
// JWT bearer (RFC 7523) flows, with the token cached and refreshed before it
// expires.
//
// The token request is a form-encoded POST to token_url; the client id and
// secret go either as form fields or as HTTP Basic (ClientAuth). The JWT
// bearer flow sends no client secret: the assertion, signed RS256 with the
// client's private key, names the client (iss), the user (sub) and the
// authorization server (aud) and expires `assertion_lifetime` after it is made
// (Salesforce accepts at most three minutes). Lifetime is
// expires_in minus refresh_margin; responses without expires_in (Salesforce
// sessions) get `session_lifetime`. A 401 from the API invalidates the token
// (AuthenticatingTransport then refreshes once and replays once).
// Failures are kUnauthenticated carrying the token endpoint's error and
// error_description, redacted; never a secret.
//
// The state machine (OAuth2TokenCache) is sans-io; OAuth2TokenSource adds the
// one coroutine that talks to the token endpoint.
// Thread-safety: one connector's coroutines on one executor.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "dealsync/clock.h"
#include "dealsync/http.h"
#include "src/transport/redactor.h"

namespace dealsync {

struct OAuth2Options {
  enum class Flow : uint8_t { kClientCredentials, kRefreshToken, kJwtBearer };
  enum class ClientAuth : uint8_t { kFormFields, kBasic };
  Flow flow = Flow::kClientCredentials;
  ClientAuth client_auth = ClientAuth::kFormFields;
  std::string token_url;
  std::string client_id;
  std::string scope;  // optional
  // JWT bearer: the assertion's sub and aud claims (iss is client_id).
  std::string subject;
  std::string audience;
  std::chrono::seconds assertion_lifetime{120};
  std::chrono::milliseconds refresh_margin{60000};
  std::chrono::milliseconds session_lifetime{std::chrono::hours(1)};  // no expires_in given
  std::chrono::milliseconds timeout{30000};
};

struct OAuth2Secrets {
  std::string client_secret;    // may be empty for public clients
  std::string refresh_token;    // refresh-token flow
  std::string private_key_pem;  // JWT bearer flow: RSA, PEM
};

// The sans-io part: what to send, how to read the answer, when to refresh.
class OAuth2TokenCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  OAuth2TokenCache(OAuth2Options options, OAuth2Secrets secrets);

  // A cached token still valid at `now` (margin included), if any.
  std::optional<std::string> Valid(TimePoint now) const;
  // `now` (wall clock) dates a JWT bearer assertion; kInvalidArgument when
  // the private key cannot sign one.
  Result<HttpRequest> BuildTokenRequest(Timestamp now) const;
  // Caches the token from a token-endpoint response, or returns kUnauthenticated
  // (4xx), kUnavailable (5xx) or kInvalidArgument (unreadable body).
  Status OnTokenResponse(const HttpResponse& response, TimePoint now);
  // Drops the cached token if it is `rejected` (a 401 answered it).
  void Invalidate(const std::string& rejected);

  const std::string& instance_url() const { return instance_url_; }
  const OAuth2Options& options() const { return options_; }
  const OAuth2Secrets& secrets() const { return secrets_; }

 private:
  OAuth2Options options_;
  OAuth2Secrets secrets_;
  std::string access_token_;
  std::string instance_url_;  // Salesforce returns the org's API host with the token
  TimePoint refresh_at_{};
};

class OAuth2TokenSource {
 public:
  // `token_transport` carries token requests (usually with retries, no rate
  // limit); `redactor` learns every secret and token seen. Both outlive this.
  OAuth2TokenSource(OAuth2Options options, OAuth2Secrets secrets, HttpTransport& token_transport,
                    Clock& clock, Redactor& redactor);

  // A valid access token, fetched when none is cached or it is about to expire.
  // Concurrent callers share one fetch (a rotating refresh token must not be
  // spent twice).
  Awaitable<Result<std::string>> Token();
  void Invalidate(const std::string& rejected) { cache_.Invalidate(rejected); }
  const OAuth2TokenCache& cache() const { return cache_; }
  uint64_t fetches() const { return fetches_; }

 private:
  Awaitable<Result<std::string>> Fetch();

  OAuth2TokenCache cache_;
  HttpTransport& transport_;
  Clock& clock_;
  Redactor& redactor_;
  uint64_t fetches_ = 0;
  // Set while a fetch is in flight; waiters park on it and are woken by cancel().
  std::shared_ptr<void> fetch_done_;
};

}  // namespace dealsync
