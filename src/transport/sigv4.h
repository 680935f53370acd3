// AWS Signature Version 4 request signing, for connectors to AWS APIs (the
// Partner Central Selling API speaks JSON 1.0 and authenticates with SigV4).
// The algorithm is AWS's
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// for every service except S3: the path is normalised (dot segments and empty
// segments removed) and each segment is URI-encoded once more on top of its
// wire form ("double encoding"). S3's single-encoding variant is not offered.
//
// Two layers:
//   - pure functions (SignSigV4, SignHttpRequest and the canonical pieces),
//     whose intermediate artifacts (canonical request, string to sign) are
//     exposed so tests can compare them with AWS's published test suite;
//   - SigV4Transport, an HttpTransport decorator that re-signs every request
//     it sends, dated by the Clock, with credentials from a provider.
// Secrets (secret access key, session token) never appear in an error message
// or in anything this file returns apart from the session token header.
// Thread-safety: the pure functions are reentrant; the decorator is used from
// one io_context thread and its inner transport and clock outlive it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dealsync/clock.h"
#include "dealsync/http.h"
#include "dealsync/status.h"
#include "src/transport/redactor.h"

namespace dealsync {

// Deliberately has no operator<< and no ToString: nothing can print it.
struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: long-term credentials, no token
};

// Called before every request, so rotating sources (systemd credentials
// re-read, STS AssumeRole) can hand out fresh keys; it should cache.
using SigV4CredentialsProvider = std::function<Result<SigV4Credentials>()>;

// An environment lookup (nullopt: not set); tests inject a map.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the optional
// AWS_SESSION_TOKEN (an empty variable counts as unset).
// kFailedPrecondition naming the missing variables otherwise.
// `env` defaults to the process environment.
Result<SigV4Credentials> SigV4CredentialsFromEnvironment(const EnvLookup& env = nullptr);

struct SigV4Options {
  std::string region;   // "us-east-1"
  std::string service;  // the signing name, e.g. "partnercentral-selling"
  // Adds and signs x-amz-content-sha256 (S3 and a few others require it).
  bool content_sha256_header = false;
};

// The parts of a request SigV4 reads. `path` and `query` are as sent on the
// wire (query without the '?'); `headers` are signed as given, and a Host
// header is added from `host` when absent.
struct SigV4Message {
  std::string_view method;
  std::string_view host;
  std::string_view path;
  std::string_view query;
  const HttpHeaders& headers;
  std::string_view body;
};

struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;       // lower-case hex
  std::string signed_headers;  // "host;x-amz-date"
  // To add to the request: X-Amz-Date, X-Amz-Security-Token (with a session
  // token), x-amz-content-sha256 (when asked), Authorization.
  HttpHeaders headers;
};

// Signs `message` at `now`. kInvalidArgument when credentials or options are
// incomplete, kInternal when OpenSSL fails.
Result<SigV4Signature> SignSigV4(const SigV4Message& message, const SigV4Credentials& credentials,
                                 const SigV4Options& options, Timestamp now);

// Signs an HttpRequest as the Beast client will send it: host from the URL,
// the headers the client replaces (Host, Content-Length, Transfer-Encoding,
// Connection, Accept-Encoding) and those proxies rewrite (User-Agent, Expect)
// left unsigned, earlier signature headers replaced. Returns the request with
// the signature headers appended and nothing else changed.
Result<HttpRequest> SignHttpRequest(HttpRequest request, const SigV4Credentials& credentials,
                                    const SigV4Options& options, Timestamp now);

// The canonical pieces, exposed for tests.
// RFC 3986 unreserved characters kept, every other byte %XX (upper-case hex);
// '/' kept only when `keep_slash`.
std::string SigV4UriEncode(std::string_view s, bool keep_slash);
// The path normalised (".", ".." and empty segments removed; a trailing '/'
// kept) with each segment URI-encoded.
std::string SigV4CanonicalUri(std::string_view path);
// Parameters percent-decoded, re-encoded, sorted by key then value. '+' is
// taken literally (AWS wants spaces sent as %20).
std::string SigV4CanonicalQuery(std::string_view query);
// "YYYYMMDDTHHMMSSZ" (UTC).
std::string SigV4AmzDate(Timestamp t);
// Lower-case hex SHA-256; empty only if OpenSSL fails.
std::string Sha256Hex(std::string_view data);

class SigV4Transport final : public HttpTransport {
 public:
  // `redactor`, if given, scrubs provider error messages (a provider may quote
  // a file or response that holds a secret).
  SigV4Transport(HttpTransport& next, Clock& clock, SigV4Options options,
                 SigV4CredentialsProvider credentials, const Redactor* redactor = nullptr);

  // A provider or signing failure is returned without sending, its code kept
  // (kUnavailable from a credential service stays retryable).
  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override;

 private:
  HttpTransport& next_;
  Clock& clock_;
  SigV4Options options_;
  SigV4CredentialsProvider credentials_;
  const Redactor* redactor_;
};

}  // namespace dealsync
