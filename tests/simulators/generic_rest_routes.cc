// GenericRestSim routes: shape A (northwind) and shape B (contoso). Split from
// generic_rest_sim.cc (state and rendering) by meaning.
#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include "tests/simulators/generic_rest_sim.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

std::string HexOf(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(const std::string& s) {
  if (s.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    if (ec != std::errc() || p != s.data() + i + 2)
      return std::nullopt;
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::optional<std::string> DecodeBasic(std::string_view b64) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : b64) {
    if (c == '=')
      break;
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos)
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// Rejects parameters the endpoint does not define (a typo is a client bug).
std::optional<std::string> UnknownParam(const RequestTarget& t,
                                        const std::set<std::string>& known) {
  for (const auto& [k, v] : t.params) {
    if (!known.count(k) || t.CountParam(k) != 1)
      return k;
  }
  return std::nullopt;
}

std::optional<int> IntParam(const RequestTarget& t, const char* name) {
  auto v = t.Param(name);
  if (!v)
    return std::nullopt;
  auto n = ParseInt(*v);
  if (!n || *n > 1'000'000)
    return -1;
  return static_cast<int>(*n);
}

}  // namespace

HttpResponse GenericRestSim::ServeNorthwind(const HttpRequest& request, const RequestTarget& target,
                                            const std::string& path) {
  auto key = FindHeader(request.headers, "X-Api-Key");
  if (!key || *key != config_.api_key) {
    return Error(request, target, 401, "unauthorized", "missing or invalid API key");
  }
  if (path == "/deals") {
    if (request.method != "GET")
      return Error(request, target, 405, "method_not_allowed", "use GET");
    return NorthwindList(request, target);
  }
  static const std::regex kOne("^/deals/([^/]+)$");
  std::smatch m;
  if (!std::regex_match(path, m, kOne)) {
    return Error(request, target, 404, "not_found", "no route " + target.path);
  }
  const std::string id = m[1];
  if (request.method == "PATCH")
    return NorthwindPatch(request, target, id);
  if (request.method != "GET")
    return Error(request, target, 405, "method_not_allowed", "use GET or PATCH");
  const SimRecord* r = records().Find(id);
  if (r == nullptr || r->visible_at > Now()) {
    return Error(request, target, 404, "not_found", "deal " + id + " not found", true);
  }
  return JsonResponse(200, Render(*r));
}

HttpResponse GenericRestSim::NorthwindList(const HttpRequest& request,
                                           const RequestTarget& target) {
  if (auto p = UnknownParam(target, {"updated_after", "limit", "cursor"})) {
    return Error(request, target, 400, "invalid_parameter", "unknown or repeated parameter " + *p);
  }
  auto after_text = target.Param("updated_after");
  auto after = after_text ? ParseInt(*after_text) : std::nullopt;
  if (!after) {
    return Error(request, target, 400, "invalid_parameter",
                 "updated_after is required: epoch milliseconds");
  }
  const int limit = IntParam(target, "limit").value_or(config_.default_page_size);
  if (limit < 1 || limit > config_.max_page_size) {
    return Error(request, target, 400, "invalid_parameter",
                 "limit must be 1.." + std::to_string(config_.max_page_size));
  }
  // The cursor is the (updated_at, id) of the last record served, bound to the filter.
  std::optional<std::pair<int64_t, std::string>> position;
  if (auto c = target.Param("cursor")) {
    auto decoded = FromHex(*c);
    static const std::regex kCursor("^v1\\|([0-9]+)\\|([0-9]+)\\|(.+)$");
    std::smatch m;
    if (!decoded || !std::regex_match(*decoded, m, kCursor) || m[1] != *after_text) {
      return Error(request, target, 400, "invalid_cursor", "cursor is invalid for this query");
    }
    position = {std::stoll(m[2]), m[3]};
  }
  const auto changed = ChangedSince(FromEpochMs(*after));
  Json data = Json::array();
  const SimRecord* last = nullptr;
  bool more = false;
  for (const SimRecord* r : changed) {
    const int64_t ms = ToEpochMs(r->modified_at);
    if (position && (ms < position->first ||
                     (ms == position->first &&
                      !(position->second.size() < r->id.size() ||
                        (position->second.size() == r->id.size() && position->second < r->id))))) {
      continue;
    }
    if (static_cast<int>(data.size()) == limit) {
      more = true;
      break;
    }
    data.push_back(Render(*r));
    last = r;
  }
  Json next = nullptr;
  if (more && last != nullptr) {
    next = HexOf("v1|" + *after_text + "|" + std::to_string(ToEpochMs(last->modified_at)) + "|" +
                 last->id);
  }
  return JsonResponse(200, {{"data", data}, {"meta", {{"next_cursor", next}}}});
}

HttpResponse GenericRestSim::NorthwindPatch(const HttpRequest& request, const RequestTarget& target,
                                            const std::string& id) {
  if (!HasJsonContentType(request)) {
    return Error(request, target, 415, "unsupported_media_type", "send application/json");
  }
  auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object())
    return Error(request, target, 400, "bad_request", "body is not a JSON object");
  SimRecord* r = records().Find(id);
  if (r == nullptr || r->visible_at > Now()) {
    return Error(request, target, 404, "not_found", "deal " + id + " not found", true);
  }
  Json patch = Json::object();
  for (const auto& [key, value] : body->items()) {
    const auto invalid = [&](const std::string& why) {
      return Error(request, target, 422, "invalid", key + ": " + why);
    };
    if (key == "status") {
      if (!value.is_string() || !ValidStage(value))
        return invalid("not a known status");
      patch["stage"] = value;
    } else if (key == "value") {
      if (!value.is_string())
        return invalid("must be a decimal string");
      patch["amount"] = value;
    } else if (key == "expected_close") {
      if (!value.is_number_integer())
        return invalid("must be epoch milliseconds");
      patch["close_at"] = IsoMillisZ(FromEpochMs(value.get<int64_t>()));
    } else if (key == "title" || key == "owner" || key == "currency") {
      if (!value.is_string())
        return invalid("must be a string");
      patch[key == "title" ? "name" : key] = value;
    } else {
      return invalid("unknown or read-only field");
    }
  }
  if (r->deleted)
    return Error(request, target, 422, "archived", "deal is archived", true);
  for (const auto& [fid, message] : faults().TakeFailingIds(request.method, target.path)) {
    if (fid == id) {
      return Error(request, target, 423, "locked", message.empty() ? "locked by approval" : message,
                   true);
    }
  }
  if (Status s = EditRecord(id, patch); !s.ok()) {
    return Error(request, target, 422, "invalid", s.message());
  }
  return JsonResponse(200, Render(*records().Find(id)));
}

