#include "tests/simulators/pipedrive_sim.h"

#include <algorithm>
#include <chrono>
#include <regex>
#include <string_view>

#include "tests/simulators/sim_time.h"

// Sources, cited below by these tags:
// [deals-api]
// https://github.com/pipedrive/client-nodejs/blob/master/src/versions/v2/api/deals-api.ts
//             (generated from Pipedrive's OpenAPI spec; the same text as
//             https://developers.pipedrive.com/docs/api/v1/Deals#getDeals and #updateDeal)
// [deal-model]
// https://github.com/pipedrive/client-nodejs/blob/master/src/versions/v2/models/deal.ts
// [update-model]
// https://github.com/pipedrive/client-nodejs/blob/master/src/versions/v2/models/update-deal-request.ts
// [pagination] https://pipedrive.readme.io/docs/core-api-concepts-pagination
// [migration] https://pipedrive.readme.io/docs/pipedrive-api-v2-migration-guide
// [responses] https://pipedrive.readme.io/docs/core-api-concepts-responses
// [status-codes] https://pipedrive.readme.io/docs/core-api-concepts-http-status-codes
// [auth] https://pipedrive.readme.io/docs/core-api-concepts-authentication
// [rate-limits] https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
// [issue-651] https://github.com/pipedrive/client-nodejs/issues/651 (a real v2 validation error)
// [v1-401]
// https://github.com/pipedrive/client-nodejs/blob/master/src/versions/v1/models/unathorized-response.ts
// [archived]
// https://developers.pipedrive.com/changelog/post/breaking-change-archived-deals-and-leads-will-not-be-returned-in-existing-endpoints-and-will-not-be-editable

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;

constexpr char kSchemaFailed[] = "ERR_SCHEMA_VALIDATION_FAILED";
// Every error body carries this error_info [responses].
constexpr char kErrorInfo[] =
    "Please check developers.pipedrive.com for more information about Pipedrive API.";
const std::string kDealsPath = "/api/v2/deals";
// The window of the per-token burst limit [rate-limits].
constexpr std::chrono::seconds kWindow{2};

// Documented query parameters [deals-api] the simulator does not model; a
// request using them is answered 400 and logged, since serving it without the
// filter would return wrong data.
const std::set<std::string> kUnmodelledParams{"filter_id", "include_fields"};
// Documented UpdateDealRequest properties [update-model] the simulator does not
// model (deletion, archiving, visibility, labels, explicit close times, probability).
const std::set<std::string> kUnmodelledFields{"is_deleted",  "is_archived", "archive_time",
                                              "probability", "visible_to",  "label_ids",
                                              "won_time",    "lost_time",   "close_time"};
// Control shape only: the read-only deal fields (so ControlView() loads back)
// and the Simulator system overrides.
const std::set<std::string> kControlOnly{"id",          "add_time",   "update_time", "won_time",
                                         "lost_time",   "close_time", "is_deleted",  "created_at",
                                         "modified_at", "visible_at", "deleted"};

// The general error shape [responses]. errorCode is in the documented 401
// schema [v1-401]; that the other statuses carry it too is assumed (unconfirmed).
Json ErrorBody(int status, const std::string& message) {
  return {{"success", false},         {"error", message}, {"errorCode", status},
          {"error_info", kErrorInfo}, {"data", nullptr},  {"additional_data", nullptr}};
}

// A v2 schema validation error, as reported in [issue-651]: "Validation failed:
// <key>: <why>" with code ERR_SCHEMA_VALIDATION_FAILED. The HTTP status was not
// stated there; 400 ("Request not understood" [status-codes]) is assumed. The
// wording of each <why> past "Parameter '<key>' is not allowed for this
// request" is ours (JSON-schema style), unconfirmed.
Json ValidationBody(const std::string& message) {
  return {{"success", false},         {"error", message}, {"code", kSchemaFailed},
          {"error_info", kErrorInfo}, {"data", nullptr},  {"additional_data", nullptr}};
}

// updated_since / updated_until are RFC 3339 "e.g. 2025-01-01T10:20:00Z"
// [deals-api]. Fractional seconds are refused: a third-party report says
// Pipedrive rejects them with ERR_SCHEMA_VALIDATION_FAILED (unconfirmed; the
// documented examples all use whole seconds). "+hhmm" offsets are not RFC 3339.
std::optional<Timestamp> ParseWholeSecondTime(const std::string& s) {
  const bool zulu = s.size() == 20 && s[19] == 'Z';
  const bool offset = s.size() == 25 && s[22] == ':';
  return zulu || offset ? ParseIsoDateTime(s) : std::nullopt;
}

