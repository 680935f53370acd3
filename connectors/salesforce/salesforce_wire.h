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

#include "dealsync/http.h"
#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::connectors::salesforce {

// The persisted poll position. Serialised as a JSON object:
//   {"wm": <epoch ms>, "seen": {"<Id>": <SystemModstamp epoch ms>, ...}, "next": "<url>"}
// wm    the highest SystemModstamp delivered (absent before the first row)
// seen  rows delivered with a stamp inside the overlap window below wm, so the
//       next query (which starts at wm - overlap) does not deliver them again
// next  the nextRecordsUrl of a query in progress (empty when none)
struct PollCursor {
  std::optional<Timestamp> watermark;
  std::map<std::string, int64_t> seen;
  std::string next_url;

  static Result<PollCursor> Decode(std::string_view text);
  std::string Encode() const;

  // True when (id, stamp) or a later version of id was already delivered.
  bool AlreadyDelivered(const std::string& id, Timestamp stamp) const;
  // Records delivery and moves the watermark up.
  void NoteDelivered(const std::string& id, Timestamp stamp);
  // Drops pairs older than watermark - overlap, then the oldest beyond `limit`
  // (which can only cause a repeat, never a loss).
  void Prune(std::chrono::milliseconds overlap, size_t limit);
  // Lower bound of the next query: watermark - overlap, floored to the second
  // (SOQL datetime literals have second precision); the epoch when empty.
  Timestamp QueryFrom(std::chrono::milliseconds overlap) const;
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
