#include "tests/simulators/zoho_sim.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include "tests/simulators/sim_time.h"

// Source tags used below:
//   [v7 GR] https://www.zoho.com/crm/developer/docs/api/v7/get-records.html
//   [v7 UR] https://www.zoho.com/crm/developer/docs/api/v7/update-records.html
//   [v7 IR] https://www.zoho.com/crm/developer/docs/api/v7/insert-records.html
//   [OAS8]  https://github.com/zoho/crm-oas, v8.0/record/operations/{getRecords,updateRecords}
//           and v8.0/record/mds/examples/{getRecords,updateRecords}.md
//   [ACC]   https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html
//   [SDK6]  https://github.com/zoho/zohocrm-python-sdk-6.0
// The v6 pages for these operations could not be retrieved; where a v7/v8
// source is cited, v6 is assumed to behave the same (not verified).

namespace dealsync::sim {
namespace {

using std::chrono::floor;
using std::chrono::seconds;

const std::string kApiBase = "/crm/v6/";
const std::string kDeals = "/crm/v6/Deals";
// [v7 GR] "page" and "per_page" reach the first 2000 records; page tokens
// reach 100,000 and expire after 24 hours; "fields" takes up to 50 names.
constexpr int64_t kDiscreteLimit = 2000;
constexpr int64_t kTokenPagingLimit = 100'000;
constexpr size_t kMaxFields = 50;
constexpr auto kPageTokenLifetime = std::chrono::hours(24);
// [v7 IR] "Single Line: accepts up to 255 characters".
constexpr size_t kSingleLineMax = 255;
// [ACC] "your app can create up to ten access tokens in a span of ten minutes.
// If the limit is reached, the access token creation will be blocked for the
// rest of the ten minutes."
constexpr size_t kGrantsPerWindow = 10;
constexpr auto kGrantWindow = std::chrono::minutes(10);
// Zoho Accounts: "each refresh token can have a maximum of 30 active access
// tokens ... When a user creates a 31st access token, the system deletes the
// first created access token." (https://www.zoho.com/pdfeditor/help/api/oauth-step4.html;
// a sibling product's page on the same Zoho Accounts server, not a CRM page).
constexpr size_t kLiveTokensPerRefreshToken = 30;

// System fields, set by the server. [v7 UR] "You can also use the sample
// response of each module as the input when you insert, update, or upsert a
// record": a GET response, which carries them, is valid input, so the API
// ignores them on writes.
const std::set<std::string> kReadOnly{"Created_Time", "Modified_Time", "Created_By", "Modified_By"};
// [v7 IR] note on "trigger"; [OAS8] updateRecords request example.
const std::vector<std::string> kTriggers{"approval", "workflow", "blueprint", "pathfinder",
                                         "orchestration"};

// {"code","details","message","status":"error"}: request-level errors and
// per-record error items alike [OAS8] [v7 GR].
Json ZohoError(const std::string& code, const std::string& message, Json details = Json::object()) {
  return {
      {"code", code}, {"details", std::move(details)}, {"message", message}, {"status", "error"}};
}

// [v7 IR] Date/Time "yyyy-MM-ddTHH:mm:ss±HH:mm", whole seconds, in the user's
// time zone (the simulated user's is UTC): Zoho keeps no sub-second part.
std::string ZohoTime(Timestamp t) {
  return IsoWithOffset(floor<seconds>(t), 0);
}

int64_t EpochSeconds(Timestamp t) {
  return floor<seconds>(t).time_since_epoch().count();
}

// Exactly "yyyy-MM-ddTHH:mm:ss±HH:mm". The If-Modified-Since example is
// "2019-07-25T15:26:49+05:30" on every version's Get Records page ([v7 GR];
// https://www.zoho.com/crm/developer/docs/api/v2/get-records.html) and no page
// states another accepted format, so "Z", fractions and RFC 1123 dates are
// refused rather than guessed at.
std::optional<Timestamp> ParseZohoDateTime(std::string_view s) {
  if (s.size() != 25 || (s[19] != '+' && s[19] != '-') || s[22] != ':')
    return std::nullopt;
  return ParseIsoDateTime(s);
}

// Record ids are 64-bit numbers rendered as strings ([OAS8] "string/int64";
// e.g. "5725767000000524157").
bool IsRecordId(const std::string& s) {
  return !s.empty() && s.size() <= 19 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t IdValue(const std::string& id) {
  uint64_t v = 0;
  std::from_chars(id.data(), id.data() + id.size(), v);
  return v;
}

std::string Hex(uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0 && v != 0; --i, v >>= 4)
    out[static_cast<size_t>(i)] = kHex[v & 15];
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(' ');
  const size_t e = s.find_last_not_of(' ');
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

HttpResponse Empty(int status) {
  HttpResponse r;
  r.status = status;
  return r;
}

}  // namespace

ZohoSim::ZohoSim(Clock& clock, Random& random, ZohoSimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {
  fields_ = {"id",         "Deal_Name",    "Stage",         "Amount",
             "Currency",   "Closing_Date", "Account_Name",  "Owner",
             "Pipeline",   "Created_Time", "Modified_Time", "Created_By",
             "Modified_By"};
  fields_.insert(config_.custom_fields.begin(), config_.custom_fields.end());
  users_[config_.api_user.id] = config_.api_user;
}

std::string ZohoSim::IssueToken() {
  // Zoho access tokens look like "1000.<32 hex>.<32 hex>".
  std::string token = "1000." + RandomHex(32) + "." + RandomHex(16) + Hex(++serial_, 16);
  tokens_[token] = Now() + config_.token_lifetime;
  token_order_.push_back(token);
  while (!token_order_.empty() && tokens_[token_order_.front()] <= Now())
    token_order_.pop_front();
  if (token_order_.size() > kLiveTokensPerRefreshToken) {
    tokens_[token_order_.front()] = Now();  // deleted: answers as an expired token
    token_order_.pop_front();
  }
  return token;
}

void ZohoSim::ExpireTokens() {
  for (auto& [token, expiry] : tokens_)
    expiry = std::min(expiry, Now());
}

std::string ZohoSim::NewId() {
  return std::to_string(next_id_++);
}

std::string ZohoSim::NewPageToken(PageCursor cursor) {
  std::string token = RandomHex(16) + Hex(++serial_, 16);
  cursors_[token] = std::move(cursor);
  return token;
}

std::string ZohoSim::EndpointLabel(const HttpRequest& request, const RequestTarget& t) const {
  static const std::regex kRecord("^/crm/v6/Deals/[^/]+$");
  return request.method + " " + (std::regex_match(t.path, kRecord) ? kDeals + "/{id}" : t.path);
}

HttpResponse ZohoSim::Error(const HttpRequest& request, const RequestTarget& target, int status,
                            const std::string& code, const std::string& message, Json details,
                            bool benign) {
  if (!benign)
    Violate(request, target, code, message + " " + details.dump());
  return JsonResponse(status, ZohoError(code, message, std::move(details)));
}

HttpResponse ZohoSim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit:
      // Concurrency or credit limit: HTTP 429 TOO_MANY_REQUESTS (Kaizen #203,
      // https://help.zoho.com/portal/en/community/topic/kaizen-203-answering-your-questions-handling-api-limits-and-error-responses;
      // https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html). No
      // official page documents Retry-After or rate-limit headers, so none are
      // sent and rule.retry_after_s has no effect here.
      return JsonResponse(429, ZohoError("TOO_MANY_REQUESTS", "too many requests"));
    case FaultKind::kExpireToken:
      return JsonResponse(401, ZohoError("INVALID_TOKEN", "invalid oauth token"));
    default:
      // [OAS8] 500 INTERNAL_ERROR "Internal Server Error"; other 5xx reuse the body.
      return JsonResponse(rule.status, ZohoError("INTERNAL_ERROR", "Internal Server Error"));
  }
}

void ZohoSim::AddLimitHeaders(HttpResponse& /*response*/) {
  // Zoho CRM limits by API credits per 24 h and by concurrency
  // (https://www.zoho.com/crm/developer/docs/api/v4/api-limits.html) and
  // documents no rate-limit response headers; a client must not expect any.
}

HttpResponse ZohoSim::Serve(const HttpRequest& request, const RequestTarget& target) {
  // The accounts server and the API domain share this origin.
  if (target.path == "/oauth/v2/token")
    return Token(request, target);
  if (auto denied = Authorize(request, target))
    return *denied;
  const std::string& path = target.path;
  // [v7 UR] INVALID_REQUEST_METHOD is HTTP 400; [OAS8] details.resource_path_index.
  const auto bad_method = [&] {
    return Error(request, target, 400, "INVALID_REQUEST_METHOD",
                 "The HTTP request method type is not a valid one.", {{"resource_path_index", 0}});
  };
  if (path == kDeals) {
    if (request.method == "GET")
      return List(request, target);
    if (request.method == "PUT")
      return Update(request, target);
    return bad_method();  // POST (insert) and DELETE exist on Zoho; not simulated
  }
  if (path.rfind(kDeals + "/", 0) == 0 && path.find('/', kDeals.size() + 1) == std::string::npos) {
    const std::string id = path.substr(kDeals.size() + 1);
    if (IsRecordId(id) && request.method == "GET")
      return GetOne(request, target, id);
    if (IsRecordId(id))
      return bad_method();  // PUT/DELETE of one record exist on Zoho; not simulated
  } else if (path.rfind(kApiBase, 0) == 0 && path.size() > kApiBase.size() &&
             path.find('/', kApiBase.size()) == std::string::npos) {
    // [v7 GR] [OAS8] an unknown module is 400 INVALID_MODULE. The URL takes the
    // module API name, "Deals"; only that spelling is served.
    return Error(request, target, 400, "INVALID_MODULE",
                 "the module name given seems to be invalid", {{"resource_path_index", 0}});
  }
  // [v7 UR] [OAS8] 404 INVALID_URL_PATTERN.
  return Error(request, target, 404, "INVALID_URL_PATTERN",
               "Please check if the URL trying to access is a correct one");
}

HttpResponse ZohoSim::Token(const HttpRequest& request, const RequestTarget& target) {
  // [ACC] POST {accounts-server-url}/oauth/v2/token with client_id,
  // client_secret, grant_type=refresh_token and refresh_token, "sent as query
  // parameters" (the SDK [SDK6 oauth_token.py] sends a form body; both work).
  // Zoho Accounts reports a refused grant as {"error": "<code>"}; the official
  // SDK reads that member whatever the HTTP status (oauth_token.py
  // parse_response), and it arrives with HTTP 200 (unconfirmed: no Zoho page
  // states the status). Codes: invalid_client (unknown client or wrong
  // secret), invalid_code (unknown or revoked refresh token).
  const auto refuse = [&](int status, const std::string& error, const std::string& why) {
    Violate(request, target, "oauth." + error, why);
    return JsonResponse(status, {{"error", error}});
  };
  if (request.method != "POST")
    return refuse(400, "invalid_request", "the token endpoint takes POST");
  std::map<std::string, std::string> params;
  for (const auto& [k, v] : target.params)
    params[k] = v;
  if (!request.body.empty()) {
    if (!HasFormContentType(request))
      return refuse(400, "invalid_request", "a body must be application/x-www-form-urlencoded");
    for (auto& [k, v] : ParseForm(request.body))
      params[k] = v;
  }
  if (params["grant_type"] != "refresh_token") {
    return refuse(
        200, "unsupported_grant_type",
        "grant_type \"" + params["grant_type"] + "\" (the simulator serves refresh_token)");
  }
  if (params["client_id"] != config_.client_id || params["client_secret"] != config_.client_secret)
    return refuse(200, "invalid_client", "unknown client_id or wrong client_secret");
  if (params["refresh_token"] != config_.refresh_token)
    return refuse(200, "invalid_code", "unknown refresh_token");
  while (!refreshes_.empty() && refreshes_.front() <= Now() - kGrantWindow)
    refreshes_.pop_front();
  if (refreshes_.size() >= kGrantsPerWindow) {
    // The body Zoho Accounts answers when blocked (unconfirmed: seen in
    // developers' reports, not on a Zoho page).
    Violate(request, target, "oauth.too_many_requests",
            "more than 10 access tokens in 10 minutes; reuse the token until it expires");
    return JsonResponse(400, {{"error", "Access Denied"},
                              {"error_description",
                               "You have made too many requests continuously. Please try again "
                               "after some time."}});
  }
  refreshes_.push_back(Now());
  // [ACC] access_token (valid 1 hour), api_domain, token_type, expires_in (seconds).
  return JsonResponse(200, {{"access_token", IssueToken()},
                            {"api_domain", config_.public_base_url},
                            {"token_type", "Bearer"},
                            {"expires_in", config_.token_lifetime.count()}});
}

std::optional<HttpResponse> ZohoSim::Authorize(const HttpRequest& request,
                                               const RequestTarget& target) {
  // [v7 GR] [v7 UR] "Authorization: Zoho-oauthtoken <access token>", spelled
  // so on every CRM page; [SDK6] OAUTH_HEADER_PREFIX = "Zoho-oauthtoken ".
  constexpr std::string_view kScheme = "Zoho-oauthtoken ";
  const auto auth = FindHeader(request.headers, "Authorization");
  if (!auth) {
    // [OAS8] cloneRecord 401 example: AUTHENTICATION_FAILURE, "Authentication
    // token missing or invalid".
    Violate(request, target, "auth.missing", "no Authorization header");
    return Error(request, target, 401, "AUTHENTICATION_FAILURE", "Authentication failed",
                 Json::object(), true);
  }
  // [OAS8] 401 INVALID_TOKEN with empty details (the delinkRelatedRecords
  // example says "Invalid OAuth token", the unblockEmail one "invalid oauth
  // token"; this uses the latter).
  const auto invalid = [&] {
    return Error(request, target, 401, "INVALID_TOKEN", "invalid oauth token", Json::object(),
                 true);
  };
  if (auth->substr(0, kScheme.size()) != kScheme) {
    Violate(request, target, "auth.scheme",
            "Authorization must be \"Zoho-oauthtoken <token>\", not \"" +
                std::string(auth->substr(0, auth->find(' '))) + " ...\"");
    return invalid();
  }
  const auto it = tokens_.find(std::string(auth->substr(kScheme.size())));
  if (it == tokens_.end()) {
    Violate(request, target, "auth.unknown_token", "an access token this server never issued");
    return invalid();
  }
  if (it->second <= Now())
    return invalid();  // expired: normal life, the client refreshes
  return std::nullopt;
}

std::optional<HttpResponse> ZohoSim::ParseFields(const HttpRequest& request,
                                                 const RequestTarget& target,
                                                 const std::string& text,
                                                 std::vector<std::string>& out) {
  // [v7 GR] "Multiple field API names, comma separated. For example:
  // Last_Name, Email" (so spaces after commas are allowed).
  std::vector<std::string> names;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    names.push_back(Trim(std::string_view(text).substr(start, comma - start)));
    start = comma + 1;
  }
  if (names.size() > kMaxFields) {
    // [OAS8] getRecords example LimitExceeded.
    return Error(request, target, 400, "LIMIT_EXCEEDED", "limit exceeded",
                 {{"limit", kMaxFields}, {"param_name", "fields"}});
  }
  out.clear();
  for (const auto& name : names) {
    if (!Known(name)) {
      // Unconfirmed: no page shows the answer to an unknown name in "fields";
      // this follows the documented INVALID_DATA shape for a bad parameter
      // ([OAS8] InvalidDataGETError, details.param_name).
      return Error(request, target, 400, "INVALID_DATA", "invalid data",
                   {{"param_name", "fields"}, {"api_name", name}});
    }
    if (!Contains(out, name))
      out.push_back(name);
  }
  return std::nullopt;
}

