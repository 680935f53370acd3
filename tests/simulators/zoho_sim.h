// ZohoSim: the Zoho Accounts token endpoint and the Zoho CRM REST API v6 subset
// dealsync uses for the Deals module, served from one origin:
//
//   POST /oauth/v2/token          grant_type=refresh_token (query string or form body)
//   GET  /crm/v6/Deals            fields (required, <= 50), per_page (<= 200), page
//                                 (first 2000 records) or page_token, sort_by,
//                                 sort_order, If-Modified-Since (304 / 204)
//   GET  /crm/v6/Deals/{id}       fields (optional), 204 for no such record
//   PUT  /crm/v6/Deals            <= 100 records, trigger, If-Unmodified-Since;
//                                 per-record results in request order, 200/207/400
//
// Every API route needs "Authorization: Zoho-oauthtoken <access token>". Errors
// are Zoho's {"code","details","message","status":"error"} with Zoho's HTTP
// status; every request the real API would reject is also a violation.
// Modified_Time / Created_Time have Zoho's whole-second resolution and render
// at UTC ("+00:00", the API user's time zone).
//
// Documentation followed (no v6 page for these operations could be retrieved;
// v7 pages and Zoho's own v8 OpenAPI spec stand in, marked where they are used):
//   https://www.zoho.com/crm/developer/docs/api/v7/get-records.html
//   https://www.zoho.com/crm/developer/docs/api/v7/update-records.html
//   https://www.zoho.com/crm/developer/docs/api/v7/insert-records.html
//   https://github.com/zoho/crm-oas (v8.0/record/operations, v8.0/record/mds/examples)
//   https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html
//   https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html
//   https://github.com/zoho/zohocrm-python-sdk-6.0 (the official v6 SDK, where a
//   behaviour shows only in code)
// Thread-safety: none.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/simulators/sim_core.h"

namespace dealsync::sim {

// A CRM user as lookups render it (Owner, Created_By, Modified_By).
struct ZohoUser {
  std::string name;
  std::string id;
  std::string email;
};

struct ZohoSimConfig {
  std::string client_id = "1000.ZOHOSIMCLIENT";
  std::string client_secret = "zoho-client-secret";
  std::string refresh_token = "1000.zoho-refresh-token";
  std::chrono::seconds token_lifetime{3600};
  int max_per_page = 200;
  int max_update_records = 100;
  // The standard Deals stage picklist.
  std::vector<std::string> stages{"Qualification",       "Needs Analysis",
                                  "Value Proposition",   "Id. Decision Makers",
                                  "Perception Analysis", "Proposal/Price Quote",
                                  "Negotiation/Review",  "Closed Won",
                                  "Closed Lost",         "Closed Lost to Competition"};
  // API names of the org's custom Deals fields (Single Line text).
  std::vector<std::string> custom_fields{"Deal_Registration_ID", "Vendor_Opportunity_ID"};
  // The org is multi-currency; the first is the home currency (the default).
  std::vector<std::string> currencies{"USD", "EUR", "GBP"};
  // Pipelines are enabled for Deals; the first is the default.
  std::vector<std::string> pipelines{"Standard (Standard)"};
  // The user the refresh token belongs to: Modified_By of API writes, default Owner.
  ZohoUser api_user{"Patricia Boyle", "5725767000000411001", "p.boyle@zylker.example"};
  std::string public_base_url = "https://127.0.0.1";  // the token's api_domain
};

class ZohoSim final : public Simulator {
 public:
  ZohoSim(Clock& clock, Random& random, ZohoSimConfig config = {});

  const ZohoSimConfig& config() const { return config_; }
  // A valid access token without the OAuth round trip (tests).
  std::string IssueToken();

  // Native control shape: the Deals API field names with API-typed values
  // ({"id"? (digits), "Deal_Name", "Stage", "Amount" (number), "Currency",
  // "Closing_Date" ("yyyy-MM-dd"), "Account_Name" ({"name","id"?} or null),
  // "Owner" ({"name","id"?,"email"?}), "Pipeline", custom fields}), plus
  // optional "modified_at"/"visible_at"/"created_at" (ISO) and "deleted".
  // Values are validated as the API validates them; new account and user names
  // get ids. Edits are made by the record's Owner (Modified_By).
  Result<std::string> CreateRecord(const Json& native) override;
  Status EditRecord(const std::string& id, const Json& patch) override;
  // Every field as GET renders it, plus "visible_at" and "deleted".
  Json ControlView(const SimRecord& r) const override;
  void SetPublicBaseUrl(const std::string& url) override { config_.public_base_url = url; }

