#include "src/admin/review_api.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "src/admin/admin_json.h"
#include "src/admin/review_json.h"

namespace dealsync {

using admin::ErrorFromStatus;
using admin::JsonError;
using admin::JsonResponse;
using nlohmann::json;

namespace {

HttpResponse Forbidden(std::string_view what) {
  return JsonError(403, "permission_denied", what);
}

HttpResponse NotFoundFor(std::string_view what, std::string_view id) {
  return JsonError(404, "not_found", "no " + std::string(what) + " \"" + std::string(id) + "\"");
}

std::string Lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty()) {
    return std::nullopt;
  }
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

// Parses {"take","value","reason"} into a Resolution for `who`.
Result<Resolution> ResolutionFromJson(const json& body, const Principal& who) {
  Resolution r;
  r.resolved_by = who.name;
  for (const char* key : {"take", "reason"}) {
    if (body.contains(key) && !body[key].is_string()) {
      return InvalidArgument("\"" + std::string(key) + "\" must be a string");
    }
  }
  const std::string take = body.value("take", std::string());
  const std::string reason = body.value("reason", std::string());
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("\"reason\" is required: say why this value is right");
  }
  if (reason.size() > 2000) {
    return InvalidArgument("\"reason\" is longer than 2000 characters");
  }
  r.reason = reason;
  if (take == "vendor") {
    r.choice = Resolution::Choice::kVendor;
  } else if (take == "partner") {
    r.choice = Resolution::Choice::kPartner;
  } else if (take == "value") {
    auto it = body.find("value");
    if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return InvalidArgument("\"value\" must be a non-empty string with \"take\": \"value\"");
    }
    r.choice = Resolution::Choice::kValue;
    r.value = it->get<std::string>();
  } else {
    return InvalidArgument("\"take\" must be \"vendor\", \"partner\" or \"value\"");
  }
  return r;
}

Result<json> ParseBody(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("request body must be a JSON object");
  }
  return j;
}

// Two records of one partner's pair: {"partner","vendor_id","partner_id"}.
struct DealPair {
  std::string partner;
  std::string vendor_id;
  std::string partner_id;
};

Result<DealPair> DealPairFromBody(const std::string& body) {
  auto j = ParseBody(body);
  if (!j.ok()) {
    return j.status();
  }
  DealPair pair;
  for (auto [key, out] : {std::pair{"partner", &pair.partner},
                          std::pair{"vendor_id", &pair.vendor_id},
                          std::pair{"partner_id", &pair.partner_id}}) {
    auto it = j->find(key);
    if (it == j->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return InvalidArgument(
          "\"partner\", \"vendor_id\" and \"partner_id\" must be non-empty strings");
    }
    *out = it->get<std::string>();
  }
  return pair;
}

}  // namespace

std::string PartnerOfId(std::string_view id) {
  return std::string(id.substr(0, id.find('/')));
}

