#include "tests/simulators/generic_rest_sim.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

const std::vector<std::string> kNorthwindStatuses{
    "New lead",   "Qualified",   "BANT ok", "Discovery", "Demo",
    "Quote sent", "Negotiating", "Won",     "Lost",      "No decision"};
const std::vector<std::string> kContosoPhases{
    "Lead",     "Qualified",   "Discovery",  "Solution Design",
    "Proposal", "Negotiation", "Closed Won", "Closed Lost"};

bool IsDecimalString(const std::string& s) {
  static const std::regex kDecimal("^-?[0-9]+(\\.[0-9]+)?$");
  return std::regex_match(s, kDecimal);
}

// Natural order for ids such as "nw-9" < "nw-10" and "9" < "10".
bool IdLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

Result<RestShape> ParseRestShape(std::string_view name) {
  if (name == "northwind")
    return RestShape::kNorthwind;
  if (name == "contoso")
    return RestShape::kContoso;
  return InvalidArgument("unknown REST shape \"" + std::string(name) +
                         "\" (known: contoso, northwind)");
}

GenericRestSim::GenericRestSim(Clock& clock, Random& random, GenericRestSimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {
  if (config_.stages.empty()) {
    config_.stages = config_.shape == RestShape::kNorthwind ? kNorthwindStatuses : kContosoPhases;
  }
}

std::string GenericRestSim::IssueToken() {
  std::string token = "cto_" + RandomHex(40);
  tokens_[token] = Now() + config_.token_lifetime;
  return token;
}

bool GenericRestSim::ValidStage(const std::string& s) const {
  return std::find(config_.stages.begin(), config_.stages.end(), s) != config_.stages.end();
}

std::string GenericRestSim::RenderId(const std::string& id) const {
  return id;
}

std::string GenericRestSim::EndpointLabel(const HttpRequest& request,
                                          const RequestTarget& t) const {
  static const std::regex kRecord("/(deals|opportunities)/(?!batch$)[^/]+$");
  return request.method + " " + std::regex_replace(t.path, kRecord, "/$1/{id}");
}

HttpResponse GenericRestSim::Error(const HttpRequest& request, const RequestTarget& target,
                                   int status, const std::string& code, const std::string& message,
                                   bool benign) {
  if (!benign)
    Violate(request, target, code, message);
  HttpHeaders headers;
  if (status == 401 && config_.shape == RestShape::kContoso) {
    headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  }
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}},
                      std::move(headers));
}

HttpResponse GenericRestSim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit:
      return JsonResponse(
          429, {{"error", {{"code", "rate_limited"}, {"message", "too many requests"}}}},
          {{"Retry-After", std::to_string(rule.retry_after_s)},
           {"X-RateLimit-Remaining", "0"},
           {"X-RateLimit-Reset", std::to_string(ToEpochMs(Now()) / 1000 + rule.retry_after_s)}});
    case FaultKind::kExpireToken:
      return JsonResponse(401,
                          {{"error", {{"code", "unauthorized"}, {"message", "token expired"}}}},
                          {{"WWW-Authenticate", "Bearer error=\"invalid_token\""}});
    default:
      return JsonResponse(rule.status,
                          {{"error", {{"code", "internal"}, {"message", "upstream failure"}}}});
  }
}

void GenericRestSim::AddLimitHeaders(HttpResponse& response) {
  const int64_t reset = ToEpochMs(window_start_ + std::chrono::minutes(1)) / 1000;
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(config_.rate_limit_per_minute));
  response.headers.emplace_back(
      "X-RateLimit-Remaining",
      std::to_string(std::max(0, config_.rate_limit_per_minute - window_used_)));
  response.headers.emplace_back("X-RateLimit-Reset", std::to_string(reset));
}

HttpResponse GenericRestSim::Serve(const HttpRequest& request, const RequestTarget& target) {
  if (Now() - window_start_ >= std::chrono::minutes(1)) {
    window_start_ = Now();
    window_used_ = 0;
  }
  ++window_used_;
  if (target.path.rfind(config_.base_path, 0) != 0) {
    return Error(request, target, 404, "not_found", "no route " + target.path);
  }
  const std::string path = target.path.substr(config_.base_path.size());
  return config_.shape == RestShape::kNorthwind ? ServeNorthwind(request, target, path)
                                                : ServeContoso(request, target, path);
}