std::optional<HttpResponse> ZohoSim::ParseSince(const HttpRequest& request,
                                                const RequestTarget& target,
                                                std::optional<Timestamp>& out) {
  out.reset();
  const auto header = FindHeader(request.headers, "If-Modified-Since");
  if (!header)
    return std::nullopt;
  out = ParseZohoDateTime(*header);
  if (!out) {
    // Unconfirmed: Zoho's answer to a malformed header is not documented.
    return Error(request, target, 400, "INVALID_DATA", "invalid data",
                 {{"param_name", "If-Modified-Since"},
                  {"expected_format", "yyyy-MM-ddTHH:mm:ss+HH:mm"},
                  {"value", std::string(*header)}});
  }
  return std::nullopt;
}

ZohoSim::SortKey ZohoSim::KeyOf(const SimRecord& r, SortBy by) const {
  switch (by) {
    case SortBy::kCreatedTime:
      return {EpochSeconds(r.created_at), IdValue(r.id)};
    case SortBy::kModifiedTime:
      return {EpochSeconds(r.modified_at), IdValue(r.id)};
    case SortBy::kId:
      break;
  }
  return {0, IdValue(r.id)};
}

Json ZohoSim::Render(const SimRecord& r, const std::vector<std::string>& fields) const {
  Json all = Json::object();
  for (const auto& name : fields_) {
    if (name == "id") {
      all[name] = r.id;
    } else if (name == "Created_Time") {
      all[name] = ZohoTime(r.created_at);
    } else if (name == "Modified_Time") {
      all[name] = ZohoTime(r.modified_at);
    } else {
      all[name] = r.fields.contains(name) ? r.fields[name] : Json();
    }
  }
  if (fields.empty())
    return all;
  // [v7 GR] records carry the fields asked for; "id" always comes along.
  Json out = {{"id", r.id}};
  for (const auto& name : fields)
    out[name] = all[name];
  return out;
}

