// Dynamics 365 Sales (Dataverse Web API) connector options: the declarative
// table, the settings struct it fills, and the default field and stage maps.
//
// Option table (keys relative to the source file's root):
//   dynamics365.api_version      string    "v9.2"        /api/data/<version>/
//   dynamics365.change_tracking  bool      true          delta links (else a modifiedon filter)
//   dynamics365.overlap          duration  "5m"          filter mode: re-read below the watermark
//   dynamics365.page_size        int       500           Prefer: odata.maxpagesize (1..5000)
//   dynamics365.stage_field      enum      "salesstage"  open stages from salesstage or stepname
//   dynamics365.won_status       int       3             statuscode for WinOpportunity (Won)
//   dynamics365.lost_status      int       4             statuscode for LoseOpportunity (Canceled)
//   dynamics365.close_subject    string    "Closed by dealsync"  OpportunityClose subject
//   dynamics365.batch            bool      true          several updates go in one $batch
//   dynamics365.batch_size       int       100           records per $batch (1..1000)
//
// The native stage text the [stages] map sees: for open rows (statecode 0) the
// value of the stage field ("0".."3" for salesstage, the text for stepname);
// "Won" for statecode 1 and "Lost" for statecode 2.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"

namespace dealsync::connectors::dynamics365 {

enum class StageField : uint8_t { kSalesStage, kStepName };

struct Settings {
  std::string api_version = "v9.2";
  bool change_tracking = true;
  std::chrono::milliseconds overlap{std::chrono::minutes(5)};
  int64_t page_size = 500;
  StageField stage_field = StageField::kSalesStage;
  int64_t won_status = 3;
  int64_t lost_status = 4;
  std::string close_subject = "Closed by dealsync";
  bool batch = true;
  int64_t batch_size = 100;
  // Columns of the mapped link keys ("" when unmapped), from [fields].
  std::string registration_column;
  std::string counterpart_column;
};

inline constexpr std::string_view kWonStage = "Won";
inline constexpr std::string_view kLostStage = "Lost";

const OptionTable& Options();

// Fills Settings from config.options (table defaults for absent keys) and the
// link-key columns from config.fields; errors are appended, located.
Settings ReadSettings(const SourceConfig& config, std::vector<ConfigError>& errors);

// id=/opportunityid, name=/name, account and owner = the formatted values of
// _parentaccountid_value and _ownerid_value, stage=/salesstage,
// amount=/estimatedvalue (number), currency=/_transactioncurrencyid_value,
// close_date=/estimatedclosedate (iso_date), modified_at=/modifiedon (iso_datetime).
FieldMap DefaultFields();

// The out-of-the-box salesstage option set (0 Qualify, 1 Develop, 2 Propose,
// 3 Close): qualified "0", discovery "1", proposal "2" and "3",
// closed_won "Won", closed_lost "Lost".
StageMaps DefaultStages();

}  // namespace dealsync::connectors::dynamics365