Json GenericRestSim::Render(const SimRecord& r) const {
  const Json& f = r.fields;
  const auto str = [&](const char* k) { return f.contains(k) ? f[k] : Json(); };
  if (config_.shape == RestShape::kNorthwind) {
    return {
        {"id", r.id},
        {"title", str("name")},
        {"account", {{"name", str("account")}}},
        {"owner", str("owner")},
        {"status", str("stage")},
        {"value", str("amount")},
        {"currency", str("currency")},
        {"expected_close", f.contains("close_at") ? f["close_at"] : Json()},
        {"updated_at", ToEpochMs(r.modified_at)},
        {"custom",
         {{"vendor_reg_id", str("registration")}, {"vendor_opportunity_id", str("vendor_ref")}}},
        {"archived", r.deleted}};
  }
  Json amount = nullptr;
  if (f.contains("amount") && f["amount"].is_string()) {
    amount = {{"value", Json::parse(f["amount"].get<std::string>())},
              {"currency", str("currency")}};
  }
  Json close = nullptr;
  if (f.contains("close_at") && f["close_at"].is_number_integer()) {
    close = IsoWithOffset(FromEpochMs(f["close_at"].get<int64_t>()), config_.close_offset_minutes);
  }
  int64_t numeric_id = 0;
  std::from_chars(r.id.data(), r.id.data() + r.id.size(), numeric_id);
  return {{"opportunityId", numeric_id},
          {"name", str("name")},
          {"customer", str("account")},
          {"phase", str("stage")},
          {"amount", amount},
          {"closeDate", close},
          {"lastModified", IsoMillisZ(r.modified_at)},
          {"dealRegistration", str("registration")},
          {"vendorRef", str("vendor_ref")},
          {"deleted", r.deleted}};
}

Json GenericRestSim::ControlView(const SimRecord& r) const {
  Json out = Render(r);
  out["visible_at"] = IsoMillisZ(r.visible_at);
  return out;
}

std::vector<const SimRecord*> GenericRestSim::ChangedSince(Timestamp since) const {
  std::vector<const SimRecord*> out;
  for (const SimRecord* r : records().Visible(Now())) {
    if (r->modified_at >= since)
      out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const SimRecord* a, const SimRecord* b) {
    if (a->modified_at != b->modified_at)
      return a->modified_at < b->modified_at;
    return IdLess(a->id, b->id);
  });
  return out;
}

Result<std::string> GenericRestSim::CreateRecord(const Json& native) {
  if (!native.is_object())
    return InvalidArgument("record must be a JSON object");
  SimRecord r;
  if (native.contains("id")) {
    r.id = native["id"].is_string() ? native["id"].get<std::string>() : native["id"].dump();
  } else {
    r.id = (config_.shape == RestShape::kNorthwind ? "nw-" : "") + std::to_string(next_id_++);
  }
  if (records().Find(r.id) != nullptr) {
    return Status(StatusCode::kAlreadyExists, "record " + r.id + " exists");
  }
  const std::string id = r.id;
  r.created_at = Now();
  records().Put(std::move(r));
  if (Status s = EditRecord(id, native); !s.ok()) {
    records().Erase(id);
    return s;
  }
  return id;
}

Status GenericRestSim::EditRecord(const std::string& id, const Json& patch) {
  SimRecord* r = records().Find(id);
  if (r == nullptr)
    return NotFound("no record " + id);
  if (!patch.is_object())
    return InvalidArgument("patch must be a JSON object");
  SimRecord copy = *r;
  for (const auto& [key, value] : patch.items()) {
    if (key == "id" || key == "modified_at" || key == "visible_at" || key == "created_at" ||
        key == "deleted") {
      continue;
    }
    if (key == "close_at") {
      if (value.is_null()) {
        copy.fields[key] = nullptr;
        continue;
      }
      auto t = value.is_string() ? ParseIsoDateTime(value.get<std::string>()) : std::nullopt;
      if (!t && value.is_string()) {
        // A bare date is midnight in the partner's own offset.
        if (auto d = ParseIsoDate(value.get<std::string>())) {
          t = *d - std::chrono::minutes(config_.close_offset_minutes);
        }
      }
      if (!t)
        return InvalidArgument("close_at must be an ISO datetime or date");
      copy.fields[key] = ToEpochMs(*t);
    } else if (key == "amount") {
      if (!value.is_null() && !(value.is_string() && IsDecimalString(value.get<std::string>()))) {
        return InvalidArgument("amount must be a decimal string");
      }
      copy.fields[key] = value;
    } else if (key == "name" || key == "account" || key == "owner" || key == "stage" ||
               key == "currency" || key == "registration" || key == "vendor_ref") {
      if (!value.is_string() && !value.is_null())
        return InvalidArgument(key + " must be a string");
      if (key == "stage" && value.is_string() && !ValidStage(value)) {
        return InvalidArgument("stage \"" + value.get<std::string>() + "\" is not in the picklist");
      }
      copy.fields[key] = value;
    } else {
      return InvalidArgument("unknown field \"" + key + "\"");
    }
  }
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(copy, patch));
  copy.created_at = r->created_at;
  *r = std::move(copy);
  return Status::Ok();
}

}  // namespace dealsync::sim
