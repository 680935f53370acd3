// The HubSpot ConnectorFactory and its registration.
#include <memory>

#include "connectors/common/mapped_factory.h"
#include "connectors/hubspot/hubspot_connector.h"

namespace dealsync::connectors::hubspot {
namespace {

class HubspotFactory final : public ConnectorFactory {
 public:
  std::string_view name() const override { return "hubspot"; }
  const OptionTable& options() const override { return Options(); }
  FieldMap DefaultFields() const override { return hubspot::DefaultFields(); }

  void Validate(const SourceConfig& config, std::vector<ConfigError>& errors) const override {
    Settings settings = ReadSettings(config, errors);
    auto mapper = RecordMapper::Create(config, hubspot::DefaultFields(), DefaultStages());
    if (!mapper.ok()) {
      errors.push_back({{config.file, 0, 0}, "fields", mapper.status().message()});
      return;
    }
    for (const auto& pipeline : settings.pipelines) {
      const StageMaps& maps = mapper->stage_maps();
      if (maps.count(pipeline) == 0 && maps.count("") == 0) {
        errors.push_back({{config.file, 0, 0},
                          "stages." + pipeline,
                          "hubspot.pipelines lists \"" + pipeline + "\" but [stages." + pipeline +
                              "] maps none of its dealstage ids"});
      }
    }
    for (const char* field : {"stage", "amount", "close_date"}) {
      const FieldMapping* m = mapper->Find(field);
      if (m != nullptr && m->pointer.rfind("/properties/", 0) != 0) {
        errors.push_back({m->where, std::string("fields.") + field,
                          "HubSpot writes deal properties only: use \"/properties/<name>\""});
      }
    }
    if (mapper->Find("currency") == nullptr && config.currency.empty()) {
      errors.push_back({{config.file, 0, 0},
                        "currency",
                        "no currency field is mapped, so set the portal's currency (e.g. "
                        "currency = \"USD\")"});
    }
    if (config.connection.base_url.empty()) {
      errors.push_back({{config.file, 0, 0},
                        "connection.base_url",
                        "required, e.g. \"https://api.hubapi.com\""});
    }
  }

  Result<std::unique_ptr<Connector>> Create(const ConnectorContext& context) const override {
    return CreateMappedConnector<HubspotConnector>(*this, context, ReadSettings,
                                                   hubspot::DefaultFields(), DefaultStages());
  }
};

}  // namespace
}  // namespace dealsync::connectors::hubspot

namespace dealsync {

void RegisterHubspotConnector(ConnectorRegistry& registry) {
  // The generated list names each connector once; a duplicate is reported by
  // Register (kAlreadyExists) and the registry keeps the first.
  (void)registry.Register(std::make_unique<connectors::hubspot::HubspotFactory>());
}

}  // namespace dealsync