HttpResponse GenericRestSim::ServeContoso(const HttpRequest& request, const RequestTarget& target,
                                          const std::string& path) {
  if (path == "/oauth/token")
    return ContosoToken(request, target);
  auto token = BearerToken(request);
  if (!token)
    return Error(request, target, 401, "unauthorized", "bearer token required");
  auto it = tokens_.find(*token);
  if (it == tokens_.end() || it->second <= Now()) {
    return Error(request, target, 401, "unauthorized", "invalid or expired token",
                 it != tokens_.end());
  }
  if (path == "/v1/opportunities") {
    if (request.method != "GET")
      return Error(request, target, 405, "method_not_allowed", "use GET");
    return ContosoList(request, target);
  }
  if (path == "/v1/opportunities/batch") {
    if (request.method != "POST")
      return Error(request, target, 405, "method_not_allowed", "use POST");
    return ContosoBatch(request, target);
  }
  static const std::regex kOne("^/v1/opportunities/([0-9]+)$");
  std::smatch m;
  if (!std::regex_match(path, m, kOne) || request.method != "GET") {
    return Error(request, target, 404, "not_found",
                 "no route " + request.method + " " + target.path);
  }
  const SimRecord* r = records().Find(m[1]);
  if (r == nullptr || r->visible_at > Now()) {
    return Error(request, target, 404, "not_found", "opportunity not found", true);
  }
  return JsonResponse(200, Render(*r));
}

HttpResponse GenericRestSim::ContosoToken(const HttpRequest& request, const RequestTarget& target) {
  const auto oauth_error = [&](int status, const std::string& error) {
    Violate(request, target, "oauth." + error, "token request rejected");
    return JsonResponse(status, {{"error", error}});
  };
  if (request.method != "POST" || !HasFormContentType(request)) {
    return oauth_error(400, "invalid_request");
  }
  std::map<std::string, std::string> form;
  for (auto& [k, v] : ParseForm(request.body))
    form[k] = v;
  if (form["grant_type"] != "client_credentials")
    return oauth_error(400, "unsupported_grant_type");
  std::string id = form["client_id"], secret = form["client_secret"];
  if (auto auth = FindHeader(request.headers, "Authorization");
      auth && auth->substr(0, 6) == "Basic ") {
    auto creds = DecodeBasic(auth->substr(6));
    const size_t colon = creds ? creds->find(':') : std::string::npos;
    if (colon == std::string::npos)
      return oauth_error(401, "invalid_client");
    id = PercentDecode(creds->substr(0, colon), true);
    secret = PercentDecode(creds->substr(colon + 1), true);
  }
  if (id != config_.client_id || secret != config_.client_secret) {
    return oauth_error(401, "invalid_client");
  }
  return JsonResponse(200,
                      {{"access_token", IssueToken()},
                       {"token_type", "bearer"},
                       {"expires_in", config_.token_lifetime.count()}},
                      {{"Cache-Control", "no-store"}});
}

