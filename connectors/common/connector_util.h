// Mechanics shared by the connectors: opaque cursors, batching, vendor error
// bodies and typed access to connector options with the option table's defaults.
// Thread-safety: free functions over values.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/http.h"
#include "dealsync/status.h"

namespace dealsync::connectors {

// Cursors are opaque strings to the engine; connectors keep a small JSON object
// in them. The empty string decodes to an empty object ("from the beginning").
// A cursor that is not a JSON object is kDataLoss (a corrupt stored cursor).
std::string EncodeCursor(const nlohmann::json& state);
Result<nlohmann::json> DecodeCursor(std::string_view cursor, std::string_view connector);

// Splits `items` into consecutive chunks of at most `max_size` (> 0).
template <typename T>
std::vector<std::span<const T>> Chunks(const std::vector<T>& items, size_t max_size) {
  std::vector<std::span<const T>> out;
  for (size_t i = 0; i < items.size(); i += max_size) {
    out.emplace_back(items.data() + i, std::min(max_size, items.size() - i));
  }
  return out;
}

// A vendor error body, parsed. Understands Salesforce ([{"message","errorCode"}]),
// HubSpot ({"status","message","category","correlationId"} and 429's
// "errorType"/"policyName") and {"error":{"code","message"}} / OAuth2
// {"error","error_description"}. Unknown bodies leave `code` empty.
struct VendorError {
  std::string code;            // errorCode / category / errorType / error.code
  std::string message;         // the vendor's message(s), joined with "; "
  std::string correlation_id;  // HubSpot correlationId, when given
};
VendorError ParseVendorError(std::string_view body);

// Status for a non-2xx response: the transport's HTTP mapping (StatusFromHttp),
// with the vendor's code and message in the text and Retry-After kept.
Status ErrorFromResponse(const HttpResponse& response, std::string_view context);

// "5m", "90s", "2h", "500ms", "1d" -> milliseconds.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The option reference of a connector as a Markdown table (key, type, default,
// meaning): what docs/partners.md carries, generated so the two cannot drift.
std::string OptionTableMarkdown(const OptionTable& table);

// Where option `key` was written, or the source file (line 0) when it is absent.
SourceLocation OptionLocation(const SourceConfig& config, std::string_view key);

// Stores a successfully read option value in `out`; otherwise records the read
// error against `key`, at the place the option was written.
template <typename T>
void TakeOption(const SourceConfig& config, const std::string& key, Result<T> value, T& out,
                std::vector<ConfigError>& errors) {
  if (value.ok()) {
    out = *value;
  } else {
    errors.push_back({OptionLocation(config, key), key, value.status().message()});
  }
}

// Typed reads of SourceConfig::options, falling back to the option table's
// default when the key is absent. A present value of the wrong type is an error.
class OptionReader {
 public:
  OptionReader(const SourceConfig& config, const OptionTable& table)
      : config_(config), table_(table) {}

  Result<std::string> String(std::string_view key) const;
  Result<int64_t> Int(std::string_view key) const;
  Result<bool> Bool(std::string_view key) const;
  Result<std::chrono::milliseconds> Duration(std::string_view key) const;
  // Absent = the empty list; a single string is a list of one.
  Result<std::vector<std::string>> StringList(std::string_view key) const;
  bool Has(std::string_view key) const { return config_.options.contains(std::string(key)); }

 private:
  const OptionSpec* Spec(std::string_view key) const;
  const SourceConfig& config_;
  const OptionTable& table_;
};

}  // namespace dealsync::connectors