 protected:
  HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) override;
  HttpResponse FaultResponse(const FaultRule& rule) override;
  void AddLimitHeaders(HttpResponse& response) override;
  void ExpireTokens() override;
  std::string EndpointLabel(const HttpRequest& request, const RequestTarget& t) const override;

 private:
  enum class SortBy { kId, kCreatedTime, kModifiedTime };
  // A record's place in a listing: the sort field (epoch seconds; 0 for id) and the id.
  struct SortKey {
    int64_t primary = 0;
    uint64_t id = 0;
    auto operator<=>(const SortKey&) const = default;
  };
  // What a page_token stands for: the listing it belongs to and where it resumes.
  struct PageCursor {
    std::string binding;   // the parameters the token is bound to
    SortKey after;         // the last record served before it
    int64_t served = 0;    // records served before it
    std::string previous;  // the token that fetched the page before it ("": none)
    Timestamp expires_at{};
  };
  // A GET /Deals request, validated.
  struct ListQuery {
    std::vector<std::string> fields;
    int per_page = 200;
    SortBy sort_by = SortBy::kId;
    std::string sort_by_name = "id";
    std::string sort_order_name = "desc";
    std::optional<Timestamp> since;  // If-Modified-Since
    int64_t page = 1;
    std::optional<std::string> page_token;
    std::string binding;  // what a page token of this listing is bound to
  };

  HttpResponse Token(const HttpRequest& request, const RequestTarget& target);
  // The 401 to answer, or nullopt when the request carries a live access token.
  std::optional<HttpResponse> Authorize(const HttpRequest& request, const RequestTarget& target);
  HttpResponse List(const HttpRequest& request, const RequestTarget& target);
  // Each returns the 400 to answer, or nullopt when the request is valid.
  std::optional<HttpResponse> ParseListQuery(const HttpRequest& request,
                                             const RequestTarget& target, ListQuery& q);
  std::optional<HttpResponse> ResolvePageToken(const HttpRequest& request,
                                               const RequestTarget& target, const ListQuery& q,
                                               PageCursor& out);
  HttpResponse GetOne(const HttpRequest& request, const RequestTarget& target,
                      const std::string& id);
  HttpResponse Update(const HttpRequest& request, const RequestTarget& target);
  // One element of an update: the result item, applied when it is a success.
  Json UpdateOne(const HttpRequest& request, const RequestTarget& target, const Json& item,
                 size_t index, std::optional<Timestamp> unmodified_since,
                 const std::vector<std::pair<std::string, std::string>>& failing);

  // A request-level error; a violation unless `benign`.
  HttpResponse Error(const HttpRequest& request, const RequestTarget& target, int status,
                     const std::string& code, const std::string& message,
                     Json details = Json::object(), bool benign = false);
  // Checks `fields` (comma separated API names); the 400 to answer, or nullopt.
  std::optional<HttpResponse> ParseFields(const HttpRequest& request, const RequestTarget& target,
                                          const std::string& text, std::vector<std::string>& out);
  // The If-Modified-Since instant; the 400 to answer when it is malformed.
  std::optional<HttpResponse> ParseSince(const HttpRequest& request, const RequestTarget& target,
                                         std::optional<Timestamp>& out);
  // The error item for writing `value` to field `name` at `json_path`, or
  // nullopt when it is valid. `control` relaxes lookups (names may be new).
  std::optional<Json> FieldError(const std::string& name, const Json& value,
                                 const std::string& json_path, bool control) const;
  // Stores a validated value; lookups are resolved by id (control: registered by name).
  void SetField(SimRecord& r, const std::string& name, const Json& value, bool control);
  Status ApplyControl(SimRecord& r, const Json& native);
  Json RenderUser(const ZohoUser& u) const;
  Json Render(const SimRecord& r, const std::vector<std::string>& fields) const;
  SortKey KeyOf(const SimRecord& r, SortBy by) const;
  std::string NewId();
  std::string NewPageToken(PageCursor cursor);
  bool Known(const std::string& field) const { return fields_.count(field) > 0; }

  ZohoSimConfig config_;
  std::set<std::string> fields_;                 // every Deals field API name
  std::map<std::string, Timestamp> tokens_;      // access token -> expiry
  std::deque<std::string> token_order_;          // oldest first (30 per refresh token)
  std::deque<Timestamp> refreshes_;              // token grants in the last 10 minutes
  std::map<std::string, PageCursor> cursors_;    // page_token -> cursor
  std::map<std::string, ZohoUser> users_;        // id -> user
  std::map<std::string, std::string> accounts_;  // id -> Account_Name name
  uint64_t next_id_ = 5725767000000412001ULL;
  uint64_t serial_ = 0;  // keeps tokens unique whatever Random yields
};

}  // namespace dealsync::sim
