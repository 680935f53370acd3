#include "connectors/rest/rest_options.h"

#include <algorithm>
#include <charconv>

#include "connectors/common/connector_util.h"

namespace dealsync::connectors::rest {
namespace {

using Type = OptionSpec::Type;

OptionSpec Spec(std::string key, Type type, std::optional<std::string> def, std::string description,
                std::vector<std::string> choices = {}, bool required = false) {
  OptionSpec s;
  s.key = std::move(key);
  s.type = type;
  s.required = required;
  s.default_value = std::move(def);
  s.choices = std::move(choices);
  s.description = std::move(description);
  return s;
}

OptionTable BuildTable() {
  return {
      Spec("list.path", Type::kString, std::nullopt,
           "path of the list endpoint, appended to connection.base_url (\"/deals\")", {}, true),
      Spec("list.records", Type::kJsonPointer, "",
           "JSON pointer to the records array in a list response; \"\" when the body is the array"),
      Spec("list.page_size", Type::kInt, "100", "records asked for per page"),
      Spec("list.page.style", Type::kEnum, "none",
           "how the next page is found: none, cursor (token in the body), page (page numbers), "
           "offset, link_header (Link: rel=\"next\"), next_url (URL in the body)",
           {"none", "cursor", "page", "offset", "link_header", "next_url"}),
      Spec("list.page.next", Type::kJsonPointer, std::nullopt,
           "JSON pointer to the next cursor (style cursor) or next URL (style next_url); "
           "null, \"\" or absent on the last page"),
      Spec("list.page.param", Type::kString, std::nullopt,
           "query parameter carrying the cursor / page number / offset "
           "(default: cursor, page, offset)"),
      Spec("list.page.size_param", Type::kString, "limit",
           "query parameter carrying list.page_size (\"per_page\"); \"\" to not send it"),
      Spec("list.page.start", Type::kInt, "1", "first page number (style page)"),
      Spec("list.modified_since.param", Type::kString, std::nullopt,
           "query parameter for incremental fetch (\"updated_after\"); without it every poll "
           "lists everything"),
      Spec("list.modified_since.format", Type::kEnum, "iso8601",
           "how the modified-since instant is written: iso8601 (UTC, seconds), epoch_s, epoch_ms",
           {"iso8601", "epoch_s", "epoch_ms"}),
      Spec("list.overlap", Type::kDuration, "2m",
           "each poll asks again for this much time before the last modification seen "
           "(late commits, clock skew); repeats are de-duplicated by (id, modified_at)"),
      Spec("list.sort", Type::kString, std::nullopt,
           "\"param=value\" sent with every list request (\"sort=updated_at\")"),
      Spec("list.query", Type::kStringList, std::nullopt,
           "further \"param=value\" pairs sent with every list request"),
      Spec("get.path", Type::kString, std::nullopt,
           "path of one record, with {id} (\"/deals/{id}\")", {}, true),
      Spec("get.records", Type::kJsonPointer, "",
           "JSON pointer to the record in a get response; \"\" when the body is the record"),
      Spec("update.mode", Type::kEnum, "single",
           "single: one request per record to update.path with {id}; batch: one request per "
           "update.batch.max_size records",
           {"single", "batch"}),
      Spec("update.method", Type::kEnum, "PATCH", "HTTP method of updates",
           {"PATCH", "PUT", "POST"}),
      Spec("update.path", Type::kString, std::nullopt,
           "path updates are sent to: \"/deals/{id}\" (single) or \"/opportunities/batch\" (batch)",
           {}, true),
      Spec("update.batch.max_size", Type::kInt, "25", "most records in one batch request"),
      Spec("update.batch.wrapper", Type::kJsonPointer, "",
           "JSON pointer where the array of items goes in the request body (\"/updates\"); "
           "\"\" sends the array itself"),
      Spec("update.batch.id_field", Type::kJsonPointer, std::nullopt,
           "JSON pointer where the record id goes inside one batch item (\"/opportunityId\")"),
      Spec("update.batch.id_type", Type::kEnum, "string",
           "whether the id is sent as a JSON string or number", {"string", "number"}),
      Spec("update.batch.results", Type::kJsonPointer, "/results",
           "JSON pointer to the per-record results array in the batch response"),
      Spec("update.batch.result_id", Type::kJsonPointer, std::nullopt,
           "JSON pointer to the record id inside one result (default: update.batch.id_field)"),
      Spec("update.batch.result_ok", Type::kJsonPointer, "/ok",
           "JSON pointer to the success flag inside one result (true/false)"),
      Spec("update.batch.result_error", Type::kJsonPointer, "/error",
           "JSON pointer to the error message inside one result"),
  };
}

const OptionSpec* FindSpec(std::string_view key) {
  for (const auto& spec : RestOptionTable()) {
    if (spec.key == key) {
      return &spec;
    }
  }
  return nullptr;
}

// Reads option values with the table's defaults for absent keys.
class OptionReader {
 public:
  explicit OptionReader(const SourceConfig& config) : config_(config) {}

