// Outbound proxy selection (sans-io): which proxy, if any, an https:// request
// goes through, and the CONNECT request that opens the tunnel.
//
//   per connection   proxy = "http://host:port" always, with Proxy-Authorization
//                    Basic when proxy_username / proxy_credential are configured;
//                    proxy = "" or "none": always direct.
//   otherwise        https_proxy / HTTPS_PROXY from the environment, unless the
//                    origin matches no_proxy / NO_PROXY. As curl does, the
//                    lower-case variable wins when both are set (and non-empty).
//                    Credentials are never sent to a proxy from the environment:
//                    user info in HTTPS_PROXY is dropped.
//
// NO_PROXY follows curl's documented semantics (CURLOPT_NOPROXY): a comma (or
// space) separated list; "*" alone matches every host; a name matches itself
// and every host under it ("example.com" and ".example.com" both match
// example.com and www.example.com, not notexample.com); names compare case-
// insensitively, trailing dots ignored; the origin's port does not matter,
// except that an entry "host:port" matches that port only; IP addresses match
// exactly or by CIDR ("10.0.0.0/8", "fd00::/8"; IPv6 with or without brackets)
// and never by suffix.
//
// Only https:// goes through a proxy (CONNECT tunnel, RFC 9110 section 9.3.6);
// plain http:// is allowed to loopback only and always goes direct.
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dealsync/status.h"
#include "src/transport/url.h"

namespace dealsync {

struct ProxyEndpoint {
  std::string host;  // lower case; IPv6 without brackets
  uint16_t port = 0;
  std::string Authority() const;  // "host:port", IPv6 in brackets
};

// Parses a proxy URL: "http://host[:port][/]" (or "host:port" without a
// scheme, as curl accepts in HTTPS_PROXY). The default port is 1080, as curl's.
// `had_user_info` reports (and the result drops) "user:password@".
// kInvalidArgument for https:// or socks proxies, a path, or a bad port.
Result<ProxyEndpoint> ParseProxyUrl(std::string_view url, bool* had_user_info = nullptr);

// True when `host` (and `port`) match the NO_PROXY list `no_proxy`.
bool NoProxyMatches(std::string_view no_proxy, std::string_view host, uint16_t port);

// The proxy variables as read from the environment (curl's precedence).
struct ProxyEnvironment {
  std::string https_proxy;  // "" = none
  std::string no_proxy;

  // `getenv` defaults to std::getenv; tests pass their own.
  static ProxyEnvironment Read(const std::function<const char*(const char*)>& getenv = nullptr);
};

struct ProxyOptions {
  enum class Mode : uint8_t {
    kDirect,       // never a proxy (the default of a bare ClientOptions)
    kEnvironment,  // `environment`'s https_proxy unless no_proxy matches
    kExplicit,     // `url`, always
  };
  Mode mode = Mode::kDirect;
  ProxyEnvironment environment;  // kEnvironment
  std::string url;               // kExplicit
  // kExplicit only: "user:password" for Proxy-Authorization: Basic. Sent in the
  // CONNECT request to `url` and nowhere else.
  std::string credentials;
};

// How a request to `origin` goes out.
struct ProxyRoute {
  std::optional<ProxyEndpoint> proxy;  // nullopt: direct
  std::string proxy_authorization;     // full header value ("Basic ..."), or ""
};
Result<ProxyRoute> RouteFor(const ProxyOptions& options, const ParsedUrl& origin);

// The CONNECT request head for `origin` ("CONNECT host:port HTTP/1.1" with
// Host, User-Agent and, when given, Proxy-Authorization), ending in CRLF CRLF.
std::string ConnectRequest(const ParsedUrl& origin, const std::string& user_agent,
                           const std::string& proxy_authorization);

}  // namespace dealsync
