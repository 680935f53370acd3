// Daemon: dealsyncd's process lifecycle on one io_context.
//
//   start    LoadConfig (dealsync.toml or vendor.toml invalid, or the admin
//            token unreadable: every error logged, exit 78 = EX_CONFIG),
//            OpenRocksStore, SyncEngine, one SourceRunner per source, the
//            admin HTTP server, then READY=1. A source whose file is invalid
//            or whose runner cannot be built (missing credential, bad
//            connection settings) is marked failed: logged, metric
//            dealsync_source_up 0, a /readyz reason; every other source runs.
//   reload   SIGHUP or POST /api/v1/reload (dealsyncctl reload): the same
//            rules; an unusable daemon-wide config is rejected and the running
//            one kept; otherwise the engine gets the new config (state kept)
//            and sources are added, removed, restarted (only those whose file
//            changed) or marked failed. The verdict lists every error.
//   SIGTERM  stop polling, close the admin server, let in-flight requests
//   SIGINT   finish within daemon.shutdown_timeout, exit 0 (a second signal
//            abandons them at once; the outbox makes that safe)
//   timers   WATCHDOG=1 every half WATCHDOG_USEC from the io_context while it
//            does real work (WatchdogGate: a wedged or spinning loop stops
//            petting), STATUS= and gauges every few seconds
//   --once   poll every source until caught up, push everything due, repeat
//            until a round changes nothing, exit (demo, tests)
//
// Thread-safety: Run() blocks the calling thread; everything runs on it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "src/admin/admin_api.h"
#include "src/daemon/metrics_registry.h"
#include "src/daemon/systemd_notify.h"
#include "src/daemon/watchdog_gate.h"
#include "src/notify/notify.h"
#include "src/notify/webhook_sender.h"
#include "src/transport/transport_counters.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace dealsync {

class HttpServer;
struct ServerOptions;
class SourceRunner;
struct WorkspaceStack;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitConfig = 78;  // EX_CONFIG; the unit's RestartPreventExitStatus

struct DaemonDeps {
  Clock& clock;
  Random& random;
  const ConnectorRegistry& registry;
  Notifier& notifier;
  // A source's HTTP client (TLS, connection pool, proxy) for its connection
  // settings; `credentials_dir` is for connection.proxy_credential.
  std::function<Result<std::unique_ptr<HttpTransport>>(
      boost::asio::any_io_executor, const ConnectionConfig&, const std::string& credentials_dir)>
      make_http_client;
  // The connector transport stack (auth, rate limit, retry) for one source over `base`.
  std::function<Result<std::unique_ptr<HttpTransport>>(
      boost::asio::any_io_executor, const SourceConfig&, HttpTransport& base,
      const std::string& credentials_dir, TransportCounters* counters)>
      make_transport;
  // The state store of `dir`, sized by [store] (StoreOptionsOf).
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir, const StoreOptions&)>
      open_store;
};

// The store's memory budget as [store] sets it (the store's defaults otherwise).
StoreOptions StoreOptionsOf(const StoreSettings& settings);

struct DaemonOptions {
  std::string config_dir;
  bool once = false;
  std::optional<std::string> log_level;  // overrides daemon.log_level
};

class Daemon final : public AdminBackend {
 public:
  Daemon(DaemonDeps deps, DaemonOptions options);
  ~Daemon() override;

  // Runs until stopped; returns the process exit code.
  int Run();

