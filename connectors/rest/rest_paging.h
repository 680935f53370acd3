// Sans-io incremental listing for the rest connector: the persisted cursor, the
// URL of the next list request, and how a response moves the cursor on.
//
// A "pass" lists everything modified since the shared OverlapWindow's lower
// bound (connectors/common/overlap_window.h), page by page, in whatever
// pagination style the API uses. The cursor records the pass in progress (the
// window and the next page token/number/URL), so a restart resumes at the page
// after the last journaled one.
// Thread-safety: value types and pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/common/json_util.h"
#include "connectors/common/overlap_window.h"
#include "connectors/rest/rest_options.h"
#include "dealsync/http.h"
#include "dealsync/status.h"

namespace dealsync::connectors::rest {

struct RestCursor {
  OverlapWindow window;  // the pass in progress / the next pass's lower bound
  std::string next;      // token / page number / offset / URL; "" = the pass's first page

  std::string Encode() const;
  // "" decodes to the initial cursor. A corrupt cursor is kDataLoss. Cursors
  // written by earlier versions (v1) are migrated; `overlap` places their window.
  static Result<RestCursor> Decode(std::string_view text, std::chrono::milliseconds overlap);
};

// base_url + path, with exactly one "/" between them.
std::string JoinUrl(std::string_view base_url, std::string_view path);
// The path of a URL without its query (for messages: queries may carry keys).
std::string UrlPathForMessages(std::string_view url);
// Resolves a next-page reference from a Link header or a body against the URL
// of the request that returned it (RFC 3986 section 5) and refuses any origin
// but base_url's (credentials are only ever sent to base_url's host).
Result<std::string> ResolveNextUrl(std::string_view base_url, std::string_view request_url,
                                   std::string_view next);
// The rel="next" target of an RFC 8288 Link header value, if any.
std::optional<std::string> ParseLinkNext(std::string_view link_header);

// A request without the connection's auth (the transport adds it).
struct RestRequest {
  std::string method;
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::string content_type = "application/json";  // of a non-empty body
};

// The list request for the cursor's current page.
RestRequest ListRequest(const RestOptions& options, std::string_view base_url,
                        const RestCursor& cursor);
// The get request of one record.
RestRequest GetRequest(const RestOptions& options, std::string_view base_url, std::string_view id);
// The body of a single-record update: update.body with {id} filled in and the
// changed fields merged at update.fields_at (the fields alone without a body).
Result<nlohmann::json> SingleUpdateBody(const RestOptions& options, std::string_view id,
                                        const nlohmann::json& fields);
// The values list templates are expanded with for the cursor's current page.
TemplateValues ListValues(const RestOptions& options, const RestCursor& cursor);
// The headers of a template list, expanded.
HttpHeaders ExpandHeaders(const HeaderTemplates& headers, const TemplateValues& values);

// What comes after a page: the next token/number/offset/URL, or "" at the end
// of the pass. `record_count` is the length of the page's records array and
// `request_url` the URL the page came from.
Result<std::string> NextPageToken(const RestOptions& options, std::string_view base_url,
                                  std::string_view request_url, const RestCursor& cursor,
                                  const nlohmann::json& body, const HttpHeaders& headers,
                                  size_t record_count);

}  // namespace dealsync::connectors::rest
