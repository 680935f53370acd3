// The Dynamics 365 Sales connector: reads opportunities from the Dataverse Web
// API through change tracking (the @odata.deltaLink is the cursor; an expired
// delta token restarts a full read) or, where change tracking is off, a
// modifiedon filter with an overlap window; writes with PATCH under If-Match
// and closes deals with WinOpportunity / LoseOpportunity, several records per
// $batch (one change set each).
//
// ETags: every row read (poll or read by id) is remembered with its
// @odata.etag, and the next write to it carries If-Match with that etag. A 412
// (someone edited the row since) is the record's kAborted outcome and the etag
// is forgotten; until the row is read again (the change feed delivers the edit,
// the engine reconciles it) further writes to it answer kAborted without being
// sent, so a stale decision never overwrites the edit. A row never read by this
// process (after a restart) is read by id first.
// Thread-safety: used from one io_context thread, like every Connector.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/dynamics365/d365_options.h"
#include "connectors/dynamics365/d365_wire.h"
#include "dealsync/connector.h"

namespace spdlog {
class logger;
}

namespace dealsync::connectors::dynamics365 {

class Dynamics365Connector final : public Connector {
 public:
  Dynamics365Connector(const ConnectorContext& context, Settings settings, StageMaps stages);

  const Capabilities& capabilities() const override { return capabilities_; }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override;
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) override;
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate> updates) override;

  // The cursor that re-reads everything modified at or after `since`: with
  // change tracking a full read (a delta token cannot start at a time; the
  // engine drops what it has already seen), otherwise the modifiedon filter
  // from `since`.
  Result<std::string> CursorAt(Timestamp since) const override;

 private:
  friend class UpdateRun;
  std::string ApiUrl(std::string_view path) const;  // {base}/api/data/{version}{path}
  Awaitable<Result<HttpResponse>> Get(std::string url, bool read_prefer);
  Awaitable<Result<HttpResponse>> SendJson(std::string method, std::string url, std::string body,
                                           HttpHeaders extra);
  // Loads transactioncurrencies (id <-> ISO code) when not loaded or when
  // `unknown_id` is not among them (a currency added since).
  Awaitable<Status> EnsureCurrencies(std::string unknown_id);
  std::optional<std::string> CurrencyIso(const std::string& id) const;
  std::optional<std::string> CurrencyIdOf(const std::string& iso) const;
  // Reads one row into a record (and remembers its etag); a reject on failure.
  void TakeRow(const nlohmann::json& row, FetchPage& page);
  RowContext Context() const;
  Awaitable<Result<std::optional<nlohmann::json>>> ReadRowById(const std::string& id);

  HttpTransport& transport_;
  Clock& clock_;
  std::string source_;
  std::string base_url_;
  std::chrono::milliseconds timeout_;
  Settings settings_;
  StageMaps stages_;
  TimeZone zone_ = TimeZone::Utc();
  std::string default_currency_;
  bool allow_reopen_ = false;
  Capabilities capabilities_;
  bool currencies_loaded_ = false;
  std::map<std::string, std::string> iso_by_currency_id_;
  std::map<std::string, RowState> rows_;    // by opportunityid: what was last read
  std::set<std::string> changed_remotely_;  // 412 seen, not read since
  uint64_t batch_serial_ = 0;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace dealsync::connectors::dynamics365

namespace dealsync {
void RegisterDynamics365Connector(ConnectorRegistry& registry);
}
