// The Dynamics 365 ConnectorFactory and its registration.
#include <memory>
#include <regex>

#include "connectors/common/mapped_factory.h"
#include "connectors/dynamics365/d365_connector.h"

namespace dealsync::connectors::dynamics365 {
namespace {

// Canonical fields whose columns the Dataverse opportunity model fixes.
constexpr const char* kFixedFields[] = {
    "id", "stage", "amount", "currency", "close_date", "modified_at", "account", "owner", "name"};
constexpr const char* kUnsupportedFields[] = {"pipeline", "deleted"};

class Dynamics365Factory final : public ConnectorFactory {
 public:
  std::string_view name() const override { return "dynamics365"; }
  const OptionTable& options() const override { return Options(); }
  FieldMap DefaultFields() const override { return dynamics365::DefaultFields(); }

  void Validate(const SourceConfig& config, std::vector<ConfigError>& errors) const override {
    (void)ReadSettings(config, errors);
    const FieldMap defaults = dynamics365::DefaultFields();
    for (const char* field : kFixedFields) {
      auto it = config.fields.find(field);
      if (it != config.fields.end() && it->second.pointer != defaults.at(field).pointer) {
        errors.push_back({it->second.where, std::string("fields.") + field,
                          "the Dynamics 365 connector reads this from the opportunity's own "
                          "column; remove it (only registration_id and counterpart_id are "
                          "mapped in [fields])"});
      }
    }
    for (const char* field : kUnsupportedFields) {
      if (auto it = config.fields.find(field); it != config.fields.end()) {
        errors.push_back({it->second.where, std::string("fields.") + field,
                          "not used by the Dynamics 365 connector (deletes come from change "
                          "tracking); remove it"});
      }
    }
    if (config.stages.size() > 1 ||
        (config.stages.size() == 1 && config.stages.begin()->first != "")) {
      errors.push_back({{config.file, 0, 0},
                        "stages",
                        "Dynamics 365 opportunities have one stage map: write [stages], not "
                        "[stages.<pipeline>]"});
    }
    const StageMaps& stages = config.stages.empty() ? DefaultStages() : config.stages;
    if (!stages.empty()) {
      const PipelineStageMap& map = stages.begin()->second;
      auto won = NativeStage(map, Stage::kClosedWon);
      auto lost = NativeStage(map, Stage::kClosedLost);
      if (!won || CanonicalStage(map, kWonStage) != Stage::kClosedWon) {
        errors.push_back({{config.file, 0, 0},
                          "stages.closed_won",
                          "must be [\"Won\"]: a won opportunity is statecode 1, whatever its "
                          "sales stage"});
      }
      if (!lost || CanonicalStage(map, kLostStage) != Stage::kClosedLost) {
        errors.push_back({{config.file, 0, 0},
                          "stages.closed_lost",
                          "must be [\"Lost\"]: a lost opportunity is statecode 2"});
      }
    }
    if (config.currency.empty()) {
      errors.push_back({{config.file, 0, 0},
                        "currency",
                        "set the org's base currency (e.g. currency = \"USD\"): rows without a "
                        "transaction currency use it"});
    }
    static const std::regex kOrgUrl(R"(https?://[^/?#]+/?)");
    if (config.connection.base_url.empty()) {
      errors.push_back(
          {{config.file, 0, 0},
           "connection.base_url",
           "required: the environment URL, e.g. \"https://contoso.crm.dynamics.com\""});
    } else if (!std::regex_match(config.connection.base_url, kOrgUrl)) {
      errors.push_back({{config.file, 0, 0},
                        "connection.base_url",
                        "the environment URL only, without a path (e.g. "
                        "\"https://contoso.crm.dynamics.com\"; /api/data/... is added)"});
    }
  }

  Result<std::unique_ptr<Connector>> Create(const ConnectorContext& context) const override {
    std::vector<ConfigError> errors;
    Validate(context.config, errors);
    if (!errors.empty()) {
      return ConfigErrorsStatus(errors);
    }
    Settings settings = ReadSettings(context.config, errors);
    StageMaps stages = context.config.stages.empty() ? DefaultStages() : context.config.stages;
    return std::unique_ptr<Connector>(
        std::make_unique<Dynamics365Connector>(context, std::move(settings), std::move(stages)));
  }
};

}  // namespace
}  // namespace dealsync::connectors::dynamics365

namespace dealsync {

void RegisterDynamics365Connector(ConnectorRegistry& registry) {
  // A duplicate is a build bug that Register reports; the registry keeps the first.
  (void)registry.Register(std::make_unique<connectors::dynamics365::Dynamics365Factory>());
}

}  // namespace dealsync