std::optional<HttpResponse> ZohoSim::ParseListQuery(const HttpRequest& request,
                                                    const RequestTarget& target, ListQuery& q) {
  // Zoho documents more parameters (cvid, ids, converted, territory_id, ...);
  // the simulator serves none of them, and an unknown or repeated one is a
  // client bug, so both are refused (Zoho's own answer is unconfirmed).
  static const std::set<std::string> kParams{"fields",     "per_page", "page",
                                             "page_token", "sort_by",  "sort_order"};
  for (const auto& [k, v] : target.params) {
    if (!kParams.count(k) || target.CountParam(k) != 1)
      return Error(request, target, 400, "INVALID_DATA", "invalid data", {{"param_name", k}});
  }
  // [v7 GR] "fields: mandatory when fetching all records"; [OAS8] example
  // RequiredParamMissing.
  const auto fields_text = target.Param("fields");
  if (!fields_text || fields_text->empty()) {
    return Error(request, target, 400, "REQUIRED_PARAM_MISSING", "required param is missing",
                 {{"param_name", "fields"}});
  }
  if (auto bad = ParseFields(request, target, *fields_text, q.fields))
    return bad;
  // [v7 GR] per_page: default and maximum 200; [OAS8] min 1.
  q.per_page = config_.max_per_page;
  if (auto v = target.Param("per_page")) {
    const auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > config_.max_per_page) {
      return Error(request, target, 400, "INVALID_DATA", "invalid data",
                   {{"param_name", "per_page"}});
    }
    q.per_page = static_cast<int>(*n);
  }
  // [v7 GR] sort_by: id, Created_Time or Modified_Time, default id; sort_order:
  // asc or desc, default desc. [OAS8] InvalidDataSortByError lists supported_values.
  q.sort_by_name = target.Param("sort_by").value_or("id");
  if (q.sort_by_name == "Created_Time") {
    q.sort_by = SortBy::kCreatedTime;
  } else if (q.sort_by_name == "Modified_Time") {
    q.sort_by = SortBy::kModifiedTime;
  } else if (q.sort_by_name != "id") {
    return Error(
        request, target, 400, "INVALID_DATA", "invalid data",
        {{"param_name", "sort_by"}, {"supported_values", {"id", "Created_Time", "Modified_Time"}}});
  }
  q.sort_order_name = target.Param("sort_order").value_or("desc");
  if (q.sort_order_name != "asc" && q.sort_order_name != "desc") {
    return Error(request, target, 400, "INVALID_DATA", "invalid data",
                 {{"param_name", "sort_order"}, {"supported_values", {"asc", "desc"}}});
  }
  if (auto bad = ParseSince(request, target, q.since))
    return bad;
  const auto page_text = target.Param("page");
  q.page_token = target.Param("page_token");
  if (page_text && q.page_token) {
    // [v7 GR] AMBIGUITY_DURING_PROCESSING: "page" and "page_token" together.
    // (The same page's note about passing a token "with param page=10"
    // contradicts it; the documented error wins.) [OAS8] details shape.
    return Error(request, target, 400, "AMBIGUITY_DURING_PROCESSING",
                 "ambiguity while processing the request",
                 {{"ambiguity_due_to", Json::array({Json{{"param_name", "page"}},
                                                    Json{{"param_name", "page_token"}}})}});
  }
  if (page_text) {
    const auto n = ParseInt(*page_text);
    if (!n || *n < 1)
      return Error(request, target, 400, "INVALID_DATA", "invalid data", {{"param_name", "page"}});
    q.page = *n;
  }
  if (q.page > kDiscreteLimit || q.page * q.per_page > kDiscreteLimit) {
    // [v7 GR] [OAS8] DISCRETE_PAGINATION_LIMIT_EXCEEDED: page 1-10 at 200 a page.
    return Error(request, target, 400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                 "You can only get the first 2000 records without using page_token param",
                 {{"limit", kDiscreteLimit}});
  }
  // [v7 GR] a page token is "tied to the exact request parameters". Whether the
  // If-Modified-Since header counts is unconfirmed; it does here, since
  // changing it mid-listing changes the listing.
  for (const auto& f : q.fields)
    q.binding += f + ",";
  q.binding += "|" + std::to_string(q.per_page) + "|" + q.sort_by_name + "|" + q.sort_order_name +
               "|" + std::string(FindHeader(request.headers, "If-Modified-Since").value_or(""));
  return std::nullopt;
}