std::optional<HttpResponse> ReviewApi::Handle(const HttpRequest& request, const Principal& who) {
  std::optional<review::Target> target = review::ParseTarget(request.url);
  if (!target) {
    return JsonError(400, "invalid_argument", "malformed percent-encoding in the path");
  }
  const auto& seg = target->segments;
  if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v1") {
    return std::nullopt;
  }
  const std::string& method = request.method;
  const bool get = method == "GET";
  const std::string& what = seg[2];
  const bool mutation = !get && method != "HEAD";
  if (mutation && !who.AtLeast(UserRole::kResolver)) {
    return Forbidden("user \"" + who.name + "\" (role " + std::string(UserRoleName(who.role)) +
                     ") may only read; settling and linking need role resolver or admin");
  }
  if (what == "conflicts") {
    if (seg.size() == 3) {
      return get ? ListConflicts(target->query, who) : admin::MethodNotAllowed("GET");
    }
    if (seg.size() == 4 && seg[3] == "resolve") {
      return method == "POST" ? ResolveMany(request.body, who) : admin::MethodNotAllowed("POST");
    }
    if (seg.size() >= 5 && seg.back() == "resolve") {
      if (method != "POST") {
        return admin::MethodNotAllowed("POST");
      }
      return Resolve(review::JoinPath(seg, 3, seg.size() - 1), request.body, who);
    }
    return get ? ConflictDetail(review::JoinPath(seg, 3, seg.size()), who)
               : admin::MethodNotAllowed("GET");
  }
  if (what == "links") {
    if (seg.size() == 4 && seg[3] == "not-same-deal") {
      return method == "POST" ? NotSameDeal(request.body, who) : admin::MethodNotAllowed("POST");
    }
    if (seg.size() == 3) {
      return (get || method == "POST") ? Links(request, target->query, who)
                                       : admin::MethodNotAllowed("GET, POST");
    }
    return method == "DELETE" ? BreakLink(review::JoinPath(seg, 3, seg.size()), who)
                              : admin::MethodNotAllowed("DELETE");
  }
  if (seg.size() == 3 && what == "unlinked") {
    return get ? Unlinked(target->query, who) : admin::MethodNotAllowed("GET");
  }
  if (seg.size() == 3 && what == "ambiguities") {
    return get ? Ambiguities(who) : admin::MethodNotAllowed("GET");
  }
  if (seg.size() == 3 && what == "partners") {
    return get ? Partners(who) : admin::MethodNotAllowed("GET");
  }
  if (seg.size() == 3 && what == "outbox") {
    return get ? Outbox(target->query, who) : admin::MethodNotAllowed("GET");
  }
  if (what == "deadletters") {
    return DeadLetterRoute(request, seg, target->query, who);
  }
  if (what == "rejects") {
    return RejectRoute(request, seg, target->query, who);
  }
  if (what == "sources" && mutation && !who.AtLeast(UserRole::kAdmin)) {
    return Forbidden("user \"" + who.name + "\" (role " + std::string(UserRoleName(who.role)) +
                     ") may not rewind a source; that needs role admin");
  }
  if (what == "reload" && mutation && !who.AtLeast(UserRole::kAdmin)) {
    return Forbidden("user \"" + who.name + "\" (role " + std::string(UserRoleName(who.role)) +
                     ") may not reload the configuration; that needs role admin");
  }
  if (seg.size() == 4 && what == "reports") {
    return get ? Report(seg[3], target->query, who) : admin::MethodNotAllowed("GET");
  }
  return std::nullopt;
}

HttpResponse ReviewApi::ListConflicts(std::string_view query, const Principal& who) {
  auto params = admin::QueryParams(
      query, {"partner", "status", "field", "q", "min_age_days", "min_value", "limit"});
  if (!params.ok()) {
    return ErrorFromStatus(params.status());
  }
  auto& p = *params;
  ConflictFilter filter;
  filter.partner = p["partner"];
  if (!filter.partner.empty() && !who.SeesPartner(filter.partner)) {
    return Forbidden("user \"" + who.name + "\" may not see partner \"" + filter.partner + "\"");
  }
  if (!p["status"].empty()) {
    filter.status = ParseConflictStatus(p["status"]);
    if (!filter.status) {
      return JsonError(400, "invalid_argument",
                       "status must be auto_resolved, held_for_review or resolved_by_operator");
    }
  }
  if (!p["field"].empty()) {
    filter.field = ParseField(p["field"]);
    if (!filter.field) {
      return JsonError(400, "invalid_argument", "field must be stage, amount or close_date");
    }
  }
  const Timestamp now = deps_.clock.Now();
  std::optional<int64_t> min_age;
  std::optional<int64_t> min_value;
  std::optional<int64_t> limit;
  for (auto [key, out] : {std::pair{"min_age_days", &min_age}, std::pair{"min_value", &min_value},
                          std::pair{"limit", &limit}}) {
    if (!p[key].empty()) {
      *out = ParseInt(p[key]);
      if (!*out) {
        return JsonError(400, "invalid_argument",
                         std::string(key) + " must be a non-negative whole number");
      }
    }
  }
  if (min_age) {
    filter.detected_before = now - std::chrono::hours(24 * *min_age);
  }
  auto conflicts = deps_.backend.ListConflicts(filter);
  if (!conflicts.ok()) {
    return ErrorFromStatus(conflicts.status());
  }
  const std::string q = Lower(p["q"]);
  const CurrencyRates& rates = deps_.config().daemon.rates;
  const int digits = CurrencyMinorDigits(rates.reporting_currency).value_or(2);
  std::vector<const Conflict*> kept;
  std::set<std::string> partners;
  for (const Conflict& c : *conflicts) {
    if (!who.SeesPartner(c.partner)) {
      continue;
    }
    if (min_age && c.detected_at > *filter.detected_before) {
      continue;
    }
    if (min_value) {
      int64_t scale = 1;
      for (int i = 0; i < digits; ++i) {
        scale *= 10;
      }
      if (c.value_at_stake_minor < *min_value * scale) {
        continue;
      }
    }
    if (!q.empty() && Lower(c.deal_name).find(q) == std::string::npos &&
        Lower(c.account).find(q) == std::string::npos &&
        Lower(c.vendor_id).find(q) == std::string::npos &&
        Lower(c.partner_id).find(q) == std::string::npos) {
      continue;
    }
    kept.push_back(&c);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Conflict* a, const Conflict* b) {
    const bool ha = a->status == ConflictStatus::kHeldForReview;
    const bool hb = b->status == ConflictStatus::kHeldForReview;
    if (ha != hb) {
      return ha;
    }
    return a->value_at_stake_minor > b->value_at_stake_minor;
  });
  const size_t total = kept.size();
  if (limit && kept.size() > static_cast<size_t>(*limit)) {
    kept.resize(static_cast<size_t>(*limit));
  }
  json out = json::array();
  for (const Conflict* c : kept) {
    out.push_back(review::ConflictSummary(*c, rates, now));
  }
  return JsonResponse(
      200,
      {{"conflicts", out}, {"total", total}, {"reporting_currency", rates.reporting_currency}});
}

