#include "connectors/common/json_util.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace dealsync::connectors {

using nlohmann::json;

namespace {

// nlohmann reports a number beyond the range of double (1e400, or a 400-digit
// integer) as a parse error of the whole document (out_of_range 406). One
// hostile value must not make a whole page unreadable, so such a number is
// kept as its source text: `1e400` becomes the string "1e400", which the
// mapping then rejects for that record only (with the field and the value).
// Returns nullopt when the body has no such number.
std::optional<std::string> QuoteOverflowingNumbers(std::string_view body) {
  std::string out;
  size_t copied = 0;
  bool changed = false;
  size_t i = 0;
  while (i < body.size()) {
    const char c = body[i];
    if (c == '"') {  // skip a string, escapes included
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\') {
          ++i;
        }
      }
      ++i;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < body.size() &&
           (body[i] == '-' || body[i] == '+' || body[i] == '.' || body[i] == 'e' ||
            body[i] == 'E' || (body[i] >= '0' && body[i] <= '9'))) {
      ++i;
    }
    const std::string token(body.substr(start, i - start));
    if (std::isfinite(std::strtod(token.c_str(), nullptr))) {
      continue;
    }
    out.append(body.substr(copied, start - copied));
    out += '"';
    out += token;  // only [-+.eE0-9]: nothing to escape
    out += '"';
    copied = i;
    changed = true;
  }
  if (!changed) {
    return std::nullopt;
  }
  out.append(body.substr(copied));
  return out;
}

}  // namespace

Result<json> ParseJsonBody(std::string_view body, std::string_view context) {
  try {
    return json::parse(body.begin(), body.end());
  } catch (const json::out_of_range& e) {
    if (std::optional<std::string> quoted = QuoteOverflowingNumbers(body)) {
      try {
        return json::parse(*quoted);
      } catch (const json::exception&) {
        // Fall through: report the original error.
      }
    }
    return Unavailable(std::string(context) + ": response is not valid JSON (" + e.what() + ", " +
                       std::to_string(body.size()) + " bytes)");
  } catch (const json::exception& e) {
    return Unavailable(std::string(context) + ": response is not valid JSON (" + e.what() + ", " +
                       std::to_string(body.size()) + " bytes)");
  }
}

Result<json::json_pointer> ParsePointer(std::string_view pointer) {
  try {
    return json::json_pointer(std::string(pointer));
  } catch (const json::exception& e) {
    return InvalidArgument("\"" + std::string(pointer) + "\" is not a JSON pointer (" + e.what() +
                           "); write e.g. \"/properties/amount\"");
  }
}

namespace {

// Walks token by token so that a token on a non-object (or a bad array index)
// is simply "absent" rather than an exception.
const json* Walk(const json& doc, const std::vector<std::string>& tokens) {
  const json* node = &doc;
  for (const std::string& token : tokens) {
    if (node->is_object()) {
      auto found = node->find(token);
      if (found == node->end()) {
        return nullptr;
      }
      node = &*found;
    } else if (node->is_array()) {
      auto index = ParseInt64(token);
      if (!index || *index < 0 || static_cast<size_t>(*index) >= node->size() ||
          token.front() == '-' || token.front() == '+') {
        return nullptr;
      }
      node = &(*node)[static_cast<size_t>(*index)];
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace

const json* FindAt(const json& doc, const json::json_pointer& pointer) {
  std::vector<std::string> tokens;
  for (json::json_pointer walk = pointer; !walk.empty(); walk.pop_back()) {
    tokens.insert(tokens.begin(), walk.back());
  }
  return Walk(doc, tokens);
}

bool IsValidJsonPointer(std::string_view pointer) {
  if (pointer.empty()) {
    return true;
  }
  if (pointer.front() != '/') {
    return false;
  }
  for (size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

const json* ResolvePointer(const json& root, std::string_view pointer) {
  if (!IsValidJsonPointer(pointer)) {
    return nullptr;
  }
  return Walk(root, PointerTokens(pointer));
}

void SetAtPointer(json& root, std::string_view pointer, json value) {
  json* node = &root;
  for (const std::string& token : PointerTokens(pointer)) {
    if (!node->is_object()) {
      *node = json::object();
    }
    node = &(*node)[token];
  }
  *node = std::move(value);
}

std::string JsonKind(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

const json* FindKey(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> StringOf(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_number()) {
    return value.dump();
  }
  return std::nullopt;
}

std::vector<std::string> PointerTokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (!IsValidJsonPointer(pointer) || pointer.empty()) {
    return tokens;
  }
  for (size_t pos = 1;;) {
    const size_t slash = pointer.find('/', pos);
    std::string token;
    for (std::string_view raw = pointer.substr(pos, slash - pos); !raw.empty();) {
      if (raw.front() == '~') {
        token.push_back(raw[1] == '1' ? '/' : '~');  // RFC 6901: ~1 is '/', ~0 is '~'
        raw.remove_prefix(2);
      } else {
        token.push_back(raw.front());
        raw.remove_prefix(1);
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string_view::npos) {
      return tokens;
    }
    pos = slash + 1;
  }
}

std::string Excerpt(const json& value) {
  constexpr size_t kMax = 80;
  std::string text = value.is_string() ? "\"" + value.get<std::string>() + "\"" : value.dump();
  if (text.size() > kMax) {
    text = text.substr(0, kMax) + "...";
  }
  return text;
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace dealsync::connectors