std::optional<HttpResponse> ZohoSim::ResolvePageToken(const HttpRequest& request,
                                                      const RequestTarget& target,
                                                      const ListQuery& q, PageCursor& out) {
  // [v7 GR] INVALID_DATA for an unknown token, EXPIRED_VALUE after 24 hours
  // (normal life for a client that paused), TOKEN_BOUND_DATA_MISMATCH when the
  // parameters changed, PAGINATION_LIMIT_EXCEEDED past 100,000 records;
  // [OAS8] bodies.
  const auto it = cursors_.find(*q.page_token);
  if (it == cursors_.end()) {
    return Error(request, target, 400, "INVALID_DATA", "invalid data",
                 {{"param_name", "page_token"}});
  }
  if (it->second.expires_at <= Now()) {
    return Error(request, target, 400, "EXPIRED_VALUE", "Page token expired",
                 {{"api_name", "page_token"}, {"json_path", "$.query.page_token"}}, true);
  }
  if (it->second.binding != q.binding) {
    return Error(request, target, 400, "TOKEN_BOUND_DATA_MISMATCH",
                 "The page_token given seems to be invalid or input param is added or altered or "
                 "deleted",
                 {{"param_name", "page_token"}});
  }
  if (it->second.served >= kTokenPagingLimit) {
    return Error(request, target, 400, "PAGINATION_LIMIT_EXCEEDED",
                 "You can only get upto 100000 records using page_token param",
                 {{"param_name", "page_token"}});
  }
  out = it->second;
  return std::nullopt;
}

