#include "src/admin/workspace.h"

#include <nlohmann/json.hpp>

#include "src/admin/admin_json.h"
#include "src/admin/review_json.h"

namespace dealsync {

using admin::JsonError;
using admin::JsonResponse;
using nlohmann::json;

namespace {

constexpr std::string_view kAppCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
constexpr std::string_view kReportCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

void AddSecurityHeaders(HttpResponse& r, std::string_view csp) {
  if (!FindHeader(r.headers, "Content-Security-Policy")) {
    r.headers.emplace_back("Content-Security-Policy", std::string(csp));
  }
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

HttpResponse Unauthenticated401(std::string_view message) {
  HttpResponse r = JsonError(401, "unauthenticated", message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"dealsync\"");
  return r;
}

json PrincipalJson(const Principal& p) {
  return {{"name", p.name}, {"role", std::string(UserRoleName(p.role))}, {"partners", p.partners}};
}

std::string SetCookie(std::string_view value, bool secure, bool expire) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) {
    c += "; Secure";
  }
  if (expire) {
    c += "; Max-Age=0";
  }
  return c;
}

// Drops, from every top-level array of objects, the elements of partners `who`
// may not see (by their "partner" member). False when the object itself is
// another partner's.
bool FilterByPartner(json& body, const Principal& who) {
  if (!body.is_object()) {
    return true;
  }
  if (auto p = body.find("partner");
      p != body.end() && p->is_string() && !who.SeesPartner(p->get<std::string>())) {
    return false;
  }
  for (auto& [key, value] : body.items()) {
    if (!value.is_array()) {
      continue;
    }
    json kept = json::array();
    for (json& item : value) {
      auto p = item.is_object() ? item.find("partner") : item.end();
      if (item.is_object() && p != item.end() && p->is_string() &&
          !who.SeesPartner(p->get<std::string>())) {
        continue;
      }
      kept.push_back(std::move(item));
    }
    value = std::move(kept);
  }
  return true;
}

}  // namespace

Workspace::Workspace(ReviewApi& review, AdminApi& inner, std::string inner_token,
                     Authenticator& auth, WorkspaceOptions options)
    : review_(review),
      inner_(inner),
      inner_token_(std::move(inner_token)),
      auth_(auth),
      options_(options) {}

std::optional<Workspace::Caller> Workspace::Identify(const HttpRequest& request) {
  if (auto authz = FindHeader(request.headers, "Authorization")) {
    constexpr std::string_view kBearer = "bearer ";
    if (authz->size() > kBearer.size()) {
      std::string scheme(authz->substr(0, kBearer.size()));
      for (char& c : scheme) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (scheme == kBearer) {
        if (auto p = auth_.FromToken(authz->substr(kBearer.size()))) {
          return Caller{std::move(*p), "", ""};
        }
      }
    }
    return std::nullopt;  // a wrong token is not rescued by a cookie
  }
  if (auto cookie = FindHeader(request.headers, "Cookie")) {
    if (auto id = CookieValue(*cookie, kSessionCookie)) {
      if (auto s = auth_.FindSession(*id)) {
        return Caller{std::move(s->principal), s->id, s->csrf};
      }
    }
  }
  return std::nullopt;
}

HttpResponse Workspace::Handle(const HttpRequest& request) {
  if (auto refused = admin::RefuseForeignHost(request, options_.allowed_hosts)) {
    return *refused;
  }
  auto target = review::ParseTarget(request.url);
  if (!target) {
    return JsonError(400, "invalid_argument", "malformed percent-encoding in the path");
  }
  const auto& seg = target->segments;
  const bool get = request.method == "GET" || request.method == "HEAD";
  // Static files and liveness: no data, no sign-in.
  if (seg.empty() && get) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", "/app/"}};
    return r;
  }
  if (!seg.empty() && seg[0] == "app") {
    if (!get) {
      return admin::MethodNotAllowed("GET");
    }
    const std::string path =
        "/" + review::JoinPath(seg, 0, seg.size()) + (seg.size() == 1 ? "/" : "");
    const WebAsset* asset = FindWebAsset(path);
    if (asset == nullptr) {
      return JsonError(404, "not_found", "no such file: " + path);
    }
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", asset->content_type}, {"Cache-Control", "no-cache"}};
    r.body.assign(reinterpret_cast<const char*>(asset->data), asset->size);
    AddSecurityHeaders(r, kAppCsp);
    return r;
  }
  if (seg.size() == 1 && seg[0] == "healthz") {
    return inner_.Handle(request);
  }
  if (seg.size() == 3 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "session") {
    HttpResponse r = SessionRoute(request);
    AddSecurityHeaders(r, kAppCsp);
    return r;
  }
  const bool monitoring = seg.size() == 1 && (seg[0] == "readyz" || seg[0] == "metrics");
  if (monitoring && options_.loopback_only) {
    return inner_.Handle(request);
  }
  std::optional<Caller> caller = Identify(request);
  if (!caller) {
    return Unauthenticated401(
        "sign in first: POST /api/v1/session, or send \"Authorization: Bearer <user token>\"");
  }
  const bool mutation = !get;
  if (mutation && !caller->session_id.empty()) {
    auto csrf = FindHeader(request.headers, kCsrfHeader);
    if (!csrf || !ConstantTimeEquals(*csrf, caller->csrf)) {
      return JsonError(403, "permission_denied",
                       "missing or wrong X-CSRF-Token (read it from GET /api/v1/session)");
    }
  }
  if (mutation && !caller->principal.AtLeast(UserRole::kResolver)) {
    return JsonError(403, "permission_denied",
                     "user \"" + caller->principal.name + "\" (role " +
                         std::string(UserRoleName(caller->principal.role)) +
                         ") may only read; changes need role resolver or admin");
  }
  if (monitoring) {
    return inner_.Handle(request);
  }
  if (std::optional<HttpResponse> r = review_.Handle(request, caller->principal)) {
    AddSecurityHeaders(*r, seg.size() >= 3 && seg[2] == "reports" ? kReportCsp : kAppCsp);
    return std::move(*r);
  }
  HttpResponse r = Forward(request, caller->principal);
  AddSecurityHeaders(r, kAppCsp);
  return r;
}

