#include "src/transport/redactor.h"

#include <algorithm>
#include <cctype>

#include "dealsync/http.h"

namespace dealsync {
namespace {

constexpr size_t kMinSecretLength = 4;

char LowerChar(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Case-insensitive search for `needle` (lower case) in `hay` from `from`.
size_t FindIgnoreCase(const std::string& hay, std::string_view needle, size_t from) {
  if (needle.empty() || hay.size() < needle.size()) {
    return std::string::npos;
  }
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && LowerChar(hay[i + j]) == needle[j]) {
      ++j;
    }
    if (j == needle.size()) {
      return i;
    }
  }
  return std::string::npos;
}

void ReplaceAll(std::string& text, std::string_view what) {
  if (what.empty()) {
    return;
  }
  size_t pos = 0;
  while ((pos = text.find(what, pos)) != std::string::npos) {
    text.replace(pos, what.size(), kRedacted);
    pos += kRedacted.size();
  }
}

size_t SkipSpaces(const std::string& s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
    ++i;
  }
  return i;
}

// End of a JSON string starting after its opening quote at `i`.
size_t JsonStringEnd(const std::string& s, size_t i) {
  while (i < s.size() && s[i] != '"') {
    i += s[i] == '\\' ? 2 : 1;
  }
  return std::min(i, s.size());
}

// Given a field name at [start, end), finds the value that follows and returns
// its [begin, end) range, or {npos, npos} when no value follows.
std::pair<size_t, size_t> ValueRange(const std::string& s, size_t start, size_t end) {
  const bool quoted = start > 0 && s[start - 1] == '"' && end < s.size() && s[end] == '"';
  size_t i = SkipSpaces(s, quoted ? end + 1 : end);
  if (i >= s.size() || (s[i] != ':' && s[i] != '=')) {
    return {std::string::npos, std::string::npos};
  }
  const char separator = s[i];
  i = SkipSpaces(s, i + 1);
  if (quoted || (i < s.size() && s[i] == '"')) {  // JSON member (or quoted value)
    if (i < s.size() && s[i] == '"') {
      return {i + 1, JsonStringEnd(s, i + 1)};
    }
    const size_t stop = s.find_first_of(",}] \r\n", i);
    return {i, stop == std::string::npos ? s.size() : stop};
  }
  if (separator == '=') {  // form or query parameter
    const size_t stop = s.find_first_of("&; \"'\r\n", i);
    return {i, stop == std::string::npos ? s.size() : stop};
  }
  const size_t stop = s.find_first_of("\r\n", i);  // header line: the rest of the line
  return {i, stop == std::string::npos ? s.size() : stop};
}

}  // namespace

Redactor::Redactor()
    : fields_{"authorization", "proxy-authorization", "x-api-key",     "api_key",  "apikey",
              "hapikey",       "access_token",        "refresh_token", "id_token", "client_secret",
              "password"} {}

void Redactor::AddSecret(std::string_view secret) {
  if (secret.size() < kMinSecretLength) {
    return;
  }
  for (const std::string& form : {std::string(secret), UrlEncode(secret)}) {
    if (std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end()) {
      secrets_.push_back(form);
    }
  }
  // Longest first, so a secret containing another is replaced whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddSecretField(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), LowerChar);
  if (!lower.empty() && std::find(fields_.begin(), fields_.end(), lower) == fields_.end()) {
    fields_.push_back(lower);
  }
}

std::string Redactor::Redact(std::string_view text) const {
  std::string out(text);
  for (const std::string& secret : secrets_) {
    ReplaceAll(out, secret);
  }
  RedactFields(out);
  return out;
}

void Redactor::RedactFields(std::string& text) const {
  for (const std::string& field : fields_) {
    size_t pos = 0;
    while ((pos = FindIgnoreCase(text, field, pos)) != std::string::npos) {
      const size_t end = pos + field.size();
      const bool bounded = (pos == 0 || !IsNameChar(text[pos - 1])) &&
                           (end >= text.size() || !IsNameChar(text[end]));
      if (!bounded) {
        pos = end;
        continue;
      }
      auto [begin, stop] = ValueRange(text, pos, end);
      if (begin == std::string::npos) {
        pos = end;
        continue;
      }
      if (text.compare(begin, stop - begin, kRedacted) != 0) {
        text.replace(begin, stop - begin, kRedacted);
      }
      pos = begin + kRedacted.size();
    }
  }
}

}  // namespace dealsync
