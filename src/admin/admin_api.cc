#include "src/admin/admin_api.h"

#include <vector>

#include <nlohmann/json.hpp>

#include "src/admin/admin_json.h"

namespace dealsync {

using admin::ErrorFromStatus;
using admin::JoinPath;
using admin::JsonError;
using admin::JsonResponse;
using admin::MethodNotAllowed;
using admin::ParseTarget;
using admin::QueryParams;
using nlohmann::json;

namespace {

Result<json> ParseJsonObject(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("request body must be a JSON object");
  }
  return j;
}

// A required non-empty string member.
Result<std::string> RequiredString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return InvalidArgument(std::string("\"") + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

std::string FormatMinutes(std::chrono::milliseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

AdminApi::AdminApi(AdminBackend& backend, Clock& clock, AdminApiOptions options)
    : backend_(backend), clock_(clock), options_(std::move(options)) {}

std::optional<HttpResponse> AdminApi::RejectUnauthorized(const HttpRequest& request) const {
  auto header =
      request.headers.empty() ? std::nullopt : FindHeader(request.headers, "Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (!header || header->size() <= kScheme.size()) {
    HttpResponse r = JsonError(401, "unauthenticated", "missing \"Authorization: Bearer <token>\"");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"dealsync\"");
    return r;
  }
  std::string scheme(header->substr(0, kScheme.size()));
  for (char& c : scheme) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (scheme != kScheme) {
    HttpResponse r = JsonError(401, "unauthenticated", "the Authorization scheme must be Bearer");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"dealsync\"");
    return r;
  }
  if (options_.admin_token.empty()) {
    return JsonError(403, "permission_denied",
                     "mutating calls are disabled: no admin token is configured");
  }
  if (!ConstantTimeEquals(header->substr(kScheme.size()), options_.admin_token)) {
    return JsonError(403, "permission_denied", "invalid admin token");
  }
  return std::nullopt;
}

HttpResponse AdminApi::Handle(const HttpRequest& request) {
  if (auto refused = admin::RefuseForeignHost(request, options_.allowed_hosts)) {
    return *refused;
  }
  auto target = ParseTarget(request.url);
  if (!target) {
    return JsonError(400, "invalid_argument", "malformed percent-encoding in the path");
  }
  const auto& seg = target->segments;
  const std::string& method = request.method;
  const bool get = method == "GET";

  if (seg.size() == 1 && (seg[0] == "healthz" || seg[0] == "readyz" || seg[0] == "metrics")) {
    if (!get) {
      return MethodNotAllowed("GET");
    }
    if (seg[0] == "healthz") {
      return JsonResponse(200, {{"status", "ok"}});
    }
    if (seg[0] == "readyz") {
      return Readyz();
    }
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", std::string(kMetricsContentType)}};
    r.body = backend_.RenderMetrics();
    return r;
  }
  const bool api = seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1";
  if (api && seg[2] == "links") {
    if (seg.size() == 3) {
      if (get || method == "POST") {
        return Links(request, target->query);
      }
      return MethodNotAllowed("GET, POST");
    }
    if (method != "DELETE") {
      return MethodNotAllowed("DELETE");
    }
    return LinkDelete(request, JoinPath(seg, 3, seg.size()), target->query);
  }
  if (api && seg[2] == "conflicts") {
    if (seg.size() == 3) {
      return get ? Conflicts(target->query) : MethodNotAllowed("GET");
    }
    if (seg.size() >= 5 && seg.back() == "resolve") {
      if (method != "POST") {
        return MethodNotAllowed("POST");
      }
      return ConflictResolve(request, JoinPath(seg, 3, seg.size() - 1));
    }
    if (!get) {
      return MethodNotAllowed("GET");
    }
    auto conflict = backend_.GetConflict(JoinPath(seg, 3, seg.size()));
    if (!conflict.ok()) {
      return ErrorFromStatus(conflict.status());
    }
    return JsonResponse(200, admin::ConflictToJson(*conflict));
  }
  if (api && seg.size() == 3 && seg[2] == "reload") {
    return method == "POST" ? ReloadRoute(request) : MethodNotAllowed("POST");
  }
  if (api && seg[2] == "deadletters") {
    return DeadLetters(request, seg, target->query);
  }
  if (api && seg[2] == "sources" && seg.size() == 5 && seg[4] == "rewind") {
    return SourceRewind(request, seg[3]);
  }
  return JsonError(404, "not_found", "no such endpoint: " + method + " " + request.url);
}

HttpResponse AdminApi::ReloadRoute(const HttpRequest& request) {
  if (auto rejected = RejectUnauthorized(request)) {
    return *rejected;
  }
  const ReloadVerdict verdict = backend_.Reload();
  if (!verdict.applied) {
    return JsonResponse(422, {{"status", "rejected"},
                              {"errors", verdict.errors},
                              {"error",
                               {{"code", "rejected"},
                                {"message",
                                 "the new configuration was rejected; the running one "
                                 "is kept"}}}});
  }
  return JsonResponse(200,
                      {{"status", verdict.errors.empty() ? "applied" : "applied_with_failures"},
                       {"summary", verdict.summary},
                       {"errors", verdict.errors}});
}

HttpResponse AdminApi::Readyz() {
  std::vector<std::string> reasons;
  json store = json::object();
  if (!backend_.StoreOpen()) {
    reasons.push_back("store is not open");
  } else {
    const StoreHealth health = backend_.StoreStatus();
    if (!health.status.ok()) {
      reasons.push_back("store: writes are failing: " + health.status.ToString());
    }
    store["writable"] = health.status.ok();
    if (health.free_bytes) {
      store["free_bytes"] = *health.free_bytes;
    }
    store["low_space"] = health.low_space;
  }
  const Timestamp now = clock_.Now();
  json sources = json::array();
  for (const SourceHealth& s : backend_.Sources()) {
    const auto allowed = s.poll_interval * options_.ready_within_intervals;
    json entry = {{"id", s.id}, {"state", s.failed ? "failed" : "running"}};
    if (s.failed) {
      entry["error"] = s.last_error;
      reasons.push_back("source " + s.id + ": failed: " + s.last_error);
    } else if (!s.last_successful_poll) {
      reasons.push_back("source " + s.id + ": no successful poll yet" +
                        (s.last_error.empty() ? "" : " (last error: " + s.last_error + ")"));
    } else {
      entry["last_successful_poll"] = FormatTimestamp(*s.last_successful_poll);
      const auto age = now - *s.last_successful_poll;
      if (age > allowed) {
        reasons.push_back("source " + s.id + ": last successful poll " + FormatMinutes(age) +
                          " ago, more than " + std::to_string(options_.ready_within_intervals) +
                          " poll intervals" +
                          (s.last_error.empty() ? "" : " (last error: " + s.last_error + ")"));
      }
    }
    sources.push_back(std::move(entry));
  }
  if (reasons.empty()) {
    return JsonResponse(200, {{"status", "ready"}, {"store", store}, {"sources", sources}});
  }
  return JsonResponse(
      503, {{"status", "not_ready"}, {"reasons", reasons}, {"store", store}, {"sources", sources}});
}

HttpResponse AdminApi::Links(const HttpRequest& request, std::string_view query) {
  if (request.method == "GET") {
    auto params = QueryParams(query, {"partner"});
    if (!params.ok()) {
      return ErrorFromStatus(params.status());
    }
    auto links = backend_.ListLinks((*params)["partner"]);
    if (!links.ok()) {
      return ErrorFromStatus(links.status());
    }
    json out = json::array();
    for (const Link& l : *links) {
      out.push_back(admin::LinkToJson(l));
    }
    return JsonResponse(200, {{"links", out}});
  }
  if (auto rejected = RejectUnauthorized(request)) {
    return *rejected;
  }
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) {
    return ErrorFromStatus(body.status());
  }
  auto partner = RequiredString(*body, "partner");
  auto vendor_id = RequiredString(*body, "vendor_id");
  auto partner_id = RequiredString(*body, "partner_id");
  auto by = RequiredString(*body, "by");
  for (const Status& s : {partner.status(), vendor_id.status(), partner_id.status(), by.status()}) {
    if (!s.ok()) {
      return ErrorFromStatus(s);
    }
  }
  Status set = backend_.SetLink(*partner, *vendor_id, *partner_id, *by);
  if (!set.ok()) {
    return ErrorFromStatus(set);
  }
  return JsonResponse(201, {{"partner", *partner},
                            {"vendor_id", *vendor_id},
                            {"partner_id", *partner_id},
                            {"created_by", *by}});
}

