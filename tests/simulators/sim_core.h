// Building blocks shared by the simulators: request-target parsing, the
// violation log, per-endpoint request counters, the in-memory record store and
// the Simulator base class (sans-io: Handle() maps a request to a response).
// Thread-safety: none; a simulator is driven from one thread (the host's
// io_context or a test).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dealsync/clock.h"
#include "dealsync/http.h"
#include "tests/simulators/fault_plan.h"

namespace dealsync::sim {

using Json = nlohmann::json;

// The host applies and strips this header: delay the answer by N ms.
inline constexpr std::string_view kStallHeader = "X-Dealsync-Sim-Stall-Ms";
// Understood by the transport's HttpServer: "truncate" (cut the body short
// and close) or "drop" (close without answering).
inline constexpr std::string_view kFaultHeader = "X-Dealsync-Fault";

// "/path?a=1&b=2" or an absolute URL; percent- and '+'-decoded query params.
struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;

  static RequestTarget Parse(std::string_view url);
  std::optional<std::string> Param(std::string_view name) const;
  size_t CountParam(std::string_view name) const;
};
std::string PercentDecode(std::string_view s, bool plus_is_space);
// Parses application/x-www-form-urlencoded.
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body);

// One request the real API would have rejected (or the simulator cannot
// serve). A conformance test asserts the log stays empty.
struct Violation {
  std::string endpoint;  // "GET /services/data/v59.0/queryAll"
  std::string rule;      // e.g. "MALFORMED_QUERY", "auth.missing"
  std::string detail;
};

class ViolationLog {
 public:
  void Record(Violation v) { entries_.push_back(std::move(v)); }
  const std::vector<Violation>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  void Clear() { entries_.clear(); }
  // One line per violation, for test failure messages.
  std::string Describe() const;
  Json ToJson() const;

 private:
  std::vector<Violation> entries_;
};

// Request counts per endpoint label ("POST /crm/v3/objects/deals/search").
class RequestStats {
 public:
  void Count(const std::string& endpoint) {
    ++counts_[endpoint];
    ++total_;
  }
  int64_t Get(const std::string& endpoint) const;
  int64_t total() const { return total_; }
  void Clear() {
    counts_.clear();
    total_ = 0;
  }
  Json ToJson() const;

 private:
  std::map<std::string, int64_t> counts_;
  int64_t total_ = 0;
};

// A record as the simulator stores it. `fields` holds the shape-specific native
// values; the system fields below are server-assigned.
struct SimRecord {
  std::string id;
  Json fields = Json::object();
  Timestamp created_at{};
  Timestamp modified_at{};
  Timestamp visible_at{};  // reads skip the record before this (late commit)
  bool deleted = false;
  Timestamp deleted_at{};
};

class RecordStore {
 public:
  SimRecord& Put(SimRecord r);
  SimRecord* Find(const std::string& id);
  const SimRecord* Find(const std::string& id) const;
  // Records readers can see at `now` (visible_at <= now), in id order.
  std::vector<const SimRecord*> Visible(Timestamp now) const;
  std::vector<SimRecord*> All();
  size_t size() const { return by_id_.size(); }
  void Erase(const std::string& id) { by_id_.erase(id); }
  void Clear() { by_id_.clear(); }

 private:
  std::map<std::string, SimRecord> by_id_;
};

HttpResponse JsonResponse(int status, const Json& body, HttpHeaders extra = {});
// Parses a JSON body; nullopt on any syntax error.
std::optional<Json> ParseJsonBody(std::string_view body);
// True when Content-Type is application/json (parameters such as charset allowed).
bool HasJsonContentType(const HttpRequest& request);
bool HasFormContentType(const HttpRequest& request);
// The bearer token of "Authorization: Bearer <t>" (scheme case-insensitive).
std::optional<std::string> BearerToken(const HttpRequest& request);

// Base of every simulator: counters, violations, faults and the clock.
class Simulator {
 public:
  Simulator(Clock& clock, Random& random) : clock_(clock), random_(random), faults_(random) {}
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  virtual ~Simulator() = default;

  // Serves one API request. Never throws.
  HttpResponse Handle(const HttpRequest& request);
  // Serves the /__sim/ control API (only the host routes there).
  HttpResponse HandleControl(const HttpRequest& request);

  ViolationLog& violations() { return violations_; }
  FaultPlan& faults() { return faults_; }
  RequestStats& stats() { return stats_; }
  RecordStore& records() { return records_; }
  const RecordStore& records() const { return records_; }
  Clock& clock() { return clock_; }
  Random& random() { return random_; }

  // Control-level edits, "as a human in the CRM": native JSON in, bumps the
  // modified time (or uses an explicit "modified_at"/"visible_at" when given).
  virtual Result<std::string> CreateRecord(const Json& native) = 0;
  virtual Status EditRecord(const std::string& id, const Json& patch) = 0;
  virtual Status DeleteRecord(const std::string& id);
  // The native control view of one record.
  virtual Json ControlView(const SimRecord& r) const = 0;
  // Gives `ids` (all when empty) the same modified time `t`.
  void StampAll(const std::vector<std::string>& ids, Timestamp t);
  // The externally visible base URL once hosted (token instance_url, Link headers).
  virtual void SetPublicBaseUrl(const std::string& /*url*/) {}
  // Restores the records given to Seed() and clears faults, stats, violations.
  void Reset();
  // Loads records from a JSON array of native control views; remembered for Reset().
  Status Seed(const Json& records);

 protected:
  // The API proper, after faults were applied.
  virtual HttpResponse Serve(const HttpRequest& request, const RequestTarget& target) = 0;
  // The vendor's error body for an injected fault (429, 5xx, token expiry...).
  virtual HttpResponse FaultResponse(const FaultRule& rule) = 0;
  // Rate-limit headers added to every answer.
  virtual void AddLimitHeaders(HttpResponse& response) = 0;
  // Forgets issued tokens (expired-token fault).
  virtual void ExpireTokens() {}
  // Endpoint label for stats and violations ("GET /path" with ids collapsed).
  virtual std::string EndpointLabel(const HttpRequest& request, const RequestTarget& t) const;

  void Violate(const HttpRequest& request, const RequestTarget& t, std::string rule,
               std::string detail);
  Timestamp Now() const { return clock_.Now(); }
  // Applies optional "created_at", "modified_at", "visible_at" (ISO) and
  // "deleted" from a control body; defaults to now / visible now.
  Status ApplySystemOverrides(SimRecord& r, const Json& native) const;
  // A token-like random string of `n` hex digits (from the injected Random).
  std::string RandomHex(size_t n);

 private:
  Clock& clock_;
  Random& random_;
  FaultPlan faults_;
  ViolationLog violations_;
  RequestStats stats_;
  RecordStore records_;
  Json seed_ = Json::array();
};

}  // namespace dealsync::sim
