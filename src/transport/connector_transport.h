// MakeConnectorTransport: the HttpTransport a connector uses, stacked from its
// ConnectionConfig:
//
//   relative-URL resolution -> auth -> retry -> rate limit -> base
//
// Retry sits outside the rate limiter so every attempt, retries included,
// takes a token and every response (429s too) adapts the limiter before the
// retry waits. OAuth2 token requests go through their own retry layer straight
// to `base` (the token endpoint is not the API's quota).
// Requests may use absolute URLs or "/path?query", resolved against
// ConnectionConfig::base_url's scheme and authority.
// Thread-safety: one connector's coroutines on one executor; `base`, `clock`,
// `random` and `counters` outlive the returned transport.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/http.h"
#include "src/transport/redactor.h"
#include "src/transport/transport_counters.h"

namespace dealsync {

// Reads a secret (normally: ResolveCredential with the daemon's credentials_dir).
using SecretSource = std::function<Result<std::string>(const CredentialRef&)>;

// Reads `ref` for config key `key`: kInvalidArgument when the reference is
// missing or the secret empty, else the SecretSource's error; messages name
// the key and where the secret lives, never the secret.
Result<std::string> ReadSecret(const SecretSource& secrets, const CredentialRef& ref,
                               const std::string& key);

// kInvalidArgument for unusable settings (missing credential, bad URLs, http://
// to a non-loopback host), or the SecretSource's error, annotated with the key.
// `counters` may be null.
Result<std::unique_ptr<HttpTransport>> MakeConnectorTransport(const ConnectionConfig& connection,
                                                              SecretSource secrets,
                                                              HttpTransport& base, Clock& clock,
                                                              Random& random,
                                                              TransportCounters* counters);

// The same stack, typed, for callers that also want its Redactor (to scrub
// their own log lines with the connector's secrets).
class ConnectorTransport : public HttpTransport {
 public:
  virtual const Redactor& redactor() const = 0;
};
Result<std::unique_ptr<ConnectorTransport>> MakeConnectorTransportWithRedactor(
    const ConnectionConfig& connection, SecretSource secrets, HttpTransport& base, Clock& clock,
    Random& random, TransportCounters* counters);

}  // namespace dealsync
