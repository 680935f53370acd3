// RFC 3986 URI references, sans-io: splitting, resolving a reference against a
// base URI (section 5.2, with remove_dot_segments) and comparing origins.
// Used to follow next-page links ("?page=2", "//host/x", "../v3/deals").
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dealsync::connectors {

struct UriParts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  static UriParts Split(std::string_view uri);  // RFC 3986 appendix B
  std::string Join() const;                     // section 5.3
};

// RFC 3986 section 5.2.4.
std::string RemoveDotSegments(std::string_view path);

// The target URI of `reference` resolved against absolute `base` (section
// 5.2.2, strict). The fragment is dropped (it is never sent).
std::string ResolveReference(std::string_view base, std::string_view reference);

// "https://host:port" with scheme and host lower-cased and the scheme's
// default port (80, 443) removed; "" when `uri` has no scheme or authority.
std::string Origin(std::string_view uri);

}  // namespace dealsync::connectors
