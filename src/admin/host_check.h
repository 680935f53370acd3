// Host header checking for the admin API (DNS-rebinding protection): a web
// page on another origin can make a browser send requests to 127.0.0.1, but
// the browser then sends the attacker's host name in `Host`. The admin API
// answers only to its own names.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dealsync {

// The names the admin API answers to: the loopback names ("localhost",
// "127.0.0.1", "[::1]"), the host of the listen address unless it is a
// wildcard ("0.0.0.0", "[::]"), and the configured [admin] allowed_hosts.
std::vector<std::string> AdminHostNames(std::string_view listen_host,
                                        const std::vector<std::string>& configured);

// True when `host_header` ("name", "name:port", "[v6]", "[v6]:port") names one
// of `allowed`; case-insensitive, ignoring the port and one trailing dot.
bool HostAllowed(std::string_view host_header, const std::vector<std::string>& allowed);

}  // namespace dealsync
