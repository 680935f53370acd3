// The rest connector's declarative option table and the plain struct it fills.
//
// A partner file describes its CRM's JSON API under [list], [get] and [update];
// LoadConfig flattens those tables into dotted keys ("list.page.style") and checks
// them against RestOptionTable() (types, enums, required keys). ParseRestOptions
// turns the checked values into RestOptions; ValidateRestConfig adds the semantic
// checks a table cannot express, each located at the key it is about.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "connectors/rest/rest_template.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/status.h"

namespace dealsync::connectors::rest {

// How the list endpoint hands out the next page.
enum class PageStyle : uint8_t {
  kNone,        // one request returns everything
  kCursor,      // a token in the body (list.page.next), sent back as list.page.param
  kPage,        // page numbers: list.page.param = list.page.start, +1 until an empty page
  kOffset,      // offsets: list.page.param = 0, +records until an empty page
  kLinkHeader,  // RFC 8288 `Link: <url>; rel="next"`
  kNextUrl,     // a URL in the body (list.page.next)
};

enum class UpdateMode : uint8_t { kSingle, kBatch };

// A header whose value is a template ("If-Modified-Since", "{since}").
using HeaderTemplates = std::vector<std::pair<std::string, std::string>>;

struct RestOptions {
  // [list]
  std::string list_method = "GET";  // POST for search endpoints
  std::string list_path;            // "/deals" (a template, like every request part)
  std::string records_pointer;      // "/data"; "" when the body is the array
  int64_t page_size = 100;
  std::string size_param = "limit";  // "" = the page size is not sent
  PageStyle page_style = PageStyle::kNone;
  std::string page_next_pointer;         // cursor / next_url
  std::string page_param;                // cursor / page / offset query parameter
  int64_t page_start = 1;                // first page number (page style)
  std::string page_more_pointer;         // boolean "more pages" flag; "" = not used
  std::string page_total_pages_pointer;  // total page count (style page); "" = not used
  std::string modified_since_param;      // "updated_after" = {since}; "" = not sent that way
  TimeFormat since_format = TimeFormat::kIso8601;
  std::chrono::milliseconds overlap{std::chrono::minutes(2)};
  // list.sort + list.query, in order; values are templates.
  std::vector<std::pair<std::string, std::string>> extra_query;
  HeaderTemplates list_headers;
  std::string list_body;  // JSON template; "" = no body
  // Whether a list template carries the paging position itself ({cursor},
  // {page}, {offset}); otherwise list.page.param is appended to the query.
  bool paging_in_template = false;
  // [get]
  std::string get_path;  // "/deals/{id}"
  std::string get_records;
  HeaderTemplates get_headers;
  // [update]
  UpdateMode update_mode = UpdateMode::kSingle;
  std::string update_method = "PATCH";
  std::string update_path;  // "/deals/{id}" or "/opportunities/batch"
  HeaderTemplates update_headers;
  std::string update_body;       // single mode: the envelope ("" = the fields alone)
  std::string update_fields_at;  // where the fields go in update_body
  std::string update_content_type = "application/json";
  std::string update_if_match;  // pointer of the record's version tag; "" = none sent
  int64_t batch_max_size = 25;
  std::string batch_wrapper;   // where the array goes in the body; "" = the body is the array
  std::string batch_id_field;  // where the id goes inside one item: "/opportunityId"
  bool batch_id_is_number = false;
  std::string batch_results = "/results";
  std::string batch_result_id;  // defaults to batch_id_field
  std::string batch_result_ok = "/ok";
  bool batch_result_ok_is_string = false;  // else the indicator is boolean true
  std::string batch_result_ok_value;       // "success"
  bool batch_match_by_position = false;    // else by batch_result_id
  std::string batch_result_error = "/error";
};

std::string_view PageStyleName(PageStyle s);

// The placeholders each request part may use.
const std::set<std::string>& ListPlaceholders();    // since cursor page offset page_size
const std::set<std::string>& RecordPlaceholders();  // id

// The table LoadConfig checks partner files against; also the reference in
// docs/partners.md.
const OptionTable& RestOptionTable();

// Fills RestOptions from config.options (absent keys take the table's default).
// Fails with the first key whose value is unusable; ValidateRestConfig reports all.
Result<RestOptions> ParseRestOptions(const SourceConfig& config);

// Semantic checks with locations: required-when rules, pointer syntax, {id}
// placeholders, the [fields] the connector cannot work without, auth presence.
void ValidateRestConfig(const SourceConfig& config, std::vector<ConfigError>& errors);

}  // namespace dealsync::connectors::rest
