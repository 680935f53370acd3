// Dynamics365Sim: the Microsoft Entra ID token endpoint and the Dataverse Web
// API v9.2 subset dealsync uses for Dynamics 365 Sales opportunities.
//
//   POST /{tenant}/oauth2/v2.0/token          client_credentials, scope=<org>/.default
//   GET  /api/data/v9.2/opportunities         $select, $filter=modifiedon ge|gt <dt>,
//                                             $orderby, Prefer: odata.maxpagesize,
//                                             odata.track-changes (delta links,
//                                             $deletedEntity), formatted values
//   GET  /api/data/v9.2/opportunities(<id>)   $select
//   PATCH /api/data/v9.2/opportunities(<id>)  If-Match (412), return=representation,
//                                             transactioncurrencyid@odata.bind, reopen
//   POST /api/data/v9.2/WinOpportunity, /LoseOpportunity   OpportunityClose + Status
//   GET  /api/data/v9.2/transactioncurrencies
//   POST /api/data/v9.2/$batch                change sets (atomic), odata.continue-on-error
//
// Documentation followed (wire shapes, headers, status codes, error bodies):
//   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/use-change-tracking-synchronize-data-external-systems
//   https://learn.microsoft.com/training/modules/dataverse-web-api/change-tracking
//   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query-data-web-api
//   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api
//   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api
//   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors
//   https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
//   https://learn.microsoft.com/dynamics365/sales/developer/entities/opportunity
//   https://learn.microsoft.com/dynamics365/sales/developer/entities/opportunityclose
//   https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt607971(v=crm.8)
//   (WinOpportunity)
//   https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt607618(v=crm.8)
//   (LoseOpportunity)
//   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
//   https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
//
// Strict as Dataverse is: unknown $select columns, unknown query options,
// $filter/$orderby with change tracking, an If-Match that is not the row's
// current etag, bodies that are not JSON or not application/json, unknown or
// read-only properties, values of the wrong type, setting Won/Lost through
// PATCH, writes to closed opportunities, and malformed action bodies are all
// answered with the Dataverse status code and {"error":{"code","message"}}.
// Every request the connector should never send is also logged as a violation.
// modifiedon and versionnumber are assigned from the injected clock and a
// counter on every write; the etag is W/"<versionnumber>".
// Thread-safety: none.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/simulators/sim_core.h"

namespace dealsync::sim {

struct Dynamics365SimConfig {
  std::string tenant_id = "8f3c2b1a-0d4e-4f5a-9b6c-7d8e9f0a1b2c";
  std::string client_id = "d365-client-id";
  std::string client_secret = "d365-client-secret";
  std::chrono::seconds token_lifetime{3599};
  bool change_tracking_enabled = true;
  std::chrono::hours delta_token_retention{24 * 7};
  int max_page_size = 5000;
  std::string base_currency = "USD";
  std::vector<std::string> currencies{"USD", "EUR", "GBP", "JPY"};
  std::vector<std::string> custom_columns{"new_dealregistrationid", "new_vendoropportunityid"};
  // The salesstage choice: 0 Qualify, 1 Develop, 2 Propose, 3 Close out of the
  // box; orgs add options (custom values carry the publisher prefix, 100000000+).
  std::vector<int64_t> salesstage_options{0, 1, 2, 3};
};

class Dynamics365Sim final : public Simulator {
 public:
  Dynamics365Sim(Clock& clock, Random& random, Dynamics365SimConfig config = {});

  const Dynamics365SimConfig& config() const { return config_; }
  // The scope a token request must ask for: "<public base url>/.default".
  std::string Scope() const { return public_base_url_ + "/.default"; }
  std::string TokenPath() const { return "/" + config_.tenant_id + "/oauth2/v2.0/token"; }
  std::string CurrencyId(const std::string& iso) const;
  // Every delta token issued so far answers as expired (retention passed).
  void ExpireDeltaTokens() { min_valid_version_ = ++version_; }
  // OpportunityClose activities created by WinOpportunity / LoseOpportunity.
  const std::vector<Json>& closes() const { return closes_; }

  // Native control shape: {"opportunityid"?, "name", "account", "owner",
  // "statecode"?, "statuscode"?, "salesstage"?, "stepname"?, "estimatedvalue"?,
  // "currency" (ISO code)?, "estimatedclosedate"?, custom columns, plus optional
  // "modified_at"/"visible_at"/"created_at"}. Edits bump modifiedon and the version.
  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  Status DeleteRecord(const std::string& id) override;
  Json ControlView(const SimRecord& r) const override;
  void SetPublicBaseUrl(const std::string& url) override { public_base_url_ = url; }

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;
  void ExpireTokens() override { tokens_.clear(); }

 private:
  struct Snapshot {  // a read in progress (nextLink pages)
    std::vector<std::string> ids;
    std::vector<std::string> select;
    bool delta = false;
    bool track = false;
    uint64_t next_token_version = 0;  // for the deltaLink of the last page
    std::set<std::string> deleted;    // ids reported as $deletedEntity
  };
  struct Prefer {
    bool track_changes = false;
    int max_page_size = 5000;
    bool formatted = false;
    bool return_representation = false;
    bool continue_on_error = false;
  };

  HttpResponse Token(const HttpRequest& request, const RequestTarget& target);
  HttpResponse Api(const HttpRequest& request, const RequestTarget& target, bool in_batch);
  HttpResponse List(const HttpRequest& request, const RequestTarget& target, const Prefer& p);
  HttpResponse Page(const std::string& snapshot_id, size_t offset, const Prefer& p);
  HttpResponse Retrieve(const HttpRequest& request, const RequestTarget& target,
                        const std::string& id, const Prefer& p);
  HttpResponse Currencies(const HttpRequest& request, const RequestTarget& target);
  HttpResponse Patch(const HttpRequest& request, const RequestTarget& target, const std::string& id,
                     const Prefer& p);
  HttpResponse Close(const HttpRequest& request, const RequestTarget& target, bool won);
  HttpResponse Batch(const HttpRequest& request, const RequestTarget& target, const Prefer& p);

  // {"error":{"code","message"}} with `status`; a violation unless `benign`.
  HttpResponse Error(const HttpRequest& request, const RequestTarget& target, int status,
                     const std::string& code, const std::string& message, bool benign = false);
  Result<Prefer> ParsePrefer(const HttpRequest& request) const;
  // Validates $select; empty + error text on an unknown column.
  std::string CheckSelect(const std::vector<std::string>& select) const;
  Json Render(const SimRecord& r, const std::vector<std::string>& select, bool formatted) const;
  std::string Etag(const SimRecord& r) const;
  std::string DeltaLink(const std::vector<std::string>& select, uint64_t version) const;
  std::string NewGuid();
  void Touch(SimRecord& r);  // modifiedon = now, next version
  // Applies a control-shape record body (no wire rules).
  Status ApplyControl(SimRecord& r, const Json& native);

  Dynamics365SimConfig config_;
  std::string public_base_url_ = "https://127.0.0.1";
  std::set<std::string> columns_;  // known opportunity columns
  std::map<std::string, Timestamp> tokens_;
  std::map<std::string, std::string> currency_ids_;  // ISO -> transactioncurrencyid
  std::map<std::string, Snapshot> snapshots_;
  std::vector<Json> closes_;
  uint64_t version_ = 1000;
  uint64_t min_valid_version_ = 0;
  uint64_t next_guid_ = 1;
  uint64_t next_snapshot_ = 1;
};

}  // namespace dealsync::sim