HttpResponse ReviewApi::ConflictDetail(const std::string& id, const Principal& who) {
  if (!who.SeesPartner(PartnerOfId(id))) {
    return NotFoundFor("conflict", id);
  }
  auto c = deps_.backend.GetConflict(id);
  if (!c.ok()) {
    return ErrorFromStatus(c.status());
  }
  const Config& config = deps_.config();
  json j = review::ConflictSummary(*c, config.daemon.rates, deps_.clock.Now());
  auto vendor = deps_.engine.GetRecord(config.vendor.id, c->vendor_id);
  auto partner = deps_.engine.GetRecord(c->partner, c->partner_id);
  j["vendor_record"] = vendor.ok() && *vendor ? review::RecordToJson(**vendor) : json(nullptr);
  j["partner_record"] = partner.ok() && *partner ? review::RecordToJson(**partner) : json(nullptr);
  ConflictFilter same_partner;
  same_partner.partner = c->partner;
  json history = json::array();
  if (auto all = deps_.engine.ListConflicts(same_partner); all.ok()) {
    std::vector<const Conflict*> mine;
    for (const Conflict& other : *all) {
      if (other.link_id == c->link_id) {
        mine.push_back(&other);
      }
    }
    std::sort(mine.begin(), mine.end(),
              [](const Conflict* a, const Conflict* b) { return a->detected_at > b->detected_at; });
    for (const Conflict* other : mine) {
      history.push_back(review::HistoryEntry(*other));
    }
  }
  j["history"] = history;
  // What people did to these deals besides settling (linking, failed pushes retried...).
  json actions = json::array();
  if (auto done = deps_.engine.LinkActions(c->link_id); done.ok()) {
    for (const OperatorAction& a : *done) {
      actions.push_back(review::ActionToJson(a));
    }
  }
  j["actions"] = actions;
  j["pushes"] = review::PushStateFor(deps_.engine, config, *c);
  return JsonResponse(200, j);
}

HttpResponse ReviewApi::Resolve(const std::string& id, const std::string& body,
                                const Principal& who) {
  if (!who.SeesPartner(PartnerOfId(id))) {
    return NotFoundFor("conflict", id);
  }
  auto j = ParseBody(body);
  if (!j.ok()) {
    return ErrorFromStatus(j.status());
  }
  auto resolution = ResolutionFromJson(*j, who);
  if (!resolution.ok()) {
    return ErrorFromStatus(resolution.status());
  }
  if (Status s = deps_.backend.ResolveConflict(id, *resolution); !s.ok()) {
    return ErrorFromStatus(s);
  }
  return ConflictDetail(id, who);
}