// "a,b,c"; nullopt when an item is empty.
std::optional<std::vector<std::string>> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) {
      return std::nullopt;
    }
    out.push_back(std::move(item));
    if (comma == std::string::npos) {
      return out;
    }
    start = comma + 1;
  }
}

int64_t NumericId(const SimRecord& r) {
  return std::stoll(r.id);
}

int64_t Seconds(Timestamp t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

bool IsTimeString(const Json& v) {
  return v.is_string() && ParseIsoDateTime(v.get<std::string>()).has_value();
}

}  // namespace

PipedriveSim::PipedriveSim(Clock& clock, Random& random, PipedriveSimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {
  for (const auto& [name, key] : config_.custom_fields) {
    field_keys_.insert(key);
  }
}

PipedriveSim::Problem PipedriveSim::Schema(const std::string& path, const std::string& what) {
  return {kSchemaFailed, "Validation failed: " + path + ": " + what};
}

std::string PipedriveSim::EndpointLabel(const HttpRequest& request, const RequestTarget& t) const {
  static const std::regex kOne("^/api/v2/deals/[^/]+$");
  return request.method + " " + std::regex_replace(t.path, kOne, "/api/v2/deals/{id}");
}

HttpResponse PipedriveSim::Error(const HttpRequest& request, const RequestTarget& target,
                                 int status, const std::string& rule, const std::string& message,
                                 bool benign) {
  if (!benign) {
    Violate(request, target, rule, message);
  }
  return JsonResponse(status, ErrorBody(status, message));
}

HttpResponse PipedriveSim::Refuse(const HttpRequest& request, const RequestTarget& target,
                                  const Problem& p) {
  Violate(request, target, p.rule, p.message);
  return JsonResponse(400, p.schema ? ValidationBody(p.message) : ErrorBody(400, p.message));
}

HttpResponse PipedriveSim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit:
      // 429 with the documented x-ratelimit-* headers [rate-limits]. The
      // current docs name no Retry-After, so none is sent: clients wait for
      // x-ratelimit-reset. The body text is unconfirmed (cut off in the docs).
      return JsonResponse(429, ErrorBody(429, "Request over limit"),
                          {{"x-ratelimit-limit", std::to_string(config_.rate_limit_per_2s)},
                           {"x-ratelimit-remaining", "0"},
                           {"x-ratelimit-reset", std::to_string(rule.retry_after_s)}});
    case FaultKind::kExpireToken:
      // API tokens do not expire [auth]; the fault stands for a revoked token.
      return JsonResponse(401, ErrorBody(401, "unauthorized access"));
    default:
      // "Requested service is not available" is the documented example error [responses].
      return JsonResponse(
          rule.status,
          ErrorBody(rule.status, rule.status == 503 ? "Requested service is not available"
                                                    : "Internal server error"));
  }
}

void PipedriveSim::AdvanceWindow() {
  if (Now() - window_start_ >= kWindow) {
    window_start_ = Now();
    window_used_ = 0;
  }
  ++window_used_;
}

void PipedriveSim::AddLimitHeaders(HttpResponse& response) {
  if (response.header("x-ratelimit-limit")) {
    return;  // a 429 carries its own
  }
  // x-ratelimit-limit: requests per 2 s window; -remaining; -reset: seconds
  // left in the window (the docs' example value is 2) [rate-limits].
  const bool fresh = Now() - window_start_ >= kWindow;
  const int remaining =
      fresh ? config_.rate_limit_per_2s : std::max(0, config_.rate_limit_per_2s - window_used_);
  const int64_t reset =
      fresh ? kWindow.count()
            : std::max<int64_t>(
                  1,
                  std::chrono::ceil<std::chrono::seconds>(window_start_ + kWindow - Now()).count());
  response.headers.emplace_back("x-ratelimit-limit", std::to_string(config_.rate_limit_per_2s));
  response.headers.emplace_back("x-ratelimit-remaining", std::to_string(remaining));
  response.headers.emplace_back("x-ratelimit-reset", std::to_string(reset));
}

