#include "src/transport/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace dealsync {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

uint16_t DefaultPort(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

bool IsValidRegName(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

// Splits "host[:port]" / "[v6][:port]" into the parsed URL.
Status ParseAuthority(std::string_view authority, ParsedUrl& out) {
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgument("URL must not carry user information (use the auth settings)");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgument("URL has an unterminated IPv6 literal");
    }
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return InvalidArgument("URL has junk after the IPv6 literal");
      }
      port = rest.substr(1);
    }
    in6_addr addr{};
    const std::string copy(host);
    if (inet_pton(AF_INET6, copy.c_str(), &addr) != 1) {
      return InvalidArgument("URL has an invalid IPv6 literal");
    }
    out.ipv6_literal = true;
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!IsValidRegName(host)) {
      return InvalidArgument("URL has an invalid host name");
    }
  }
  out.host = Lower(host);
  out.port = DefaultPort(out.scheme);
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgument("URL has an invalid port");
    }
    out.port = static_cast<uint16_t>(value);
  }
  return Status::Ok();
}

}  // namespace

std::string ParsedUrl::HostHeader() const {
  std::string h = ipv6_literal ? "[" + host + "]" : host;
  if (port != DefaultPort(scheme)) {
    h += ":" + std::to_string(port);
  }
  return h;
}

std::string ParsedUrl::Origin() const {
  return scheme + "://" + HostHeader();
}

std::string ParsedUrl::Key() const {
  return scheme + "://" + host + ":" + std::to_string(port);
}

Result<ParsedUrl> ParseUrl(std::string_view url) {
  ParsedUrl out;
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return InvalidArgument("URL is not absolute (expected https://host/path)");
  }
  out.scheme = Lower(url.substr(0, sep));
  if (out.scheme != "https" && out.scheme != "http") {
    return InvalidArgument("URL scheme \"" + out.scheme + "\" is not supported (use https)");
  }
  std::string_view rest = url.substr(sep + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  DEALSYNC_RETURN_IF_ERROR(ParseAuthority(authority, out));
  out.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (out.target.front() == '?') {
    out.target.insert(0, "/");
  }
  const bool has_bad_char = std::any_of(out.target.begin(), out.target.end(),
                                        [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
  if (has_bad_char) {
    return InvalidArgument("URL path contains spaces or control characters (percent-encode them)");
  }
  return out;
}

Result<std::string> ResolveUrl(std::string_view base_url, std::string_view url) {
  if (url.empty() || url.front() != '/') {
    return std::string(url);
  }
  Result<ParsedUrl> base = ParseUrl(base_url);
  if (!base.ok()) {
    return base.status().Annotate("base_url");
  }
  return base->Origin() + std::string(url);
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") {
    return true;
  }
  const std::string copy(host);
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return std::equal(std::begin(v6.s6_addr), std::end(v6.s6_addr), std::begin(kLoopback.s6_addr));
  }
  return false;
}

bool IsSecretParamName(std::string_view name) {
  const std::string n = Lower(name);
  static constexpr std::string_view kMarkers[] = {"key",    "token",     "secret", "password",
                                                  "passwd", "signature", "sig",    "auth",
                                                  "code",   "session"};
  return std::any_of(std::begin(kMarkers), std::end(kMarkers),
                     [&n](std::string_view m) { return n.find(m) != std::string::npos; });
}

std::string RedactUrl(std::string_view url) {
  const size_t q = url.find('?');
  if (q == std::string_view::npos) {
    return std::string(url);
  }
  std::string out(url.substr(0, q + 1));
  std::string_view query = url.substr(q + 1);
  bool first = true;
  while (!query.empty() || first) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (!first) {
      out += '&';
    }
    first = false;
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && IsSecretParamName(pair.substr(0, eq))) {
      out += std::string(pair.substr(0, eq)) + "=[redacted]";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) {
      break;
    }
  }
  return out;
}

std::string Base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) |
                       (static_cast<uint8_t>(data[i + 1]) << 8) | static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) {
      n |= static_cast<uint8_t>(data[i + 1]) << 8;
    }
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace dealsync