HttpResponse ZohoSim::List(const HttpRequest& request, const RequestTarget& target) {
  ListQuery q;
  if (auto bad = ParseListQuery(request, target, q))
    return *bad;
  std::optional<PageCursor> cursor;
  if (q.page_token) {
    cursor.emplace();
    if (auto bad = ResolvePageToken(request, target, q, *cursor))
      return *bad;
  }
  // Deleted records are not listed (Zoho lists them at /deleted, not simulated).
  // If-Modified-Since selects records modified strictly after the instant: the
  // status-codes page words 304 as "not been modified after the time mentioned
  // in the If-Modified-Since header"
  // (https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html, seen only in a copy). With
  // whole-second times this is also the stricter choice for clients: one passing its last seen
  // Modified_Time back must overlap by a second itself, or miss later edits within that second.
  std::vector<const SimRecord*> matched;
  for (const SimRecord* r : records().Visible(Now())) {
    if (!r->deleted && (!q.since || floor<seconds>(r->modified_at) > *q.since))
      matched.push_back(r);
  }
  if (q.since && matched.empty())
    return Empty(304);  // nothing modified since: 304, no body
  const bool ascending = q.sort_order_name == "asc";
  std::sort(matched.begin(), matched.end(), [&](const SimRecord* a, const SimRecord* b) {
    const SortKey ka = KeyOf(*a, q.sort_by), kb = KeyOf(*b, q.sort_by);
    return ascending ? ka < kb : kb < ka;
  });
  // How Zoho resumes at a page token is not documented. Here a token resumes
  // after the last record it followed (keyset), so edits to records already
  // passed neither shift nor repeat the rest; a record edited into the unread
  // part under sort_by=Modified_Time is met again, as a changed record should be.
  size_t begin = static_cast<size_t>((q.page - 1) * q.per_page);
  if (cursor) {
    const auto first = std::find_if(matched.begin(), matched.end(), [&](const SimRecord* r) {
      const SortKey k = KeyOf(*r, q.sort_by);
      return ascending ? cursor->after < k : k < cursor->after;
    });
    begin = static_cast<size_t>(first - matched.begin());
  }
  const size_t end = std::min(matched.size(), begin + static_cast<size_t>(q.per_page));
  if (begin >= end)
    return Empty(204);  // [OAS8] 204: no records match; empty body

  Json data = Json::array();
  for (size_t i = begin; i < end; ++i)
    data.push_back(Render(*matched[i], q.fields));
  const bool more = end < matched.size();
  // [v7 GR sample] next_page_token comes with every page that has more
  // records, page tokens included; page_token_expiry is when the tokens expire.
  Json next = nullptr;
  Json expiry = nullptr;
  if (more) {
    PageCursor c;
    c.binding = q.binding;
    c.after = KeyOf(*matched[end - 1], q.sort_by);
    c.served =
        (cursor ? cursor->served : static_cast<int64_t>(begin)) + static_cast<int64_t>(end - begin);
    c.previous = q.page_token.value_or("");
    c.expires_at = Now() + kPageTokenLifetime;
    expiry = ZohoTime(c.expires_at);
    next = NewPageToken(std::move(c));
  }
  // previous_page_token: the token that fetched the page before this one; null
  // when that page was fetched by number, as in the [v7 GR] sample's answer to
  // its first page_token call.
  const std::string previous = cursor ? cursor->previous : "";
  if (!previous.empty() && expiry.is_null())
    expiry = ZohoTime(cursors_.at(previous).expires_at);
  // [v7 GR] [OAS8] info: "count" is the number of records in this page. The
  // v7 sample answers "page": 1 to the page_token call, and so does this.
  const Json info = {{"per_page", q.per_page},
                     {"count", end - begin},
                     {"page", q.page},
                     {"sort_by", q.sort_by_name},
                     {"sort_order", q.sort_order_name},
                     {"more_records", more},
                     {"next_page_token", next},
                     {"previous_page_token", previous.empty() ? Json() : Json(previous)},
                     {"page_token_expiry", expiry}};
  return JsonResponse(200, {{"data", data}, {"info", info}});
}

HttpResponse ZohoSim::GetOne(const HttpRequest& request, const RequestTarget& target,
                             const std::string& id) {
  for (const auto& [k, v] : target.params) {
    if (k != "fields" || target.CountParam(k) != 1)
      return Error(request, target, 400, "INVALID_DATA", "invalid data", {{"param_name", k}});
  }
  // [v7 GR] "fields" is mandatory only when fetching all records.
  std::vector<std::string> fields;
  if (auto text = target.Param("fields")) {
    if (auto bad = ParseFields(request, target, *text, fields))
      return *bad;
  }
  std::optional<Timestamp> since;
  if (auto bad = ParseSince(request, target, since))
    return *bad;
  const SimRecord* r = records().Find(id);
  // Unconfirmed: no page shows the answer for an id with no record; 204 is
  // what Zoho documents for "no content" ([OAS8] getRecords 204; v8
  // status-codes page). Not a violation: the record may have been deleted.
  if (r == nullptr || r->deleted || r->visible_at > Now())
    return Empty(204);
  if (since && floor<seconds>(r->modified_at) <= *since)
    return Empty(304);
  return JsonResponse(200, {{"data", Json::array({Render(*r, fields)})}});
}

