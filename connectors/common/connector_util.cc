#include "connectors/common/connector_util.h"

#include "connectors/common/json_util.h"
#include "dealsync/duration_text.h"

namespace dealsync::connectors {

using nlohmann::json;

std::string EncodeCursor(const json& state) {
  return state.dump();
}

Result<json> DecodeCursor(std::string_view cursor, std::string_view connector) {
  if (cursor.empty()) {
    return json::object();
  }
  try {
    json state = json::parse(cursor.begin(), cursor.end());
    if (!state.is_object()) {
      return DataLoss(std::string(connector) + " cursor is not a JSON object");
    }
    return state;
  } catch (const json::exception& e) {
    return DataLoss(std::string(connector) + " cursor is corrupt: " + e.what());
  }
}

namespace {

void AppendMessage(std::string& out, const json& m) {
  if (auto text = StringOf(m); text && !text->empty()) {
    if (!out.empty()) {
      out += "; ";
    }
    out += *text;
  }
}

std::string TextAt(const json& object, std::string_view key) {
  const json* v = FindKey(object, key);
  return v ? StringOf(*v).value_or("") : "";
}

}  // namespace

VendorError ParseVendorError(std::string_view body) {
  VendorError out;
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return out;
  }
  if (doc.is_array()) {  // Salesforce
    for (const auto& item : doc) {
      if (!item.is_object()) {
        continue;
      }
      if (out.code.empty()) {
        out.code = TextAt(item, "errorCode");
      }
      if (const json* m = FindKey(item, "message")) {
        AppendMessage(out.message, *m);
      }
    }
    return out;
  }
  if (!doc.is_object()) {
    return out;
  }
  if (const json* error = FindKey(doc, "error"); error && error->is_object()) {
    out.code = TextAt(*error, "code");
    out.message = TextAt(*error, "message");
    return out;
  }
  if (const json* error = FindKey(doc, "error"); error && error->is_string()) {  // OAuth2
    out.code = error->get<std::string>();
    out.message = TextAt(doc, "error_description");
    return out;
  }
  out.code = TextAt(doc, "category");  // HubSpot
  if (out.code.empty()) {
    out.code = TextAt(doc, "errorType");
  }
  out.message = TextAt(doc, "message");
  out.correlation_id = TextAt(doc, "correlationId");
  return out;
}

Status ErrorFromResponse(const HttpResponse& response, std::string_view context) {
  Status base = StatusFromHttp(response, context);
  VendorError vendor = ParseVendorError(response.body);
  if (vendor.code.empty() && vendor.message.empty()) {
    return base;
  }
  std::string text = std::string(context) + ": HTTP " + std::to_string(response.status);
  if (!vendor.code.empty()) {
    text += " " + vendor.code;
  }
  if (!vendor.message.empty()) {
    text += ": " + vendor.message;
  }
  if (!vendor.correlation_id.empty()) {
    text += " (correlationId " + vendor.correlation_id + ")";
  }
  Status out(base.code(), text);
  if (base.retry_after()) {
    out.WithRetryAfter(*base.retry_after());
  }
  return out;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const std::optional<DurationParts> parts = SplitDuration(text);
  if (!parts) {
    return InvalidArgument("\"" + std::string(text) +
                           "\" is not a duration (write e.g. \"500ms\", \"90s\", \"5m\", \"2h\")");
  }
  return std::chrono::milliseconds(parts->count * parts->unit_ms);
}

SourceLocation OptionLocation(const SourceConfig& config, std::string_view key) {
  if (auto it = config.options.find(std::string(key)); it != config.options.end()) {
    return it->second.where;
  }
  return SourceLocation{config.file, 0, 0};
}

const OptionSpec* OptionReader::Spec(std::string_view key) const {
  for (const auto& spec : table_) {
    if (spec.key == key) {
      return &spec;
    }
  }
  return nullptr;
}

namespace {

template <typename T>
Result<T> Missing(std::string_view key) {
  return InvalidArgument("option " + std::string(key) + " is not set and has no default");
}

}  // namespace