  bool Has(std::string_view key) const { return config_.options.contains(std::string(key)); }

  SourceLocation Where(std::string_view key) const { return OptionLocation(config_, key); }

  Result<std::string> String(std::string_view key) const {
    auto it = config_.options.find(std::string(key));
    if (it == config_.options.end()) {
      const OptionSpec* spec = FindSpec(key);
      return spec && spec->default_value ? *spec->default_value : std::string();
    }
    if (const auto* s = std::get_if<std::string>(&it->second.value)) {
      return *s;
    }
    return InvalidArgument(std::string(key) + ": expected a string");
  }

  Result<int64_t> Int(std::string_view key) const {
    auto it = config_.options.find(std::string(key));
    if (it == config_.options.end()) {
      const OptionSpec* spec = FindSpec(key);
      int64_t v = 0;
      if (spec && spec->default_value) {
        const std::string& d = *spec->default_value;
        std::from_chars(d.data(), d.data() + d.size(), v);
      }
      return v;
    }
    if (const auto* i = std::get_if<int64_t>(&it->second.value)) {
      return *i;
    }
    return InvalidArgument(std::string(key) + ": expected an integer");
  }

  Result<std::chrono::milliseconds> Duration(std::string_view key,
                                             std::chrono::milliseconds def) const {
    auto it = config_.options.find(std::string(key));
    if (it == config_.options.end()) {
      return def;
    }
    if (const auto* d = std::get_if<std::chrono::milliseconds>(&it->second.value)) {
      return *d;
    }
    return InvalidArgument(std::string(key) + ": expected a duration such as \"2m\"");
  }

  Result<std::vector<std::string>> List(std::string_view key) const {
    auto it = config_.options.find(std::string(key));
    if (it == config_.options.end()) {
      return std::vector<std::string>{};
    }
    if (const auto* l = std::get_if<std::vector<std::string>>(&it->second.value)) {
      return *l;
    }
    if (const auto* s = std::get_if<std::string>(&it->second.value)) {
      return std::vector<std::string>{*s};
    }
    return InvalidArgument(std::string(key) + ": expected a list of strings");
  }

