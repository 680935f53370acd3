// The Salesforce connector: polls an sObject (Opportunity by default) through
// SOQL queryAll with an overlap window and (Id, SystemModstamp) de-duplication,
// reads by ids through sObject Collections GET and writes through sObject
// Collections PATCH (allOrNone=false, 200 records per call).
// Thread-safety: used from one io_context thread, like every Connector.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/common/record_mapper.h"
#include "connectors/salesforce/salesforce_options.h"
#include "connectors/salesforce/salesforce_wire.h"
#include "dealsync/clock.h"
#include "dealsync/connector.h"

namespace spdlog {
class logger;
}

namespace dealsync::connectors::salesforce {

inline constexpr size_t kMaxCollectionSize = 200;  // sObject Collections limit

class SalesforceConnector final : public Connector {
 public:
  SalesforceConnector(const ConnectorContext& context, Settings settings, RecordMapper mapper);

  const Capabilities& capabilities() const override { return capabilities_; }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override;
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) override;
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate> updates) override;
  Result<std::string> CursorAt(Timestamp since) const override;

  // The last Sforce-Limit-Info api-usage seen, if any.
  std::optional<ApiUsage> api_usage() const { return api_usage_; }

 private:
  Awaitable<Result<HttpResponse>> Send(std::string method, std::string url, std::string body);
  std::string DataUrl(std::string_view path) const;   // {base}/services/data/{version}{path}
  std::string Resolve(const std::string& url) const;  // relative nextRecordsUrl -> absolute
  std::vector<std::string> SelectFields(bool with_relationships) const;
  Result<FetchPage> ReadPage(const nlohmann::json& body, Timestamp now, PollCursor& cursor) const;
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
  std::optional<ApiUsage> api_usage_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace dealsync::connectors::salesforce

namespace dealsync {
void RegisterSalesforceConnector(ConnectorRegistry& registry);
}
