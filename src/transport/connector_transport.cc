#include "src/transport/connector_transport.h"

#include "src/transport/decorators.h"
#include "src/transport/url.h"

namespace dealsync {
namespace {

using Type = AuthConfig::Type;

bool IsOAuth2(Type t) {
  return t == Type::kOAuth2ClientCredentials || t == Type::kOAuth2RefreshToken ||
         t == Type::kOAuth2JwtBearer;
}

Status CheckUrl(const std::string& key, const std::string& url, bool allow_insecure_http) {
  Result<ParsedUrl> parsed = ParseUrl(url);
  if (!parsed.ok()) {
    return parsed.status().Annotate(key);
  }
  if (parsed->scheme == "http" && !(allow_insecure_http && IsLoopbackHost(parsed->host))) {
    return InvalidArgument(key +
                           ": plain http:// is refused; use https:// (http is allowed only to a "
                           "loopback host with connection.allow_insecure_http = true)");
  }
  return Status::Ok();
}

class Stack final : public ConnectorTransport {
 public:
  Stack(const ConnectionConfig& c, HttpTransport& base, Clock& clock, Random& random,
        TransportCounters* counters)
      : base_url_(c.base_url),
        bucket_(c.rate_limit, clock.SteadyNow()),
        rate_limited_(bucket_, base, clock, counters),
        retrying_(RetryPolicy(c.retry), rate_limited_, clock, random, redactor_, counters),
        token_retrying_(RetryPolicy(c.retry), base, clock, random, redactor_, nullptr) {}

  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override {
    Result<std::string> url = ResolveUrl(base_url_, request.url);
    if (!url.ok()) {
      co_return url.status();
    }
    request.url = std::move(url).value();
    co_return co_await auth_->Send(std::move(request));
  }
  const Redactor& redactor() const override { return redactor_; }

