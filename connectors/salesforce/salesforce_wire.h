// Salesforce wire details, sans-io: the poll cursor and its de-duplication,
// SOQL text, Sforce-Limit-Info, and error codes -> Status codes.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/common/overlap_window.h"
#include "dealsync/http.h"
#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::connectors::salesforce {

// The persisted poll position. Serialised as a JSON object:
//   {"w": <OverlapWindow>, "next": "<url>", "newest": <epoch ms>}
// w     the shared overlap window (connectors/common/overlap_window.h): the
//       lower bound of the next query and the (Id, SystemModstamp, values)
//       delivered inside the overlap, so re-reads are not delivered again
// next  the nextRecordsUrl of a query in progress (empty when none)
// newest  the newest SystemModstamp delivered by the query in progress: rows
//       come in SystemModstamp order, so a query whose locator expired resumes
//       at (newest - overlap) rather than at the start of the pass
// Cursors of the older shape {"wm", "seen", "next"} are migrated on Decode.
struct PollCursor {
  OverlapWindow window;
  std::string next_url;
  std::optional<Timestamp> newest;

  // `overlap` places the window of a cursor written in the older shape.
  static Result<PollCursor> Decode(std::string_view text, std::chrono::milliseconds overlap);
  std::string Encode() const;

  // Lower bound of the query: the window's, floored to the second (SOQL
  // datetime literals have second precision).
  Timestamp QueryFrom() const;
  // Lower bound for re-querying a pass whose query locator expired.
  Timestamp ResumeFrom(std::chrono::milliseconds overlap) const;
};

// "2026-11-23T10:00:00Z" (UTC, second precision, as SOQL wants it unquoted).
std::string SoqlDateTime(Timestamp t);

// SELECT Id, IsDeleted, SystemModstamp, <fields> FROM <object>
// WHERE SystemModstamp >= <from> ORDER BY SystemModstamp ASC, Id ASC
std::string BuildPollQuery(std::string_view object, const std::vector<std::string>& fields,
                           Timestamp from);

// Parses "api-usage=25/15000" from Sforce-Limit-Info.
struct ApiUsage {
  int64_t used = 0;
  int64_t max = 0;
};
std::optional<ApiUsage> ParseLimitInfo(std::string_view header);

// Per-record statusCode of a composite save result -> Status code:
//   ENTITY_IS_DELETED, INVALID_CROSS_REFERENCE_KEY, NOT_FOUND  kNotFound
//   UNABLE_TO_LOCK_ROW                                     kUnavailable (retry)
//   REQUEST_LIMIT_EXCEEDED                                 kResourceExhausted
//   ENTITY_IS_LOCKED                                       kFailedPrecondition (approval lock)
//   INSUFFICIENT_ACCESS_OR_READONLY, INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY
//                                                          kPermissionDenied
//   ALL_OR_NONE_OPERATION_ROLLED_BACK                      kAborted
//   FIELD_CUSTOM_VALIDATION_EXCEPTION, INVALID_FIELD, ... and anything else
//                                                          kInvalidArgument
StatusCode RecordErrorCode(std::string_view status_code);

// A non-2xx response as a Status: the HTTP mapping, refined by the body's
// errorCode (REQUEST_LIMIT_EXCEEDED -> kResourceExhausted, INVALID_SESSION_ID ->
// kUnauthenticated, INVALID_QUERY_LOCATOR -> kAborted), with the messages.
Status CallError(const HttpResponse& response, std::string_view context);
// The first errorCode of a Salesforce error body ("" when none).
std::string ErrorCodeOf(const HttpResponse& response);

}  // namespace dealsync::connectors::salesforce
