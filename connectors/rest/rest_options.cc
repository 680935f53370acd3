#include "connectors/rest/rest_options.h"

#include <algorithm>

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
      Spec("list.method", Type::kEnum, "GET",
           "HTTP method of list requests: GET, or POST for search endpoints (with list.body)",
           {"GET", "POST"}),
      Spec("list.path", Type::kString, std::nullopt,
           "path of the list endpoint, appended to connection.base_url (\"/deals\"); a template "
           "(placeholders {since} {cursor} {page} {offset} {page_size})",
           {}, true),
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
      Spec("list.page.more", Type::kJsonPointer, std::nullopt,
           "JSON pointer to a boolean that is false on the last page (\"/info/more_records\", "
           "\"/has_more\")"),
      Spec("list.page.total_pages", Type::kJsonPointer, std::nullopt,
           "JSON pointer to the number of pages (style page): the page with that number is the "
           "last"),
      Spec("list.page.param", Type::kString, std::nullopt,
           "query parameter carrying the cursor / page number / offset (default: cursor, page, "
           "offset); not sent when a list template places {cursor}, {page} or {offset} itself"),
      Spec("list.page.size_param", Type::kString, "limit",
           "query parameter carrying list.page_size (\"per_page\"); \"\" to not send it"),
      Spec("list.page.start", Type::kInt, "1", "first page number (style page)"),
      Spec("list.modified_since.param", Type::kString, std::nullopt,
           "query parameter for incremental fetch (\"updated_after\"), sent as param={since}; "
           "without it (and without {since} in a template) every poll lists everything"),
      Spec("list.modified_since.format", Type::kEnum, "iso8601",
           "how {since} is written: iso8601 (2026-11-23T10:00:00Z), iso8601_ms "
           "(2026-11-23T10:00:00.000Z), iso8601_offset (2026-11-23T10:00:00+00:00), epoch_s, "
           "epoch_ms, rfc1123 (Mon, 23 Nov 2026 10:00:00 GMT, for If-Modified-Since), "
           "sql_datetime (2026-11-23 10:00:00)",
           {"iso8601", "iso8601_ms", "iso8601_offset", "epoch_s", "epoch_ms", "rfc1123",
            "sql_datetime"}),
      Spec("list.overlap", Type::kDuration, "2m",
           "each poll asks again for this much time before the previous poll's upper bound "
           "(late commits, clock skew); a record read again is skipped only when its "
           "modified_at and values are unchanged"),
      Spec("list.sort", Type::kString, std::nullopt,
           "\"param=value\" sent with every list request (\"sort=updated_at\")"),
      Spec("list.query", Type::kStringList, std::nullopt,
           "further \"param=value\" pairs sent with every list request; values are templates "
           "(\"$filter=modifiedon ge {since}\", \"filter[date_modified][gt]={since}\")"),
      Spec("list.headers", Type::kStringList, std::nullopt,
           "\"Name: value\" headers of list requests; values are templates "
           "(\"If-Modified-Since: {since}\", \"Prefer: odata.maxpagesize=200\"). A 304 answer "
           "means nothing changed"),
      Spec("list.body", Type::kString, std::nullopt,
           "JSON body of a POST list request, a template (strings placed inside quotes, "
           "numbers bare: {\"filter\": {\"updated_after\": \"{since}\"}, \"limit\": {page_size}})"),
      Spec("get.path", Type::kString, std::nullopt,
           "path of one record, with {id} (\"/deals/{id}\")", {}, true),
      Spec("get.records", Type::kJsonPointer, "",
           "JSON pointer to the record in a get response; \"\" when the body is the record"),
      Spec("get.headers", Type::kStringList, std::nullopt,
           "\"Name: value\" headers of get requests ({id} allowed)"),
      Spec("update.mode", Type::kEnum, "single",
           "single: one request per record to update.path with {id}; batch: one request per "
           "update.batch.max_size records",
           {"single", "batch"}),
      Spec("update.method", Type::kEnum, "PATCH", "HTTP method of updates",
           {"PATCH", "PUT", "POST"}),
      Spec("update.path", Type::kString, std::nullopt,
           "path updates are sent to: \"/deals/{id}\" (single) or \"/opportunities/batch\" (batch)",
           {}, true),
      Spec("update.headers", Type::kStringList, std::nullopt,
           "\"Name: value\" headers of update requests ({id} allowed in single mode; "
           "\"If-Match: *\")"),
      Spec("update.body", Type::kString, "",
           "JSON envelope of a single-record update, a template ({id} allowed) the changed "
           "fields are merged into at update.fields_at: {\"data\": {\"type\": "
           "\"Opportunities\", \"id\": \"{id}\"}} for JSON:API; \"\" sends the fields alone"),
      Spec("update.fields_at", Type::kJsonPointer, "",
           "JSON pointer in update.body where the changed fields go (\"/deal\", \"/data\"); "
           "objects on the way are created"),
      Spec("update.if_match", Type::kJsonPointer, std::nullopt,
           "JSON pointer, in the record as get.path returns it, of a version tag (an ETag) "
           "sent as If-Match with each single-record update; the record is read first, and a "
           "412 answer means it changed meanwhile (it is read again and reconciled)"),
      Spec("update.content_type", Type::kString, "application/json",
           "Content-Type of update requests (\"application/vnd.api+json\" for JSON:API)"),
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
           "JSON pointer to the success indicator inside one result: true/false, or the "
           "value update.batch.result_ok_value names; a result without it is a failure"),
      Spec("update.batch.result_ok_value", Type::kString, std::nullopt,
           "the string at update.batch.result_ok that means success (\"success\", \"SUCCESS\"); "
           "unset: the indicator is the boolean true"),
      Spec("update.batch.result_match", Type::kEnum, "id",
           "how results are paired with the items sent: id (update.batch.result_id) or "
           "position (the API answers in request order, errors without ids)",
           {"id", "position"}),
      Spec("update.batch.result_error", Type::kJsonPointer, "/error",
           "JSON pointer to the error message inside one result"),
  };
}