HttpResponse PipedriveSim::Serve(const HttpRequest& request, const RequestTarget& target) {
  AdvanceWindow();
  // "The API token must be provided in the x-api-token header for all
  // requests" [auth]. OAuth bearer tokens are the other documented scheme,
  // but this simulator issues none, so any bearer token is one it never gave
  // out. The 401 message text is undocumented; "unauthorized access" is our
  // choice (unconfirmed).
  const auto token = FindHeader(request.headers, "x-api-token");
  if (!token || *token != config_.api_token) {
    const bool missing = !token && !BearerToken(request);
    return Error(request, target, 401, missing ? "auth.missing" : "auth.invalid",
                 "unauthorized access");
  }
  if (config_.enforce_rate_limit && window_used_ > config_.rate_limit_per_2s) {
    FaultRule limited = FaultRule::Of(FaultKind::kRateLimit);
    limited.retry_after_s = static_cast<int>(
        std::chrono::ceil<std::chrono::seconds>(window_start_ + kWindow - Now()).count());
    return FaultResponse(limited);
  }
  // v2 has no bulk deal update [deals-api], so PATCH /api/v2/deals is an
  // unknown route like any other. The body of an unknown route is not
  // documented: the general error shape with 404 ("Resource unavailable"
  // [status-codes]) is our choice. POST /api/v2/deals and DELETE
  // /api/v2/deals/{id} exist on Pipedrive but are not simulated; they land
  // here too, and the violation shows it.
  if (target.path == kDealsPath && request.method == "GET") {
    return List(request, target);
  }
  static const std::regex kOne("^/api/v2/deals/([^/]+)$");
  std::smatch m;
  if (std::regex_match(target.path, m, kOne) &&
      (request.method == "GET" || request.method == "PATCH")) {
    const std::string id = m[1];
    if (!ParseInt(id)) {
      return Refuse(request, target, Schema("id", "must be integer"));
    }
    return request.method == "GET" ? GetOne(request, target, id) : Patch(request, target, id);
  }
  return Error(request, target, 404, "route.unknown", "Route not found");
}

std::optional<PipedriveSim::Problem> PipedriveSim::CheckParams(const RequestTarget& target,
                                                               const std::set<std::string>& known) {
  for (const auto& [key, value] : target.params) {
    if (!known.count(key)) {
      return Schema(key, "Parameter '" + key + "' is not allowed for this request");
    }
    if (kUnmodelledParams.count(key)) {
      return Problem{"sim.unsupported_parameter", "PipedriveSim does not model " + key, false};
    }
    // A repeated parameter parses as an array, which no documented parameter is.
    if (target.CountParam(key) != 1) {
      return Schema(key, "must be string");
    }
  }
  return std::nullopt;
}

std::optional<PipedriveSim::Problem> PipedriveSim::ParseCustomKeys(
    const RequestTarget& target, std::optional<std::set<std::string>>& out) const {
  const auto text = target.Param("custom_fields");
  if (!text) {
    return std::nullopt;
  }
  // "custom_fields": comma-separated keys to include, at most 15 [deals-api].
  // Refusing an unknown key is our choice (unconfirmed).
  const auto keys = SplitList(*text);
  if (!keys || keys->size() > 15) {
    return Schema("custom_fields", "must be a comma-separated list of at most 15 field keys");
  }
  out.emplace();
  for (const auto& key : *keys) {
    if (!field_keys_.count(key)) {
      return Schema("custom_fields", "unknown custom field key " + key);
    }
    out->insert(key);
  }
  return std::nullopt;
}

