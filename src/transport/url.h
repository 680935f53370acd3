// URL handling for the transport: parsing absolute http(s) URLs, resolving a
// connector's relative "/path" against a base URL, loopback checks and a
// printable form with secret query values redacted.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dealsync/status.h"

namespace dealsync {

struct ParsedUrl {
  std::string scheme;  // "https" or "http" (lower case)
  std::string host;    // lower case; IPv6 literals without brackets
  uint16_t port = 0;   // explicit or the scheme's default
  std::string target;  // "/path?query" ("/" when the URL has no path)
  bool ipv6_literal = false;

  // "host" or "host:port" (non-default port), IPv6 in brackets: the Host header.
  std::string HostHeader() const;
  // "https://host[:port]" without a path.
  std::string Origin() const;
  // The pool key: "scheme://host:port".
  std::string Key() const;
};

// Parses "https://host[:port][/path][?query]". No user-info, no fragment kept.
// kInvalidArgument with the reason otherwise (the URL is not echoed: it may
// carry a secret in its query).
Result<ParsedUrl> ParseUrl(std::string_view url);

// "/path?q" resolved against base_url's scheme and authority; absolute URLs are
// returned unchanged.
Result<std::string> ResolveUrl(std::string_view base_url, std::string_view url);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

// The URL with its query values replaced by "[redacted]" for parameters whose
// name looks secret (api_key, token, secret, password, signature, ...).
std::string RedactUrl(std::string_view url);

// RFC 4648 base64 with padding (HTTP Basic credentials).
std::string Base64Encode(std::string_view data);

// True when a query/form parameter name commonly carries a credential.
bool IsSecretParamName(std::string_view name);

}  // namespace dealsync
