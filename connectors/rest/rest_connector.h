// The generic rest connector: a partner's JSON API described entirely by its
// partner file ([connection], [list], [get], [update], [fields], [stages]).
// Authentication, rate limiting and retries are applied by the HttpTransport it
// is given; this class builds requests, pages through lists, maps records with
// the shared RecordMapper and turns responses into per-record outcomes.
// Thread-safety: used from one io_context thread (see connector.h).
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "connectors/common/connector_util.h"
#include "connectors/common/overlap_window.h"
#include "connectors/common/record_mapper.h"
#include "connectors/rest/rest_options.h"
#include "connectors/rest/rest_paging.h"
#include "dealsync/clock.h"
#include "dealsync/connector.h"

namespace dealsync::connectors::rest {

class RestConnector final : public Connector {
 public:
  // Fails when the options or the field map are unusable (LoadConfig normally
  // caught that already).
  static Result<std::unique_ptr<RestConnector>> Create(const ConnectorContext& context);

  const Capabilities& capabilities() const override { return capabilities_; }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override;
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) override;
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate> updates) override;
  Result<std::string> CursorAt(Timestamp since) const override;

  const RecordMapper& mapper() const { return mapper_; }
  const RestOptions& options() const { return options_; }

 private:
  RestConnector(const ConnectorContext& context, RestOptions options, RecordMapper mapper);

  // The request with Accept (and Content-Type for a body) added.
  Awaitable<Result<HttpResponse>> Send(RestRequest request);
  // An update request (single mode: to the record's path) with update.headers.
  RestRequest UpdateRequest(std::string_view id, std::string body) const;
  // update.if_match: the record's current version tag, read through get.path.
  Awaitable<Result<std::string>> VersionTag(const std::string& id);
  // Parses a response body as JSON or explains why it is not.
  Result<nlohmann::json> ParseBody(const HttpResponse& response, std::string_view what) const;
  // Maps one native record (or rejects it) into `page`.
  void MapRecord(const nlohmann::json& native, size_t index, Timestamp now, RestCursor& cursor,
                 FetchPage& page) const;
  std::string NativeId(const nlohmann::json& native) const;

  Awaitable<Result<std::vector<UpdateOutcome>>> UpdateSingle(std::vector<RecordUpdate> updates);
  Awaitable<Result<std::vector<UpdateOutcome>>> UpdateBatch(std::vector<RecordUpdate> updates);
  Awaitable<Result<std::vector<UpdateOutcome>>> SendBatch(const std::vector<RecordUpdate>& chunk);

  SourceConfig config_;
  HttpTransport& transport_;
  Clock& clock_;
  RestOptions options_;
  OverlapSettings window_settings_;
  RecordMapper mapper_;
  Capabilities capabilities_;
  std::string context_;  // "rest northwind": prefixes messages
};

}  // namespace dealsync::connectors::rest