// An option without a default reads as "" when absent.
Result<std::string> Text(const OptionReader& in, std::string_view key) {
  return in.Has(key) ? in.String(key) : Result<std::string>(std::string());
}

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

Result<HeaderTemplates> ParseHeaders(const OptionReader& in, std::string_view key) {
  auto lines = in.StringList(key);
  if (!lines.ok()) {
    return lines.status();
  }
  HeaderTemplates headers;
  for (const std::string& line : *lines) {
    auto header = ParseHeaderLine(line);
    if (!header) {
      return InvalidArgument(std::string(key) + ": \"" + line +
                             "\" is not \"Name: value\" (a header name, a colon, a value on "
                             "one line)");
    }
    headers.push_back(std::move(*header));
  }
  return headers;
}

bool UsesPagingPlaceholder(std::string_view text) {
  const std::set<std::string> names = Placeholders(text);
  return names.contains("cursor") || names.contains("page") || names.contains("offset");
}

Status ParseListPaging(const OptionReader& in, RestOptions& o) {
  REST_ASSIGN(o.page_size, in.Int("list.page_size"));
  REST_ASSIGN(o.size_param, in.String("list.page.size_param"));
  std::string style;
  REST_ASSIGN(style, in.String("list.page.style"));
  auto parsed_style = ParsePageStyle(style);
  if (!parsed_style) {
    return InvalidArgument("list.page.style: unknown pagination style \"" + style + "\"");
  }
  o.page_style = *parsed_style;
  REST_ASSIGN(o.page_next_pointer, Text(in, "list.page.next"));
  REST_ASSIGN(o.page_more_pointer, Text(in, "list.page.more"));
  REST_ASSIGN(o.page_total_pages_pointer, Text(in, "list.page.total_pages"));
  REST_ASSIGN(o.page_param, Text(in, "list.page.param"));
  if (o.page_param.empty()) {
    o.page_param = DefaultPageParam(o.page_style);
  }
  REST_ASSIGN(o.page_start, in.Int("list.page.start"));
  return Status::Ok();
}

