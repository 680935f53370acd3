#include "src/transport/proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace dealsync {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

// An IPv4 or IPv6 address as 4 or 16 bytes.
struct IpAddress {
  std::array<unsigned char, 16> bytes{};
  int length = 0;  // 4 or 16; 0 = not an address
};

IpAddress ParseIp(std::string_view text) {
  IpAddress ip;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  const std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.length = 4;
  } else if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.length = 16;
  }
  return ip;
}

bool PrefixMatches(const IpAddress& net, const IpAddress& addr, int bits) {
  if (net.length != addr.length || bits < 0 || bits > net.length * 8) {
    return false;
  }
  int full = bits / 8;
  if (std::memcmp(net.bytes.data(), addr.bytes.data(), static_cast<size_t>(full)) != 0) {
    return false;
  }
  int rest = bits % 8;
  if (rest == 0) {
    return true;
  }
  const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (net.bytes[static_cast<size_t>(full)] & mask) ==
         (addr.bytes[static_cast<size_t>(full)] & mask);
}

// One NO_PROXY entry against the origin.
bool EntryMatches(std::string_view entry, const std::string& host, const IpAddress& host_ip,
                  uint16_t port) {
  // An IP address or CIDR block (IPv6 may come bare, so try that first).
  std::string_view address = entry;
  std::optional<int> bits;
  if (size_t slash = entry.find('/'); slash != std::string_view::npos) {
    int value = -1;
    std::string_view b = entry.substr(slash + 1);
    auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), value);
    if (ec != std::errc() || end != b.data() + b.size()) {
      return false;
    }
    bits = value;
    address = entry.substr(0, slash);
  }
  IpAddress net = ParseIp(address);
  std::optional<uint16_t> entry_port;
  if (net.length == 0 && !bits) {
    // "[v6]:port" or "v4:port"
    size_t colon = entry.rfind(':');
    if (colon != std::string_view::npos) {
      IpAddress with_port = ParseIp(entry.substr(0, colon));
      if (with_port.length != 0 && (with_port.length == 4 || entry.front() == '[')) {
        net = with_port;
        entry_port = ParsePort(entry.substr(colon + 1));
        if (!entry_port) {
          return false;
        }
      }
    }
  }
  if (net.length != 0) {
    if (entry_port && *entry_port != port) {
      return false;
    }
    return host_ip.length != 0 && PrefixMatches(net, host_ip, bits.value_or(net.length * 8));
  }
  if (bits) {
    return false;  // "/" in something that is not an address
  }
  // A host name, maybe with a port.
  std::string name = Lower(entry);
  if (size_t colon = name.find(':'); colon != std::string::npos) {
    entry_port = ParsePort(std::string_view(name).substr(colon + 1));
    if (!entry_port) {
      return false;
    }
    name.resize(colon);
  }
  if (entry_port && *entry_port != port) {
    return false;
  }
  while (!name.empty() && name.front() == '.') {
    name.erase(0, 1);
  }
  while (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  if (name.empty() || host_ip.length != 0) {
    return false;  // names never match an IP literal origin
  }
  if (host == name) {
    return true;
  }
  return host.size() > name.size() && host.ends_with(name) &&
         host[host.size() - name.size() - 1] == '.';
}

}  // namespace

