// ReviewApi's refused records: the list (grouped by the page, by partner and
// by error) and "read them again" once the partner file is fixed. A partner
// user sees and re-reads only that partner's records; the vendor's refused
// records are for users who see every partner.
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "src/admin/admin_json.h"
#include "src/admin/review_api.h"
#include "src/admin/review_json.h"

namespace dealsync {

using admin::ErrorFromStatus;
using admin::JsonError;
using admin::JsonResponse;
using nlohmann::json;

bool ReviewApi::SeesSource(std::string_view source, const Principal& who) {
  return source == deps_.config().vendor.id ? who.SeesAllPartners()
                                            : who.SeesPartner(std::string(source));
}

HttpResponse ReviewApi::RejectRoute(const HttpRequest& request, const std::vector<std::string>& seg,
                                    std::string_view query, const Principal& who) {
  if (seg.size() == 3) {
    return request.method == "GET" ? Rejects(query, who) : admin::MethodNotAllowed("GET");
  }
  if (seg.size() == 4 && seg[3] == "reread") {
    return request.method == "POST" ? Reread(request.body, who) : admin::MethodNotAllowed("POST");
  }
  return JsonError(404, "not_found", "expected /api/v1/rejects or /api/v1/rejects/reread");
}

HttpResponse ReviewApi::Rejects(std::string_view query, const Principal& who) {
  auto params = admin::QueryParams(query, {"partner"});
  if (!params.ok()) {
    return ErrorFromStatus(params.status());
  }
  const std::string partner = (*params)["partner"];
  if (!partner.empty() && !SeesSource(partner, who)) {
    return JsonError(403, "permission_denied",
                     "user \"" + who.name + "\" may not see partner \"" + partner + "\"");
  }
  auto rejected = deps_.engine.RejectedRecords(partner);
  if (!rejected.ok()) {
    return ErrorFromStatus(rejected.status());
  }
  json out = json::array();
  for (const RejectedRecord& r : *rejected) {
    if (SeesSource(r.source, who)) {
      out.push_back(review::RejectedToJson(r));
    }
  }
  return JsonResponse(200, {{"rejected", out}});
}

HttpResponse ReviewApi::Reread(const std::string& body, const Principal& who) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* ids = review::BulkIds(j);
  if (ids == nullptr) {
    return JsonError(400, "invalid_argument",
                     "expected {\"ids\": [\"<source>/<record>\", ...]} with 1 to 500 ids");
  }
  // Only records listed as refused: the route is no way to read arbitrary ids.
  std::map<std::string, std::vector<std::string>> by_source;
  std::map<std::string, std::set<std::string>> refused;  // per source, read once
  json results = json::array();
  for (const json& idj : *ids) {
    const auto id = review::SplitQualifiedId(idj);
    std::string error;
    if (!id) {
      error = "a refused record's id is \"<source>/<record>\"";
    } else if (const auto& [source, native_id] = *id; !SeesSource(source, who)) {
      error = "no refused record \"" + source + "/" + native_id + "\"";
    } else {
      auto listed = refused.find(source);
      if (listed == refused.end()) {
        auto records = deps_.engine.RejectedRecords(source);
        if (!records.ok()) {
          return ErrorFromStatus(records.status());
        }
        std::set<std::string> native_ids;
        for (const RejectedRecord& r : *records) {
          native_ids.insert(r.native_id);
        }
        listed = refused.emplace(source, std::move(native_ids)).first;
      }
      if (listed->second.count(native_id) != 0) {
        by_source[source].push_back(native_id);
      } else {
        error = "no refused record \"" + source + "/" + native_id + "\"";
      }
    }
    json r = {{"id", idj}, {"ok", error.empty()}};
    if (!error.empty()) {
      r["error"] = error;
    }
    results.push_back(std::move(r));
  }
  size_t requested = 0;
  for (const auto& [source, native_ids] : by_source) {
    Status s = deps_.backend.RereadRecords(source, native_ids, who.name);
    if (!s.ok()) {
      return ErrorFromStatus(s);
    }
    requested += native_ids.size();
  }
  return JsonResponse(requested > 0 ? 202 : 200,
                      {{"requested", requested}, {"results", std::move(results)}});
}

}  // namespace dealsync
