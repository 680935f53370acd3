// SourceRunner: the coroutines of one source (the vendor or one partner) on
// the daemon's io_context:
//   poll loop   FetchChanges -> engine.IngestPage, page by page, paced by a
//               PollScheduler (interval + jitter, backoff while failing,
//               immediately again while the remote has more pages);
//   push loop   engine.PushOnce for this source as a target, woken after any
//               ingest queued pushes, and every `push_retry_tick` for retries.
// Consistent list passes: a pass (the pages from one stored cursor until the
// remote has no more) and this source's pushes exclude each other, because a
// write moves the record in the remote's (modified, id) order and an offset or
// page-number list would then skip records. A pass interrupted by an error
// restarts from its first cursor (the engine de-duplicates what is re-read);
// a refused page cursor or an odd body does so after a short backoff; a cursor
// already seen in the same pass (a cycle of any length) ends the pass with an
// error instead of being followed or persisted.
// Recovery: the first success after failures re-drives the pushes backing off.
// Each source has its own coroutines and timers, so a slow or failing remote
// only delays itself. The engine and store are used from the io_context
// thread only (RocksDB writes are short, fsync'd WAL appends; see
// docs/operations.md on sizing).
// Thread-safety: all methods run on the io_context thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/engine.h"
#include "src/admin/admin_api.h"
#include "src/daemon/metrics_registry.h"
#include "src/daemon/poll_scheduler.h"
#include "src/transport/transport_counters.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace spdlog {
class logger;
}

namespace dealsync {

// Wraps the client under a connector's transport stack, counting every HTTP
// request that reaches the network (retries included) for /metrics.
class CountingTransport final : public HttpTransport {
 public:
  CountingTransport(HttpTransport& inner, MetricsRegistry& metrics, std::string source)
      : inner_(inner), metrics_(metrics), source_(std::move(source)) {}
  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override;

 private:
  HttpTransport& inner_;
  MetricsRegistry& metrics_;
  std::string source_;
};

struct SourceRunnerParts {
  // Heap-held so its address is stable: the connector keeps a reference to it.
  std::unique_ptr<SourceConfig> config;
  std::unique_ptr<HttpTransport> client;        // TLS + connection pool
  std::unique_ptr<HttpTransport> counting;      // over `client`, for /metrics
  std::unique_ptr<TransportCounters> counters;  // filled by the stack (rate-limit waits)
  std::unique_ptr<HttpTransport> transport;     // auth, rate limit, retry over `counting`
  std::unique_ptr<Connector> connector;
};

class SourceRunner : public std::enable_shared_from_this<SourceRunner> {
 public:
  struct Hooks {
    std::function<void()> pushes_queued;  // an ingest queued pushes: wake the pushers
    std::function<void()> finished;       // both loops have exited after Stop()
  };

  SourceRunner(boost::asio::any_io_executor executor, SourceRunnerParts parts, SyncEngine& engine,
               Clock& clock, Random& random, MetricsRegistry& metrics, PollSchedulerConfig schedule,
               Hooks hooks);
  ~SourceRunner();

  const std::string& id() const { return parts_.config->id; }
  const SourceConfig& config() const { return *parts_.config; }

  // Spawns the poll and push loops.
  void Start();
  // Cooperative stop: no new poll or push starts; timers are cancelled; an
  // in-flight request finishes (bounded by its timeout). Idempotent.
  void Stop();
  void WakePusher();
  // How often the push loop looks for pushes whose backoff has ended
  // (default 15 s): no longer than [push] initial_backoff, so a first retry
  // is not later than configured.
  void SetPushRetryTick(std::chrono::milliseconds tick) { push_retry_tick_ = tick; }
  // True while neither loop is running (before Start(), or after both exited).
  bool finished() const { return running_loops_ == 0; }

  // --once mode: poll pages until the remote has no more (or fails).
  Awaitable<Status> PollUntilCaughtUp();
  // --once mode: push everything due now for this target.
  Awaitable<Result<PushStats>> PushDue();

  // Resets the stored cursor so the next pass re-reads everything modified
  // since `since` (Connector::CursorAt); what was seen is de-duplicated.
  Status Rewind(Timestamp since);

  // Reads these records again now (records refused before their partner
  // file was fixed) and journals them like a page of changes; the list
  // cursor stays where it is. Those the source no longer has stop being
  // listed as refused.
  void Reread(std::vector<std::string> native_ids, std::string by);

  SourceHealth Health() const;
  // Adds the transport stack's counters gathered since the last call to /metrics.
  void ExportTransportCounters();
  bool failing() const { return !last_error_.empty(); }

 private:
  Awaitable<void> PollLoop();
  Awaitable<void> PushLoop();
  // One page; returns has_more (false on error, with the scheduler told).
  Awaitable<Result<bool>> PollOnePage();
  Awaitable<Result<PushStats>> PushOnceAndCount();
  Awaitable<void> RereadLoop(std::vector<std::string> native_ids, std::string by);
  void LoopExited();
  // Waits on `gate` until `blocked()` is false (or stopping).
  Awaitable<void> WaitWhile(boost::asio::steady_timer& gate, const std::function<bool()>& blocked);
  void EndPass();
  // A page failed: restarts the pass from its first cursor when it was past
  // its first page; returns the status the scheduler should see.
  Status PassFailed(const Status& error, const std::string& failed_cursor);
  // The first page of a pass failed with an odd body or a refused stored cursor.
  Status FirstPageFailed(const Status& error, const std::string& cursor);
  void Redrive(const char* why);

  boost::asio::any_io_executor executor_;
  SourceRunnerParts parts_;
  SyncEngine& engine_;
  Clock& clock_;
  MetricsRegistry& metrics_;
  PollScheduler scheduler_;
  Hooks hooks_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer push_timer_;
  boost::asio::steady_timer pass_gate_;  // a pass waits here for a push to finish
  boost::asio::steady_timer push_gate_;  // a push waits here for a pass to finish
  bool pass_in_flight_ = false;
  bool push_in_flight_ = false;
  std::string pass_anchor_;             // the cursor the current pass started from
  std::set<std::string> pass_cursors_;  // every cursor seen in the current pass
  size_t pass_pages_ = 0;
  static constexpr int kQuickRestartsInARow = 3;
  int quick_restarts_ = 0;  // passes restarted after a short backoff, in a row
  std::chrono::milliseconds push_retry_tick_{15000};
  bool pushes_failing_ = false;
  bool stopping_ = false;
  bool push_wake_pending_ = false;
  bool last_failure_local_ = false;  // the last PollOnePage failed at the store, not the remote
  int running_loops_ = 0;
  std::optional<Timestamp> last_success_;
  std::optional<Timestamp> last_push_;  // last push batch with an acknowledged record
  std::string last_error_;
  uint64_t exported_rate_limit_waits_ = 0;
};

}  // namespace dealsync