HttpResponse AdminApi::LinkDelete(const HttpRequest& request, std::string_view id,
                                  std::string_view query) {
  if (auto rejected = RejectUnauthorized(request)) {
    return *rejected;
  }
  auto params = QueryParams(query, {"by"});
  if (!params.ok()) {
    return ErrorFromStatus(params.status());
  }
  const std::string by = (*params)["by"];
  if (by.empty()) {
    return JsonError(400, "invalid_argument",
                     "query parameter \"by\" (who breaks the link) is required");
  }
  Status broken = backend_.BreakLink(id, by);
  if (!broken.ok()) {
    return ErrorFromStatus(broken);
  }
  return JsonResponse(200, {{"deleted", std::string(id)}, {"by", by}});
}

HttpResponse AdminApi::Conflicts(std::string_view query) {
  auto params = QueryParams(query, {"partner", "status", "field"});
  if (!params.ok()) {
    return ErrorFromStatus(params.status());
  }
  ConflictFilter filter;
  filter.partner = (*params)["partner"];
  if (const std::string& s = (*params)["status"]; !s.empty()) {
    filter.status = ParseConflictStatus(s);
    if (!filter.status) {
      return JsonError(400, "invalid_argument",
                       "status must be auto_resolved, held_for_review or resolved_by_operator");
    }
  }
  if (const std::string& f = (*params)["field"]; !f.empty()) {
    filter.field = ParseField(f);
    if (!filter.field) {
      return JsonError(400, "invalid_argument", "field must be stage, amount or close_date");
    }
  }
  auto conflicts = backend_.ListConflicts(filter);
  if (!conflicts.ok()) {
    return ErrorFromStatus(conflicts.status());
  }
  json out = json::array();
  for (const Conflict& c : *conflicts) {
    out.push_back(admin::ConflictToJson(c));
  }
  return JsonResponse(200, {{"conflicts", out}});
}

