#include "connectors/common/url_reference.h"

#include <algorithm>
#include <cctype>

namespace dealsync::connectors {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Merge (section 5.2.3).
std::string Merge(const UriParts& base, std::string_view ref_path) {
  if (base.authority && base.path.empty()) {
    return "/" + std::string(ref_path);
  }
  const size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) {
    return std::string(ref_path);
  }
  return base.path.substr(0, slash + 1) + std::string(ref_path);
}

}  // namespace

UriParts UriParts::Split(std::string_view uri) {
  UriParts p;
  std::string_view rest = uri;
  // scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" before any of "/?#"
  const size_t colon = rest.find(':');
  const size_t delim = rest.find_first_of("/?#");
  if (colon != std::string_view::npos && colon > 0 &&
      (delim == std::string_view::npos || colon < delim)) {
    p.scheme = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    const size_t end = rest.find_first_of("/?#");
    p.authority = std::string(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    p.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  const size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    p.query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }
  p.path = std::string(rest);
  return p;
}

std::string UriParts::Join() const {
  std::string out;
  if (scheme) {
    out += *scheme + ":";
  }
  if (authority) {
    out += "//" + *authority;
  }
  out += path;
  if (query) {
    out += "?" + *query;
  }
  if (fragment) {
    out += "#" + *fragment;
  }
  return out;
}

std::string RemoveDotSegments(std::string_view input) {
  std::string in(input);
  std::string out;
  while (!in.empty()) {
    if (in.rfind("../", 0) == 0) {
      in.erase(0, 3);
    } else if (in.rfind("./", 0) == 0) {
      in.erase(0, 2);
    } else if (in.rfind("/./", 0) == 0) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.rfind("/../", 0) == 0 || in == "/..") {
      in = in == "/.." ? "/" : in.substr(3);
      const size_t last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      const size_t start = in[0] == '/' ? 1 : 0;
      const size_t next = in.find('/', start);
      out += in.substr(0, next);
      in.erase(0, next == std::string::npos ? in.size() : next);
    }
  }
  return out;
}

std::string ResolveReference(std::string_view base_text, std::string_view reference) {
  const UriParts r = UriParts::Split(reference);
  const UriParts base = UriParts::Split(base_text);
  UriParts t;
  if (r.scheme) {
    t.scheme = r.scheme;
    t.authority = r.authority;
    t.path = RemoveDotSegments(r.path);
    t.query = r.query;
  } else {
    if (r.authority) {
      t.authority = r.authority;
      t.path = RemoveDotSegments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = base.path;
        t.query = r.query ? r.query : base.query;
      } else {
        t.path = r.path.front() == '/' ? RemoveDotSegments(r.path)
                                       : RemoveDotSegments(Merge(base, r.path));
        t.query = r.query;
      }
      t.authority = base.authority;
    }
    t.scheme = base.scheme;
  }
  return t.Join();
}

std::string Origin(std::string_view uri) {
  const UriParts p = UriParts::Split(uri);
  if (!p.scheme || !p.authority) {
    return "";
  }
  const std::string scheme = Lower(*p.scheme);
  std::string host = *p.authority;
  if (const size_t at = host.rfind('@'); at != std::string::npos) {
    host.erase(0, at + 1);  // userinfo is not part of the origin
  }
  host = Lower(host);
  std::string port;
  const size_t bracket = host.rfind(']');
  const size_t colon = host.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    port = host.substr(colon + 1);
    host.erase(colon);
  }
  if (port.empty() || (scheme == "https" && port == "443") || (scheme == "http" && port == "80")) {
    return scheme + "://" + host;
  }
  return scheme + "://" + host + ":" + port;
}

}  // namespace dealsync::connectors
