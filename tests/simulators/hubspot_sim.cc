#include "tests/simulators/hubspot_sim.h"

#include <algorithm>
#include <charconv>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

const std::set<std::string> kReadOnly{"hs_object_id", "hs_lastmodifieddate", "createdate"};

// HubSpot accepts closedate as epoch ms, an ISO date or an ISO datetime.
std::optional<Timestamp> ParseHubSpotTime(const std::string& s) {
  if (auto ms = ParseInt(s))
    return FromEpochMs(*ms);
  if (auto d = ParseIsoDate(s))
    return d;
  return ParseIsoDateTime(s);
}

bool IsDecimal(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

std::string AsPropertyString(const Json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return std::to_string(v.get<int64_t>());
  return v.dump();  // other numbers keep their JSON spelling
}

}  // namespace

HubSpotSim::HubSpotSim(Clock& clock, Random& random, HubSpotSimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {
  known_ = {"dealname",           "dealstage",        "pipeline",     "amount",
            "deal_currency_code", "closedate",        "hs_object_id", "hs_lastmodifieddate",
            "createdate",         "hubspot_owner_id", "dealtype",     "description"};
  for (const auto& p : config_.custom_properties)
    known_.insert(p);
}

std::string HubSpotSim::TimeProperty(Timestamp t) {
  return IsoMillisZ(t);
}

std::string HubSpotSim::CorrelationId() {
  return RandomHex(8) + "-" + RandomHex(4) + "-4" + RandomHex(3) + "-a" + RandomHex(3) + "-" +
         RandomHex(12);
}

HttpResponse HubSpotSim::Error(const HttpRequest& request, const RequestTarget& target, int status,
                               const std::string& category, const std::string& message,
                               bool benign) {
  if (!benign)
    Violate(request, target, category, message);
  return JsonResponse(status, {{"status", "error"},
                               {"message", message},
                               {"correlationId", CorrelationId()},
                               {"category", category}});
}

HttpResponse HubSpotSim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit:
      return JsonResponse(429,
                          {{"status", "error"},
                           {"message", "You have reached your secondly limit."},
                           {"errorType", "RATE_LIMIT"},
                           {"correlationId", CorrelationId()},
                           {"policyName", "SECONDLY"}},
                          {{"Retry-After", std::to_string(rule.retry_after_s)}});
    case FaultKind::kExpireToken:
      return JsonResponse(401, {{"status", "error"},
                                {"message", "The OAuth token used to make this call expired."},
                                {"correlationId", CorrelationId()},
                                {"category", "EXPIRED_AUTHENTICATION"}});
    default:
      return JsonResponse(rule.status, {{"status", "error"},
                                        {"message", "internal error"},
                                        {"correlationId", CorrelationId()},
                                        {"category", "INTERNAL_ERROR"}});
  }
}

void HubSpotSim::AddLimitHeaders(HttpResponse& response) {
  const auto set = [&](const char* name, int64_t v) {
    response.headers.emplace_back(name, std::to_string(v));
  };
  set("X-HubSpot-RateLimit-Daily", config_.daily_limit);
  set("X-HubSpot-RateLimit-Daily-Remaining",
      std::max<int64_t>(0, config_.daily_limit - daily_used_));
  set("X-HubSpot-RateLimit-Interval-Milliseconds", 10000);
  set("X-HubSpot-RateLimit-Max", config_.ten_second_limit);
  set("X-HubSpot-RateLimit-Remaining", std::max(0, config_.ten_second_limit - window_used_));
  set("X-HubSpot-RateLimit-Secondly", config_.ten_second_limit / 10);
  set("X-HubSpot-RateLimit-Secondly-Remaining",
      std::max(0, config_.ten_second_limit / 10 - window_used_ / 10));
}