std::optional<PipedriveSim::Problem> PipedriveSim::ParseListQuery(const RequestTarget& target,
                                                                  ListQuery& q) const {
  // The documented GET /api/v2/deals parameters [deals-api]. v2 validates
  // requests against its schema [issue-651]; that unknown query parameters
  // are refused like unknown body properties is assumed (unconfirmed).
  static const std::set<std::string> kKnown{
      "updated_since", "updated_until",  "limit",       "cursor",
      "sort_by",       "sort_direction", "status",      "owner_id",
      "person_id",     "org_id",         "pipeline_id", "stage_id",
      "ids",           "custom_fields",  "filter_id",   "include_fields"};
  if (auto p = CheckParams(target, kKnown)) {
    return p;
  }
  // update_time >= updated_since, < updated_until (exclusive) [deals-api].
  for (const char* name : {"updated_since", "updated_until"}) {
    if (auto text = target.Param(name)) {
      auto t = ParseWholeSecondTime(*text);
      if (!t) {
        return Schema(name,
                      "must be an RFC 3339 date-time in whole seconds, e.g. "
                      "2025-01-01T10:20:00Z");
      }
      (std::string_view(name) == "updated_since" ? q.since : q.until) = t;
    }
  }
  // limit: default 100, maximum 500 [deals-api][pagination].
  q.limit = config_.default_limit;
  if (auto text = target.Param("limit")) {
    auto n = ParseInt(*text);
    if (!n) {
      return Schema("limit", "must be integer");
    }
    if (*n < 1 || *n > config_.max_limit) {
      return Schema("limit",
                    *n < 1 ? "must be >= 1" : "must be <= " + std::to_string(config_.max_limit));
    }
    q.limit = static_cast<int>(*n);
  }
  // sort_by id | update_time | add_time, sort_direction asc | desc
  // [deals-api]. The id/asc defaults come from a copy of the reference
  // (https://developers.qodex.ai/pipedrive-api-collection/pipedrive-api-v2/deals-7/get-all-deals-8);
  // unconfirmed in [deals-api].
  q.sort_by = target.Param("sort_by").value_or("id");
  if (q.sort_by != "id" && q.sort_by != "update_time" && q.sort_by != "add_time") {
    return Schema("sort_by",
                  "must be equal to one of the allowed values: id, update_time, "
                  "add_time");
  }
  const std::string direction = target.Param("sort_direction").value_or("asc");
  if (direction != "asc" && direction != "desc") {
    return Schema("sort_direction", "must be equal to one of the allowed values: asc, desc");
  }
  q.descending = direction == "desc";
  // status: comma-separated open | won | lost | deleted; omitted: all but
  // deleted [deals-api].
  q.statuses = {"open", "won", "lost"};
  if (auto text = target.Param("status")) {
    auto statuses = SplitList(*text);
    if (!statuses) {
      return Schema("status", "must be a comma-separated list of open, won, lost, deleted");
    }
    q.statuses.clear();
    for (const auto& s : *statuses) {
      if (s != "open" && s != "won" && s != "lost" && s != "deleted") {
        return Schema("status",
                      "must be equal to one of the allowed values: open, won, lost, "
                      "deleted");
      }
      q.statuses.insert(s);
    }
  }
  for (const char* name : {"owner_id", "person_id", "org_id", "pipeline_id", "stage_id"}) {
    if (auto text = target.Param(name)) {
      auto n = ParseInt(*text);
      if (!n) {
        return Schema(name, "must be integer");
      }
      q.equals[name] = *n;
    }
  }
  // ids: comma-separated, at most 100 [deals-api].
  if (auto text = target.Param("ids")) {
    auto ids = SplitList(*text);
    if (!ids || ids->size() > 100) {
      return Schema("ids", "must be a comma-separated list of at most 100 integers");
    }
    q.ids.emplace();
    for (const auto& id : *ids) {
      auto n = ParseInt(id);
      if (!n) {
        return Schema("ids", "must be a comma-separated list of at most 100 integers");
      }
      q.ids->insert(*n);
    }
  }
  if (auto p = ParseCustomKeys(target, q.custom_keys)) {
    return p;
  }
  // The cursor is opaque [pagination]: only one this simulator issued, for a
  // list in the same order, is accepted. Pipedrive's answer to a foreign or
  // mismatched cursor is undocumented; 400 is our choice.
  if (auto text = target.Param("cursor")) {
    auto it = cursors_.find(*text);
    if (it == cursors_.end()) {
      return Problem{"cursor.unknown", "Validation failed: cursor: invalid cursor"};
    }
    if (it->second.sort_by != q.sort_by || it->second.descending != q.descending) {
      return Problem{"cursor.mismatch",
                     "Validation failed: cursor: issued for sort_by=" + it->second.sort_by +
                         (it->second.descending ? " desc" : " asc")};
    }
    q.after = it->second;
  }
  return std::nullopt;
}

