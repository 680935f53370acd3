#include "src/daemon/daemon.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "dealsync/version.h"
#include "src/admin/admin_json.h"
#include "src/admin/host_check.h"
#include "src/daemon/daemon_metrics.h"
#include "src/daemon/daemon_workspace.h"
#include "src/daemon/process_metrics.h"
#include "src/daemon/source_runner.h"
#include "src/transport/http_server.h"
#include "src/transport/url.h"

namespace dealsync {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kStatusEvery{5000};
constexpr int kMaxOnceRounds = 10;
// Admin clients are a few people, Prometheus and health checks.
constexpr size_t kAdminMaxConnections = 64;
// An admin server failing every accept this long means the process is stuck at
// its descriptor limit: stop petting the watchdog.
constexpr milliseconds kAcceptStuckAfter{60000};

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "127.0.0.1:8686" or "[::1]:8686" -> host, port.
Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    return InvalidArgument("daemon.admin_listen must be host:port, got \"" + listen + "\"");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) {
      return InvalidArgument("daemon.admin_listen has a bad port: \"" + listen + "\"");
    }
    port = port * 10 + (c - '0');
  }
  if (port > 65535) {
    return InvalidArgument("daemon.admin_listen has a bad port: \"" + listen + "\"");
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

std::vector<const SourceConfig*> AllSources(const Config& c) {
  std::vector<const SourceConfig*> out{&c.vendor};
  for (const SourceConfig& p : c.partners) {
    out.push_back(&p);
  }
  return out;
}

Awaitable<HttpResponse> HandleAdmin(Workspace* front, HttpRequest request) {
  co_return front->Handle(request);
}

// Opening the state store failed for a reason that may pass (a read-only or
// full file system, an I/O error): try again rather than exit into a restart
// loop. A lock held by another dealsyncd, a newer schema or corruption need a
// person, and are not retried.
bool StoreMayRecover(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kResourceExhausted;
}
constexpr milliseconds kStoreRetryFirst{1000};
constexpr milliseconds kStoreRetryMax{10000};

// What the admin address answers while the store cannot be opened: health
// checks only, no business data (nothing is loaded yet).
Awaitable<HttpResponse> AnswerWhileWaitingForStore(HttpRequest request, std::string reason,
                                                   std::vector<std::string> hosts) {
  if (auto refused = admin::RefuseForeignHost(request, hosts)) {
    co_return *refused;
  }
  const std::optional<admin::Target> target = admin::ParseTarget(request.url);
  const bool healthz = target && target->segments == std::vector<std::string>{"healthz"};
  const bool readyz = target && target->segments == std::vector<std::string>{"readyz"};
  if (healthz && request.method == "GET") {
    co_return admin::JsonResponse(200, {{"status", "ok"}});
  }
  HttpResponse r =
      readyz ? admin::JsonResponse(
                   503, {{"status", "not_ready"},
                         {"reasons", nlohmann::json::array({"store: cannot open: " + reason})},
                         {"store", {{"writable", false}}}})
             : admin::JsonError(503, "unavailable", "the state store cannot be opened: " + reason);
  r.headers.emplace_back("Retry-After", "10");
  co_return r;
}

}  // namespace

