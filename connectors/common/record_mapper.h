// RecordMapper: native JSON record <-> canonical Opportunity, driven entirely by
// a source's [fields] (JSON pointers + formats) and [stages] (per-pipeline maps).
// Shared by every connector; no connector maps fields by hand.
//
// Formats (FieldMapping::format):
//   string          JSON string (numbers are accepted and printed)
//   decimal_string  amount as "1234.50"
//   number          amount as a JSON number (read via its shortest round-trip
//                   decimal text, never kept as floating point)
//   minor_units     amount as an integer count of minor units
//   iso_date        "2026-12-01" (a datetime is converted in the source time zone)
//   iso_datetime    "2026-12-01T10:00:00Z" (or with offset) -> local date / timestamp
//   epoch_ms        integer or numeric string, milliseconds since the epoch
//   epoch_s         integer or numeric string, seconds since the epoch
//   bool            deleted/archived flag (true/false, "true"/"false", 0/1, "0"/"1")
// A stage mapped with format "number" is written back as a JSON number.
// [statuses] derives the stage from two fields (an open/won/lost status and a
// stage id); [currencies] names the ISO code behind native currency ids.
// Thread-safety: immutable after Create(); safe to share.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::connectors {

class RecordMapper {
 public:
  // Merges `defaults` (the connector's) with config.fields (the file's, which
  // win), loads config.time_zone, and checks every mapping. Errors carry the
  // field's source location when it came from the file.
  static Result<RecordMapper> Create(const SourceConfig& config, const FieldMap& defaults);
  // Same, with the connector's default stage maps used when config.stages is
  // empty (a file that writes [stages] replaces them entirely).
  static Result<RecordMapper> Create(const SourceConfig& config, const FieldMap& defaults,
                                     const StageMaps& default_stages);

  // Native record -> canonical. An error names the canonical field, the JSON
  // pointer, and the offending value, e.g.
  //   stage: value "Won-ish" at /status is not in [stages] (known: Qualified, ...)
  Result<Opportunity> ToCanonical(const nlohmann::json& native) const;

  // Canonical target values -> the native JSON body fragment that sets them
  // (objects created along each pointer; stage written as the pipeline's first
  // native value; amount in the mapped format, currency when mapped to a field;
  // close_date in the mapped format). Fields unset in `update` are omitted.
  Result<nlohmann::json> ToNativePatch(const RecordUpdate& update) const;

  // The mapping for a canonical field, nullptr when unmapped.
  const FieldMapping* Find(std::string_view canonical_field) const;
  // Last reference token of the field's pointer ("/properties/dealstage" ->
  // "dealstage"): the API field name for SOQL SELECT lists or HubSpot properties.
  std::string ApiName(std::string_view canonical_field) const;
  std::vector<std::string> ApiNames() const;  // every mapped field, in a stable order

  const TimeZone& time_zone() const { return zone_; }
  const std::string& default_currency() const { return default_currency_; }
  const StageMaps& stage_maps() const { return stages_; }

 private:
  RecordMapper() = default;
  std::string source_;
  std::string default_currency_;
  FieldMap fields_;
  StageMaps stages_;
  std::map<std::string, std::optional<Stage>> statuses_;  // [statuses]
  std::map<std::string, std::string> currencies_;         // [currencies]
  TimeZone zone_ = TimeZone::Utc();
  std::vector<std::pair<std::string, nlohmann::json::json_pointer>> pointers_;  // parsed once

  const nlohmann::json* ValueOf(const nlohmann::json& native, std::string_view field) const;
  Status ReadAmount(const nlohmann::json& native, Opportunity& out) const;
  Status ReadStage(const nlohmann::json& native, Opportunity& out) const;
  // [statuses]: true when the status field decided the stage.
  Result<bool> ReadStatus(const nlohmann::json& native, Opportunity& out) const;
  Result<std::string> ReadCurrency(const nlohmann::json& native) const;
  Status WriteStage(const RecordUpdate& update, nlohmann::json& patch) const;
  Status ReadDates(const nlohmann::json& native, Opportunity& out) const;
};

}  // namespace dealsync::connectors
