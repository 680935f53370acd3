// AdminApi: the admin HTTP routes as a pure function of a request
// (HttpResponse Handle(const HttpRequest&)), over a small AdminBackend
// interface the daemon implements. No sockets here: the daemon hosts the
// handler on the transport's HTTP server; tests call Handle() directly.
//
//   GET    /healthz                          process is alive
//   GET    /readyz                           store open and writable, every source polled recently
//   GET    /metrics                          Prometheus text format 0.0.4
//   GET    /api/v1/links?partner=P           links (of one partner or all)
//   POST   /api/v1/links                     {"partner","vendor_id","partner_id","by"}   (token)
//   DELETE /api/v1/links/{link id}?by=NAME                                            (token)
//   GET    /api/v1/conflicts?partner=&status=&field=
//   GET    /api/v1/conflicts/{id}
//   POST   /api/v1/conflicts/{id}/resolve    {"take":"vendor"|"partner"|"value","value","by"}
//   (token)
//   POST   /api/v1/reload                    re-read the configuration; answers once it is
//                                            applied (200) or rejected (422), with every error
//   (token)
//   GET    /api/v1/deadletters?target=T                                           (token)
//   POST   /api/v1/deadletters/{target}/{record}/retry                            (token)
//   DELETE /api/v1/deadletters/{target}/{record}?by=NAME                          (token)
//   POST   /api/v1/sources/{id}/rewind        {"to":"2026-11-01","by"}          (token)
//
// Ids contain '/' (a link id is "<partner>/<vendor id>/<partner id>"), so a
// path id is percent-encoded by clients ("%2F"); the router decodes it after
// splitting the path. Every error is JSON: {"error":{"code":"...","message":"..."}}.
// A Host header naming none of options.allowed_hosts is refused (403
// host_not_allowed) before routing: DNS-rebinding protection.
// Mutations need "Authorization: Bearer <admin token>" (constant-time compare):
// 401 without credentials, 403 with a wrong token or when no token is configured.
// Thread-safety: Handle() calls the backend; it is as thread-safe as the backend.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/engine.h"
#include "dealsync/http.h"
#include "dealsync/store.h"
#include "dealsync/sync_records.h"

namespace dealsync {

struct SourceHealth {
  std::string id;
  std::chrono::milliseconds poll_interval{0};
  std::optional<Timestamp> last_successful_poll;    // nullopt: never succeeded yet
  std::string last_error;                           // "" when the last poll succeeded
  std::optional<Timestamp> last_successful_push{};  // nullopt: nothing acknowledged yet
  uint64_t api_calls = 0;                           // since start, every attempt
  uint64_t failed_calls = 0;                        // final outcomes that were not OK
  uint64_t rate_limit_waits = 0;                    // times the limiter made a call wait
  RateLimitConfig rate_limit{};                     // the configured API budget
  bool failed = false;  // not running: its file, credential or connector could not be set up
  // The CRM's own request quota as it last reported it (nullopt: never said).
  std::optional<int64_t> quota_used{};
  std::optional<int64_t> quota_limit{};
};

// What a reload did. `applied` false: nothing changed (the daemon-wide
// configuration was unusable). `applied` with `errors`: the rest is in effect
// and the sources named in `errors` are failed.
struct ReloadVerdict {
  bool applied = false;
  std::vector<std::string> errors;
  std::string summary;
};

class AdminBackend {
 public:
  AdminBackend() = default;
  AdminBackend(const AdminBackend&) = delete;
  AdminBackend& operator=(const AdminBackend&) = delete;
  virtual ~AdminBackend() = default;

  virtual bool StoreOpen() = 0;
  // Whether the open store can be written right now (disk full, I/O error).
  virtual StoreHealth StoreStatus() { return {}; }
  virtual std::vector<SourceHealth> Sources() = 0;
  virtual std::string RenderMetrics() = 0;

