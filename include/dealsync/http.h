// HttpTransport: the boundary between connectors and the network. Connectors
// never touch Beast; they build HttpRequests and read HttpResponses.
//
// Send() returns an error Status only when no HTTP response was obtained
// (connection refused, TLS failure, timeout, body limit): code kUnavailable or
// kDeadlineExceeded; through a proxy also kUnauthenticated (407) or
// kPermissionDenied (403) from the proxy itself, which are not retried. Any
// HTTP response from the server, 2xx or not, is returned as a value, so
// connectors can read vendor error bodies; StatusFromHttp() maps HTTP status
// codes to Status codes, once, for everyone.
// Thread-safety: a transport is used from one io_context thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/status.h"

namespace dealsync {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// ASCII case-insensitive equality (header names, schemes).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Case-insensitive header lookup.
std::optional<std::string_view> FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PATCH, PUT, DELETE
  std::string url;             // absolute: https://host[:port]/path?query
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }
  std::optional<std::string_view> header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

// 429 -> kResourceExhausted (with Retry-After), 5xx -> kUnavailable,
// 401 -> kUnauthenticated, 403 -> kPermissionDenied, 404 -> kNotFound,
// 409/412 -> kAborted, 400/422 and other 4xx -> kInvalidArgument, 2xx -> OK.
// `context` prefixes the message (e.g. "salesforce query").
Status StatusFromHttp(const HttpResponse& response, std::string_view context);

// Parses Retry-After (delta-seconds or HTTP-date relative to `now`).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

class HttpTransport {
 public:
  HttpTransport() = default;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;
  virtual ~HttpTransport() = default;

  virtual Awaitable<Result<HttpResponse>> Send(HttpRequest request) = 0;
};

// Percent-encodes a query component (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);

// "Name: value" as written in config files: the name an RFC 9110 token, the
// value trimmed, non-empty and on one line. nullopt otherwise.
std::optional<std::pair<std::string, std::string>> ParseHeaderLine(std::string_view line);

}  // namespace dealsync