Daemon::Daemon(DaemonDeps deps, DaemonOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      status_timer_(io_),
      watchdog_gate_(3 * kStatusEvery, kAcceptStuckAfter),
      watchdog_timer_(io_),
      drain_deadline_(io_) {
  DeclareDaemonMetrics(metrics_);
  DeclareProcessMetrics(metrics_);
  SetBuildInfo(metrics_, kVersion, kGitRevision);
  started_at_ = std::chrono::duration<double>(deps_.clock.Now().time_since_epoch()).count();
}

Daemon::~Daemon() {
  for (auto& [id, runner] : runners_) {
    runner->Stop();
  }
}

Result<Daemon::LoadedConfig> Daemon::Load(std::vector<std::string>* errors) {
  auto report = [errors](const std::string& line) {
    spdlog::error("config: {}", line);
    if (errors != nullptr) {
      errors->push_back(line);
    }
  };
  ConfigLoadResult result =
      LoadConfig(options_.config_dir, deps_.registry, LoadOptions{.isolate_partners = true});
  if (!result.errors.empty() || !result.config) {
    for (const ConfigError& e : result.errors) {
      report(e.ToString());
    }
    return InvalidArgument(std::to_string(result.errors.size()) + " configuration error(s) in " +
                           options_.config_dir);
  }
  LoadedConfig loaded{std::move(*result.config), "", {}, std::move(result.failed_partners)};
  const DaemonConfig& d = loaded.config.daemon;
  if (!d.admin_token.empty()) {
    Result<std::string> token = ResolveCredential(d.admin_token, d.credentials_dir);
    if (!token.ok()) {
      // The message names the credential (Describe()), never its content.
      report(d.file + ": admin.token (" + d.admin_token.Describe() +
             "): " + token.status().message());
      return token.status();
    }
    loaded.admin_token = std::move(*token);
  }
  for (const FailedPartner& f : loaded.failed_partners) {
    for (const ConfigError& e : f.errors) {
      report(e.ToString());
    }
  }
  const std::string daemon_file = ReadFileText(d.file);
  for (const SourceConfig* s : AllSources(loaded.config)) {
    loaded.fingerprints[s->id] = daemon_file + '\0' + ReadFileText(s->file);
  }
  return loaded;
}

void Daemon::MarkFailed(const std::string& id, const std::string& reason) {
  spdlog::error("source {}: failed, not syncing until fixed: {}", id, reason);
  failed_[id] = reason;
  metrics_.Set(metric::kSourceUp, {{"source", id}}, 0);
}

void Daemon::ApplyLogLevel() {
  const std::string level = options_.log_level.value_or(loaded_->config.daemon.log_level);
  spdlog::set_level(spdlog::level::from_str(level));
}

Result<std::shared_ptr<SourceRunner>> Daemon::CreateRunner(const SourceConfig& source) {
  const ConnectorFactory* factory = deps_.registry.Find(source.connector);
  if (factory == nullptr) {
    return InvalidArgument(source.id + ": " + deps_.registry.UnknownMessage(source.connector));
  }
  SourceRunnerParts parts;
  parts.config = std::make_unique<SourceConfig>(source);
  Result<std::unique_ptr<HttpTransport>> client = deps_.make_http_client(
      io_.get_executor(), source.connection, loaded_->config.daemon.credentials_dir);
  if (!client.ok()) {
    return client.status().Annotate(source.id + ": HTTP client");
  }
  parts.client = std::move(*client);
  parts.counting = std::make_unique<CountingTransport>(*parts.client, metrics_, source.id);
  parts.counters = std::make_unique<TransportCounters>();
  Result<std::unique_ptr<HttpTransport>> transport =
      deps_.make_transport(io_.get_executor(), *parts.config, *parts.counting,
                           loaded_->config.daemon.credentials_dir, parts.counters.get());
  if (!transport.ok()) {
    return transport.status().Annotate(source.id + ": transport");
  }
  parts.transport = std::move(*transport);
  Result<std::unique_ptr<Connector>> connector =
      factory->Create(ConnectorContext{*parts.config, *parts.transport, deps_.clock});
  if (!connector.ok()) {
    return connector.status().Annotate(source.id + ": connector");
  }
  parts.connector = std::move(*connector);

  SetSourceLimits(metrics_, source.id, std::chrono::duration<double>(source.poll_interval).count(),
                  source.connection.rate_limit.requests /
                      std::chrono::duration<double>(source.connection.rate_limit.per).count());
  PollSchedulerConfig schedule;
  schedule.interval = source.poll_interval;
  schedule.jitter = loaded_->config.daemon.poll_jitter;
  SourceRunner::Hooks hooks;
  hooks.pushes_queued = [this] { WakeAllPushers(); };
  const std::string id = source.id;
  hooks.finished = [this, id] { RunnerFinished(id); };
  auto runner =
      std::make_shared<SourceRunner>(io_.get_executor(), std::move(parts), *engine_, deps_.clock,
                                     deps_.random, metrics_, schedule, std::move(hooks));
  runner->SetPushRetryTick(std::clamp<std::chrono::milliseconds>(
      loaded_->config.daemon.push_retry.initial_backoff, std::chrono::seconds(1),
      std::chrono::seconds(15)));
  return runner;
}

Status Daemon::StartAllSources() {
  std::vector<std::shared_ptr<SourceRunner>> created;
  failed_.clear();
  for (const FailedPartner& f : loaded_->failed_partners) {
    MarkFailed(f.id, std::to_string(f.errors.size()) + " error(s) in " + f.file +
                         (f.errors.empty() ? "" : ", first: " + f.errors.front().ToString()));
  }
  for (const SourceConfig* s : AllSources(loaded_->config)) {
    Result<std::shared_ptr<SourceRunner>> runner = CreateRunner(*s);
    if (!runner.ok()) {
      MarkFailed(s->id, runner.status().ToString());
      continue;
    }
    created.push_back(std::move(*runner));
  }
  for (auto& runner : created) {
    metrics_.Set(metric::kSourceUp, {{"source", runner->id()}}, 1);
    if (options_.once) {
      runners_[runner->id()] = runner;
    } else {
      StartRunner(runner);
    }
  }
  return Status::Ok();
}

void Daemon::StartRunner(std::shared_ptr<SourceRunner> runner) {
  runners_[runner->id()] = runner;
  runner->Start();
}

void Daemon::RunnerFinished(const std::string& id) {
  // Post: we are inside the runner's completion handler; erase it afterwards.
  asio::post(io_, [this, id] {
    std::erase_if(retiring_, [](const auto& r) { return r->finished(); });
    if (auto w = waiting_.find(id); w != waiting_.end()) {
      auto replacement = w->second;
      waiting_.erase(w);
      if (!stopping_) {
        spdlog::info("source {}: restarting with the reloaded configuration", id);
        StartRunner(std::move(replacement));
      }
    } else if (!runners_.contains(id)) {
      RemoveSourceSeries(metrics_, id);
    }
    if (stopping_ && retiring_.empty() &&
        std::all_of(runners_.begin(), runners_.end(),
                    [](const auto& r) { return r.second->finished(); })) {
      spdlog::info("all sources drained; exiting");
      io_.stop();
    }
  });
}

Result<ServerOptions> Daemon::AdminServerOptions() const {
  const DaemonConfig& d = loaded_->config.daemon;
  auto listen = ParseListen(d.admin_listen);
  if (!listen.ok()) {
    return listen.status();
  }
  ServerOptions server_options;
  server_options.bind_address = listen->first;
  server_options.port = listen->second;
  server_options.max_body_bytes = 1024 * 1024;
  server_options.max_connections = kAdminMaxConnections;
  server_options.on_warning = [](const std::string& message) {
    spdlog::warn("admin: {}", message);
  };
  if (!d.admin_tls_cert.empty()) {
    Result<std::string> cert = CredentialFilePath(d.admin_tls_cert, d.credentials_dir);
    Result<std::string> key = CredentialFilePath(d.admin_tls_key, d.credentials_dir);
    if (!cert.ok() || !key.ok()) {
      return (cert.ok() ? key.status() : cert.status()).Annotate("[admin] TLS");
    }
    server_options.cert_file = *cert;
    server_options.key_file = *key;
  } else if (!IsLoopbackHost(listen->first)) {
    return FailedPrecondition("[admin] listen = \"" + d.admin_listen +
                              "\" is beyond loopback: set [admin] tls_cert and tls_key (people "
                              "sign in over it), or listen on 127.0.0.1");
  }
  return server_options;
}

Status Daemon::StartAdminServer() {
  Result<ServerOptions> server_options = AdminServerOptions();
  if (!server_options.ok()) {
    return server_options.status();
  }
  const DaemonConfig& d = loaded_->config.daemon;
  const std::string& host = server_options->bind_address;
  if (Status s = BuildWorkspace(!server_options->cert_file.empty(), IsLoopbackHost(host),
                                AdminHostNames(host, d.admin_allowed_hosts));
      !s.ok()) {
    return s;
  }
  admin_server_ = std::make_unique<HttpServer>(
      io_.get_executor(), *server_options, [this](HttpRequest request) {
        return HandleAdmin(workspace_->front.get(), std::move(request));
      });
  Result<uint16_t> port = admin_server_->Start();
  if (!port.ok()) {
    return port.status().Annotate("admin server on " + d.admin_listen);
  }
  spdlog::info("admin API and review workspace listening on {}://{}:{}/",
               admin_server_->tls() ? "https" : "http", host, *port);
  return Status::Ok();
}

std::optional<Result<std::unique_ptr<Store>>> Daemon::WaitForStore(Status why) {
  const DaemonConfig& d = loaded_->config.daemon;
  Result<ServerOptions> server_options = AdminServerOptions();
  if (!server_options.ok()) {
    return why;
  }
  std::string reason = why.ToString();
  const std::vector<std::string> hosts =
      AdminHostNames(server_options->bind_address, d.admin_allowed_hosts);
  HttpServer server(io_.get_executor(), *server_options, [&reason, &hosts](HttpRequest request) {
    return AnswerWhileWaitingForStore(std::move(request), reason, hosts);
  });
  if (!server.Start().ok()) {
    return why;  // the address is taken or unusable: nothing to answer on
  }
  spdlog::error(
      "cannot open the state store in {}: {}; /readyz answers 503 until it opens "
      "(trying again every few seconds)",
      d.state_dir, reason);
  deps_.notifier.Notify("READY=1\nSTATUS=waiting for the state store: " + reason);
  const std::optional<milliseconds> pet = deps_.notifier.WatchdogPetInterval();
  Result<std::unique_ptr<Store>> store = why;
  bool signalled = false;
  asio::steady_timer timer(io_);
  asio::signal_set signals(io_, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) {
      signalled = true;
      timer.cancel();
    }
  });
  asio::co_spawn(
      io_,
      [&]() -> Awaitable<void> {
        milliseconds wait = kStoreRetryFirst;
        while (!signalled) {
          timer.expires_after(pet ? std::min(wait, *pet) : wait);
          boost::system::error_code ec;
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (signalled) {
            break;
          }
          // Each attempt is the loop doing its work: the watchdog is fed.
          deps_.notifier.Notify("WATCHDOG=1");
          store = deps_.open_store(d.state_dir, StoreOptionsOf(d.store));
          if (store.ok() || !StoreMayRecover(store.status())) {
            break;
          }
          if (store.status().ToString() != reason) {
            reason = store.status().ToString();
            spdlog::error("cannot open the state store in {}: {}", d.state_dir, reason);
          }
          wait = std::min(wait * 2, kStoreRetryMax);
        }
        signals.cancel();
        server.Stop();
      },
      asio::detached);
  io_.run();
  io_.restart();
  if (signalled) {
    return std::nullopt;
  }
  if (store.ok()) {
    spdlog::info("state store in {} is open: starting", d.state_dir);
  }
  return store;
}