HttpResponse HubSpotSim::Serve(const HttpRequest& request, const RequestTarget& target) {
  const std::string base = "/crm/v3/objects/deals/";
  if (target.path.rfind(base, 0) != 0) {
    return Error(request, target, 404, "OBJECT_NOT_FOUND", "Not found: " + target.path);
  }
  auto token = BearerToken(request);
  if (!token || *token != config_.private_app_token) {
    return Error(request, target, 401, "INVALID_AUTHENTICATION",
                 token ? "The access token provided is invalid."
                       : "Authentication credentials not found. This API supports OAuth 2.0 "
                         "authentication and you can find more details at "
                         "https://developers.hubspot.com/docs/methods/auth/oauth-overview");
  }
  if (Now() - window_start_ >= std::chrono::seconds(10)) {
    window_start_ = Now();
    window_used_ = 0;
  }
  ++window_used_;
  ++daily_used_;
  if (config_.enforce_ten_second_limit && window_used_ > config_.ten_second_limit) {
    FaultRule rule = FaultRule::Of(FaultKind::kRateLimit);
    return FaultResponse(rule);
  }
  const std::string op = target.path.substr(base.size());
  if (op != "search" && op != "batch/read" && op != "batch/update") {
    return Error(request, target, 404, "OBJECT_NOT_FOUND", "Not found: " + target.path);
  }
  if (request.method != "POST") {
    return Error(request, target, 405, "VALIDATION_ERROR",
                 "Request method '" + request.method + "' not supported");
  }
  if (!HasJsonContentType(request)) {
    return Error(request, target, 415, "VALIDATION_ERROR",
                 "Content type '" +
                     std::string(FindHeader(request.headers, "Content-Type").value_or("")) +
                     "' not supported");
  }
  auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object()) {
    return Error(request, target, 400, "VALIDATION_ERROR",
                 "Invalid input JSON on line 1, column 1: Cannot build request from body");
  }
  if (op == "search")
    return Search(request, target, *body);
  if (op == "batch/read")
    return BatchRead(request, target, *body);
  return BatchUpdate(request, target, *body);
}

std::string HubSpotSim::CheckProperty(const SimRecord* r, const Json& props,
                                      const std::string& name, const Json& value) const {
  if (!Known(name))
    return "PROPERTY_DOESNT_EXIST";
  if (kReadOnly.count(name))
    return "READ_ONLY_VALUE";
  if (value.is_null())
    return "";
  if (!value.is_string() && !value.is_number())
    return "INVALID_PROPERTY_VALUE_TYPE";
  const std::string s = AsPropertyString(value);
  if (name == "amount" && !s.empty() && !IsDecimal(s))
    return "INVALID_FLOAT";
  if (name == "closedate" && !s.empty() && !ParseHubSpotTime(s))
    return "INVALID_DATE";
  if (name == "deal_currency_code" &&
      std::find(config_.currencies.begin(), config_.currencies.end(), s) ==
          config_.currencies.end()) {
    return "INVALID_OPTION";
  }
  if (name == "pipeline" && !config_.pipelines.count(s))
    return "INVALID_OPTION";
  if (name == "dealstage") {
    std::string pipeline = props.contains("pipeline") ? AsPropertyString(props["pipeline"]) : "";
    if (pipeline.empty() && r != nullptr)
      pipeline = r->fields.value("pipeline", "default");
    if (pipeline.empty())
      pipeline = "default";
    auto it = config_.pipelines.find(pipeline);
    if (it == config_.pipelines.end() ||
        std::find(it->second.begin(), it->second.end(), s) == it->second.end()) {
      return "INVALID_OPTION";
    }
  }
  return "";
}