 private:
  const SourceConfig& config_;
};

std::optional<std::pair<std::string, std::string>> SplitParam(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return std::nullopt;
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

std::optional<PageStyle> ParsePageStyle(std::string_view s) {
  static constexpr std::pair<std::string_view, PageStyle> kStyles[] = {
      {"none", PageStyle::kNone},
      {"cursor", PageStyle::kCursor},
      {"page", PageStyle::kPage},
      {"offset", PageStyle::kOffset},
      {"link_header", PageStyle::kLinkHeader},
      {"next_url", PageStyle::kNextUrl}};
  for (const auto& [name, style] : kStyles) {
    if (name == s) {
      return style;
    }
  }
  return std::nullopt;
}

std::optional<TimeFormat> ParseTimeFormat(std::string_view s) {
  if (s == "iso8601")
    return TimeFormat::kIso8601;
  if (s == "epoch_s")
    return TimeFormat::kEpochS;
  if (s == "epoch_ms")
    return TimeFormat::kEpochMs;
  return std::nullopt;
}

std::string DefaultPageParam(PageStyle style) {
  switch (style) {
    case PageStyle::kCursor:
      return "cursor";
    case PageStyle::kPage:
      return "page";
    case PageStyle::kOffset:
      return "offset";
    default:
      return "";
  }
}

// Assigns `*out` from `r` or returns its error from the enclosing function.
#define REST_ASSIGN(out, expr) \
  do {                         \
    auto _r = (expr);          \
    if (!_r.ok())              \
      return _r.status();      \
    out = std::move(*_r);      \
  } while (false)

Status ParseList(const OptionReader& in, RestOptions& o) {
  REST_ASSIGN(o.list_path, in.String("list.path"));
  REST_ASSIGN(o.records_pointer, in.String("list.records"));
  REST_ASSIGN(o.page_size, in.Int("list.page_size"));
  REST_ASSIGN(o.size_param, in.String("list.page.size_param"));
  std::string style;
  REST_ASSIGN(style, in.String("list.page.style"));
  auto parsed_style = ParsePageStyle(style);
  if (!parsed_style) {
    return InvalidArgument("list.page.style: unknown pagination style \"" + style + "\"");
  }
  o.page_style = *parsed_style;
  REST_ASSIGN(o.page_next_pointer, in.String("list.page.next"));
  REST_ASSIGN(o.page_param, in.String("list.page.param"));
  if (o.page_param.empty()) {
    o.page_param = DefaultPageParam(o.page_style);
  }
  REST_ASSIGN(o.page_start, in.Int("list.page.start"));
  if (in.Has("list.modified_since.param")) {
    ModifiedSince ms;
    REST_ASSIGN(ms.param, in.String("list.modified_since.param"));
    std::string format;
    REST_ASSIGN(format, in.String("list.modified_since.format"));
    auto parsed = ParseTimeFormat(format);
    if (!parsed) {
      return InvalidArgument("list.modified_since.format: unknown format \"" + format + "\"");
    }
    ms.format = *parsed;
    o.modified_since = std::move(ms);
  }
  REST_ASSIGN(o.overlap, in.Duration("list.overlap", std::chrono::minutes(2)));
  std::vector<std::string> params;
  REST_ASSIGN(params, in.List("list.query"));
  if (in.Has("list.sort")) {
    std::string sort;
    REST_ASSIGN(sort, in.String("list.sort"));
    params.insert(params.begin(), sort);
  }
  for (const auto& p : params) {
    auto kv = SplitParam(p);
    if (!kv) {
      return InvalidArgument("list.query: \"" + p + "\" is not of the form param=value");
    }
    o.extra_query.push_back(std::move(*kv));
  }
  return Status::Ok();
}

Status ParseGetAndUpdate(const OptionReader& in, RestOptions& o) {
  REST_ASSIGN(o.get_path, in.String("get.path"));
  REST_ASSIGN(o.get_records, in.String("get.records"));
  std::string mode;
  REST_ASSIGN(mode, in.String("update.mode"));
  if (mode != "single" && mode != "batch") {
    return InvalidArgument("update.mode: expected \"single\" or \"batch\", got \"" + mode + "\"");
  }
  o.update_mode = mode == "batch" ? UpdateMode::kBatch : UpdateMode::kSingle;
  REST_ASSIGN(o.update_method, in.String("update.method"));
  REST_ASSIGN(o.update_path, in.String("update.path"));
  REST_ASSIGN(o.batch_max_size, in.Int("update.batch.max_size"));
  REST_ASSIGN(o.batch_wrapper, in.String("update.batch.wrapper"));
  REST_ASSIGN(o.batch_id_field, in.String("update.batch.id_field"));
  std::string id_type;
  REST_ASSIGN(id_type, in.String("update.batch.id_type"));
  o.batch_id_is_number = id_type == "number";
  REST_ASSIGN(o.batch_results, in.String("update.batch.results"));
  REST_ASSIGN(o.batch_result_id, in.String("update.batch.result_id"));
  if (!in.Has("update.batch.result_id")) {
    o.batch_result_id = o.batch_id_field;
  }
  REST_ASSIGN(o.batch_result_ok, in.String("update.batch.result_ok"));
  REST_ASSIGN(o.batch_result_error, in.String("update.batch.result_error"));
  return Status::Ok();
}

#undef REST_ASSIGN

}  // namespace

std::string_view PageStyleName(PageStyle s) {
  switch (s) {
    case PageStyle::kNone:
      return "none";
    case PageStyle::kCursor:
      return "cursor";
    case PageStyle::kPage:
      return "page";
    case PageStyle::kOffset:
      return "offset";
    case PageStyle::kLinkHeader:
      return "link_header";
    case PageStyle::kNextUrl:
      return "next_url";
  }
  return "?";
}

std::string_view TimeFormatName(TimeFormat f) {
  switch (f) {
    case TimeFormat::kIso8601:
      return "iso8601";
    case TimeFormat::kEpochS:
      return "epoch_s";
    case TimeFormat::kEpochMs:
      return "epoch_ms";
  }
  return "?";
}

const OptionTable& RestOptionTable() {
  static const OptionTable* table = new OptionTable(BuildTable());
  return *table;
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

Result<RestOptions> ParseRestOptions(const SourceConfig& config) {
  OptionReader in(config);
  RestOptions o;
  DEALSYNC_RETURN_IF_ERROR(ParseList(in, o));
  DEALSYNC_RETURN_IF_ERROR(ParseGetAndUpdate(in, o));
  return o;
}

}  // namespace dealsync::connectors::rest