int Daemon::Run() {
  Result<LoadedConfig> loaded = Load();
  if (!loaded.ok()) {
    spdlog::critical("invalid configuration, not starting: {}", loaded.status().message());
    return kExitConfig;
  }
  loaded_ = std::move(*loaded);
  ApplyLogLevel();
  const DaemonConfig& d = loaded_->config.daemon;
  Result<std::unique_ptr<Store>> store = deps_.open_store(d.state_dir, StoreOptionsOf(d.store));
  if (!store.ok() && !options_.once && StoreMayRecover(store.status())) {
    std::optional<Result<std::unique_ptr<Store>>> waited = WaitForStore(store.status());
    if (!waited) {
      spdlog::info("stopped while waiting for the state store");
      return kExitOk;
    }
    store = std::move(*waited);
  }
  if (!store.ok()) {
    spdlog::critical("cannot open the state store in {}: {}", d.state_dir,
                     store.status().ToString());
    return kExitFailure;
  }
  store_ = std::move(*store);
  engine_ = std::make_unique<SyncEngine>(*store_, loaded_->config, deps_.clock);
  if (Status s = StartAllSources(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.ToString());
    return kExitConfig;
  }
  metrics_.Set(metric::kUp, 1);

  if (options_.once) {
    int code = kExitFailure;
    asio::co_spawn(io_, RunOnce(), [&](std::exception_ptr e, int c) {
      code = e ? kExitFailure : c;
      io_.stop();
    });
    io_.run();
    return code;
  }

  if (Status s = StartAdminServer(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.ToString());
    // Users, credentials and TLS settings are configuration; a busy port is not.
    return s.code() == StatusCode::kUnavailable ? kExitFailure : kExitConfig;
  }
  if (Status s = StartNotifications(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.ToString());
    return kExitConfig;
  }
  asio::co_spawn(io_, SignalLoop(), asio::detached);
  asio::co_spawn(io_, StatusLoop(), asio::detached);
  asio::co_spawn(io_, RetentionLoop(), asio::detached);
  if (notify_) {
    asio::co_spawn(io_, NotifyLoop(), asio::detached);
  }
  if (auto every = deps_.notifier.WatchdogPetInterval()) {
    asio::co_spawn(io_, WatchdogLoop(*every), asio::detached);
  }
  RefreshGauges();
  spdlog::info("dealsyncd ready: {} sources, {} failed, state in {}", runners_.size(),
               failed_.size(), d.state_dir);
  deps_.notifier.Notify("READY=1\nSTATUS=started, " + std::to_string(runners_.size()) + " sources" +
                        (failed_.empty() ? "" : ", " + std::to_string(failed_.size()) + " failed"));
  io_.run();
  metrics_.Set(metric::kUp, 0);
  return exit_code_;
}