  Redactor redactor_;  // declared first: every layer refers to it
  std::string base_url_;
  TokenBucket bucket_;
  RateLimitedTransport rate_limited_;
  RetryingTransport retrying_;
  RetryingTransport token_retrying_;
  std::unique_ptr<AuthenticatingTransport> auth_;
};

// Header names a token scheme sends secrets in are redacted wherever they appear.
void RedactTokenHeaders(Stack& stack, const AuthConfig& auth) {
  for (const auto& header : auth.headers) {
    stack.redactor_.AddSecretField(header.first);
  }
}

void InstallTokenSource(Stack& stack, const AuthConfig& auth, OAuth2Options options,
                        OAuth2Secrets secrets, Clock& clock, TransportCounters* counters) {
  auto tokens = std::make_unique<OAuth2TokenSource>(std::move(options), std::move(secrets),
                                                    stack.token_retrying_, clock, stack.redactor_);
  RedactTokenHeaders(stack, auth);
  stack.auth_ = std::make_unique<AuthenticatingTransport>(
      std::move(tokens), auth.headers, stack.retrying_, stack.redactor_, counters);
}

// RFC 7523 with Salesforce's claims: iss = client_id, sub = the user,
// aud = `audience` or else token_url's origin (https://login.salesforce.com,
// https://test.salesforce.com); the key is checked by signing a probe now, so
// a bad key fails the source at start, not at the first poll.
Status AddJwtBearer(Stack& stack, const ConnectionConfig& c, const SecretSource& secrets,
                    Clock& clock, TransportCounters* counters, OAuth2Options options) {
  const AuthConfig& auth = c.auth;
  if (auth.subject.empty()) {
    return InvalidArgument("connection.auth.subject: required for oauth2_jwt_bearer");
  }
  options.subject = auth.subject;
  options.audience = auth.audience;
  if (options.audience.empty()) {
    Result<ParsedUrl> token_url = ParseUrl(auth.token_url);
    if (!token_url.ok()) {
      return token_url.status().Annotate("connection.auth.token_url");
    }
    options.audience = token_url->Origin();
  }
  Result<std::string> key = ReadSecret(secrets, auth.credential, "connection.auth.credential");
  if (!key.ok()) {
    return key.status();
  }
  OAuth2Secrets oauth_secrets;
  oauth_secrets.private_key_pem = std::move(key).value();
  const OAuth2TokenCache probe(options, oauth_secrets);
  if (Result<HttpRequest> signed_probe = probe.BuildTokenRequest(clock.Now()); !signed_probe.ok()) {
    return signed_probe.status().Annotate("connection.auth.credential (" +
                                          auth.credential.Describe() + ")");
  }
  InstallTokenSource(stack, auth, std::move(options), std::move(oauth_secrets), clock, counters);
  return Status::Ok();
}

Status AddOAuth2(Stack& stack, const ConnectionConfig& c, const SecretSource& secrets, Clock& clock,
                 TransportCounters* counters) {
  const AuthConfig& auth = c.auth;
  DEALSYNC_RETURN_IF_ERROR(
      CheckUrl("connection.auth.token_url", auth.token_url, c.allow_insecure_http));
  if (auth.client_id.empty()) {
    return InvalidArgument("connection.auth.client_id: required for OAuth2");
  }
  OAuth2Options options;
  options.flow = auth.type == Type::kOAuth2RefreshToken ? OAuth2Options::Flow::kRefreshToken
                 : auth.type == Type::kOAuth2JwtBearer  ? OAuth2Options::Flow::kJwtBearer
                                                        : OAuth2Options::Flow::kClientCredentials;
  options.token_url = auth.token_url;
  options.client_id = auth.client_id;
  options.scope = auth.scope;
  options.timeout = c.timeout;
  if (options.flow == OAuth2Options::Flow::kJwtBearer) {
    return AddJwtBearer(stack, c, secrets, clock, counters, std::move(options));
  }
  OAuth2Secrets oauth_secrets;
  if (!auth.credential.empty() || options.flow == OAuth2Options::Flow::kClientCredentials) {
    Result<std::string> client_secret =
        ReadSecret(secrets, auth.credential, "connection.auth.credential");
    if (!client_secret.ok()) {
      return client_secret.status();
    }
    oauth_secrets.client_secret = std::move(client_secret).value();
  }
  if (options.flow == OAuth2Options::Flow::kRefreshToken) {
    Result<std::string> refresh =
        ReadSecret(secrets, auth.refresh_token, "connection.auth.refresh_token");
    if (!refresh.ok()) {
      return refresh.status();
    }
    oauth_secrets.refresh_token = std::move(refresh).value();
  }
  InstallTokenSource(stack, auth, std::move(options), std::move(oauth_secrets), clock, counters);
  return Status::Ok();
}

Status AddStaticAuth(Stack& stack, const ConnectionConfig& c, const SecretSource& secrets) {
  const AuthConfig& auth = c.auth;
  std::string secret;
  if (auth.type != Type::kNone) {
    Result<std::string> read = ReadSecret(secrets, auth.credential, "connection.auth.credential");
    if (!read.ok()) {
      return read.status();
    }
    secret = std::move(read).value();
    stack.redactor_.AddSecret(secret);
  }
  if (auth.type == Type::kApiKeyHeader) {
    if (auth.header.empty()) {
      return InvalidArgument("connection.auth.header: required for auth type api_key (header)");
    }
    stack.redactor_.AddSecretField(auth.header);
  }
  if (auth.type == Type::kApiKeyQuery) {
    if (auth.param.empty()) {
      return InvalidArgument("connection.auth.param: required for auth type api_key (query)");
    }
    stack.redactor_.AddSecretField(auth.param);
  }
  if (auth.type == Type::kBasic && auth.username.empty() && !auth.credential_is_username) {
    return InvalidArgument("connection.auth.username: required for auth type basic");
  }
  RedactTokenHeaders(stack, auth);
  stack.auth_ = std::make_unique<AuthenticatingTransport>(auth, std::move(secret), stack.retrying_,
                                                          stack.redactor_);
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadSecret(const SecretSource& secrets, const CredentialRef& ref,
                               const std::string& key) {
  if (ref.empty()) {
    return InvalidArgument(key + ": a credential is required for this auth type");
  }
  Result<std::string> secret = secrets(ref);
  if (!secret.ok()) {
    return secret.status().Annotate(key + " (" + ref.Describe() + ")");
  }
  if (secret->empty()) {
    return InvalidArgument(key + " (" + ref.Describe() + "): the credential is empty");
  }
  return secret;
}

Result<std::unique_ptr<ConnectorTransport>> MakeConnectorTransportWithRedactor(
    const ConnectionConfig& connection, SecretSource secrets, HttpTransport& base, Clock& clock,
    Random& random, TransportCounters* counters) {
  if (!connection.base_url.empty()) {
    DEALSYNC_RETURN_IF_ERROR(
        CheckUrl("connection.base_url", connection.base_url, connection.allow_insecure_http));
  }
  if (connection.rate_limit.requests <= 0 || connection.rate_limit.per.count() <= 0) {
    return InvalidArgument("connection.rate_limit: requests and per must be positive");
  }
  auto stack = std::make_unique<Stack>(connection, base, clock, random, counters);
  if (IsOAuth2(connection.auth.type)) {
    DEALSYNC_RETURN_IF_ERROR(AddOAuth2(*stack, connection, secrets, clock, counters));
  } else {
    DEALSYNC_RETURN_IF_ERROR(AddStaticAuth(*stack, connection, secrets));
  }
  return std::unique_ptr<ConnectorTransport>(std::move(stack));
}

Result<std::unique_ptr<HttpTransport>> MakeConnectorTransport(const ConnectionConfig& connection,
                                                              SecretSource secrets,
                                                              HttpTransport& base, Clock& clock,
                                                              Random& random,
                                                              TransportCounters* counters) {
  auto stack = MakeConnectorTransportWithRedactor(connection, std::move(secrets), base, clock,
                                                  random, counters);
  if (!stack.ok()) {
    return stack.status();
  }
  return std::unique_ptr<HttpTransport>(std::move(stack).value());
}

}  // namespace dealsync
