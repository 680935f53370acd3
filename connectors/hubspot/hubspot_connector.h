// The HubSpot connector (CRM v3 deals): polls POST /crm/v3/objects/deals/search
// on hs_lastmodifieddate (strategy in hubspot_search.h), reads by ids through
// batch/read and writes through batch/update (100 inputs per call, each tagged
// with objectWriteTraceId = RecordUpdate::trace_id; 200 and 207 multi-status).
// Thread-safety: used from one io_context thread, like every Connector.
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <vector>

#include "connectors/common/record_mapper.h"
#include "connectors/hubspot/hubspot_options.h"
#include "connectors/hubspot/hubspot_search.h"
#include "dealsync/clock.h"
#include "dealsync/connector.h"

namespace dealsync::connectors::hubspot {

inline constexpr size_t kMaxBatchInputs = 100;  // batch/read and batch/update limit

class HubspotConnector final : public Connector {
 public:
  HubspotConnector(const ConnectorContext& context, Settings settings, RecordMapper mapper);

  const Capabilities& capabilities() const override { return capabilities_; }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override;
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) override;
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate> updates) override;
  Result<std::string> CursorAt(Timestamp since) const override;

  // Deal property names requested from HubSpot (mapped /properties/<name>
  // pointers plus the ones the search strategy needs).
  const std::vector<std::string>& properties() const { return properties_; }

 private:
  Awaitable<Result<nlohmann::json>> Post(std::string path, const nlohmann::json& body,
                                         std::string_view context, int* http_status);
  Awaitable<std::vector<UpdateOutcome>> UpdateChunk(std::span<const RecordUpdate> chunk,
                                                    Status& call_error);

  HttpTransport& transport_;
  Clock& clock_;
  std::string base_url_;
  std::chrono::milliseconds timeout_;
  Settings settings_;
  OverlapSettings window_settings_;
  RecordMapper mapper_;
  Capabilities capabilities_;
  std::vector<std::string> properties_;
};

// Category of a HubSpot error object -> Status code (OBJECT_NOT_FOUND ->
// kNotFound, VALIDATION_ERROR -> kInvalidArgument, CONFLICT -> kAborted,
// RATE_LIMITS -> kResourceExhausted, ...).
StatusCode CategoryCode(std::string_view category);

}  // namespace dealsync::connectors::hubspot

namespace dealsync {
void RegisterHubspotConnector(ConnectorRegistry& registry);
}