void Daemon::BeginShutdown(const char* why) {
  if (stopping_) {
    spdlog::warn("{} again: abandoning in-flight work now", why);
    io_.stop();
    return;
  }
  stopping_ = true;
  const milliseconds timeout = loaded_->config.daemon.shutdown_timeout;
  spdlog::info("{}: stopping; draining in-flight work for up to {}ms", why, timeout.count());
  deps_.notifier.Notify("STOPPING=1\nSTATUS=stopping: draining in-flight work");
  if (admin_server_) {
    admin_server_->Stop();
  }
  status_timer_.cancel();
  notify_timer_.cancel();
  retention_timer_.cancel();
  for (auto& [id, runner] : runners_) {
    runner->Stop();
  }
  waiting_.clear();  // replacements that never started
  drain_deadline_.expires_after(timeout);
  drain_deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      spdlog::warn("shutdown timeout reached: abandoning in-flight work (the outbox keeps it)");
      io_.stop();
    }
  });
  // Nothing running at all (e.g. every loop already exited): stop now.
  if (std::all_of(runners_.begin(), runners_.end(),
                  [](const auto& r) { return r.second->finished(); })) {
    io_.stop();
  }
}

Awaitable<void> Daemon::SignalLoop() {
  asio::signal_set signals(io_, SIGTERM, SIGINT, SIGHUP);
  for (;;) {
    boost::system::error_code ec;
    const int signal = co_await signals.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return;
    }
    if (signal == SIGHUP) {
      if (!stopping_) {
        ReloadConfig("SIGHUP");
      }
      continue;
    }
    BeginShutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
  }
}