  virtual Result<std::vector<Link>> ListLinks(std::string_view partner) = 0;
  virtual Status SetLink(std::string_view partner, std::string_view vendor_id,
                         std::string_view partner_id, std::string_view by) = 0;
  virtual Status BreakLink(std::string_view link_id, std::string_view by) = 0;
  // Two records a person says are different deals (SyncEngine::MarkNotSameDeal).
  virtual Status MarkNotSameDeal(std::string_view partner, std::string_view vendor_id,
                                 std::string_view partner_id, std::string_view by) {
    (void)partner, (void)vendor_id, (void)partner_id, (void)by;
    return FailedPrecondition("marking deals as different is not available here");
  }
  virtual Result<std::vector<Conflict>> ListConflicts(const ConflictFilter& filter) = 0;
  virtual Result<Conflict> GetConflict(std::string_view id) = 0;
  virtual Status ResolveConflict(std::string_view id, const Resolution& resolution) = 0;
  virtual ReloadVerdict Reload() { return {false, {"this server cannot reload"}, ""}; }

  // Dead letters (admin_deadletters.cc). Backends without an outbox answer
  // FailedPrecondition.
  virtual Result<std::vector<OutboxEntry>> ListDeadLetters(std::string_view target) {
    (void)target;
    return FailedPrecondition("dead letters are not available here");
  }
  virtual Status RetryDeadLetter(std::string_view target, std::string_view native_id,
                                 std::string_view by) {
    (void)target, (void)native_id, (void)by;
    return FailedPrecondition("dead letters are not available here");
  }
  virtual Status DiscardDeadLetter(std::string_view target, std::string_view native_id,
                                   std::string_view by) {
    (void)target, (void)native_id, (void)by;
    return FailedPrecondition("dead letters are not available here");
  }
  // Asks the source to read these records again now (refused records, after
  // their partner file was fixed); the answer arrives as an ingested page.
  virtual Status RereadRecords(std::string_view source, const std::vector<std::string>& native_ids,
                               std::string_view by) {
    (void)source, (void)native_ids, (void)by;
    return FailedPrecondition("re-reading records is not available here");
  }
  // Resets a source's cursor so it re-reads changes since `since` (the engine
  // de-duplicates what it has seen); `by` is the person, for the log.
  virtual Status RewindSource(std::string_view source, Timestamp since, std::string_view by) {
    (void)source, (void)since, (void)by;
    return FailedPrecondition("rewinding sources is not available here");
  }
};

struct AdminApiOptions {
  std::string admin_token;  // "" disables every mutating call (403)
  // A source is ready while its last successful poll is within this many
  // intervals; one that never succeeded is not ready.
  int ready_within_intervals = 3;
  // When non-empty, a request whose Host header names none of these is
  // refused with 403 (see host_check.h); the daemon always sets it.
  std::vector<std::string> allowed_hosts = {};
};

class AdminApi {
 public:
  AdminApi(AdminBackend& backend, Clock& clock, AdminApiOptions options);

  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Readyz();
  HttpResponse Links(const HttpRequest& request, std::string_view query);
  HttpResponse LinkDelete(const HttpRequest& request, std::string_view id, std::string_view query);
  HttpResponse Conflicts(std::string_view query);
  HttpResponse ConflictResolve(const HttpRequest& request, std::string_view id);
  HttpResponse ReloadRoute(const HttpRequest& request);
  // /api/v1/deadletters and /api/v1/sources/{id}/rewind (admin_deadletters.cc).
  HttpResponse DeadLetters(const HttpRequest& request, const std::vector<std::string>& segments,
                           std::string_view query);
  HttpResponse SourceRewind(const HttpRequest& request, std::string_view source);
  std::optional<HttpResponse> RejectUnauthorized(const HttpRequest& request) const;

  AdminBackend& backend_;
  Clock& clock_;
  AdminApiOptions options_;
};

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Constant-time comparison (time depends only on the lengths).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace dealsync