  // AdminBackend (called on the io_context thread by the admin server).
  bool StoreOpen() override { return store_ != nullptr; }
  StoreHealth StoreStatus() override { return store_ ? store_->Health() : StoreHealth{}; }
  std::vector<SourceHealth> Sources() override;
  std::string RenderMetrics() override;
  Result<std::vector<Link>> ListLinks(std::string_view partner) override;
  Status SetLink(std::string_view partner, std::string_view vendor_id, std::string_view partner_id,
                 std::string_view by) override;
  Status BreakLink(std::string_view link_id, std::string_view by) override;
  Status MarkNotSameDeal(std::string_view partner, std::string_view vendor_id,
                         std::string_view partner_id, std::string_view by) override;
  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter& filter) override;
  Result<Conflict> GetConflict(std::string_view id) override;
  Status ResolveConflict(std::string_view id, const Resolution& resolution) override;
  ReloadVerdict Reload() override;
  Result<std::vector<OutboxEntry>> ListDeadLetters(std::string_view target) override;
  Status RetryDeadLetter(std::string_view target, std::string_view native_id,
                         std::string_view by) override;
  Status DiscardDeadLetter(std::string_view target, std::string_view native_id,
                           std::string_view by) override;
  Status RewindSource(std::string_view source, Timestamp since, std::string_view by) override;
  Status RereadRecords(std::string_view source, const std::vector<std::string>& native_ids,
                       std::string_view by) override;

 private:
  struct LoadedConfig {
    Config config;
    std::string admin_token;
    std::map<std::string, std::string> fingerprints;  // source id -> what it was built from
    std::vector<FailedPartner> failed_partners;       // partner files that did not load
  };
  // Every error goes to the log and, when given, to `errors`.
  Result<LoadedConfig> Load(std::vector<std::string>* errors = nullptr);
  void MarkFailed(const std::string& id, const std::string& reason);
  Result<std::shared_ptr<SourceRunner>> CreateRunner(const SourceConfig& source);
  Status StartAllSources();
  void StartRunner(std::shared_ptr<SourceRunner> runner);
  void RunnerFinished(const std::string& id);
  Result<ServerOptions> AdminServerOptions() const;
  Status StartAdminServer();
  // Serves /healthz and /readyz (503, the reason) while retrying to open the
  // store; nullopt when SIGTERM or SIGINT arrives first.
  std::optional<Result<std::unique_ptr<Store>>> WaitForStore(Status why);
  // Users, sessions, review API and web app in front of admin_api_ (daemon_workspace.cc).
  Status BuildWorkspace(bool tls, bool loopback_only, const std::vector<std::string>& hosts);
  void ApplyLogLevel();
  ReloadVerdict ReloadConfig(const char* trigger);
  void BeginShutdown(const char* why);
  void WakeAllPushers();
  void RefreshGauges();
  void ReportStatus();
  Awaitable<void> SignalLoop();
  Awaitable<void> WatchdogLoop(std::chrono::milliseconds every);
  Awaitable<void> StatusLoop();
  // [[notify.webhooks]] (daemon_notify.cc): reads the webhook URLs, then
  // NotifyLoop looks for news every kNotifyEvery and sends it.
  Status StartNotifications();
  void ObserveForNotifications();
  void SendDigests(const notify::DigestFacts& facts, Timestamp now);
  Awaitable<void> NotifyLoop();
  // [store] keep_journal (daemon_retention.cc): prunes every batch due now;
  // RetentionLoop does so shortly after start and then hourly.
  Awaitable<JournalPruneStats> PruneJournalNow();
  Awaitable<void> RetentionLoop();
  Awaitable<int> RunOnce();

  DaemonDeps deps_;
  DaemonOptions options_;
  boost::asio::io_context io_;  // first member: destroyed last, after everything using it
  MetricsRegistry metrics_;
  std::optional<LoadedConfig> loaded_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SyncEngine> engine_;
  std::unique_ptr<AdminApi> admin_api_;
  std::unique_ptr<WorkspaceStack> workspace_;
  std::unique_ptr<HttpServer> admin_server_;
  std::map<std::string, std::shared_ptr<SourceRunner>> runners_;
  std::vector<std::shared_ptr<SourceRunner>> retiring_;           // stopped, still finishing
  std::map<std::string, std::shared_ptr<SourceRunner>> waiting_;  // replacements to start
  std::map<std::string, std::string> failed_;  // source id -> why it is not running
  boost::asio::steady_timer status_timer_;
  std::unique_ptr<HttpTransport> notify_http_;
  std::unique_ptr<notify::WebhookSender> notify_;
  notify::Detector notify_detector_;
  Timestamp notify_started_{};
  boost::asio::steady_timer notify_timer_{io_};
  boost::asio::steady_timer retention_timer_{io_};
  WatchdogGate watchdog_gate_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer drain_deadline_;
  bool stopping_ = false;
  int exit_code_ = kExitOk;
  double started_at_ = 0;  // Unix seconds (process_start_time_seconds)
};

}  // namespace dealsync
