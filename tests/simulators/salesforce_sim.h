// SalesforceSim: the Salesforce REST API subset dealsync uses, for Opportunity.
//   POST /services/oauth2/token                    client_credentials / refresh_token /
//                                                  JWT bearer (RS256, checked as below)
//   GET  /services/data/vNN.N/query?q=, /queryAll?q=   strict SOQL subset (soql.h)
//   GET  /services/data/vNN.N/query/<locator>-<offset> nextRecordsUrl pages
//   GET  /services/data/vNN.N/sobjects/Opportunity/deleted/?start=&end=
//   GET  /services/data/vNN.N/composite/sobjects/Opportunity?ids=&fields=
//   PATCH /services/data/vNN.N/composite/sobjects  (<= 200 records, per-record results)
// SystemModstamp is assigned from the injected clock on every write. Query
// locators snapshot the matching ids and expire after `locator_lifetime` of
// sim time without use (INVALID_QUERY_LOCATOR). Every answer carries
// Sforce-Limit-Info; past `daily_api_limit` calls answer 403 REQUEST_LIMIT_EXCEEDED.
// Thread-safety: none.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/simulators/sim_core.h"
#include "tests/simulators/soql.h"

namespace dealsync::sim {

struct SalesforceSimConfig {
  std::string client_id = "sf-client-id";
  std::string client_secret = "sf-client-secret";
  std::string refresh_token = "sf-refresh-token";
  // JWT bearer flow: the connected app's uploaded certificate ("Use digital
  // signatures"; empty: the grant is refused) and the pre-authorized user the
  // assertion's sub must name.
  std::string jwt_certificate_pem;
  std::string jwt_username = "integration@acme.example";
  // Returned as instance_url by the token endpoint (the host sets its own URL).
  std::string instance_url = "https://127.0.0.1";
  std::chrono::minutes token_lifetime{120};
  std::chrono::minutes locator_lifetime{15};
  int page_size = 2000;
  int max_open_locators = 10;
  int64_t daily_api_limit = 5'000'000;
  std::vector<std::string> custom_fields{"Deal_Registration_ID__c", "Partner_Deal_ID__c"};
  std::vector<std::string> stages{
      "Prospecting",         "Qualification",       "Needs Analysis",       "Value Proposition",
      "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
      "Closed Won",          "Closed Lost"};
  std::vector<std::string> currencies{"USD", "EUR", "GBP"};
};

class SalesforceSim final : public Simulator {
 public:
  SalesforceSim(Clock& clock, Random& random, SalesforceSimConfig config = {});

  // Issues an access token directly (tests that skip the OAuth round trip).
  std::string IssueToken();
  int64_t api_usage() const { return api_usage_; }
  const SalesforceSimConfig& config() const { return config_; }
  void set_instance_url(std::string url) { config_.instance_url = std::move(url); }

  // Native control shape: {"Id"?, "Name", "Account":{"Name"}, "Owner":{"Name"},
  // "StageName", "Amount", "CurrencyIsoCode", "CloseDate", custom fields, plus
  // optional "modified_at"/"visible_at"/"created_at"/"deleted"}.
  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  Json ControlView(const SimRecord& r) const override;

  void SetPublicBaseUrl(const std::string& url) override { config_.instance_url = url; }

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;
  void ExpireTokens() override { tokens_.clear(); }
  std::string EndpointLabel(const HttpRequest& request, const RequestTarget& t) const override;

 private:
  struct Locator {
    std::vector<std::string> select;
    std::vector<std::string> ids;
    Timestamp last_used{};
    uint64_t serial = 0;
  };

  HttpResponse Token(const HttpRequest& request, const RequestTarget& target);
  // The JWT bearer grant's checks; "" when the assertion is acceptable, else
  // the OAuth error pair Salesforce answers.
  std::pair<std::string, std::string> JwtBearerProblem(const std::string& assertion) const;
  HttpResponse TokenResponse(bool with_signature);
  HttpResponse Query(const HttpRequest& request, const RequestTarget& target, bool all_rows);
  HttpResponse QueryMore(const HttpRequest& request, const RequestTarget& target,
                         std::string_view locator_and_offset);
  HttpResponse Deleted(const HttpRequest& request, const RequestTarget& target);
  HttpResponse Retrieve(const HttpRequest& request, const RequestTarget& target);
  HttpResponse Update(const HttpRequest& request, const RequestTarget& target);

  // Error answer in Salesforce's shape; records a violation unless `benign`.
  HttpResponse Error(const HttpRequest& request, const RequestTarget& target, int status,
                     const std::string& code, const std::string& message, bool benign = false);
  HttpResponse Page(const std::string& locator_id, Locator& locator, size_t offset, int page_size);
  int PageSize(const HttpRequest& request) const;
  Json Render(const SimRecord& r, const std::vector<std::string>& select) const;
  Json FieldValue(const SimRecord& r, const std::string& field) const;
  std::string RecordUrl(const std::string& id) const;
  Status ApplyNative(SimRecord& r, const Json& native) const;

  SalesforceSimConfig config_;
  SoqlCatalog catalog_;
  std::string api_version_ = "v59.0";        // of the request being served
  std::map<std::string, Timestamp> tokens_;  // token -> expiry
  std::map<std::string, Locator> locators_;
  uint64_t next_locator_ = 1;
  uint64_t next_id_ = 1;
  int64_t api_usage_ = 0;
};

}  // namespace dealsync::sim