std::optional<Json> ZohoSim::FieldError(const std::string& name, const Json& value,
                                        const std::string& json_path, bool control) const {
  // [OAS8] updateRecords: INVALID_DATA with details {api_name, json_path}, plus
  // expected_data_type for a wrong JSON type or maximum_length for a long
  // value. The expected_data_type words beyond the documented "integer" are
  // the fields' JSON types (unconfirmed).
  const auto invalid = [&](Json details) {
    details["api_name"] = name;
    details["json_path"] = json_path;
    return ZohoError("INVALID_DATA", "invalid data", std::move(details));
  };
  // [v7 UR] [OAS8] MANDATORY_NOT_FOUND "required field not found".
  const auto mandatory = [&] {
    return ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                     {{"api_name", name}, {"json_path", json_path}});
  };
  const auto text = [&](bool required) -> std::optional<Json> {
    if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) {
      return required ? std::optional<Json>(mandatory()) : std::nullopt;
    }
    if (!value.is_string())
      return invalid({{"expected_data_type", "string"}});
    if (value.get_ref<const std::string&>().size() > kSingleLineMax)
      return invalid({{"maximum_length", kSingleLineMax}});
    return std::nullopt;
  };
  const auto one_of = [&](const std::vector<std::string>& allowed) -> std::optional<Json> {
    if (auto e = text(true))
      return e;
    if (!Contains(allowed, value.get<std::string>()))
      return invalid(Json::object());
    return std::nullopt;
  };
  // [v7 IR] Deals need Deal_Name (Single Line) and Stage (Picklist), and
  // Pipeline when pipelines are enabled.
  if (name == "Deal_Name")
    return text(true);
  // [v7 IR] "Pipeline ... You can only add a stage that is available in this
  // list to a deal for that pipeline. The system throws an error otherwise."
  // (Ordinary picklists accept new values; Stage, bound to the pipeline, does
  // not. The simulator gives every pipeline the same stages.)
  if (name == "Stage")
    return one_of(config_.stages);
  if (name == "Pipeline")
    return one_of(config_.pipelines);
  // A multi-currency org's Currency is one of its ISO codes (the v2 Deals
  // response shows "Currency": "DZD":
  // https://www.zoho.com/crm/developer/docs/api/v2/deals-response.html).
  if (name == "Currency")
    return one_of(config_.currencies);
  // [v7 IR] Currency fields are JSON doubles "Accepts only numeric values".
  if (name == "Amount") {
    if (value.is_null() || value.is_number())
      return std::nullopt;
    return invalid({{"expected_data_type", "double"}});
  }
  // [v7 IR] Date "Accepts date in yyyy-MM-dd format".
  if (name == "Closing_Date") {
    if (value.is_null() || (value.is_string() && ParseIsoDate(value.get<std::string>())))
      return std::nullopt;
    return invalid({{"expected_data_type", "date"}});
  }
  // [v7 IR] Lookup and User fields are JSON objects; the API takes the id of
  // an existing record / user (the name is the server's to render).
  if (name == "Account_Name" || name == "Owner") {
    const bool owner = name == "Owner";
    if (value.is_null())
      return owner ? std::optional<Json>(mandatory()) : std::nullopt;
    if (!value.is_object())
      return invalid({{"expected_data_type", "jsonobject"}});
    const bool has_id = value.contains("id");
    if (has_id && !(value["id"].is_string() && IsRecordId(value["id"].get<std::string>())))
      return invalid(Json::object());
    if (!control) {
      const bool known = has_id && (owner ? users_.count(value["id"].get<std::string>())
                                          : accounts_.count(value["id"].get<std::string>()));
      return known ? std::nullopt : std::optional<Json>(invalid(Json::object()));
    }
    // The control shape names the account or user; an unknown one is created.
    const bool named = value.contains("name") && value["name"].is_string() &&
                       !value["name"].get_ref<const std::string&>().empty();
    if (!named || (value.contains("email") && !value["email"].is_string()))
      return invalid(Json::object());
    return std::nullopt;
  }
  if (Contains(config_.custom_fields, name))
    return text(false);
  // [OAS8] updateRecords 207 example: an unknown field is INVALID_DATA "the
  // field api name given seems to be invalid".
  return ZohoError("INVALID_DATA", "the field api name given seems to be invalid",
                   {{"api_name", name}, {"json_path", json_path}});
}

void ZohoSim::SetField(SimRecord& r, const std::string& name, const Json& value, bool control) {
  if (value.is_null() || (name != "Owner" && name != "Account_Name")) {
    r.fields[name] = value;
    return;
  }
  std::string id = value.value("id", "");
  if (name == "Owner") {
    if (id.empty()) {
      const auto it = std::find_if(users_.begin(), users_.end(),
                                   [&](const auto& u) { return u.second.name == value["name"]; });
      id = it != users_.end() ? it->first : NewId();
    }
    ZohoUser& user = users_[id];
    user.id = id;
    if (control) {
      user.name = value["name"].get<std::string>();
      user.email = value.value("email", user.email);
    }
    r.fields[name] = RenderUser(user);
    return;
  }
  if (control) {
    if (id.empty()) {
      const auto it = std::find_if(accounts_.begin(), accounts_.end(),
                                   [&](const auto& a) { return a.second == value["name"]; });
      id = it != accounts_.end() ? it->first : NewId();
    }
    accounts_[id] = value["name"].get<std::string>();
  }
  r.fields[name] = {{"name", accounts_[id]}, {"id", id}};
}

