// Small strict parsers shared by the model's text formats (no locale, no
// floating point, no exceptions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dealsync::model_internal {

inline bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Parses exactly `width` decimal digits at text[pos]; advances pos.
inline std::optional<int> TakeDigits(std::string_view text, size_t& pos, size_t width) {
  if (pos + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (!IsDigit(c)) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

inline bool TakeChar(std::string_view text, size_t& pos, char expected) {
  if (pos < text.size() && text[pos] == expected) {
    ++pos;
    return true;
  }
  return false;
}

// Quotes text for an error message, shortened so hostile input cannot flood logs.
inline std::string Quote(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  out.append(text.substr(0, kMax));
  if (text.size() > kMax) {
    out += "...";
  }
  out += "\"";
  return out;
}

}  // namespace dealsync::model_internal
