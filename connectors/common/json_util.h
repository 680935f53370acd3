// JSON helpers for connectors: parsing response bodies and reading values with
// every nlohmann exception turned into a Status that names the context.
// Thread-safety: free functions over values.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/http.h"
#include "dealsync/status.h"

namespace dealsync::connectors {

// Parses a response body. A body that is not JSON is kUnavailable (a truncated
// or garbled response is worth retrying); the message names `context` and the
// parser's position, never the whole body. A number beyond the range of a
// double (`1e400`) does not spoil the document: it is kept as a string of its
// source text, so only the record holding it fails to map.
Result<nlohmann::json> ParseJsonBody(std::string_view body, std::string_view context);

// Parses `pointer` (RFC 6901). kInvalidArgument when malformed.
Result<nlohmann::json::json_pointer> ParsePointer(std::string_view pointer);

// The value at `pointer`, or nullptr when absent (never throws).
const nlohmann::json* FindAt(const nlohmann::json& doc,
                             const nlohmann::json::json_pointer& pointer);
const nlohmann::json* FindKey(const nlohmann::json& object, std::string_view key);

// Reads a string member; a number is printed. nullopt when absent or null.
std::optional<std::string> StringOf(const nlohmann::json& value);

// The reference tokens of a pointer ("/Account/Name" -> {"Account", "Name"});
// none for "" or a malformed pointer.
std::vector<std::string> PointerTokens(std::string_view pointer);

// "" or "/a/b~1c": RFC 6901 syntax (every token after '/', '~' only as ~0 / ~1).
bool IsValidJsonPointer(std::string_view pointer);
// The value at the RFC 6901 pointer text, or nullptr when it matches nothing
// or is malformed (never throws).
const nlohmann::json* ResolvePointer(const nlohmann::json& root, std::string_view pointer);
// Sets `value` at `pointer`, creating objects on the way (pointer must be valid).
void SetAtPointer(nlohmann::json& root, std::string_view pointer, nlohmann::json value);
// A short description of a JSON value's kind: "an object", "a string", ...
std::string JsonKind(const nlohmann::json& value);

// A short description of a JSON value for error messages (truncated).
std::string Excerpt(const nlohmann::json& value);

// Parses a decimal integer (optionally signed) from text; nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view text);

}  // namespace dealsync::connectors
