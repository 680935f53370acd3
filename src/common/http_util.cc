#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include "dealsync/http.h"

namespace dealsync {
namespace {

// Keeps the first 300 bytes of an error body so messages stay one line long.
std::string BodyExcerpt(std::string_view body) {
  constexpr size_t kMax = 300;
  std::string out(body.substr(0, kMax));
  std::replace(out.begin(), out.end(), '\n', ' ');
  if (body.size() > kMax) {
    out += "...";
  }
  return out;
}

}  // namespace

std::optional<std::string_view> FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  long long seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && ptr == value.data() + value.size() && seconds >= 0) {
    return std::chrono::milliseconds(seconds * 1000);
  }
  // HTTP-date: servers rarely send it to API clients; we honour it as "retry soon"
  // rather than reading the wall clock here (time is injected elsewhere).
  std::tm tm{};
  std::string copy(value);
  if (strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) != nullptr) {
    return std::chrono::milliseconds(1000);
  }
  return std::nullopt;
}

Status StatusFromHttp(const HttpResponse& response, std::string_view context) {
  if (response.ok()) {
    return Status::Ok();
  }
  std::string message = std::string(context) + ": HTTP " + std::to_string(response.status);
  if (!response.body.empty()) {
    message += ": " + BodyExcerpt(response.body);
  }
  const int code = response.status;
  if (code == 429) {
    Status s = ResourceExhausted(std::move(message));
    if (auto ra = response.header("Retry-After")) {
      if (auto d = ParseRetryAfter(*ra)) {
        s.WithRetryAfter(*d);
      }
    }
    return s;
  }
  if (code >= 500) {
    Status s = Unavailable(std::move(message));
    if (auto ra = response.header("Retry-After")) {
      if (auto d = ParseRetryAfter(*ra)) {
        s.WithRetryAfter(*d);
      }
    }
    return s;
  }
  switch (code) {
    case 401:
      return Unauthenticated(std::move(message));
    case 403:
      return Status(StatusCode::kPermissionDenied, std::move(message));
    case 404:
      return NotFound(std::move(message));
    case 408:
      return Status(StatusCode::kDeadlineExceeded, std::move(message));
    case 409:
    case 412:
    case 423:
      return Aborted(std::move(message));  // 423 Locked (RFC 4918): retry later
    default:
      return InvalidArgument(std::move(message));
  }
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::pair<std::string, std::string>> ParseHeaderLine(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) {
    return std::nullopt;
  }
  // RFC 9110 section 5.6.2: token = 1*tchar.
  constexpr std::string_view kTchar = "!#$%&'*+-.^_`|~";
  for (char c : line.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && kTchar.find(c) == std::string_view::npos) {
      return std::nullopt;
    }
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty() || value.find_first_of("\r\n") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::make_pair(std::string(line.substr(0, colon)), std::string(value));
}

}  // namespace dealsync