Result<std::string> OptionReader::String(std::string_view key) const {
  if (auto it = config_.options.find(std::string(key)); it != config_.options.end()) {
    if (const auto* s = std::get_if<std::string>(&it->second.value)) {
      return *s;
    }
    return InvalidArgument("option " + std::string(key) + " must be a string");
  }
  const OptionSpec* spec = Spec(key);
  if (spec == nullptr || !spec->default_value) {
    return Missing<std::string>(key);
  }
  return *spec->default_value;
}

Result<int64_t> OptionReader::Int(std::string_view key) const {
  if (auto it = config_.options.find(std::string(key)); it != config_.options.end()) {
    if (const auto* n = std::get_if<int64_t>(&it->second.value)) {
      return *n;
    }
    return InvalidArgument("option " + std::string(key) + " must be an integer");
  }
  const OptionSpec* spec = Spec(key);
  if (spec == nullptr || !spec->default_value) {
    return Missing<int64_t>(key);
  }
  auto n = ParseInt64(*spec->default_value);
  if (!n) {
    return Internal("option " + std::string(key) + ": default is not an integer");
  }
  return *n;
}

Result<bool> OptionReader::Bool(std::string_view key) const {
  if (auto it = config_.options.find(std::string(key)); it != config_.options.end()) {
    if (const auto* b = std::get_if<bool>(&it->second.value)) {
      return *b;
    }
    return InvalidArgument("option " + std::string(key) + " must be true or false");
  }
  const OptionSpec* spec = Spec(key);
  if (spec == nullptr || !spec->default_value) {
    return Missing<bool>(key);
  }
  return *spec->default_value == "true";
}

Result<std::chrono::milliseconds> OptionReader::Duration(std::string_view key) const {
  if (auto it = config_.options.find(std::string(key)); it != config_.options.end()) {
    if (const auto* d = std::get_if<std::chrono::milliseconds>(&it->second.value)) {
      return *d;
    }
    if (const auto* s = std::get_if<std::string>(&it->second.value)) {
      return ParseDuration(*s);
    }
    return InvalidArgument("option " + std::string(key) + " must be a duration like \"5m\"");
  }
  const OptionSpec* spec = Spec(key);
  if (spec == nullptr || !spec->default_value) {
    return Missing<std::chrono::milliseconds>(key);
  }
  return ParseDuration(*spec->default_value);
}

Result<std::vector<std::string>> OptionReader::StringList(std::string_view key) const {
  auto it = config_.options.find(std::string(key));
  if (it == config_.options.end()) {
    return std::vector<std::string>{};
  }
  if (const auto* list = std::get_if<std::vector<std::string>>(&it->second.value)) {
    return *list;
  }
  if (const auto* s = std::get_if<std::string>(&it->second.value)) {
    return std::vector<std::string>{*s};
  }
  return InvalidArgument("option " + std::string(key) + " must be a list of strings");
}

std::string OptionTableMarkdown(const OptionTable& table) {
  auto type_name = [](const OptionSpec& spec) -> std::string {
    switch (spec.type) {
      case OptionSpec::Type::kString:
        return "string";
      case OptionSpec::Type::kInt:
        return "integer";
      case OptionSpec::Type::kBool:
        return "boolean";
      case OptionSpec::Type::kDuration:
        return "duration";
      case OptionSpec::Type::kJsonPointer:
        return "JSON pointer";
      case OptionSpec::Type::kStringList:
        return "list of strings";
      case OptionSpec::Type::kEnum: {
        std::string choices;
        for (const std::string& c : spec.choices) {
          choices += (choices.empty() ? "" : ", ") + ("`" + c + "`");
        }
        return "one of " + choices;
      }
    }
    return "?";
  };
  auto cell = [](std::string text) {
    for (size_t at = 0; (at = text.find('|', at)) != std::string::npos; at += 2) {
      text.replace(at, 1, "\\|");
    }
    return text;
  };
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const OptionSpec& spec : table) {
    const std::string def = spec.required        ? "required"
                            : spec.default_value ? "`" + *spec.default_value + "`"
                                                 : "none";
    out += "| `" + spec.key + "` | " + cell(type_name(spec)) + " | " + cell(def) + " | " +
           cell(spec.description) + " |\n";
  }
  return out;
}

}  // namespace dealsync::connectors
