// FaultPlan: scripted faults a simulator injects before (or while) serving a
// request. A rule matches by method and path prefix and fires a number of
// times, or with a probability drawn from the injected Random.
// Thread-safety: none (one simulator, one thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dealsync/clock.h"
#include "dealsync/status.h"

namespace dealsync::sim {

enum class FaultKind {
  kRateLimit,      // 429 + Retry-After, vendor body
  kServerError,    // `status` (5xx), vendor body
  kStall,          // answer normally after stall_ms (applied by the host)
  kTruncate,       // answer with a truncated body (transport fault header)
  kDrop,           // close the connection without answering
  kMalformedJson,  // 200 with a body that is not JSON
  kExpireToken,    // invalidate current tokens, answer 401
  kRequestLimit,   // Salesforce 403 REQUEST_LIMIT_EXCEEDED
  kFailIds,        // per-record failure for `ids` inside a batch update
};

std::string_view FaultKindName(FaultKind k);
std::optional<FaultKind> ParseFaultKind(std::string_view name);

struct FaultRule {
  FaultKind kind = FaultKind::kServerError;
  std::string method;            // empty: any method
  std::string path_prefix;       // empty: any path
  int times = 1;                 // -1: unlimited
  double probability = 1.0;      // each matching request fires with this chance
  int status = 503;              // kServerError
  int retry_after_s = 1;         // kRateLimit (and 503 when > 0)
  int stall_ms = 0;              // kStall
  std::vector<std::string> ids;  // kFailIds
  std::string message;           // kFailIds: per-record error text (vendor default when empty)

  // {"kind":"rate_limit","method":"POST","path_prefix":"/crm","times":2,...}
  static Result<FaultRule> FromJson(const nlohmann::json& j);
  static FaultRule Of(FaultKind kind, std::string method = "", std::string path_prefix = "") {
    FaultRule r;
    r.kind = kind;
    r.method = std::move(method);
    r.path_prefix = std::move(path_prefix);
    return r;
  }
  FaultRule& Times(int n) {
    times = n;
    return *this;
  }
  FaultRule& Ids(std::vector<std::string> v) {
    ids = std::move(v);
    return *this;
  }
  nlohmann::json ToJson() const;
};

class FaultPlan {
 public:
  explicit FaultPlan(Random& random) : random_(random) {}

  void Add(FaultRule rule) { rules_.push_back(std::move(rule)); }
  void Clear() {
    rules_.clear();
    fired_ = 0;
  }
  // The first request-level rule (not kFailIds) that fires for this request;
  // consumes one of its `times`.
  std::optional<FaultRule> Take(std::string_view method, std::string_view path);
  // Ids that must fail inside a batch served now, with messages; consumes one
  // firing of every matching kFailIds rule.
  std::vector<std::pair<std::string, std::string>> TakeFailingIds(std::string_view method,
                                                                  std::string_view path);
  int64_t fired() const { return fired_; }
  nlohmann::json ToJson() const;

 private:
  bool Fires(FaultRule& rule, std::string_view method, std::string_view path);

  Random& random_;
  std::vector<FaultRule> rules_;
  int64_t fired_ = 0;
};

}  // namespace dealsync::sim
