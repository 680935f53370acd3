#include "connectors/dynamics365/d365_options.h"

#include <regex>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"

namespace dealsync::connectors::dynamics365 {

const OptionTable& Options() {
  using T = OptionSpec::Type;
  static const OptionTable table = {
      {"dynamics365.api_version",
       T::kString,
       false,
       "v9.2",
       {},
       "Dataverse Web API version used in /api/data/<version>/ (vN.N)."},
      {"dynamics365.change_tracking",
       T::kBool,
       false,
       "true",
       {},
       "Read changes through change tracking (Prefer: odata.track-changes, the delta link is "
       "the cursor, deletes arrive as $deletedEntity). Set false when the opportunity table "
       "does not have change tracking enabled: then rows are polled with "
       "$filter=modifiedon ge <watermark - overlap> (deletes are not seen)."},
      {"dynamics365.overlap",
       T::kDuration,
       false,
       "5m",
       {},
       "Without change tracking, each poll re-reads this far below the last modifiedon seen "
       "(rows can commit late); the engine drops the repeats."},
      {"dynamics365.page_size",
       T::kInt,
       false,
       "500",
       {},
       "Rows per page requested with Prefer: odata.maxpagesize (1..5000)."},
      {"dynamics365.stage_field",
       T::kEnum,
       false,
       "salesstage",
       {"salesstage", "stepname"},
       "Column that says where an open opportunity stands: the salesstage choice (its "
       "integer value is matched against [stages]) or the stepname text of the business "
       "process flow."},
      {"dynamics365.won_status",
       T::kInt,
       false,
       "3",
       {},
       "statuscode (status reason) passed to WinOpportunity; 3 is the out-of-the-box Won."},
      {"dynamics365.lost_status",
       T::kInt,
       false,
       "4",
       {},
       "statuscode passed to LoseOpportunity: 4 Canceled or 5 Out-Sold out of the box, or a "
       "custom status reason of the Lost state."},
      {"dynamics365.close_subject",
       T::kString,
       false,
       "Closed by dealsync",
       {},
       "Subject of the OpportunityClose activity created when a deal is won or lost."},
      {"dynamics365.batch",
       T::kBool,
       false,
       "true",
       {},
       "Send several updates as one $batch request (one change set per record, so each "
       "record's PATCH and close action commit together and fail alone)."},
      {"dynamics365.batch_size",
       T::kInt,
       false,
       "100",
       {},
       "Records per $batch request (1..1000; Dataverse accepts at most 1000 operations)."},
  };
  return table;
}

namespace {

// "/new_dealregistrationid" -> "new_dealregistrationid"; "" when unmapped.
std::string ColumnOf(const SourceConfig& config, const std::string& field,
                     std::vector<ConfigError>& errors) {
  auto it = config.fields.find(field);
  if (it == config.fields.end()) {
    return "";
  }
  static const std::regex kColumn(R"(/[a-z][a-z0-9_]*)");
  if (!std::regex_match(it->second.pointer, kColumn)) {
    errors.push_back({it->second.where, "fields." + field,
                      "\"" + it->second.pointer +
                          "\" is not a Dataverse column: write \"/<logical name>\" (lower case, "
                          "e.g. \"/new_dealregistrationid\")"});
    return "";
  }
  return it->second.pointer.substr(1);
}

}  // namespace

Settings ReadSettings(const SourceConfig& config, std::vector<ConfigError>& errors) {
  Settings s;
  OptionReader reader(config, Options());
  TakeOption(config, "dynamics365.api_version", reader.String("dynamics365.api_version"),
             s.api_version, errors);
  TakeOption(config, "dynamics365.change_tracking", reader.Bool("dynamics365.change_tracking"),
             s.change_tracking, errors);
  TakeOption(config, "dynamics365.overlap", reader.Duration("dynamics365.overlap"), s.overlap,
             errors);
  TakeOption(config, "dynamics365.page_size", reader.Int("dynamics365.page_size"), s.page_size,
             errors);
  std::string stage_field = "salesstage";
  TakeOption(config, "dynamics365.stage_field", reader.String("dynamics365.stage_field"),
             stage_field, errors);
  TakeOption(config, "dynamics365.won_status", reader.Int("dynamics365.won_status"), s.won_status,
             errors);
  TakeOption(config, "dynamics365.lost_status", reader.Int("dynamics365.lost_status"),
             s.lost_status, errors);
  TakeOption(config, "dynamics365.close_subject", reader.String("dynamics365.close_subject"),
             s.close_subject, errors);
  TakeOption(config, "dynamics365.batch", reader.Bool("dynamics365.batch"), s.batch, errors);
  TakeOption(config, "dynamics365.batch_size", reader.Int("dynamics365.batch_size"), s.batch_size,
             errors);

  auto bad = [&](const std::string& key, std::string message) {
    errors.push_back({OptionLocation(config, key), key, std::move(message)});
  };
  static const std::regex kVersion(R"(v[0-9]\.[0-9])");
  if (!std::regex_match(s.api_version, kVersion)) {
    bad("dynamics365.api_version",
        "\"" + s.api_version + "\" is not a Web API version (write e.g. \"v9.2\")");
  }
  if (stage_field == "stepname") {
    s.stage_field = StageField::kStepName;
  } else if (stage_field != "salesstage") {
    bad("dynamics365.stage_field", "must be \"salesstage\" or \"stepname\"");
  }
  if (s.overlap < std::chrono::milliseconds(0) || s.overlap > std::chrono::hours(24)) {
    bad("dynamics365.overlap", "must be between 0s and 24h (e.g. \"5m\")");
  }
  if (s.page_size < 1 || s.page_size > 5000) {
    bad("dynamics365.page_size", "must be between 1 and 5000 (odata.maxpagesize)");
  }
  if (s.batch_size < 1 || s.batch_size > 1000) {
    bad("dynamics365.batch_size", "must be between 1 and 1000 (operations per $batch)");
  }
  if (s.won_status < 0 || s.lost_status < 0) {
    bad(s.won_status < 0 ? "dynamics365.won_status" : "dynamics365.lost_status",
        "must be a statuscode value (a non-negative integer, e.g. 3 for Won)");
  }
  if (s.close_subject.empty()) {
    bad("dynamics365.close_subject", "must not be empty (the OpportunityClose subject)");
  }
  s.registration_column = ColumnOf(config, "registration_id", errors);
  s.counterpart_column = ColumnOf(config, "counterpart_id", errors);
  return s;
}

FieldMap DefaultFields() {
  auto f = [](std::string pointer, std::string format = "") {
    return FieldMapping{std::move(pointer), std::move(format), {}};
  };
  return {
      {"id", f("/opportunityid")},
      {"name", f("/name")},
      {"account", f("/_parentaccountid_value@OData.Community.Display.V1.FormattedValue")},
      {"owner", f("/_ownerid_value@OData.Community.Display.V1.FormattedValue")},
      {"stage", f("/salesstage")},
      {"amount", f("/estimatedvalue", "number")},
      {"currency", f("/_transactioncurrencyid_value")},
      {"close_date", f("/estimatedclosedate", "iso_date")},
      {"modified_at", f("/modifiedon", "iso_datetime")},
  };
}

StageMaps DefaultStages() {
  StageMaps maps;
  auto& m = maps[""].native_by_stage;
  m[Stage::kQualified] = {"0"};
  m[Stage::kDiscovery] = {"1"};
  m[Stage::kProposal] = {"2", "3"};
  m[Stage::kClosedWon] = {std::string(kWonStage)};
  m[Stage::kClosedLost] = {std::string(kLostStage)};
  return maps;
}

}  // namespace dealsync::connectors::dynamics365