HttpResponse PipedriveSim::List(const HttpRequest& request, const RequestTarget& target) {
  ListQuery q;
  if (auto p = ParseListQuery(target, q)) {
    return Refuse(request, target, *p);
  }
  using Key = std::pair<int64_t, int64_t>;  // (sort key, id)
  const auto key_of = [&](const SimRecord& r) -> Key {
    if (q.sort_by == "update_time") {
      return {Seconds(r.modified_at), NumericId(r)};
    }
    if (q.sort_by == "add_time") {
      return {Seconds(r.created_at), NumericId(r)};
    }
    return {NumericId(r), 0};
  };
  const auto before = [&](const Key& a, const Key& b) { return q.descending ? b < a : a < b; };
  std::vector<std::pair<Key, const SimRecord*>> rows;
  for (const SimRecord* r : records().Visible(Now())) {
    const std::string status = r->deleted ? "deleted" : r->fields.at("status").get<std::string>();
    // update_time is compared at the whole-second precision it is rendered in.
    const Timestamp updated = std::chrono::floor<std::chrono::seconds>(r->modified_at);
    const bool matches = Readable(*r) && q.statuses.count(status) &&
                         (!q.since || updated >= *q.since) && (!q.until || updated < *q.until) &&
                         (!q.ids || q.ids->count(NumericId(*r))) &&
                         std::all_of(q.equals.begin(), q.equals.end(), [&](const auto& e) {
                           const Json& v = r->fields.at(e.first);
                           return v.is_number_integer() && v.get<int64_t>() == e.second;
                         });
    if (matches) {
      rows.emplace_back(key_of(*r), r);
    }
  }
  std::sort(rows.begin(), rows.end(),
            [&](const auto& a, const auto& b) { return before(a.first, b.first); });
  // Keyset paging: a deal edited between pages moves behind the cursor in
  // update_time order and is served again, never skipped.
  Json data = Json::array();
  std::optional<Key> last;
  bool more = false;
  for (const auto& [key, r] : rows) {
    if (q.after && !before(q.after->last, key)) {
      continue;
    }
    if (data.size() == static_cast<size_t>(q.limit)) {
      more = true;
      break;
    }
    data.push_back(Render(*r, q.custom_keys));
    last = key;
  }
  // next_cursor is null on the last page [pagination].
  Json next = nullptr;
  if (more) {
    const std::string cursor = RandomHex(20) + std::to_string(next_cursor_++);
    cursors_[cursor] = PageCursor{q.sort_by, q.descending, *last};
    next = cursor;
  }
  return JsonResponse(
      200, {{"success", true}, {"data", data}, {"additional_data", {{"next_cursor", next}}}});
}

HttpResponse PipedriveSim::GetOne(const HttpRequest& request, const RequestTarget& target,
                                  const std::string& id) {
  std::optional<std::set<std::string>> keys;
  if (auto p = CheckParams(target, {"custom_fields", "include_fields"})) {
    return Refuse(request, target, *p);
  }
  if (auto p = ParseCustomKeys(target, keys)) {
    return Refuse(request, target, *p);
  }
  // 404 "Resource unavailable" [status-codes]; the v2 not-found message is
  // undocumented, "Deal not found" is our choice (unconfirmed).
  const SimRecord* r = records().Find(id);
  if (r == nullptr || !Readable(*r)) {
    return Error(request, target, 404, "deal.not_found", "Deal not found", true);
  }
  return JsonResponse(200, {{"success", true}, {"data", Render(*r, keys)}});
}