Json ZohoSim::RenderUser(const ZohoUser& u) const {
  // [OAS8] Owner {name, id, email?}.
  Json out = {{"name", u.name}, {"id", u.id}};
  if (!u.email.empty())
    out["email"] = u.email;
  return out;
}

HttpResponse ZohoSim::Update(const HttpRequest& request, const RequestTarget& target) {
  if (!target.params.empty()) {
    return Error(request, target, 400, "INVALID_DATA", "invalid data",
                 {{"param_name", target.params.front().first}});
  }
  if (!HasJsonContentType(request)) {
    // Unconfirmed body; the status-codes page lists 415 Unsupported Media Type.
    return Error(request, target, 415, "UNSUPPORTED_MEDIA_TYPE",
                 "the request body must be application/json");
  }
  const auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object()) {
    // Unconfirmed: the answer to a body that is not a JSON object.
    return Error(request, target, 400, "INVALID_DATA", "invalid data", {{"json_path", "$"}});
  }
  // [OAS8] updateRecords 400 examples carry request-level errors in "data".
  const auto refuse = [&](const std::string& code, const std::string& message, Json details) {
    Violate(request, target, code, message + " " + details.dump());
    return JsonResponse(400,
                        {{"data", Json::array({ZohoError(code, message, std::move(details))})}});
  };
  // [v7 UR] [OAS8] the documented keys beside "data"; the simulator runs no
  // automation, so only their shape is checked. Anything else is refused
  // (Zoho's answer to other keys is unconfirmed).
  for (const auto& [key, value] : body->items()) {
    if (key == "data")
      continue;
    const bool known =
        key == "trigger" || key == "skip_feature_execution" || key == "apply_feature_execution";
    if (!known || !value.is_array())
      return refuse("INVALID_DATA", "invalid data", {{"api_name", key}, {"json_path", "$." + key}});
  }
  if (body->contains("trigger")) {
    const Json& trigger = (*body)["trigger"];
    for (size_t i = 0; i < trigger.size(); ++i) {
      if (!trigger[i].is_string() || !Contains(kTriggers, trigger[i].get<std::string>())) {
        return refuse("INVALID_DATA", "invalid data",
                      {{"api_name", "trigger"},
                       {"json_path", "$.trigger[" + std::to_string(i) + "]"},
                       {"supported_values", kTriggers}});
      }
    }
  }
  if (!body->contains("data") || !(*body)["data"].is_array() || (*body)["data"].empty()) {
    return refuse("MANDATORY_NOT_FOUND", "required field not found",
                  {{"api_name", "data"}, {"json_path", "$.data"}});
  }
  const Json& data = (*body)["data"];
  if (data.size() > static_cast<size_t>(config_.max_update_records)) {
    // [v7 UR] "A maximum of 100 records can be updated per API call"; [OAS8] example.
    return refuse("LIMIT_EXCEEDED", "count of records in your request exceeds the limit",
                  {{"maximum_length", config_.max_update_records}, {"api_name", "data"}});
  }
  // [v7 UR] If-Unmodified-Since: "2024-01-15T15:26:49+05:30"; records changed
  // after it fail with ALREADY_MODIFIED (412).
  std::optional<Timestamp> unmodified_since;
  if (const auto h = FindHeader(request.headers, "If-Unmodified-Since")) {
    unmodified_since = ParseZohoDateTime(*h);
    if (!unmodified_since) {
      return Error(request, target, 400, "INVALID_DATA", "invalid data",
                   {{"param_name", "If-Unmodified-Since"}, {"value", std::string(*h)}});
    }
  }
  const auto failing = faults().TakeFailingIds(request.method, target.path);
  // [OAS8] "the response array maintains the same order as the input records".
  Json results = Json::array();
  size_t succeeded = 0;
  size_t stale = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    Json result = UpdateOne(request, target, data[i], i, unmodified_since, failing);
    succeeded += result["status"] == "success" ? 1 : 0;
    stale += result["code"] == "ALREADY_MODIFIED" ? 1 : 0;
    results.push_back(std::move(result));
  }
  // [OAS8] 200 when every record is updated, 207 Multi-Status when some fail,
  // 400 when all fail ([v7 UR] shows only 200; unconfirmed for v6); [OAS8]
  // 412 ALREADY_MODIFIED when the If-Unmodified-Since check failed them.
  int status = 207;
  if (succeeded == data.size()) {
    status = 200;
  } else if (succeeded == 0) {
    status = stale == data.size() ? 412 : 400;
  }
  return JsonResponse(status, {{"data", results}});
}