Awaitable<void> Daemon::WatchdogLoop(milliseconds every) {
  // Runs on the io_context itself: if the loop wedges, the pets stop and
  // systemd restarts us (WatchdogSec=). A loop that turns without doing real
  // work (see WatchdogGate) stops petting too; while draining at shutdown the
  // drain deadline bounds the wait instead.
  std::string withheld;
  for (;;) {
    const uint64_t accept_errors = admin_server_ ? admin_server_->consecutive_accept_errors() : 0;
    std::string reason = watchdog_gate_.OnTick(deps_.clock.SteadyNow(), accept_errors);
    if (reason.empty() || stopping_) {
      if (!withheld.empty()) {
        spdlog::info("watchdog: petting again");
      }
      withheld.clear();
      deps_.notifier.Notify("WATCHDOG=1");
    } else if (withheld.empty()) {
      withheld = reason;
      spdlog::error("watchdog: not petting systemd's watchdog: {}", reason);
    }
    watchdog_timer_.expires_after(every);
    boost::system::error_code ec;
    co_await watchdog_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return;
    }
  }
}

Awaitable<void> Daemon::StatusLoop() {
  while (!stopping_) {
    ReportStatus();
    watchdog_gate_.WorkDone(deps_.clock.SteadyNow());
    status_timer_.expires_after(kStatusEvery);
    boost::system::error_code ec;
    co_await status_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void Daemon::WakeAllPushers() {
  for (auto& [id, runner] : runners_) {
    runner->WakePusher();
  }
}

Awaitable<int> Daemon::RunOnce() {
  bool failed = false;
  for (int round = 1; round <= kMaxOnceRounds; ++round) {
    failed = false;
    Result<EngineCounters> before = engine_->Counters();
    for (auto& [id, runner] : runners_) {
      failed = !(co_await runner->PollUntilCaughtUp()).ok() || failed;
    }
    size_t sent = 0;
    for (auto& [id, runner] : runners_) {
      // A run that exits when done does not wait out the outbox's backoff:
      // each round retries what failed in the previous one (at most
      // kMaxOnceRounds times; what still fails stays queued, not dead).
      if (Result<size_t> redriven = engine_->RedrivePushes(id); !redriven.ok()) {
        spdlog::warn("once: re-driving pushes to {} failed: {}", id, redriven.status().ToString());
      }
      Result<PushStats> pushed = co_await runner->PushDue();
      failed = failed || !pushed.ok();
      sent += pushed.ok() ? pushed->sent : 0;
    }
    Result<EngineCounters> after = engine_->Counters();
    const bool journal_moved =
        !before.ok() || !after.ok() || before->journal_entries != after->journal_entries;
    spdlog::info("once: round {} done: journal {}, {} pushes sent", round,
                 journal_moved ? "grew" : "unchanged", sent);
    if (!journal_moved && sent == 0) {
      break;
    }
  }
  // A failed source (invalid file, missing credential) fails the run, after
  // every other source has synced.
  failed = failed || !failed_.empty();
  co_await PruneJournalNow();
  RefreshGauges();
  if (Result<EngineCounters> c = engine_->Counters(); c.ok()) {
    spdlog::info(
        "once: done: links={} unlinked={} outbox={} dead_letters={} conflicts held={} "
        "auto_resolved={}",
        c->links, c->unlinked_records, c->outbox_depth, c->dead_letters, c->conflicts_held,
        c->conflicts_auto_resolved);
  }
  co_return failed ? kExitFailure : kExitOk;
}

}  // namespace dealsync
