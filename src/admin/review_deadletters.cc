// ReviewApi's dead-letter actions: retry or discard one push that gave up, or
// many at once. The caller must see the partner of the dead letter's link
// (a push to the vendor belongs to the partner whose deal caused it); others
// get 404, as for any item they may not see.
#include <nlohmann/json.hpp>

#include "src/admin/admin_json.h"
#include "src/admin/review_api.h"
#include "src/admin/review_json.h"

namespace dealsync {

using admin::ErrorFromStatus;
using admin::JsonError;
using admin::JsonResponse;
using nlohmann::json;

Status ReviewApi::DeadLetterAction(const std::string& target, const std::string& record, bool retry,
                                   const Principal& who) {
  const std::string id = target + "/" + record;
  auto dead = deps_.backend.ListDeadLetters(target);
  if (!dead.ok()) {
    return dead.status();
  }
  const OutboxEntry* found = nullptr;
  for (const OutboxEntry& e : *dead) {
    if (e.update.native_id == record) {
      found = &e;
    }
  }
  if (found == nullptr || !who.SeesPartner(PartnerOfId(found->link_id))) {
    return NotFound("no dead letter \"" + id + "\"");
  }
  return retry ? deps_.backend.RetryDeadLetter(target, record, who.name)
               : deps_.backend.DiscardDeadLetter(target, record, who.name);
}

HttpResponse ReviewApi::DeadLetterRoute(const HttpRequest& request,
                                        const std::vector<std::string>& seg, std::string_view query,
                                        const Principal& who) {
  const std::string& method = request.method;
  if (seg.size() == 3) {
    return method == "GET" ? DeadLetters(query, who) : admin::MethodNotAllowed("GET");
  }
  if (seg.size() == 4 && (seg[3] == "retry" || seg[3] == "discard")) {
    if (method != "POST") {
      return admin::MethodNotAllowed("POST");
    }
    const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    const json* ids = review::BulkIds(body);
    if (ids == nullptr) {
      return JsonError(400, "invalid_argument",
                       "expected {\"ids\": [\"<target>/<record>\", ...]} with 1 to 500 ids");
    }
    const bool retry = seg[3] == "retry";
    size_t done = 0;
    json results = json::array();
    for (const json& idj : *ids) {
      auto id = review::SplitQualifiedId(idj);
      Status s = !id ? InvalidArgument("a dead letter id is \"<target>/<record>\"")
                     : DeadLetterAction(id->first, id->second, retry, who);
      done += s.ok() ? 1 : 0;
      json r = {{"id", idj}, {"ok", s.ok()}};
      if (!s.ok()) {
        r["error"] = s.message();
      }
      results.push_back(std::move(r));
    }
    return JsonResponse(200,
                        {{retry ? "retried" : "discarded", done}, {"results", std::move(results)}});
  }
  // {target}/{record...}[/retry]: the record id may contain '/', the target not.
  if (seg.size() < 5) {
    return JsonError(404, "not_found", "expected /api/v1/deadletters/{target}/{record}");
  }
  const bool retry = seg.size() >= 6 && seg.back() == "retry";
  const std::string& target = seg[3];
  const std::string record = review::JoinPath(seg, 4, retry ? seg.size() - 1 : seg.size());
  if (retry ? method != "POST" : method != "DELETE") {
    return admin::MethodNotAllowed(retry ? "POST" : "DELETE");
  }
  // "by" is accepted for the admin API's callers, but the actor is always the caller.
  if (auto params = admin::QueryParams(query, {"by"}); !params.ok()) {
    return ErrorFromStatus(params.status());
  }
  if (Status s = DeadLetterAction(target, record, retry, who); !s.ok()) {
    return ErrorFromStatus(s);
  }
  return JsonResponse(200, {{"status", retry ? "queued" : "discarded"},
                            {"id", target + "/" + record},
                            {"by", who.name}});
}

}  // namespace dealsync
