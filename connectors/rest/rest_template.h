// Request templates for the rest connector, sans-io.
//
// Paths, query values, header values and JSON bodies of list, get and update
// requests may contain placeholders:
//   {since}      the modified-since instant, in list.modified_since.format
//   {cursor}     the next-page token from the previous page ("" on the first)
//   {page}       the page number (list.page.start, +1 per page)
//   {offset}     the number of records listed before this page in the pass
//   {page_size}  list.page_size
//   {id}         the record id (get and update requests only)
// A placeholder is "{" + lower-case letters/underscores + "}"; anything else in
// braces (JSON objects) is literal text. Unknown names are config errors.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::connectors::rest {

// How {since} (and list.modified_since.param) is written.
enum class TimeFormat : uint8_t {
  kIso8601,        // 2026-11-23T10:00:00Z   (UTC, whole seconds)
  kIso8601Millis,  // 2026-11-23T10:00:00.000Z
  kIso8601Offset,  // 2026-11-23T10:00:00+00:00
  kEpochS,         // 1795428000
  kEpochMs,        // 1795428000000
  kRfc1123,        // Mon, 23 Nov 2026 10:00:00 GMT (HTTP date headers)
  kSqlDateTime,    // 2026-11-23 10:00:00      (UTC; SQL-backed filters)
};
std::string_view TimeFormatName(TimeFormat f);
std::optional<TimeFormat> ParseTimeFormat(std::string_view name);
// The instant as the API expects it (sub-second parts are floored where the
// format has none, so a filter never starts after a change).
std::string FormatInstant(Timestamp t, TimeFormat format);

struct TemplateValues {
  std::optional<Timestamp> since;
  TimeFormat since_format = TimeFormat::kIso8601;
  std::string cursor;
  int64_t page = 1;
  int64_t offset = 0;
  int64_t page_size = 100;
  std::string id;
};

enum class Escape : uint8_t {
  kNone,  // header values, query values (encoded later as a whole)
  kPath,  // percent-encoded path segment
  kJson,  // inside a JSON string literal (or a bare number)
};

// Every placeholder name used in `text`, in order of first use.
std::set<std::string> Placeholders(std::string_view text);
// "" when every placeholder of `text` is in `allowed`; otherwise an error
// message naming the first unknown one and the allowed set.
std::string CheckPlaceholders(std::string_view text, const std::set<std::string>& allowed);
// Replaces every placeholder with its value, escaped for where it goes.
std::string Expand(std::string_view text, const TemplateValues& values, Escape escape);

}  // namespace dealsync::connectors::rest
