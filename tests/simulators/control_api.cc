// The /__sim/ control API (hosted simulators only): lets out-of-process tests
// and the demo edit records as a human would, script faults and read the
// violation log and request counters. See README.md for the routes.
#include "tests/simulators/sim_core.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

HttpResponse ControlError(int status, const std::string& message) {
  return JsonResponse(status, {{"error", message}});
}

HttpResponse FromStatus(const Status& s) {
  if (s.ok())
    return JsonResponse(200, {{"ok", true}});
  return ControlError(s.code() == StatusCode::kNotFound ? 404 : 400, s.message());
}

}  // namespace

HttpResponse Simulator::HandleControl(const HttpRequest& request) {
  const RequestTarget t = RequestTarget::Parse(request.url);
  const std::string& m = request.method;
  const std::string prefix = "/__sim/";
  if (t.path.rfind(prefix, 0) != 0)
    return ControlError(404, "not a control route");
  const std::string route = t.path.substr(prefix.size());
  std::optional<Json> body;
  if (m == "POST" || m == "PATCH") {
    body = request.body.empty() ? std::optional<Json>(Json::object()) : ParseJsonBody(request.body);
    if (!body)
      return ControlError(400, "body is not JSON");
  }
  if (route == "records" && m == "GET") {
    Json out = Json::array();
    for (SimRecord* r : records_.All())
      out.push_back(ControlView(*r));
    return JsonResponse(200, out);
  }
  if (route == "records" && m == "POST") {
    auto id = CreateRecord(*body);
    if (!id.ok())
      return FromStatus(id.status());
    return JsonResponse(201, {{"id", *id}});
  }
  if (route == "records/stamp" && m == "POST") {
    auto t_text = body->value("modified_at", "");
    auto at = t_text.empty() ? std::optional<Timestamp>(Now()) : ParseIsoDateTime(t_text);
    if (!at)
      return ControlError(400, "modified_at must be ISO 8601");
    StampAll(body->value("ids", std::vector<std::string>{}), *at);
    return JsonResponse(200, {{"ok", true}});
  }
  if (route.rfind("records/", 0) == 0) {
    const std::string id = route.substr(8);
    SimRecord* r = records_.Find(id);
    if (m == "GET") {
      return r ? JsonResponse(200, ControlView(*r)) : ControlError(404, "no record " + id);
    }
    if (m == "PATCH")
      return FromStatus(EditRecord(id, *body));
    if (m == "DELETE")
      return FromStatus(DeleteRecord(id));
  }
  if (route == "faults") {
    if (m == "GET")
      return JsonResponse(200, faults_.ToJson());
    if (m == "DELETE") {
      faults_.Clear();
      return JsonResponse(200, {{"ok", true}});
    }
    if (m == "POST") {
      const Json rules = body->is_array() ? *body : Json::array({*body});
      for (const auto& j : rules) {
        auto rule = FaultRule::FromJson(j);
        if (!rule.ok())
          return FromStatus(rule.status());
        faults_.Add(*rule);
      }
      return JsonResponse(200, {{"ok", true}, {"added", rules.size()}});
    }
  }
  if (route == "violations") {
    if (m == "GET")
      return JsonResponse(200, violations_.ToJson());
    if (m == "DELETE") {
      violations_.Clear();
      return JsonResponse(200, {{"ok", true}});
    }
  }
  if (route == "stats" && m == "GET")
    return JsonResponse(200, stats_.ToJson());
  if (route == "reset" && m == "POST") {
    Reset();
    return JsonResponse(200, {{"ok", true}});
  }
  return ControlError(404, "unknown control route " + m + " " + t.path);
}

}  // namespace dealsync::sim
