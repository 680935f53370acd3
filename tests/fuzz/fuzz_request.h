// A request as fuzzer input text: "METHOD TARGET\nName: value\n...\n\nbody"
// (shared by the admin API and workspace harnesses).
#pragma once

#include <string>
#include <string_view>

#include "dealsync/http.h"

namespace dealsync {

inline HttpRequest ParseFuzzRequest(std::string_view text) {
  HttpRequest r;
  const size_t line_end = text.find('\n');
  std::string_view line = text.substr(0, line_end);
  const size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  r.url = space == std::string_view::npos ? "/" : std::string(line.substr(space + 1));
  text = line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view header = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (header.empty()) {
      break;
    }
    const size_t colon = header.find(':');
    r.headers.emplace_back(
        std::string(header.substr(0, colon)),
        colon == std::string_view::npos ? "" : std::string(header.substr(colon + 1)));
  }
  r.body = std::string(text);
  return r;
}

}  // namespace dealsync