Json ZohoSim::UpdateOne(const HttpRequest& request, const RequestTarget& target, const Json& item,
                        size_t index, std::optional<Timestamp> unmodified_since,
                        const std::vector<std::pair<std::string, std::string>>& failing) {
  const std::string at = "$.data[" + std::to_string(index) + "]";
  const auto fail = [&](Json error, bool benign) {
    if (!benign)
      Violate(request, target, error["code"].get<std::string>(), at + ": " + error.dump());
    return error;
  };
  if (!item.is_object())
    return fail(
        ZohoError("INVALID_DATA", "invalid data", {{"api_name", "data"}, {"json_path", at}}),
        false);
  // [v7 UR] "id string, mandatory"; MANDATORY_NOT_FOUND without it; INVALID_DATA
  // "the id given seems to be invalid" for an id with no record.
  const Json id_error = ZohoError("INVALID_DATA", "the id given seems to be invalid",
                                  {{"api_name", "id"}, {"json_path", at + ".id"}});
  if (!item.contains("id")) {
    return fail(ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                          {{"api_name", "id"}, {"json_path", at + ".id"}}),
                false);
  }
  if (!item["id"].is_string() || !IsRecordId(item["id"].get<std::string>()))
    return fail(id_error, false);
  const std::string id = item["id"];
  SimRecord* r = records().Find(id);
  if (r == nullptr)
    return fail(id_error, false);  // an id the CRM never had
  if (r->deleted || r->visible_at > Now())
    return fail(id_error, true);  // deleted in the CRM since the client read it
  for (const auto& [name, value] : item.items()) {
    if (name == "id" || name.rfind('$', 0) == 0 || kReadOnly.count(name))
      continue;  // "$" keys and system fields come with GET responses (see kReadOnly)
    if (auto e = FieldError(name, value, at + "." + name, false))
      return fail(std::move(*e), false);
  }
  const Json created_by = r->fields.value("Created_By", Json::object());
  const auto by = [](const Json& user) {
    return Json{{"name", user.value("name", "")}, {"id", user.value("id", "")}};
  };
  if (const auto locked = std::find_if(failing.begin(), failing.end(),
                                       [&](const auto& f) { return f.first == id; });
      locked != failing.end()) {
    // [OAS8] RecordLockedError.
    return fail(
        ZohoError("RECORD_LOCKED",
                  locked->second.empty()
                      ? "Sorry, you cannot perform this operation as the record is locked."
                      : locked->second,
                  {{"api_name", "id"}, {"json_path", at + ".id"}, {"action", "record_locking"}}),
        true);
  }
  if (unmodified_since && floor<seconds>(r->modified_at) > *unmodified_since) {
    // [OAS8] AlreadyModified: a concurrent change, normal life.
    const Json& modified_by = r->fields["Modified_By"];
    return fail(ZohoError("ALREADY_MODIFIED",
                          "record updated time has already passed if-unmodified-since time",
                          {{"Modified_Time", ZohoTime(r->modified_at)},
                           {"Created_Time", ZohoTime(r->created_at)},
                           {"id", id},
                           {"Modified_By", by(modified_by)},
                           {"Created_By", by(created_by)}}),
                true);
  }
  for (const auto& [name, value] : item.items()) {
    if (name != "id" && name.rfind('$', 0) != 0 && !kReadOnly.count(name))
      SetField(*r, name, value, false);
  }
  r->fields["Modified_By"] = RenderUser(config_.api_user);
  r->modified_at = Now();
  // [v7 UR] [OAS8] the success item.
  return {{"code", "SUCCESS"},
          {"details",
           {{"Modified_Time", ZohoTime(r->modified_at)},
            {"Modified_By", by(r->fields["Modified_By"])},
            {"Created_Time", ZohoTime(r->created_at)},
            {"id", id},
            {"Created_By", by(created_by)}}},
          {"message", "record updated"},
          {"status", "success"}};
}

Status ZohoSim::ApplyControl(SimRecord& r, const Json& native) {
  static const std::set<std::string> kSystem{"id", "modified_at", "visible_at", "created_at",
                                             "deleted"};
  for (const auto& [name, value] : native.items()) {
    if (kSystem.count(name))
      continue;
    if (kReadOnly.count(name))
      return InvalidArgument(name + " is set by the server; use modified_at / created_at");
    if (auto e = FieldError(name, value, "$." + name, true)) {
      return InvalidArgument(name + ": " + (*e)["message"].get<std::string>() + " " +
                             (*e)["details"].dump());
    }
  }
  for (const auto& [name, value] : native.items()) {
    if (!kSystem.count(name))
      SetField(r, name, value, true);
  }
  // Control edits are made in the CRM by the record's owner.
  r.fields["Modified_By"] = r.fields["Owner"];
  return ApplySystemOverrides(r, native);
}

Result<std::string> ZohoSim::CreateRecord(const Json& native) {
  if (!native.is_object())
    return InvalidArgument("record must be a JSON object");
  SimRecord r;
  if (native.contains("id")) {
    if (!native["id"].is_string() || !IsRecordId(native["id"].get<std::string>()))
      return InvalidArgument("id must be a string of at most 19 digits");
    r.id = native["id"].get<std::string>();
    next_id_ = std::max(next_id_, IdValue(r.id) + 1);
  } else {
    r.id = NewId();
  }
  if (records().Find(r.id) != nullptr)
    return Status(StatusCode::kAlreadyExists, "deal " + r.id + " exists");
  // [v7 IR] "System-defined mandatory fields": Deals need Deal_Name and Stage
  // (Pipeline too, which defaults here like Currency and Owner).
  for (const char* mandatory : {"Deal_Name", "Stage"}) {
    if (!native.contains(mandatory))
      return InvalidArgument(std::string(mandatory) + " is mandatory for Deals");
  }
  r.fields = {{"Owner", RenderUser(config_.api_user)},
              {"Currency", config_.currencies.front()},
              {"Pipeline", config_.pipelines.front()},
              {"Account_Name", nullptr},
              {"Amount", nullptr},
              {"Closing_Date", nullptr}};
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(r, native));
  r.fields["Created_By"] = r.fields["Owner"];
  const std::string id = r.id;
  records().Put(std::move(r));
  return id;
}

Status ZohoSim::EditRecord(const std::string& id, const Json& patch) {
  SimRecord* r = records().Find(id);
  if (r == nullptr)
    return NotFound("no deal " + id);
  if (!patch.is_object())
    return InvalidArgument("patch must be a JSON object");
  if (patch.contains("id") && patch["id"] != id)
    return InvalidArgument("id cannot change");
  SimRecord copy = *r;
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(copy, patch));
  *r = std::move(copy);
  return Status::Ok();
}

Json ZohoSim::ControlView(const SimRecord& r) const {
  Json out = Render(r, {});
  out["visible_at"] = IsoMillisZ(r.visible_at);
  out["deleted"] = r.deleted;
  return out;
}

}  // namespace dealsync::sim