HttpResponse Workspace::SessionRoute(const HttpRequest& request) {
  if (request.method == "POST") {
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("name") ||
        !body["name"].is_string() || !body.contains("password") || !body["password"].is_string()) {
      return JsonError(400, "invalid_argument",
                       "expected {\"name\": \"...\", \"password\": \"...\"}");
    }
    Result<Session> s =
        auth_.SignIn(body["name"].get<std::string>(), body["password"].get<std::string>());
    if (s.status().code() == StatusCode::kResourceExhausted) {
      HttpResponse r = JsonError(429, "resource_exhausted", s.status().message());
      r.headers.emplace_back("Retry-After", std::to_string(auth_.SignInRetryAfter().count()));
      return r;
    }
    if (!s.ok()) {
      return JsonError(401, "unauthenticated", s.status().message());
    }
    HttpResponse r =
        JsonResponse(200, {{"user", PrincipalJson(s->principal)}, {"csrf_token", s->csrf}});
    r.headers.emplace_back("Set-Cookie", SetCookie(s->id, options_.tls, false));
    return r;
  }
  std::optional<Caller> caller = Identify(request);
  if (request.method == "GET") {
    if (!caller) {
      // 200, not 401: the app asks this on every load, and a browser logs every 401.
      return JsonResponse(200, {{"user", nullptr}});
    }
    return JsonResponse(200,
                        {{"user", PrincipalJson(caller->principal)}, {"csrf_token", caller->csrf}});
  }
  if (request.method == "DELETE") {
    if (caller && !caller->session_id.empty()) {
      auto csrf = FindHeader(request.headers, kCsrfHeader);
      if (!csrf || !ConstantTimeEquals(*csrf, caller->csrf)) {
        return JsonError(403, "permission_denied", "missing or wrong X-CSRF-Token");
      }
      auth_.SignOut(caller->session_id);
    }
    HttpResponse r = JsonResponse(200, {{"signed_out", true}});
    r.headers.emplace_back("Set-Cookie", SetCookie("", options_.tls, true));
    return r;
  }
  return admin::MethodNotAllowed("GET, POST, DELETE");
}

HttpResponse Workspace::Forward(const HttpRequest& request, const Principal& who) {
  HttpRequest inner = request;
  std::erase_if(inner.headers, [](const auto& h) {
    std::string name = h.first;
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return name == "authorization" || name == "cookie";
  });
  inner.headers.emplace_back("Authorization", "Bearer " + inner_token_);
  auto target = review::ParseTarget(request.url);
  const auto& seg = target->segments;
  const bool mutation = request.method != "GET" && request.method != "HEAD";
  if (mutation) {
    // The id after /api/v1/<collection>/ starts with the partner.
    if (seg.size() >= 4 && !who.SeesPartner(PartnerOfId(review::JoinPath(seg, 3, seg.size())))) {
      return JsonError(404, "not_found", "no such item");
    }
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_discarded() && body.is_object()) {
      if (auto p = body.find("partner");
          p != body.end() && p->is_string() && !who.SeesPartner(p->get<std::string>())) {
        return JsonError(
            403, "permission_denied",
            "user \"" + who.name + "\" may not change partner \"" + p->get<std::string>() + "\"");
      }
      body["by"] = who.name;
      inner.body = body.dump();
    }
    // A "by" query parameter names who acted: always the caller.
    auto params = admin::ParseQuery(target->query);
    if (params && params->contains("by")) {
      (*params)["by"] = who.name;
      std::string q;
      for (const auto& [k, v] : *params) {
        q += (q.empty() ? "" : "&") + UrlEncode(k) + "=" + UrlEncode(v);
      }
      const std::string path = request.url.substr(0, request.url.find('?'));
      inner.url = path + "?" + q;
    }
  }
  HttpResponse r = inner_.Handle(inner);
  if (!mutation && r.status == 200 && !who.SeesAllPartners()) {
    json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return JsonError(403, "permission_denied",
                       "this route is not available to partner-limited users");
    }
    if (!FilterByPartner(body, who)) {
      return JsonError(404, "not_found", "no such item");
    }
    return JsonResponse(200, body);
  }
  return r;
}

}  // namespace dealsync