HttpResponse PipedriveSim::Patch(const HttpRequest& request, const RequestTarget& target,
                                 const std::string& id) {
  if (auto p = CheckParams(target, {})) {
    return Refuse(request, target, *p);
  }
  // "Content-Type: application/json" [deals-api]. What Pipedrive answers to
  // another media type is undocumented; a 400 validation error is our choice.
  if (!HasJsonContentType(request)) {
    return Refuse(request, target, Schema("body", "Content-Type must be application/json"));
  }
  auto body = ParseJsonBody(request.body);
  if (!body) {
    return Refuse(request, target, Schema("body", "must be valid JSON"));
  }
  if (auto p = CheckSchema(*body, /*control=*/false)) {
    return Refuse(request, target, *p);
  }
  // Deleted deals are not editable here: our choice, by analogy with archived
  // deals, which this endpoint no longer edits [archived].
  SimRecord* r = records().Find(id);
  if (r == nullptr || !Readable(*r) || r->deleted) {
    return Error(request, target, 404, "deal.not_found", "Deal not found", true);
  }
  if (auto p = CheckRules(*body, r->fields)) {
    return Refuse(request, target, *p);
  }
  // A scripted per-deal failure (kFailIds), answered as a permission refusal:
  // the status and wording are our choice.
  for (const auto& [failing, message] : faults().TakeFailingIds(request.method, target.path)) {
    if (failing == id) {
      return Error(request, target, 403, "fault.fail_ids",
                   message.empty() ? "You don't have permission to edit this deal" : message, true);
    }
  }
  ApplyDeal(*r, *body, Now());
  r->modified_at = Now();
  // {"success": true, "data": <deal>} (UpsertDealResponse) [deals-api].
  return JsonResponse(200, {{"success", true}, {"data", Render(*r, std::nullopt)}});
}

std::optional<PipedriveSim::Problem> PipedriveSim::CheckSchema(const Json& body,
                                                               bool control) const {
  if (!body.is_object()) {
    return Schema("body", "must be object");
  }
  for (const auto& [key, v] : body.items()) {
    if (control && kControlOnly.count(key)) {
      const bool ok = key == "id" ? v.is_number_integer() && v.get<int64_t>() > 0
                      : key == "is_deleted" || key == "deleted" ? v.is_boolean()
                      : key == "won_time" || key == "lost_time" || key == "close_time"
                          ? v.is_null() || IsTimeString(v)
                          : IsTimeString(v);
      if (!ok) {
        return Schema(key, "invalid value " + v.dump());
      }
      continue;
    }
    // Types per [update-model]. "Numeric fields no longer coerce string input
    // to number and instead throw a validation error" [migration].
    if (key == "title") {
      if (!v.is_string() || v.get<std::string>().empty()) {
        return Schema(key, "must be a non-empty string");
      }
    } else if (key == "owner_id" || key == "pipeline_id" || key == "stage_id") {
      if (!v.is_number_integer()) {
        return Schema(key, "must be integer");
      }
    } else if (key == "person_id" || key == "org_id") {
      // null unlinks (our reading; the schema only says integer).
      if (!v.is_null() && !v.is_number_integer()) {
        return Schema(key, "must be integer");
      }
    } else if (key == "value") {
      if (!v.is_number()) {
        return Schema(key, "must be number");
      }
    } else if (key == "currency") {
      if (!v.is_string()) {
        return Schema(key, "must be string");
      }
    } else if (key == "status") {
      // The request schema types status as a plain string [update-model]; the
      // values are the list filter's, less "deleted" (deleting is DELETE).
      // The control shape takes "deleted" to load a deleted deal's view back.
      const bool ok = v.is_string() &&
                      (v == "open" || v == "won" || v == "lost" || (control && v == "deleted"));
      if (!ok) {
        return Schema(key, "must be equal to one of the allowed values: open, won, lost");
      }
    } else if (key == "expected_close_date") {
      // format "date" [update-model]; null clears it (our reading).
      if (!v.is_null() && !(v.is_string() && ParseIsoDate(v.get<std::string>()))) {
        return Schema(key, "must match format \"date\" (YYYY-MM-DD)");
      }
    } else if (key == "lost_reason") {
      if (!v.is_null() && !v.is_string()) {
        return Schema(key, "must be string or null");
      }
    } else if (key == "custom_fields") {
      // Custom fields by their 40-hex key inside custom_fields [migration]; the
      // simulated fields are text fields, so a string (or null to clear).
      if (!v.is_object()) {
        return Schema(key, "must be object");
      }
      for (const auto& [field, value] : v.items()) {
        if (!field_keys_.count(field)) {
          return Schema("custom_fields." + field, "unknown custom field");
        }
        if (!value.is_null() && !value.is_string()) {
          return Schema("custom_fields." + field, "must be string");
        }
      }
    } else if (kUnmodelledFields.count(key)) {
      return Problem{"sim.unsupported_field", "PipedriveSim does not model " + key, false};
    } else {
      // The exact v2 message for a property outside the schema, including a
      // custom field key sent at the top level [issue-651].
      return Schema(key, "Parameter '" + key + "' is not allowed for this request");
    }
  }
  return std::nullopt;
}

