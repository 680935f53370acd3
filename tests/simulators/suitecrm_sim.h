// SuiteCrmSim: the SuiteCRM 8 V8 JSON:API (Slim 3 + league/oauth2-server under
// public/legacy/Api), Opportunities module only:
//   POST  /legacy/Api/access_token                 client_credentials grant (form or JSON)
//   GET   /legacy/Api/V8/module/Opportunities      filter[f][op]=, filter[operator]=,
//                                                  page[number]=, page[size]=, sort=,
//                                                  fields[Opportunities]=
//   GET   /legacy/Api/V8/module/Opportunities/{id}
//   PATCH /legacy/Api/V8/module                    {"data":{"type","id","attributes"}} -> 201
// Sources (tagged in the .cc next to each behaviour): salesagility/SuiteCRM at
// v7.14.6 [S7] (the V8 code is byte-identical under public/legacy/Api in
// SuiteCRM-Core 8.8.0), league/oauth2-server 8.4.2 [LOA], Slim 3.12.4 [SLIM],
// and SuiteDocs [D-JSON]/[D-AUTH]/[D8].
// Records live at second resolution (the DB column); the API renders
// date_entered / date_modified at minute resolution (issue #10912), filters
// compare the stored seconds.
//
// Control shape (CreateRecord / EditRecord / Seed):
//   {"id"?: "<uuid>", "attributes": {<Opportunity field>: value, ...},
//    "modified_at"?, "visible_at"?, "created_at"? (ISO), "deleted"? (bool)}
// Attribute values are validated as the API validates them, except that a
// human in the CRM can only pick sales_stage from the dropdown. "type" and
// "relationships" are ignored, so a ControlView() can be fed back in; derived
// attributes (amount_usdollar, link fields) are ignored, date_entered /
// date_modified set the times unless created_at / modified_at are given.
// Thread-safety: none.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/simulators/sim_core.h"

namespace dealsync::sim {

struct SuiteCrmSimConfig {
  std::string client_id = "suitecrm-client";
  std::string client_secret = "suitecrm-secret";
  // The access-token TTL SuiteCRM configures (PT1H, [S7] Api/V8/Config/services/middlewares.php).
  std::chrono::seconds token_lifetime{3600};
  // SuiteCRM has no page-size cap ([S7] Api/V8/Param/PageParams.php only asks for > 0) and
  // re-reads every row as a full bean (ModuleService::getRecords); the simulator serves larger
  // pages as SuiteCRM does but records a violation, so a client cannot rely on unbounded pages.
  int max_page_size = 100;
  // sales_stage_dom keys ([S7] include/language/en_us.lang.php).
  std::vector<std::string> sales_stages{
      "Prospecting",         "Qualification",       "Needs Analysis",       "Value Proposition",
      "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
      "Closed Won",          "Closed Lost"};
  // Currency id -> ISO code; "-99" is the system currency (conversion rate 1).
  std::map<std::string, std::string> currencies{{"-99", "EUR"},
                                                {"c0ffee00-0000-4000-8000-000000000001", "USD"}};
  // Currency id -> units per system-currency unit; amount_usdollar = amount / rate.
  std::map<std::string, double> conversion_rates{{"c0ffee00-0000-4000-8000-000000000001", 1.25}};
  // The user an OAuth2 client acts as (OAuth2Clients.assigned_user_id): API writes
  // stamp it into modified_user_id.
  std::string api_user_id = "1";
  // PHP's date.timezone offset. SuiteCRM prints the UTC wall clock with this offset
  // (issue #9952), so anything but 0 labels the time wrongly, as on such servers.
  int php_utc_offset_minutes = 0;
};

class SuiteCrmSim final : public Simulator {
 public:
  SuiteCrmSim(Clock& clock, Random& random, SuiteCrmSimConfig config = {});
  const SuiteCrmSimConfig& config() const { return config_; }
  // A valid bearer token without the OAuth round trip.
  std::string IssueToken();

  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  // The record as GET .../module/Opportunities/{id} renders it, plus "visible_at".
  Json ControlView(const SimRecord& r) const override;

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;
  void ExpireTokens() override;
  std::string EndpointLabel(const HttpRequest& request, const RequestTarget& t) const override;

 private:
  using OJson = nlohmann::ordered_json;
  struct Token {
    Timestamp expires;
    bool revoked = false;
  };
  // A refused request: the violation rule and the V8 "detail". V8 400s come from
  // ParamsMiddleware (application/json) or from a controller (application/vnd.api+json).
  struct Problem {
    std::string rule;
    std::string detail;
    bool from_controller = false;
  };
  // Filter, sort, fields and paging of one list request (defined in the .cc).
  struct ListQuery;
  enum class Origin { kApi, kControl };
  // What an attribute write decided besides the values.
  struct WriteNotes {
    bool date_modified = false;  // the write set date_modified itself
    bool modified_user = false;  // ... and modified_user_id
    std::string rule;            // the violation rule of a refused write
    std::vector<std::pair<std::string, std::string>> flags;  // accepted but wrong: rule, detail
  };

  HttpResponse AccessToken(const HttpRequest& request, const RequestTarget& target);
  // nullopt when the bearer token is good; else league's 401.
  std::optional<HttpResponse> Authenticate(const HttpRequest& request, const RequestTarget& target);
  HttpResponse ListRecords(const HttpRequest& request, const RequestTarget& target,
                           const std::string& module, const std::string& app_path);
  HttpResponse GetRecord(const HttpRequest& request, const RequestTarget& target,
                         const std::string& module, const std::string& id,
                         const std::string& app_path);
  HttpResponse UpdateRecord(const HttpRequest& request, const RequestTarget& target);

  static std::optional<Problem> ParseListQuery(const OJson& query, ListQuery& q);
  static std::optional<Problem> ParseFilter(const OJson* filter, ListQuery& q);
  // Visible rows matching q, in q's order (countRecords() counts the same rows).
  std::vector<const SimRecord*> Select(const ListQuery& q) const;

  // {"errors":{"status":400,"title":null,"detail":...}}; a violation unless `benign`.
  HttpResponse V8Error(const HttpRequest& request, const RequestTarget& target,
                       const Problem& problem, bool benign = false);
  // league/oauth2-server's error body; a violation (`rule`) unless `benign`.
  HttpResponse OAuthError(const HttpRequest& request, const RequestTarget& target,
                          const std::string& rule, int status, const std::string& error,
                          const std::string& description, const std::string& hint,
                          bool benign = false);

  Status WriteAttributes(SimRecord& r, const Json& attributes, Origin origin,
                         WriteNotes& notes) const;
  // What Opportunity::save derives on every save.
  void Save(SimRecord& r) const;
  Status ApplyControl(SimRecord& r, const Json& native);
  OJson Render(const SimRecord& r, const std::vector<std::string>* fields,
               const std::string& path) const;
  std::string RenderDateTime(Timestamp t) const;
  bool KnownStage(const std::string& stage) const;
  std::string NewId();

  SuiteCrmSimConfig config_;
  std::map<std::string, Token> tokens_;
};

}  // namespace dealsync::sim
