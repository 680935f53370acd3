// The Salesforce ConnectorFactory and its registration.
#include <memory>

#include "connectors/common/mapped_factory.h"
#include "connectors/salesforce/salesforce_connector.h"

namespace dealsync::connectors::salesforce {
namespace {

class SalesforceFactory final : public ConnectorFactory {
 public:
  std::string_view name() const override { return "salesforce"; }
  const OptionTable& options() const override { return Options(); }
  FieldMap DefaultFields() const override { return salesforce::DefaultFields(); }

  void Validate(const SourceConfig& config, std::vector<ConfigError>& errors) const override {
    (void)ReadSettings(config, errors);
    auto mapper = RecordMapper::Create(config, salesforce::DefaultFields(), DefaultStages());
    if (!mapper.ok()) {
      errors.push_back({{config.file, 0, 0}, "fields", mapper.status().message()});
      return;
    }
    if (mapper->Find("currency") == nullptr && config.currency.empty()) {
      errors.push_back({{config.file, 0, 0},
                        "currency",
                        "no currency field is mapped, so set the org's currency (e.g. "
                        "currency = \"USD\")"});
    }
    if (mapper->Find("modified_at") == nullptr ||
        mapper->Find("modified_at")->pointer != "/SystemModstamp") {
      errors.push_back({{config.file, 0, 0},
                        "fields.modified_at",
                        "the Salesforce connector polls on SystemModstamp; map modified_at to "
                        "\"/SystemModstamp\""});
    }
    if (config.connection.base_url.empty()) {
      errors.push_back({{config.file, 0, 0},
                        "connection.base_url",
                        "required: the org's instance URL, e.g. "
                        "\"https://example.my.salesforce.com\""});
    }
  }

  Result<std::unique_ptr<Connector>> Create(const ConnectorContext& context) const override {
    return CreateMappedConnector<SalesforceConnector>(*this, context, ReadSettings,
                                                      salesforce::DefaultFields(), DefaultStages());
  }
};

}  // namespace
}  // namespace dealsync::connectors::salesforce

namespace dealsync {

void RegisterSalesforceConnector(ConnectorRegistry& registry) {
  // The generated list names each connector once; a duplicate is a build bug
  // that Register reports as kAlreadyExists and the registry keeps the first.
  (void)registry.Register(std::make_unique<connectors::salesforce::SalesforceFactory>());
}

}  // namespace dealsync