std::optional<PipedriveSim::Problem> PipedriveSim::CheckRules(const Json& body,
                                                              const Json& current) const {
  // Unknown stage, pipeline or currency: Pipedrive's wording is undocumented;
  // a 400 in the general error shape is our choice.
  if (body.contains("stage_id")) {
    const int64_t stage = body.at("stage_id").get<int64_t>();
    const bool known = std::any_of(config_.stages.begin(), config_.stages.end(),
                                   [&](const auto& s) { return s.first == stage; });
    if (!known) {
      return Problem{"stage.unknown", "Stage " + std::to_string(stage) + " not found", false};
    }
  }
  if (body.contains("pipeline_id") &&
      body.at("pipeline_id").get<int64_t>() != config_.pipeline_id) {
    return Problem{"pipeline.unknown", "Pipeline " + body.at("pipeline_id").dump() + " not found",
                   false};
  }
  if (body.contains("currency") &&
      std::find(config_.currencies.begin(), config_.currencies.end(),
                body.at("currency").get<std::string>()) == config_.currencies.end()) {
    return Problem{"currency.unknown", "Unknown currency " + body.at("currency").dump(), false};
  }
  // lost_reason "Can only be set if deal status is lost" [update-model].
  const std::string status = body.contains("status") && body.at("status") != "deleted"
                                 ? body.at("status").get<std::string>()
                                 : current.at("status").get<std::string>();
  if (body.contains("lost_reason") && !body.at("lost_reason").is_null() && status != "lost") {
    return Problem{"lost_reason.not_lost", "lost_reason can only be set if deal status is lost",
                   false};
  }
  return std::nullopt;
}

void PipedriveSim::ApplyDeal(SimRecord& r, const Json& body, Timestamp when) const {
  Json& f = r.fields;
  for (const char* key : {"title", "owner_id", "person_id", "org_id", "pipeline_id", "stage_id",
                          "value", "currency", "expected_close_date"}) {
    if (body.contains(key)) {
      f[key] = body.at(key);
    }
  }
  // The docs do not say whether the server stamps won_time / lost_time /
  // close_time on a status change [update-model] (they may be set only with
  // the matching status); stamping them at the change and clearing them on
  // reopening is our reading, as the web app shows it. lost_reason goes too.
  if (body.contains("status") && body.at("status") != "deleted" &&
      body.at("status") != f.at("status")) {
    const std::string status = body.at("status");
    const Json stamp = IsoSecondsZ(when);
    f["won_time"] = status == "won" ? stamp : Json();
    f["lost_time"] = status == "lost" ? stamp : Json();
    f["close_time"] = status == "open" ? Json() : stamp;
    if (status != "lost") {
      f["lost_reason"] = nullptr;
    }
    f["status"] = status;
  }
  if (body.contains("lost_reason")) {
    f["lost_reason"] = body.at("lost_reason");
  }
  if (body.contains("custom_fields")) {
    for (const auto& [key, value] : body.at("custom_fields").items()) {
      f["custom_fields"][key] = value;
    }
  }
}

Status PipedriveSim::ApplyControl(SimRecord& r, const Json& native) const {
  // The deal's own add_time / update_time / is_deleted (and status "deleted")
  // stand in for the Simulator overrides when those are absent.
  Json system = Json::object();
  const auto take = [&](const char* from, const char* to) {
    if (native.contains(to)) {
      system[to] = native.at(to);
    } else if (native.contains(from)) {
      system[to] = native.at(from);
    }
  };
  take("add_time", "created_at");
  take("update_time", "modified_at");
  take("is_deleted", "deleted");
  take("visible_at", "visible_at");
  if (!system.contains("deleted") && native.contains("status") &&
      native.at("status") == "deleted") {
    system["deleted"] = true;
  }
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(r, system));
  ApplyDeal(r, native, r.modified_at);
  for (const char* key : {"won_time", "lost_time", "close_time"}) {
    if (native.contains(key)) {
      const Json& v = native.at(key);
      r.fields[key] =
          v.is_null() ? Json() : Json(IsoSecondsZ(*ParseIsoDateTime(v.get<std::string>())));
    }
  }
  return Status::Ok();
}