HttpResponse GenericRestSim::ContosoList(const HttpRequest& request, const RequestTarget& target) {
  if (auto p = UnknownParam(target, {"modified_since", "page", "per_page"})) {
    return Error(request, target, 400, "invalid_parameter", "unknown or repeated parameter " + *p);
  }
  auto since_text = target.Param("modified_since");
  auto since = since_text ? ParseIsoDateTime(*since_text) : std::nullopt;
  if (!since) {
    return Error(request, target, 400, "invalid_parameter",
                 "modified_since is required: an ISO 8601 datetime");
  }
  const int page = IntParam(target, "page").value_or(1);
  const int per_page = IntParam(target, "per_page").value_or(config_.default_page_size);
  if (page < 1)
    return Error(request, target, 400, "invalid_parameter", "page must be >= 1");
  if (per_page < 1 || per_page > config_.max_page_size) {
    return Error(request, target, 400, "invalid_parameter",
                 "per_page must be 1.." + std::to_string(config_.max_page_size));
  }
  const auto changed = ChangedSince(*since);
  Json items = Json::array();
  const size_t begin = static_cast<size_t>(page - 1) * per_page;
  for (size_t i = begin; i < changed.size() && i < begin + per_page; ++i) {
    items.push_back(Render(*changed[i]));
  }
  HttpHeaders headers;
  if (begin + per_page < changed.size()) {
    headers.emplace_back("Link", "<" + config_.public_base_url + config_.base_path +
                                     "/v1/opportunities?modified_since=" + UrlEncode(*since_text) +
                                     "&page=" + std::to_string(page + 1) +
                                     "&per_page=" + std::to_string(per_page) + ">; rel=\"next\"");
  }
  return JsonResponse(200, {{"items", items}, {"page", page}, {"per_page", per_page}},
                      std::move(headers));
}

HttpResponse GenericRestSim::ContosoBatch(const HttpRequest& request, const RequestTarget& target) {
  if (!HasJsonContentType(request)) {
    return Error(request, target, 415, "unsupported_media_type", "send application/json");
  }
  auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object() || !body->contains("updates") || !(*body)["updates"].is_array()) {
    return Error(request, target, 400, "bad_request", "body must be {\"updates\": [...]}");
  }
  const Json& updates = (*body)["updates"];
  if (updates.size() > static_cast<size_t>(config_.max_batch_updates)) {
    return Error(request, target, 400, "too_many_updates",
                 "at most " + std::to_string(config_.max_batch_updates) + " updates per batch");
  }
  // Shape errors reject the whole batch (422) before anything is applied.
  for (const auto& u : updates) {
    if (!u.is_object() || !u.contains("opportunityId") || !u["opportunityId"].is_number_integer()) {
      return Error(request, target, 422, "invalid", "each update needs an integer opportunityId");
    }
    for (const auto& [key, value] : u.items()) {
      const bool ok = key == "opportunityId" || (key == "phase" && value.is_string()) ||
                      (key == "name" && value.is_string()) ||
                      (key == "closeDate" && value.is_string() &&
                       (ParseIsoDate(value.get<std::string>()) ||
                        ParseIsoDateTime(value.get<std::string>()))) ||
                      (key == "amount" && value.is_object() && value.contains("value") &&
                       value["value"].is_number() && value.contains("currency") &&
                       value["currency"].is_string() && value.size() == 2);
      if (!ok)
        return Error(request, target, 422, "invalid", "bad field \"" + key + "\": " + value.dump());
    }
  }
  auto failing = faults().TakeFailingIds(request.method, target.path);
  Json results = Json::array();
  for (const auto& u : updates) {
    const int64_t oid = u["opportunityId"];
    const std::string id = std::to_string(oid);
    Json result = {{"opportunityId", oid}, {"ok", false}};
    SimRecord* r = records().Find(id);
    auto fail =
        std::find_if(failing.begin(), failing.end(), [&](auto& f) { return f.first == id; });
    if (r == nullptr || r->visible_at > Now() || r->deleted) {
      result["error"] = "not found";
    } else if (fail != failing.end()) {
      result["error"] = fail->second.empty() ? "locked by approval" : fail->second;
    } else if (u.contains("phase") && !ValidStage(u["phase"])) {
      result["error"] = "invalid phase " + u["phase"].dump();
      Violate(request, target, "invalid_phase", u["phase"].dump());
    } else {
      Json patch = Json::object();
      if (u.contains("phase"))
        patch["stage"] = u["phase"];
      if (u.contains("name"))
        patch["name"] = u["name"];
      if (u.contains("closeDate"))
        patch["close_at"] = u["closeDate"];
      if (u.contains("amount")) {
        patch["amount"] = u["amount"]["value"].dump();
        patch["currency"] = u["amount"]["currency"];
      }
      if (Status s = EditRecord(id, patch); !s.ok()) {
        result["error"] = s.message();
        Violate(request, target, "invalid", s.message());
      } else {
        result["ok"] = true;
      }
    }
    results.push_back(result);
  }
  return JsonResponse(200, {{"results", results}});
}

}  // namespace dealsync::sim
