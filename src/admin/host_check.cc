#include "src/admin/host_check.h"

#include <algorithm>

namespace dealsync {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The host part of a Host header value, normalised; "" when malformed.
std::string HostPart(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  std::string_view host = value;
  std::string_view port;
  if (!value.empty() && value.front() == '[') {
    const size_t close = value.find(']');
    if (close == std::string_view::npos) {
      return "";
    }
    host = value.substr(0, close + 1);
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return "";
      }
      port = rest.substr(1);
    }
  } else if (const size_t colon = value.find(':'); colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      port.size() > 5) {
    return "";
  }
  if (host.size() > 1 && host.back() == '.') {
    host.remove_suffix(1);
  }
  return Lower(host);
}

}  // namespace

std::vector<std::string> AdminHostNames(std::string_view listen_host,
                                        const std::vector<std::string>& configured) {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "[::1]"};
  std::string listen = Lower(listen_host);
  if (!listen.empty() && listen.front() != '[' && listen.find(':') != std::string::npos) {
    listen = "[" + listen + "]";  // a bare IPv6 address as it appears in Host
  }
  if (!listen.empty() && listen != "0.0.0.0" && listen != "[::]") {
    names.push_back(listen);
  }
  for (const std::string& name : configured) {
    names.push_back(HostPart(name));
  }
  return names;
}

bool HostAllowed(std::string_view host_header, const std::vector<std::string>& allowed) {
  const std::string host = HostPart(host_header);
  if (host.empty()) {
    return false;
  }
  return std::find(allowed.begin(), allowed.end(), host) != allowed.end();
}

}  // namespace dealsync