HttpResponse AdminApi::ConflictResolve(const HttpRequest& request, std::string_view id) {
  if (auto rejected = RejectUnauthorized(request)) {
    return *rejected;
  }
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) {
    return ErrorFromStatus(body.status());
  }
  auto take = RequiredString(*body, "take");
  auto by = RequiredString(*body, "by");
  if (!take.ok() || !by.ok()) {
    return ErrorFromStatus(take.ok() ? by.status() : take.status());
  }
  Resolution resolution;
  resolution.resolved_by = *by;
  if (*take == "vendor") {
    resolution.choice = Resolution::Choice::kVendor;
  } else if (*take == "partner") {
    resolution.choice = Resolution::Choice::kPartner;
  } else if (*take == "value") {
    auto value = RequiredString(*body, "value");
    if (!value.ok()) {
      return ErrorFromStatus(value.status().Annotate("take=value"));
    }
    resolution.choice = Resolution::Choice::kValue;
    resolution.value = *value;
  } else {
    return JsonError(400, "invalid_argument",
                     "\"take\" must be \"vendor\", \"partner\" or \"value\"");
  }
  if (resolution.choice != Resolution::Choice::kValue && body->contains("value")) {
    return JsonError(400, "invalid_argument", "\"value\" is only allowed with \"take\": \"value\"");
  }
  Status resolved = backend_.ResolveConflict(id, resolution);
  if (!resolved.ok()) {
    return ErrorFromStatus(resolved);
  }
  auto conflict = backend_.GetConflict(id);
  if (!conflict.ok()) {
    return ErrorFromStatus(conflict.status());
  }
  return JsonResponse(200, admin::ConflictToJson(*conflict));
}

}  // namespace dealsync
