#include "connectors/hubspot/hubspot_options.h"

#include "connectors/common/connector_util.h"

namespace dealsync::connectors::hubspot {

const OptionTable& Options() {
  using T = OptionSpec::Type;
  static const OptionTable table = {
      {"hubspot.pipelines",
       T::kStringList,
       false,
       std::nullopt,
       {},
       "Pipeline ids whose deals are synced (a search filter pipeline IN [...]); all when unset."},
      {"hubspot.lookback",
       T::kDuration,
       false,
       "2m",
       {},
       "Each poll re-reads this far below the highest hs_lastmodifieddate seen, for changes that "
       "reach the search index late; repeats are de-duplicated by the engine."},
      {"hubspot.page_size", T::kInt, false, "200", {}, "Search page size (HubSpot allows 1..200)."},
  };
  return table;
}

Settings ReadSettings(const SourceConfig& config, std::vector<ConfigError>& errors) {
  Settings s;
  OptionReader reader(config, Options());
  auto bad = [&](const std::string& key, std::string message) {
    errors.push_back({OptionLocation(config, key), key, std::move(message)});
  };
  if (auto it = config.options.find("hubspot.pipelines"); it != config.options.end()) {
    if (const auto* list = std::get_if<std::vector<std::string>>(&it->second.value)) {
      s.pipelines = *list;
    } else if (const auto* one = std::get_if<std::string>(&it->second.value)) {
      s.pipelines = {*one};
    } else {
      bad("hubspot.pipelines", "must be a list of pipeline ids, e.g. [\"default\"]");
    }
  }
  TakeOption(config, "hubspot.lookback", reader.Duration("hubspot.lookback"), s.lookback, errors);
  TakeOption(config, "hubspot.page_size", reader.Int("hubspot.page_size"), s.page_size, errors);
  if (s.lookback < std::chrono::milliseconds(0) || s.lookback > std::chrono::hours(24)) {
    bad("hubspot.lookback", "must be between 0s and 24h (e.g. \"2m\")");
  }
  if (s.page_size < 1 || s.page_size > 200) {
    bad("hubspot.page_size", "must be between 1 and 200 (the search API's limit)");
  }
  return s;
}

FieldMap DefaultFields() {
  auto f = [](std::string pointer, std::string format = "") {
    return FieldMapping{std::move(pointer), std::move(format), {}};
  };
  return {
      {"id", f("/id")},
      {"name", f("/properties/dealname")},
      {"pipeline", f("/properties/pipeline")},
      {"stage", f("/properties/dealstage")},
      {"amount", f("/properties/amount", "decimal_string")},
      {"currency", f("/properties/deal_currency_code")},
      {"close_date", f("/properties/closedate", "iso_datetime")},
      {"modified_at", f("/properties/hs_lastmodifieddate", "iso_datetime")},
      {"deleted", f("/archived", "bool")},
  };
}

StageMaps DefaultStages() {
  StageMaps maps;
  auto& m = maps["default"].native_by_stage;
  m[Stage::kProspect] = {"appointmentscheduled"};
  m[Stage::kQualified] = {"qualifiedtobuy"};
  m[Stage::kDiscovery] = {"presentationscheduled"};
  m[Stage::kSolution] = {"decisionmakerboughtin"};
  m[Stage::kProposal] = {"contractsent"};
  m[Stage::kClosedWon] = {"closedwon"};
  m[Stage::kClosedLost] = {"closedlost"};
  return maps;
}

}  // namespace dealsync::connectors::hubspot
