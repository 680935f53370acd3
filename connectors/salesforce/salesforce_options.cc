#include "connectors/salesforce/salesforce_options.h"

#include <regex>

#include "connectors/common/connector_util.h"

namespace dealsync::connectors::salesforce {

const OptionTable& Options() {
  using T = OptionSpec::Type;
  static const OptionTable table = {
      {"salesforce.api_version",
       T::kString,
       false,
       "v59.0",
       {},
       "Salesforce REST API version used in /services/data/<version>/ (vNN.N)."},
      {"salesforce.object",
       T::kString,
       false,
       "Opportunity",
       {},
       "sObject polled and updated (an API name: Opportunity or a custom object)."},
      {"salesforce.overlap",
       T::kDuration,
       false,
       "5m",
       {},
       "Each poll re-reads this far below the watermark, because rows can commit with a "
       "SystemModstamp older than one already seen; repeats are de-duplicated."},
      {"salesforce.session_lifetime",
       T::kDuration,
       false,
       "2h",
       {},
       "How long an OAuth access token is assumed valid (Salesforce token responses carry no "
       "expires_in); the transport refreshes before it lapses and on 401."},
      {"salesforce.page_size",
       T::kInt,
       false,
       "2000",
       {},
       "Rows per query page requested with Sforce-Query-Options: batchSize (200..2000)."},
      {"salesforce.query_all",
       T::kBool,
       false,
       "true",
       {},
       "Use queryAll so deleted rows (IsDeleted = true, recycle bin, ~15 days) are seen."},
      {"salesforce.seen_limit",
       T::kInt,
       false,
       "20000",
       {},
       "Upper bound of (Id, SystemModstamp) pairs kept in the cursor for de-duplication; past "
       "it the oldest are dropped (records may repeat, never be lost)."},
  };
  return table;
}

Settings ReadSettings(const SourceConfig& config, std::vector<ConfigError>& errors) {
  Settings s;
  OptionReader reader(config, Options());
  TakeOption(config, "salesforce.api_version", reader.String("salesforce.api_version"),
             s.api_version, errors);
  TakeOption(config, "salesforce.object", reader.String("salesforce.object"), s.object, errors);
  TakeOption(config, "salesforce.overlap", reader.Duration("salesforce.overlap"), s.overlap,
             errors);
  TakeOption(config, "salesforce.session_lifetime", reader.Duration("salesforce.session_lifetime"),
             s.session_lifetime, errors);
  TakeOption(config, "salesforce.page_size", reader.Int("salesforce.page_size"), s.page_size,
             errors);
  TakeOption(config, "salesforce.query_all", reader.Bool("salesforce.query_all"), s.query_all,
             errors);
  TakeOption(config, "salesforce.seen_limit", reader.Int("salesforce.seen_limit"), s.seen_limit,
             errors);

  auto bad = [&](const std::string& key, std::string message) {
    errors.push_back({OptionLocation(config, key), key, std::move(message)});
  };
  static const std::regex kVersion(R"(v[0-9]{2,3}\.[0-9])");
  static const std::regex kApiName(R"([A-Za-z][A-Za-z0-9_]*)");
  if (!std::regex_match(s.api_version, kVersion)) {
    bad("salesforce.api_version",
        "\"" + s.api_version + "\" is not an API version (write e.g. \"v59.0\")");
  }
  if (!std::regex_match(s.object, kApiName)) {
    bad("salesforce.object",
        "\"" + s.object + "\" is not an sObject API name (e.g. \"Opportunity\")");
  }
  if (s.overlap < std::chrono::milliseconds(0) || s.overlap > std::chrono::hours(24)) {
    bad("salesforce.overlap", "must be between 0s and 24h (e.g. \"5m\")");
  }
  if (s.session_lifetime < std::chrono::minutes(1)) {
    bad("salesforce.session_lifetime",
        "must be at least 1m (the org's session timeout, e.g. \"2h\")");
  }
  if (s.page_size < 200 || s.page_size > 2000) {
    bad("salesforce.page_size", "must be between 200 and 2000 (Salesforce's batchSize range)");
  }
  if (s.seen_limit < 1) {
    bad("salesforce.seen_limit", "must be at least 1 (e.g. 20000)");
  }
  return s;
}

FieldMap DefaultFields() {
  auto f = [](std::string pointer, std::string format = "") {
    return FieldMapping{std::move(pointer), std::move(format), {}};
  };
  return {
      {"id", f("/Id")},
      {"name", f("/Name")},
      {"account", f("/Account/Name")},
      {"owner", f("/Owner/Name")},
      {"stage", f("/StageName")},
      {"amount", f("/Amount", "number")},
      {"currency", f("/CurrencyIsoCode")},
      {"close_date", f("/CloseDate", "iso_date")},
      {"modified_at", f("/SystemModstamp", "iso_datetime")},
      {"deleted", f("/IsDeleted", "bool")},
  };
}

StageMaps DefaultStages() {
  StageMaps maps;
  auto& m = maps[""].native_by_stage;
  m[Stage::kProspect] = {"Prospecting"};
  m[Stage::kQualified] = {"Qualification"};
  m[Stage::kDiscovery] = {"Needs Analysis"};
  m[Stage::kSolution] = {"Value Proposition", "Id. Decision Makers", "Perception Analysis"};
  m[Stage::kProposal] = {"Proposal/Price Quote", "Negotiation/Review"};
  m[Stage::kClosedWon] = {"Closed Won"};
  m[Stage::kClosedLost] = {"Closed Lost"};
  return maps;
}

}  // namespace dealsync::connectors::salesforce