std::string ProxyEndpoint::Authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ProxyEndpoint> ParseProxyUrl(std::string_view url, bool* had_user_info) {
  if (had_user_info != nullptr) {
    *had_user_info = false;
  }
  std::string_view rest = Trim(url);
  if (size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    const std::string scheme = Lower(rest.substr(0, scheme_end));
    if (scheme != "http") {
      return InvalidArgument("proxy scheme \"" + scheme +
                             "\" is not supported (expected http://host:port: the proxy is "
                             "reached over TCP and the tunnel inside carries TLS to the origin)");
    }
    rest.remove_prefix(scheme_end + 3);
  }
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    if (had_user_info != nullptr) {
      *had_user_info = true;
    }
    rest.remove_prefix(at + 1);
  }
  if (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return InvalidArgument("a proxy URL has no path (expected http://host:port)");
  }
  ProxyEndpoint out;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgument("proxy URL: unterminated IPv6 address");
    }
    out.host = Lower(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return InvalidArgument("proxy URL: unexpected text after the IPv6 address");
      }
      port_text = after.substr(1);
      if (port_text.empty()) {
        return InvalidArgument("proxy URL: empty port");
      }
    }
  } else {
    size_t colon = rest.find(':');
    out.host = Lower(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) {
        return InvalidArgument("proxy URL: empty port");
      }
    }
  }
  if (out.host.empty() || out.host.find_first_of(" \t[]") != std::string::npos) {
    return InvalidArgument("proxy URL: missing or invalid host");
  }
  out.port = 1080;
  if (!port_text.empty()) {
    std::optional<uint16_t> port = ParsePort(port_text);
    if (!port) {
      return InvalidArgument("proxy URL: invalid port (expected 1..65535)");
    }
    out.port = *port;
  }
  return out;
}

bool NoProxyMatches(std::string_view no_proxy, std::string_view host_in, uint16_t port) {
  std::string host = Lower(host_in);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  while (!host.empty() && host.back() == '.') {
    host.pop_back();
  }
  const IpAddress host_ip = ParseIp(host);
  std::string_view list = no_proxy;
  while (!list.empty()) {
    size_t end = list.find_first_of(", \t");
    std::string_view entry = Trim(list.substr(0, end));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    if (entry.empty()) {
      continue;
    }
    if (entry == "*") {
      return true;
    }
    if (EntryMatches(entry, host, host_ip, port)) {
      return true;
    }
  }
  return false;
}

ProxyEnvironment ProxyEnvironment::Read(const std::function<const char*(const char*)>& getenv) {
  auto get = [&](const char* name) -> std::string {
    const char* v = getenv ? getenv(name) : std::getenv(name);
    return v == nullptr ? std::string() : std::string(v);
  };
  auto first = [&](const char* lower, const char* upper) {
    std::string v = get(lower);
    return v.empty() ? get(upper) : v;
  };
  ProxyEnvironment env;
  env.https_proxy = first("https_proxy", "HTTPS_PROXY");
  env.no_proxy = first("no_proxy", "NO_PROXY");
  return env;
}

Result<ProxyRoute> RouteFor(const ProxyOptions& options, const ParsedUrl& origin) {
  ProxyRoute route;
  if (origin.scheme != "https" || options.mode == ProxyOptions::Mode::kDirect) {
    return route;
  }
  if (options.mode == ProxyOptions::Mode::kExplicit) {
    Result<ProxyEndpoint> proxy = ParseProxyUrl(options.url);
    if (!proxy.ok()) {
      return proxy.status().Annotate("connection.proxy");
    }
    route.proxy = std::move(*proxy);
    if (!options.credentials.empty()) {
      route.proxy_authorization = "Basic " + Base64Encode(options.credentials);
    }
    return route;
  }
  const ProxyEnvironment& env = options.environment;
  if (env.https_proxy.empty() || NoProxyMatches(env.no_proxy, origin.host, origin.port)) {
    return route;
  }
  Result<ProxyEndpoint> proxy = ParseProxyUrl(env.https_proxy);
  if (!proxy.ok()) {
    return proxy.status().Annotate("HTTPS_PROXY");
  }
  route.proxy = std::move(*proxy);  // user info, if any, is dropped: never sent
  return route;
}

std::string ConnectRequest(const ParsedUrl& origin, const std::string& user_agent,
                           const std::string& proxy_authorization) {
  const std::string authority = (origin.ipv6_literal ? "[" + origin.host + "]" : origin.host) +
                                ":" + std::to_string(origin.port);
  std::string out = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority +
                    "\r\nUser-Agent: " + user_agent + "\r\n";
  if (!proxy_authorization.empty()) {
    out += "Proxy-Authorization: " + proxy_authorization + "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace dealsync
