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
// "https://host:port" of an absolute URL ("" when it is not one).
std::string UrlOrigin(std::string_view url);
// The path of a URL without its query (for messages: queries may carry keys).
std::string UrlPathForMessages(std::string_view url);
// Resolves a next-page URL from a Link header or a body against base_url and
// refuses other origins (credentials are only ever sent to base_url's host).
Result<std::string> ResolveNextUrl(std::string_view base_url, std::string_view next);
// The rel="next" target of an RFC 8288 Link header value, if any.
std::optional<std::string> ParseLinkNext(std::string_view link_header);
// The modified-since instant as the API expects it (iso8601 at second precision, floored).
std::string FormatSince(int64_t epoch_ms, TimeFormat format);
// Replaces {id} with the percent-encoded id.
std::string ExpandId(std::string_view path, std::string_view id);

// The URL of the list request for the cursor's current page.
std::string ListUrl(const RestOptions& options, std::string_view base_url,
                    const RestCursor& cursor);

// What comes after a page: the next token/number/offset/URL, or "" at the end
// of the pass. `record_count` is the length of the page's records array.
Result<std::string> NextPageToken(const RestOptions& options, std::string_view base_url,
                                  const RestCursor& cursor, const nlohmann::json& body,
                                  const HttpHeaders& headers, size_t record_count);

// Resolves an RFC 6901 pointer without throwing; nullptr when it matches nothing.
const nlohmann::json* ResolvePointer(const nlohmann::json& root, std::string_view pointer);
// Sets `value` at `pointer`, creating objects on the way (pointer must be valid).
void SetAtPointer(nlohmann::json& root, std::string_view pointer, nlohmann::json value);
// A short description of a JSON value's kind: "an object", "a string", ...
std::string JsonKind(const nlohmann::json& value);

}  // namespace dealsync::connectors::rest
