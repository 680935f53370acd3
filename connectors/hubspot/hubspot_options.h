// HubSpot connector options (the declarative table), default field and stage
// maps, and the plain settings struct the table fills.
//
// Option table (keys relative to the source file's root):
//   hubspot.pipelines   string list  (all)   only deals in these pipeline ids are polled
//   hubspot.lookback    duration     "2m"    each poll re-reads this far below the highest
//                                            hs_lastmodifieddate seen (search indexing lag)
//   hubspot.page_size   int          200     search page size (1..200)
// Dates: closedate is normalised to a calendar date in the source's time_zone,
// which should be the HubSpot portal's time zone.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"

namespace dealsync::connectors::hubspot {

struct Settings {
  std::vector<std::string> pipelines;  // empty: every pipeline
  std::chrono::milliseconds lookback{std::chrono::minutes(2)};
  int64_t page_size = 200;
};

const OptionTable& Options();
Settings ReadSettings(const SourceConfig& config, std::vector<ConfigError>& errors);

// id=/id, name=/properties/dealname, pipeline=/properties/pipeline,
// stage=/properties/dealstage, amount=/properties/amount (decimal_string),
// currency=/properties/deal_currency_code, close_date=/properties/closedate
// (iso_datetime), modified_at=/properties/hs_lastmodifieddate (iso_datetime),
// deleted=/archived (bool).
FieldMap DefaultFields();

// Pipeline "default" (HubSpot's sales pipeline) dealstage ids:
//   prospect    appointmentscheduled
//   qualified   qualifiedtobuy
//   discovery   presentationscheduled
//   solution    decisionmakerboughtin
//   proposal    contractsent
//   closed_won  closedwon
//   closed_lost closedlost
// Other pipelines need a [stages.<pipeline id>] table in the partner file.
StageMaps DefaultStages();

}  // namespace dealsync::connectors::hubspot