Json PipedriveSim::NewDealFields() const {
  Json custom = Json::object();
  for (const auto& key : field_keys_) {
    custom[key] = nullptr;
  }
  // owner_id 1 stands for the API token's user, who owns deals added with it.
  return {{"title", ""},
          {"owner_id", 1},
          {"person_id", nullptr},
          {"org_id", nullptr},
          {"pipeline_id", config_.pipeline_id},
          {"stage_id", config_.stages.front().first},
          {"value", 0},
          {"currency", config_.currencies.front()},
          {"status", "open"},
          {"expected_close_date", nullptr},
          {"won_time", nullptr},
          {"lost_time", nullptr},
          {"close_time", nullptr},
          {"lost_reason", nullptr},
          {"custom_fields", custom}};
}

Json PipedriveSim::Render(const SimRecord& r,
                          const std::optional<std::set<std::string>>& custom_keys) const {
  const Json& f = r.fields;
  Json custom = Json::object();
  for (const auto& [key, value] : f.at("custom_fields").items()) {
    if (!custom_keys || custom_keys->count(key)) {
      custom[key] = value;
    }
  }
  // v2 types [deal-model]: integer ids, number value, booleans (never 0/1
  // [migration]), RFC 3339 times in whole seconds with Z as in the
  // reference's examples. A deleted deal says "deleted" in status, the value
  // the list's status filter selects it by (our reading; unconfirmed).
  return {{"id", NumericId(r)},
          {"title", f.at("title")},
          {"owner_id", f.at("owner_id")},
          {"person_id", f.at("person_id")},
          {"org_id", f.at("org_id")},
          {"pipeline_id", f.at("pipeline_id")},
          {"stage_id", f.at("stage_id")},
          {"value", f.at("value")},
          {"currency", f.at("currency")},
          {"status", r.deleted ? Json("deleted") : f.at("status")},
          {"expected_close_date", f.at("expected_close_date")},
          {"add_time", IsoSecondsZ(r.created_at)},
          {"update_time", IsoSecondsZ(r.modified_at)},
          {"won_time", f.at("won_time")},
          {"lost_time", f.at("lost_time")},
          {"close_time", f.at("close_time")},
          {"lost_reason", f.at("lost_reason")},
          {"is_deleted", r.deleted},
          {"custom_fields", custom}};
}

bool PipedriveSim::Readable(const SimRecord& r) const {
  // status=deleted "returns deals deleted up to 30 days ago" [deals-api].
  return r.visible_at <= Now() && (!r.deleted || Now() - r.deleted_at < std::chrono::days(30));
}

Result<std::string> PipedriveSim::CreateRecord(const Json& native) {
  if (auto p = CheckSchema(native, /*control=*/true)) {
    return InvalidArgument(p->message);
  }
  // A deal needs a title, as on POST /api/v2/deals [deals-api].
  if (!native.contains("title")) {
    return InvalidArgument("title is required");
  }
  const int64_t id = native.contains("id") ? native.at("id").get<int64_t>() : next_id_;
  SimRecord r;
  r.id = std::to_string(id);
  if (records().Find(r.id) != nullptr) {
    return Status(StatusCode::kAlreadyExists, "deal " + r.id + " exists");
  }
  r.fields = NewDealFields();
  if (auto p = CheckRules(native, r.fields)) {
    return InvalidArgument(p->message);
  }
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(r, native));
  next_id_ = std::max(next_id_, id + 1);
  records().Put(std::move(r));
  return std::to_string(id);
}

Status PipedriveSim::EditRecord(const std::string& id, const Json& patch) {
  SimRecord* r = records().Find(id);
  if (r == nullptr) {
    return NotFound("no deal " + id);
  }
  if (auto p = CheckSchema(patch, /*control=*/true)) {
    return InvalidArgument(p->message);
  }
  if (patch.contains("id") && std::to_string(patch.at("id").get<int64_t>()) != id) {
    return InvalidArgument("a deal's id cannot change");
  }
  if (auto p = CheckRules(patch, r->fields)) {
    return InvalidArgument(p->message);
  }
  SimRecord copy = *r;
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(copy, patch));
  *r = std::move(copy);
  return Status::Ok();
}

Json PipedriveSim::ControlView(const SimRecord& r) const {
  Json out = Render(r, std::nullopt);
  out["visible_at"] = IsoMillisZ(r.visible_at);
  return out;
}

}  // namespace dealsync::sim
