// Semantic checks of a rest partner file. Every message says what to change.
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"
#include "connectors/rest/rest_options.h"
#include "connectors/rest/rest_paging.h"
#include "connectors/rest/rest_template.h"

namespace dealsync::connectors::rest {
namespace {

class Checker {
 public:
  Checker(const SourceConfig& config, std::vector<ConfigError>& errors)
      : config_(config), errors_(errors) {}

  SourceLocation Where(std::string_view key) const { return OptionLocation(config_, key); }

  void Add(std::string_view located_at, std::string key_path, std::string message) {
    errors_.push_back(ConfigError{Where(located_at), std::move(key_path), std::move(message)});
  }
  void AddAt(SourceLocation where, std::string key_path, std::string message) {
    errors_.push_back(ConfigError{std::move(where), std::move(key_path), std::move(message)});
  }

  const SourceConfig& config() const { return config_; }

 private:
  const SourceConfig& config_;
  std::vector<ConfigError>& errors_;
};

std::string Quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

void CheckPointers(Checker& c) {
  static constexpr std::string_view kPointerKeys[] = {"list.records",
                                                      "list.page.next",
                                                      "list.page.more",
                                                      "list.page.total_pages",
                                                      "get.records",
                                                      "update.batch.wrapper",
                                                      "update.batch.id_field",
                                                      "update.batch.results",
                                                      "update.batch.result_id",
                                                      "update.fields_at",
                                                      "update.if_match",
                                                      "update.batch.result_ok",
                                                      "update.batch.result_error"};
  for (std::string_view key : kPointerKeys) {
    auto it = c.config().options.find(std::string(key));
    if (it == c.config().options.end()) {
      continue;
    }
    const auto* text = std::get_if<std::string>(&it->second.value);
    if (text && !IsValidJsonPointer(*text)) {
      c.Add(key, std::string(key),
            Quote(*text) + " is not a JSON pointer: write " + Quote("/" + *text) +
                " (RFC 6901: \"\" for the whole body, \"/a/b\" for a nested member)");
    }
  }
}

bool UsesSince(const RestOptions& o) {
  bool uses =
      Placeholders(o.list_path).contains("since") || Placeholders(o.list_body).contains("since");
  for (const auto& [param, value] : o.extra_query) {
    uses = uses || Placeholders(value).contains("since");
  }
  for (const auto& [name, value] : o.list_headers) {
    uses = uses || Placeholders(value).contains("since");
  }
  return uses;
}

void CheckPaths(Checker& c, const RestOptions& o) {
  const std::pair<std::string_view, const std::string*> paths[] = {
      {"list.path", &o.list_path}, {"get.path", &o.get_path}, {"update.path", &o.update_path}};
  for (const auto& [key, value] : paths) {
    if (!value->empty() && value->front() != '/') {
      c.Add(key, std::string(key),
            Quote(*value) +
                " must start with \"/\" (it is appended to connection.base_url): write " +
                Quote("/" + *value));
    }
  }
  if (!Placeholders(o.get_path).contains("id")) {
    c.Add("get.path", "get.path",
          Quote(o.get_path) + " has no {id} placeholder: write the path of one record, e.g. " +
              Quote(o.get_path + "/{id}"));
  }
  // The record id goes in the path or (JSON:API PATCH /module) in the body.
  if (o.update_mode == UpdateMode::kSingle && !Placeholders(o.update_path).contains("id") &&
      !Placeholders(o.update_body).contains("id")) {
    c.Add("update.path", "update.path",
          Quote(o.update_path) +
              " has no {id} placeholder, which update.mode = \"single\" needs (in the path, or "
              "in update.body): write e.g. " +
              Quote(o.update_path + "/{id}") + ", or set update.mode = \"batch\"");
  }
}

// Every template names only placeholders its request has.
void CheckTemplates(Checker& c, const RestOptions& o) {
  const std::set<std::string> none;
  const std::set<std::string>& update_names =
      o.update_mode == UpdateMode::kSingle ? RecordPlaceholders() : none;
  auto check = [&](std::string_view key, std::string_view text,
                   const std::set<std::string>& allowed) {
    if (std::string problem = CheckPlaceholders(text, allowed); !problem.empty()) {
      c.Add(key, std::string(key), problem);
    }
  };
  check("list.path", o.list_path, ListPlaceholders());
  for (const auto& [param, value] : o.extra_query) {
    check(c.config().options.contains("list.query") ? "list.query" : "list.sort", value,
          ListPlaceholders());
  }
  for (const auto& header : o.list_headers) {
    check("list.headers", header.second, ListPlaceholders());
  }
  check("list.body", o.list_body, ListPlaceholders());
  check("get.path", o.get_path, RecordPlaceholders());
  for (const auto& header : o.get_headers) {
    check("get.headers", header.second, RecordPlaceholders());
  }
  check("update.path", o.update_path, update_names);
  for (const auto& header : o.update_headers) {
    check("update.headers", header.second, update_names);
  }
}

// update.body: a JSON object once {id} is filled in, for single updates only.
void CheckUpdateBody(Checker& c, const RestOptions& o) {
  if (o.update_body.empty() && o.update_fields_at.empty()) {
    return;
  }
  const std::string_view key = o.update_body.empty() ? "update.fields_at" : "update.body";
  if (o.update_mode == UpdateMode::kBatch) {
    c.Add(key, std::string(key),
          "only single-record updates use update.body and update.fields_at; batches are shaped "
          "by update.batch.wrapper and update.batch.id_field");
    return;
  }
  if (std::string problem = CheckPlaceholders(o.update_body, RecordPlaceholders());
      !problem.empty()) {
    c.Add("update.body", "update.body", problem);
    return;
  }
  auto body = SingleUpdateBody(o, "1", nlohmann::json{{"stage", "x"}});
  if (!body.ok()) {
    c.Add(key, std::string(key),
          body.status().message() +
              " (write update.body as a JSON object, e.g. {\"data\": {\"type\": "
              "\"Opportunities\", \"id\": \"{id}\"}}, \"{id}\" inside quotes)");
  }
}

// list.body must be JSON once its placeholders are filled in, and only POST sends one.
void CheckListBody(Checker& c, const RestOptions& o) {
  if (o.list_body.empty()) {
    if (o.list_method == "POST") {
      c.Add("list.method", "list.body",
            "list.method = \"POST\" needs list.body, the JSON body of the search request");
    }
    return;
  }
  if (o.list_method != "POST") {
    c.Add("list.body", "list.body",
          "a body is only sent with list.method = \"POST\" (a GET request has none): set "
          "method = \"POST\" under [list], or remove body");
    return;
  }
  TemplateValues sample;
  sample.since = Timestamp{};
  sample.since_format = o.since_format;
  const std::string expanded = Expand(o.list_body, sample, Escape::kJson);
  if (nlohmann::json::parse(expanded, nullptr, /*allow_exceptions=*/false).is_discarded()) {
    c.Add("list.body", "list.body",
          "is not JSON once its placeholders are filled in (" + Quote(expanded.substr(0, 120)) +
              "): string placeholders go inside quotes (\"{since}\"), numbers bare ({page_size})");
  }
}

void CheckPaging(Checker& c, const RestOptions& o) {
  if ((o.page_style == PageStyle::kCursor || o.page_style == PageStyle::kNextUrl) &&
      o.page_next_pointer.empty()) {
    c.Add("list.page.style", "list.page",
          "list.page.next is required when list.page.style = " +
              Quote(PageStyleName(o.page_style)) + ": set it to the JSON pointer of the next " +
              (o.page_style == PageStyle::kCursor ? "cursor" : "page URL") +
              " in a list response, e.g. next = " +
              Quote(o.page_style == PageStyle::kCursor ? "/meta/next_cursor" : "/links/next"));
  }
  if (o.page_size < 1 || o.page_size > 10000) {
    c.Add("list.page_size", "list.page_size",
          std::to_string(o.page_size) + " is out of range: use 1..10000 (what the API allows)");
  }
  if (o.page_style == PageStyle::kPage && o.page_start < 0) {
    c.Add("list.page.start", "list.page.start", "must be 0 or 1 (the number of the first page)");
  }
  if (c.config().options.contains("list.modified_since.format") && o.modified_since_param.empty() &&
      !UsesSince(o)) {
    c.Add("list.modified_since.format", "list.modified_since",
          "the format is set but {since} is never sent: name the query parameter "
          "(modified_since = { param = \"updated_after\", format = \"" +
              std::string(TimeFormatName(o.since_format)) +
              "\" }) or place {since} in list.query, list.headers or list.body");
  }
  if ((!o.page_more_pointer.empty() || !o.page_total_pages_pointer.empty()) &&
      o.page_style == PageStyle::kNone) {
    c.Add(o.page_more_pointer.empty() ? "list.page.total_pages" : "list.page.more", "list.page",
          "list.page.style is \"none\" (one request returns everything), so an end-of-paging "
          "signal is never read: set list.page.style");
  }
  if (!o.page_total_pages_pointer.empty() && o.page_style != PageStyle::kPage) {
    c.Add("list.page.total_pages", "list.page.total_pages",
          "a page count only ends paging by page numbers: it needs list.page.style = \"page\"");
  }
  if (o.overlap.count() < 0) {
    c.Add("list.overlap", "list.overlap", "must not be negative (e.g. \"2m\")");
  }
}

void CheckUpdate(Checker& c, const RestOptions& o) {
  if (o.update_mode != UpdateMode::kBatch) {
    return;
  }
  if (!o.update_if_match.empty()) {
    c.Add("update.if_match", "update.if_match",
          "a version tag is sent with single-record updates only; a batch cannot carry one "
          "per record");
  }
  if (o.batch_id_field.empty()) {
    c.Add("update.mode", "update.batch",
          "update.batch.id_field is required when update.mode = \"batch\": the JSON pointer "
          "where the record id goes inside one item, e.g. id_field = \"/id\"");
  }
  if (o.batch_max_size < 1 || o.batch_max_size > 1000) {
    c.Add("update.batch.max_size", "update.batch.max_size",
          std::to_string(o.batch_max_size) + " is out of range: use 1..1000 (the API's limit)");
  }
  if (o.batch_results.empty()) {
    c.Add("update.batch.results", "update.batch.results",
          "must point at the per-record results array (e.g. \"/results\"): without it "
          "partial failures cannot be told apart");
  }
}

void CheckFields(Checker& c) {
  const FieldMap& fields = c.config().fields;
  if (!fields.contains("id")) {
    c.AddAt(SourceLocation{c.config().file, 0, 0}, "fields.id",
            "not mapped: the rest connector has no default field map; add id = \"/id\" (the "
            "JSON pointer of the record id) under [fields]");
  }
  if (!fields.contains("modified_at")) {
    c.AddAt(SourceLocation{c.config().file, 0, 0}, "fields.modified_at",
            "not mapped: incremental fetch and de-duplication need it; add e.g. modified_at = { "
            "pointer = \"/updated_at\", format = \"iso_datetime\" } under [fields]");
  }
}

void CheckConnection(Checker& c) {
  const ConnectionConfig& conn = c.config().connection;
  const SourceLocation file{c.config().file, 0, 0};
  if (conn.base_url.empty()) {
    c.AddAt(file, "connection.base_url",
            "required: the API root every path is appended to, e.g. "
            "\"https://crm.example.com/api/v2\"");
  }
  if (conn.auth.type == AuthConfig::Type::kNone) {
    c.AddAt(file, "connection.auth",
            "missing: the rest connector sends every request authenticated; add e.g. auth = { "
            "type = \"api_key\", header = \"X-Api-Key\", credential = \"<name>\" } (or type "
            "bearer, basic, oauth2_client_credentials)");
  }
}

}  // namespace

void ValidateRestConfig(const SourceConfig& config, std::vector<ConfigError>& errors) {
  Checker c(config, errors);
  CheckPointers(c);
  CheckConnection(c);
  CheckFields(c);
  auto options = ParseRestOptions(config);
  if (!options.ok()) {
    // Only a value LoadConfig's table check let through (e.g. a bad enum when the
    // table check was skipped); report it at its key.
    const std::string m = options.status().message();
    const auto colon = m.find(": ");
    std::string key = colon == std::string::npos ? "" : m.substr(0, colon);
    c.Add(key, key, colon == std::string::npos ? m : m.substr(colon + 2));
    return;
  }
  CheckPaths(c, *options);
  CheckTemplates(c, *options);
  CheckListBody(c, *options);
  CheckUpdateBody(c, *options);
  CheckPaging(c, *options);
  CheckUpdate(c, *options);
}

}  // namespace dealsync::connectors::rest