HttpResponse HubSpotSim::BatchUpdate(const HttpRequest& request, const RequestTarget& target,
                                     const Json& body) {
  if (!body.contains("inputs") || !body["inputs"].is_array()) {
    return Error(request, target, 400, "VALIDATION_ERROR", "inputs: must be an array");
  }
  const Json& inputs = body["inputs"];
  if (inputs.size() > static_cast<size_t>(config_.max_batch_inputs)) {
    return Error(request, target, 400, "VALIDATION_ERROR",
                 "Too many inputs: " + std::to_string(inputs.size()) + " (max " +
                     std::to_string(config_.max_batch_inputs) + ")");
  }
  std::set<std::string> seen;
  Json invalid = Json::array();
  for (const auto& in : inputs) {
    if (!in.is_object() || !in.contains("id") || !in["id"].is_string() ||
        !in.contains("properties") || !in["properties"].is_object()) {
      return Error(request, target, 400, "VALIDATION_ERROR",
                   "each input needs a string \"id\" and a \"properties\" object");
    }
    for (const auto& [key, v] : in.items()) {
      if (key != "id" && key != "properties" && key != "objectWriteTraceId" &&
          key != "idProperty") {
        return Error(request, target, 400, "VALIDATION_ERROR",
                     "Invalid input JSON: Unrecognized field \"" + key + "\"");
      }
    }
    if (in.contains("objectWriteTraceId") && !in["objectWriteTraceId"].is_string()) {
      return Error(request, target, 400, "VALIDATION_ERROR", "objectWriteTraceId must be a string");
    }
    const std::string id = in["id"];
    if (!seen.insert(id).second) {
      return Error(request, target, 400, "VALIDATION_ERROR",
                   "Duplicate IDs found in batch input: [" + id + "]. IDs must be unique");
    }
    const SimRecord* r = records().Find(id);
    for (const auto& [name, value] : in["properties"].items()) {
      const std::string code = CheckProperty(r, in["properties"], name, value);
      if (!code.empty()) {
        invalid.push_back({{"isValid", false},
                           {"message", value.dump() + " is not a valid value for " + name},
                           {"error", code},
                           {"name", name}});
      }
    }
  }
  if (!invalid.empty()) {
    return Error(request, target, 400, "VALIDATION_ERROR",
                 "Property values were not valid: " + invalid.dump());
  }
  const Timestamp started = Now();
  auto failing = faults().TakeFailingIds(request.method, target.path);
  Json results = Json::array();
  Json errors = Json::array();
  for (const auto& in : inputs) {
    const std::string id = in["id"];
    const std::string trace = in.value("objectWriteTraceId", "");
    SimRecord* r = records().Find(id);
    auto fail =
        std::find_if(failing.begin(), failing.end(), [&](auto& f) { return f.first == id; });
    Json context = {{"ids", {id}}};
    if (!trace.empty())
      context["objectWriteTraceId"] = {trace};
    if (r == nullptr || r->deleted || r->visible_at > Now()) {
      errors.push_back({{"status", "error"},
                        {"category", "OBJECT_NOT_FOUND"},
                        {"message",
                         "Could not get some DEAL objects, they may be deleted or not "
                         "exist. Check that ids are valid."},
                        {"context", context}});
      continue;
    }
    if (fail != failing.end()) {
      errors.push_back(
          {{"status", "error"},
           {"category", "VALIDATION_ERROR"},
           {"message", fail->second.empty() ? "Record is locked by a workflow" : fail->second},
           {"context", context}});
      continue;
    }
    for (const auto& [name, value] : in["properties"].items()) {
      if (name == "closedate" && !value.is_null() && !AsPropertyString(value).empty()) {
        const Timestamp t = *ParseHubSpotTime(AsPropertyString(value));
        r->fields[name] =
            t == std::chrono::floor<std::chrono::seconds>(t) ? IsoSecondsZ(t) : IsoMillisZ(t);
      } else {
        r->fields[name] = value.is_null() ? Json() : Json(AsPropertyString(value));
      }
    }
    r->modified_at = Now();
    Json out = Render(*r, {});
    if (!trace.empty())
      out["objectWriteTraceId"] = trace;
    results.push_back(out);
  }
  Json out = {{"status", "COMPLETE"},
              {"results", results},
              {"startedAt", IsoMillisZ(started)},
              {"completedAt", IsoMillisZ(Now())}};
  if (!errors.empty()) {
    out["numErrors"] = errors.size();
    out["errors"] = errors;
    return JsonResponse(207, out);
  }
  return JsonResponse(200, out);
}

Result<std::string> HubSpotSim::CreateRecord(const Json& native) {
  if (!native.is_object())
    return InvalidArgument("record must be a JSON object");
  SimRecord r;
  r.id = native.contains("id") ? AsPropertyString(native["id"]) : std::to_string(next_id_++);
  if (records().Find(r.id) != nullptr) {
    return Status(StatusCode::kAlreadyExists, "deal " + r.id + " exists");
  }
  r.fields = {{"pipeline", "default"}};
  DEALSYNC_RETURN_IF_ERROR(EditRecord("", native));  // validates the shape only
  const Json props = native.value("properties", Json::object());
  for (const auto& [name, value] : props.items()) {
    r.fields[name] = value.is_null() ? Json() : Json(AsPropertyString(value));
  }
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(r, native));
  if (native.value("archived", false)) {
    r.deleted = true;
    r.deleted_at = r.modified_at;
  }
  const std::string id = r.id;
  records().Put(std::move(r));
  return id;
}

Status HubSpotSim::EditRecord(const std::string& id, const Json& patch) {
  if (patch.contains("properties") && !patch["properties"].is_object()) {
    return InvalidArgument("properties must be an object");
  }
  const Json props = patch.value("properties", Json::object());
  for (const auto& [name, value] : props.items()) {
    if (!Known(name) || kReadOnly.count(name)) {
      return InvalidArgument("property " + name + " does not exist or is read-only");
    }
  }
  if (id.empty())
    return Status::Ok();  // shape check for CreateRecord
  SimRecord* r = records().Find(id);
  if (r == nullptr)
    return NotFound("no deal " + id);
  SimRecord copy = *r;
  for (const auto& [name, value] : props.items()) {
    copy.fields[name] = value.is_null() ? Json() : Json(AsPropertyString(value));
  }
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(copy, patch));
  copy.created_at = r->created_at;
  if (patch.contains("archived")) {
    copy.deleted = patch.value("archived", false);
    copy.deleted_at = copy.modified_at;
  }
  *r = std::move(copy);
  return Status::Ok();
}

Json HubSpotSim::ControlView(const SimRecord& r) const {
  Json out = Render(r, {});
  out["visible_at"] = IsoMillisZ(r.visible_at);
  return out;
}

}  // namespace dealsync::sim
