#include "tests/simulators/fault_plan.h"

#include <array>

namespace dealsync::sim {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 9> kKindNames{{
    {FaultKind::kRateLimit, "rate_limit"},
    {FaultKind::kServerError, "server_error"},
    {FaultKind::kStall, "stall"},
    {FaultKind::kTruncate, "truncate"},
    {FaultKind::kDrop, "drop"},
    {FaultKind::kMalformedJson, "malformed_json"},
    {FaultKind::kExpireToken, "expire_token"},
    {FaultKind::kRequestLimit, "request_limit"},
    {FaultKind::kFailIds, "fail_ids"},
}};

}  // namespace

std::string_view FaultKindName(FaultKind k) {
  for (const auto& [kind, name] : kKindNames) {
    if (kind == k) {
      return name;
    }
  }
  return "unknown";
}

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  for (const auto& [kind, n] : kKindNames) {
    if (n == name) {
      return kind;
    }
  }
  return std::nullopt;
}

Result<FaultRule> FaultRule::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) {
    return InvalidArgument("fault rule must be a JSON object");
  }
  FaultRule rule;
  try {
    const auto kind_name = j.at("kind").get<std::string>();
    auto kind = ParseFaultKind(kind_name);
    if (!kind) {
      return InvalidArgument("unknown fault kind \"" + kind_name +
                             "\" (known: rate_limit, server_error, stall, truncate, drop, "
                             "malformed_json, expire_token, request_limit, fail_ids)");
    }
    rule.kind = *kind;
    rule.method = j.value("method", "");
    rule.path_prefix = j.value("path_prefix", "");
    rule.times = j.value("times", 1);
    rule.probability = j.value("probability", 1.0);
    rule.status = j.value("status", 503);
    rule.retry_after_s = j.value("retry_after_s", 1);
    rule.stall_ms = j.value("stall_ms", 0);
    rule.ids = j.value("ids", std::vector<std::string>{});
    rule.message = j.value("message", "");
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("bad fault rule: ") + e.what());
  }
  if (rule.probability < 0.0 || rule.probability > 1.0) {
    return InvalidArgument("fault probability must be within [0, 1]");
  }
  if (rule.kind == FaultKind::kServerError && (rule.status < 500 || rule.status > 599)) {
    return InvalidArgument("server_error status must be 5xx");
  }
  if (rule.kind == FaultKind::kFailIds && rule.ids.empty()) {
    return InvalidArgument("fail_ids needs a non-empty \"ids\" array");
  }
  return rule;
}

nlohmann::json FaultRule::ToJson() const {
  return {{"kind", FaultKindName(kind)},
          {"method", method},
          {"path_prefix", path_prefix},
          {"times", times},
          {"probability", probability},
          {"status", status},
          {"retry_after_s", retry_after_s},
          {"stall_ms", stall_ms},
          {"ids", ids},
          {"message", message}};
}

bool FaultPlan::Fires(FaultRule& rule, std::string_view method, std::string_view path) {
  if (rule.times == 0) {
    return false;
  }
  if (!rule.method.empty() && rule.method != method) {
    return false;
  }
  if (path.substr(0, rule.path_prefix.size()) != rule.path_prefix) {
    return false;
  }
  if (rule.probability < 1.0) {
    constexpr uint64_t kScale = 1'000'000;
    if (random_.Uniform(kScale) >= static_cast<uint64_t>(rule.probability * kScale)) {
      return false;
    }
  }
  if (rule.times > 0) {
    --rule.times;
  }
  ++fired_;
  return true;
}

std::optional<FaultRule> FaultPlan::Take(std::string_view method, std::string_view path) {
  for (auto& rule : rules_) {
    if (rule.kind != FaultKind::kFailIds && Fires(rule, method, path)) {
      return rule;
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> FaultPlan::TakeFailingIds(std::string_view method,
                                                                           std::string_view path) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& rule : rules_) {
    if (rule.kind == FaultKind::kFailIds && Fires(rule, method, path)) {
      for (const auto& id : rule.ids) {
        out.emplace_back(id, rule.message);
      }
    }
  }
  return out;
}

nlohmann::json FaultPlan::ToJson() const {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : rules_) {
    rules.push_back(r.ToJson());
  }
  return {{"rules", rules}, {"fired", fired_}};
}

}  // namespace dealsync::sim
