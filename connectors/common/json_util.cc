#include "connectors/common/json_util.h"

#include <charconv>

namespace dealsync::connectors {

using nlohmann::json;

Result<json> ParseJsonBody(std::string_view body, std::string_view context) {
  try {
    return json::parse(body.begin(), body.end());
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

const json* FindAt(const json& doc, const json::json_pointer& pointer) {
  // Walk token by token so that a token on a non-object (or a bad array index)
  // is simply "absent" rather than an exception.
  const json* node = &doc;
  json::json_pointer walk = pointer;
  std::vector<std::string> tokens;
  while (!walk.empty()) {
    tokens.push_back(walk.back());
    walk.pop_back();
  }
  for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
    if (node->is_object()) {
      auto found = node->find(*it);
      if (found == node->end()) {
        return nullptr;
      }
      node = &*found;
    } else if (node->is_array()) {
      auto index = ParseInt64(*it);
      if (!index || *index < 0 || static_cast<size_t>(*index) >= node->size()) {
        return nullptr;
      }
      node = &(*node)[static_cast<size_t>(*index)];
    } else {
      return nullptr;
    }
  }
  return node;
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
  auto parsed = ParsePointer(pointer);
  if (!parsed.ok()) {
    return tokens;
  }
  json::json_pointer walk = *parsed;
  while (!walk.empty()) {
    tokens.insert(tokens.begin(), walk.back());
    walk.pop_back();
  }
  return tokens;
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