HttpResponse ReviewApi::ResolveMany(const std::string& body, const Principal& who) {
  auto j = ParseBody(body);
  if (!j.ok()) {
    return ErrorFromStatus(j.status());
  }
  const json* ids = review::BulkIds(*j);
  if (ids == nullptr) {
    return JsonError(400, "invalid_argument", "\"ids\" must be an array of 1 to 500 conflict ids");
  }
  auto resolution = ResolutionFromJson(*j, who);
  if (!resolution.ok()) {
    return ErrorFromStatus(resolution.status());
  }
  json results = json::array();
  size_t settled = 0;
  for (const json& idj : *ids) {
    if (!idj.is_string()) {
      results.push_back({{"id", nullptr}, {"ok", false}, {"error", "id must be a string"}});
      continue;
    }
    const std::string id = idj.get<std::string>();
    Status s = who.SeesPartner(PartnerOfId(id)) ? deps_.backend.ResolveConflict(id, *resolution)
                                                : NotFound("no conflict \"" + id + "\"");
    settled += s.ok() ? 1 : 0;
    json r = {{"id", id}, {"ok", s.ok()}};
    if (!s.ok()) {
      r["error"] = s.message();
    }
    results.push_back(std::move(r));
  }
  return JsonResponse(200, {{"settled", settled}, {"results", results}});
}

HttpResponse ReviewApi::Links(const HttpRequest& request, std::string_view query,
                              const Principal& who) {
  if (request.method == "GET") {
    auto params = admin::QueryParams(query, {"partner"});
    if (!params.ok()) {
      return ErrorFromStatus(params.status());
    }
    const std::string partner = (*params)["partner"];
    if (!partner.empty() && !who.SeesPartner(partner)) {
      return Forbidden("user \"" + who.name + "\" may not see partner \"" + partner + "\"");
    }
    auto links = deps_.backend.ListLinks(partner);
    if (!links.ok()) {
      return ErrorFromStatus(links.status());
    }
    json out = json::array();
    for (const Link& l : *links) {
      if (who.SeesPartner(l.partner)) {
        out.push_back(admin::LinkToJson(l));
      }
    }
    return JsonResponse(200, {{"links", out}});
  }
  Result<DealPair> pair = DealPairFromBody(request.body);
  if (!pair.ok()) {
    return ErrorFromStatus(pair.status());
  }
  if (!who.SeesPartner(pair->partner)) {
    return Forbidden("user \"" + who.name + "\" may not link deals of partner \"" +
                     pair->partner + "\"");
  }
  if (Status s = deps_.backend.SetLink(pair->partner, pair->vendor_id, pair->partner_id, who.name);
      !s.ok()) {
    return ErrorFromStatus(s);
  }
  return JsonResponse(201, {{"partner", pair->partner},
                            {"vendor_id", pair->vendor_id},
                            {"partner_id", pair->partner_id},
                            {"created_by", who.name}});
}

HttpResponse ReviewApi::NotSameDeal(const std::string& body, const Principal& who) {
  Result<DealPair> pair = DealPairFromBody(body);
  if (!pair.ok()) {
    return ErrorFromStatus(pair.status());
  }
  if (!who.SeesPartner(pair->partner)) {
    return Forbidden("user \"" + who.name + "\" may not judge deals of partner \"" +
                     pair->partner + "\"");
  }
  if (Status s =
          deps_.backend.MarkNotSameDeal(pair->partner, pair->vendor_id, pair->partner_id, who.name);
      !s.ok()) {
    return ErrorFromStatus(s);
  }
  return JsonResponse(200, {{"partner", pair->partner},
                            {"vendor_id", pair->vendor_id},
                            {"partner_id", pair->partner_id},
                            {"not_the_same_deal", true},
                            {"by", who.name}});
}

HttpResponse ReviewApi::BreakLink(const std::string& id, const Principal& who) {
  if (!who.SeesPartner(PartnerOfId(id))) {
    return NotFoundFor("link", id);
  }
  if (Status s = deps_.backend.BreakLink(id, who.name); !s.ok()) {
    return ErrorFromStatus(s);
  }
  return JsonResponse(200, {{"deleted", id}, {"by", who.name}});
}

}  // namespace dealsync
