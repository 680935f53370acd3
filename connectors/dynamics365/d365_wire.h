// Dataverse Web API wire details, sans-io: the poll cursor, query URLs and
// Prefer headers, reading an opportunity row (or a $deletedEntity) into the
// canonical model, OData error bodies -> Status, and planning the writes that
// bring one row to the target values.
// Thread-safety: value types and pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/dynamics365/d365_options.h"
#include "dealsync/connector.h"
#include "dealsync/http.h"
#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::connectors::dynamics365 {

// Dataverse error codes this connector acts on.
inline constexpr std::string_view kErrorConcurrency = "0x80060882";   // If-Match mismatch (412)
inline constexpr std::string_view kErrorExpiredToken = "0x80044352";  // expired delta token
inline constexpr std::string_view kErrorRequestCount = "0x80072322";  // service protection
inline constexpr std::string_view kErrorExecutionTime = "0x80072321";
inline constexpr std::string_view kErrorConcurrentRequests = "0x80072326";
inline constexpr std::string_view kErrorNotFound = "0x80040217";

// The persisted poll position, a JSON object:
//   {"next": "<@odata.nextLink of a read in progress>",
//    "delta": "<last complete @odata.deltaLink>"          (change tracking)
//    "wm": <highest modifiedon delivered, epoch ms>}       (modifiedon filter)
// The empty cursor starts a full read.
struct Cursor {
  std::string next_url;
  std::string delta_link;
  std::optional<Timestamp> watermark;

  static Result<Cursor> Decode(std::string_view text);
  std::string Encode() const;
};

// The $select list: the fixed opportunity columns plus the mapped link keys.
std::vector<std::string> SelectColumns(const Settings& settings);

// Prefer header of a read: maxpagesize and formatted values, plus
// odata.track-changes when change tracking is used.
std::string ReadPreferHeader(const Settings& settings);

// Query string of the first request of a read ("?$select=..." [filter mode:
// "&$filter=modifiedon ge <from>&$orderby=modifiedon asc,opportunityid asc"]).
std::string InitialQuery(const Settings& settings, std::optional<Timestamp> filter_from);

// "2026-11-23T10:00:00Z" (a Dataverse DateTime literal, second precision).
std::string ODataDateTime(Timestamp t);

// True for a change-tracking entry that reports a removed row.
bool IsDeletedEntity(const nlohmann::json& entry);

// What a row read needs besides the row.
struct RowContext {
  std::string source;
  const Settings* settings = nullptr;
  const StageMaps* stages = nullptr;
  const TimeZone* zone = nullptr;
  std::string default_currency;
  // ISO code of a transactioncurrencyid, nullopt when unknown.
  std::function<std::optional<std::string>(const std::string&)> currency_iso;
};

// An opportunity row -> canonical. Errors name the column and value.
Result<Opportunity> ReadRow(const nlohmann::json& row, const RowContext& context);
// A $deletedEntity entry -> a deleted record observed at `now`.
Result<Opportunity> ReadDeleted(const nlohmann::json& entry, std::string_view source,
                                Timestamp now);

// What the connector remembers of a row it has read (for If-Match and for
// deciding between PATCH and the close actions).
struct RowState {
  std::string etag;            // @odata.etag
  int statecode = 0;           // 0 Open, 1 Won, 2 Lost
  nlohmann::json stage_value;  // the stage column's current value
  std::string currency_id;
};
Result<RowState> ReadRowState(const nlohmann::json& row, const Settings& settings);

// The writes that bring a row to an update's target values: at most one PATCH
// (If-Match: the row's etag; a reopen sets statecode 0 / statuscode 1) and at
// most one close action. A close without field changes still PATCHes the stage
// column with its current value, so the action runs only on the version read.
struct UpdatePlan {
  enum class Close : uint8_t { kNone, kWin, kLose };
  nlohmann::json patch = nlohmann::json::object();
  Close close = Close::kNone;
  bool empty() const { return patch.empty() && close == Close::kNone; }
};
// kFailedPrecondition when the target cannot be written (unmapped stage,
// currency not in the org, reopening a closed deal the policy keeps closed,
// field changes on a closed deal).
Result<UpdatePlan> PlanUpdate(
    const RecordUpdate& update, const RowState& row, const Settings& settings,
    const StageMaps& stages, bool allow_reopen,
    const std::function<std::optional<std::string>(const std::string&)>& currency_id_of_iso);

// Body of POST /WinOpportunity or /LoseOpportunity.
nlohmann::json CloseActionBody(const std::string& opportunity_id, const Settings& settings,
                               bool won);

// The [stages] lookups (the connector libraries do not link the config library).
std::optional<Stage> CanonicalStage(const PipelineStageMap& map, std::string_view native);
std::optional<std::string> NativeStage(const PipelineStageMap& map, Stage stage);

// A non-2xx response as a Status: the transport's HTTP mapping refined by the
// OData error code (service protection codes -> kResourceExhausted with
// Retry-After, 0x80060882 -> kAborted), with the code and message in the text.
Status ODataError(const HttpResponse& response, std::string_view context);
// The error.code of an OData error body ("" when none).
std::string ODataErrorCode(std::string_view body);

}  // namespace dealsync::connectors::dynamics365
