// Salesforce connector options (the declarative table), default field and stage
// maps, and the plain settings struct the table fills.
//
// Option table (keys relative to the source file's root):
//   salesforce.api_version       string    "v59.0"        REST API version
//   salesforce.object            string    "Opportunity"  sObject polled and updated
//   salesforce.overlap           duration  "5m"           re-read window below the watermark
//   salesforce.session_lifetime  duration  "2h"           assumed OAuth access-token lifetime
//   salesforce.page_size         int       2000           Sforce-Query-Options batchSize
//   (200..2000) salesforce.query_all         bool      true           queryAll (returns deleted
//   rows) vs query salesforce.seen_limit        int       20000          max (Id, SystemModstamp)
//   pairs kept in
//                                                         the cursor for de-duplication
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"

namespace dealsync::connectors::salesforce {

struct Settings {
  std::string api_version = "v59.0";
  std::string object = "Opportunity";
  std::chrono::milliseconds overlap{std::chrono::minutes(5)};
  std::chrono::milliseconds session_lifetime{std::chrono::hours(2)};
  int64_t page_size = 2000;
  bool query_all = true;
  int64_t seen_limit = 20000;
};

const OptionTable& Options();

// Fills Settings from config.options and the table defaults; errors are
// appended (located at the option when it came from the file).
Settings ReadSettings(const SourceConfig& config, std::vector<ConfigError>& errors);

// id=/Id, name=/Name, account=/Account/Name, owner=/Owner/Name, stage=/StageName,
// amount=/Amount (number), currency=/CurrencyIsoCode, close_date=/CloseDate
// (iso_date), modified_at=/SystemModstamp (iso_datetime), deleted=/IsDeleted (bool).
FieldMap DefaultFields();

// The standard Opportunity StageName picklist (one map, key ""):
//   prospect    Prospecting
//   qualified   Qualification
//   discovery   Needs Analysis
//   solution    Value Proposition, Id. Decision Makers, Perception Analysis
//   proposal    Proposal/Price Quote, Negotiation/Review
//   closed_won  Closed Won
//   closed_lost Closed Lost
StageMaps DefaultStages();

}  // namespace dealsync::connectors::salesforce