Status ParseList(const OptionReader& in, RestOptions& o) {
  REST_ASSIGN(o.list_method, in.String("list.method"));
  REST_ASSIGN(o.list_path, Text(in, "list.path"));
  REST_ASSIGN(o.records_pointer, in.String("list.records"));
  DEALSYNC_RETURN_IF_ERROR(ParseListPaging(in, o));
  REST_ASSIGN(o.modified_since_param, Text(in, "list.modified_since.param"));
  std::string format;
  REST_ASSIGN(format, in.String("list.modified_since.format"));
  auto parsed = ParseTimeFormat(format);
  if (!parsed) {
    return InvalidArgument("list.modified_since.format: unknown format \"" + format + "\"");
  }
  o.since_format = *parsed;
  REST_ASSIGN(o.overlap, in.Duration("list.overlap"));
  std::vector<std::string> params;
  REST_ASSIGN(params, in.StringList("list.query"));
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
  REST_ASSIGN(o.list_headers, ParseHeaders(in, "list.headers"));
  REST_ASSIGN(o.list_body, Text(in, "list.body"));
  o.paging_in_template = UsesPagingPlaceholder(o.list_path) || UsesPagingPlaceholder(o.list_body);
  for (const auto& [param, value] : o.extra_query) {
    o.paging_in_template = o.paging_in_template || UsesPagingPlaceholder(value);
  }
  for (const auto& [name, value] : o.list_headers) {
    o.paging_in_template = o.paging_in_template || UsesPagingPlaceholder(value);
  }
  return Status::Ok();
}

Status ParseGetAndUpdate(const OptionReader& in, RestOptions& o) {
  REST_ASSIGN(o.get_path, Text(in, "get.path"));
  REST_ASSIGN(o.get_records, in.String("get.records"));
  REST_ASSIGN(o.get_headers, ParseHeaders(in, "get.headers"));
  std::string mode;
  REST_ASSIGN(mode, in.String("update.mode"));
  if (mode != "single" && mode != "batch") {
    return InvalidArgument("update.mode: expected \"single\" or \"batch\", got \"" + mode + "\"");
  }
  o.update_mode = mode == "batch" ? UpdateMode::kBatch : UpdateMode::kSingle;
  REST_ASSIGN(o.update_method, in.String("update.method"));
  REST_ASSIGN(o.update_path, Text(in, "update.path"));
  REST_ASSIGN(o.update_headers, ParseHeaders(in, "update.headers"));
  REST_ASSIGN(o.update_body, in.String("update.body"));
  REST_ASSIGN(o.update_fields_at, in.String("update.fields_at"));
  REST_ASSIGN(o.update_content_type, in.String("update.content_type"));
  REST_ASSIGN(o.update_if_match, Text(in, "update.if_match"));
  REST_ASSIGN(o.batch_max_size, in.Int("update.batch.max_size"));
  REST_ASSIGN(o.batch_wrapper, in.String("update.batch.wrapper"));
  REST_ASSIGN(o.batch_id_field, Text(in, "update.batch.id_field"));
  std::string id_type;
  REST_ASSIGN(id_type, in.String("update.batch.id_type"));
  o.batch_id_is_number = id_type == "number";
  REST_ASSIGN(o.batch_results, in.String("update.batch.results"));
  REST_ASSIGN(o.batch_result_id, Text(in, "update.batch.result_id"));
  if (!in.Has("update.batch.result_id")) {
    o.batch_result_id = o.batch_id_field;
  }
  REST_ASSIGN(o.batch_result_ok, in.String("update.batch.result_ok"));
  REST_ASSIGN(o.batch_result_ok_value, Text(in, "update.batch.result_ok_value"));
  o.batch_result_ok_is_string = in.Has("update.batch.result_ok_value");
  std::string match;
  REST_ASSIGN(match, in.String("update.batch.result_match"));
  o.batch_match_by_position = match == "position";
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

const std::set<std::string>& ListPlaceholders() {
  static const std::set<std::string> names = {"since", "cursor", "page", "offset", "page_size"};
  return names;
}

const std::set<std::string>& RecordPlaceholders() {
  static const std::set<std::string> names = {"id"};
  return names;
}

const OptionTable& RestOptionTable() {
  static const OptionTable* table = new OptionTable(BuildTable());
  return *table;
}

Result<RestOptions> ParseRestOptions(const SourceConfig& config) {
  OptionReader in(config, RestOptionTable());
  RestOptions o;
  DEALSYNC_RETURN_IF_ERROR(ParseList(in, o));
  DEALSYNC_RETURN_IF_ERROR(ParseGetAndUpdate(in, o));
  return o;
}

}  // namespace dealsync::connectors::rest
