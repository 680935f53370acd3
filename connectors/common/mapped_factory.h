// Create() shared by the factories of connectors built from Settings plus a
// RecordMapper (Salesforce, HubSpot): validate, read settings, build the
// mapper with the connector's defaults, construct.
// Thread-safety: a free function over values.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/common/record_mapper.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/status.h"

namespace dealsync::connectors {

// kInvalidArgument whose message lists each error as
// "file:line:column: key.path: message", one per line.
Status ConfigErrorsStatus(const std::vector<ConfigError>& errors);

// Runs factory.Validate on the context's config (any error -> kInvalidArgument
// listing them all), then constructs ConnectorT(context, settings, mapper) with
// settings = read_settings(config, errors) and the mapper built from the
// connector's default fields and stage maps.
template <typename ConnectorT, typename ReadSettings>
Result<std::unique_ptr<Connector>> CreateMappedConnector(const ConnectorFactory& factory,
                                                         const ConnectorContext& context,
                                                         ReadSettings read_settings,
                                                         const FieldMap& default_fields,
                                                         const StageMaps& default_stages) {
  std::vector<ConfigError> errors;
  factory.Validate(context.config, errors);
  if (!errors.empty()) {
    return ConfigErrorsStatus(errors);
  }
  auto settings = read_settings(context.config, errors);
  auto mapper = RecordMapper::Create(context.config, default_fields, default_stages);
  if (!mapper.ok()) {
    return mapper.status();
  }
  return std::unique_ptr<Connector>(
      std::make_unique<ConnectorT>(context, std::move(settings), std::move(*mapper)));
}

}  // namespace dealsync::connectors
