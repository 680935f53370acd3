// Registers the rest connector with the connector registry.
#include <memory>

#include "connectors/rest/rest_connector.h"
#include "connectors/rest/rest_options.h"
#include "dealsync/connector.h"

namespace dealsync {
namespace {

class RestConnectorFactory final : public ConnectorFactory {
 public:
  std::string_view name() const override { return "rest"; }
  const OptionTable& options() const override { return connectors::rest::RestOptionTable(); }
  // A generic API has no defaults: every field is mapped in the partner file.
  FieldMap DefaultFields() const override { return {}; }
  void Validate(const SourceConfig& config, std::vector<ConfigError>& errors) const override {
    connectors::rest::ValidateRestConfig(config, errors);
  }
  Result<std::unique_ptr<Connector>> Create(const ConnectorContext& context) const override {
    auto connector = connectors::rest::RestConnector::Create(context);
    if (!connector.ok()) {
      return connector.status();
    }
    return std::unique_ptr<Connector>(std::move(*connector));
  }
};

}  // namespace

void RegisterRestConnector(ConnectorRegistry& registry) {
  Status s = registry.Register(std::make_unique<RestConnectorFactory>());
  (void)s;  // only fails on a duplicate name, which the generated list rules out
}

}  // namespace dealsync
