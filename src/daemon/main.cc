// dealsyncd --config DIR [--once] [--log-level L] [--log-target auto|journal|stderr]
// Wires the real clock, randomness, RocksDB store, HTTPS client and connector
// transport stack into the Daemon. Exit codes: 0 ok, 1 failure, 78 invalid
// configuration (EX_CONFIG; the unit does not restart on it).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>

#include "dealsync/connector.h"
#include "dealsync/version.h"
#include "dealsync/store.h"
#include "src/common/log_escape.h"
#include "src/daemon/daemon.h"
#include "src/daemon/logging.h"
#include "src/platform/system_clock.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/connector_transport.h"

namespace dealsync {
namespace {

Result<std::unique_ptr<HttpTransport>> MakeClient(boost::asio::any_io_executor executor,
                                                  const ConnectionConfig& connection,
                                                  const std::string& credentials_dir) {
  Result<ClientOptions> options =
      ClientOptionsFor(connection, [&credentials_dir](const CredentialRef& ref) {
        return ResolveCredential(ref, credentials_dir);
      });
  if (!options.ok()) {
    return options.status();
  }
  auto client = BeastHttpClient::Create(executor, std::move(*options));
  if (!client.ok()) {
    return client.status();
  }
  return std::unique_ptr<HttpTransport>(std::move(*client));
}

}  // namespace
}  // namespace dealsync

int main(int argc, char** argv) {
  using namespace dealsync;
  CLI::App app{"dealsyncd: keeps co-sold opportunities in sync between vendor and partner CRMs"};
  app.set_version_flag("--version", std::string("dealsyncd ") + kVersionLineSuffix,
                       "print the version and git revision, then exit");
  DaemonOptions options;
  std::string log_level;
  app.add_option("--config", options.config_dir, "configuration directory")->required();
  app.add_flag("--once", options.once,
               "run one poll + reconcile + push cycle over all sources until quiescent, then exit");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (overrides the config)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical"}));
  std::string log_target = "auto";
  app.add_option("--log-target", log_target,
                 "auto (the journal when stderr is journald's stream, else stderr), journal, stderr")
      ->check(CLI::IsMember({"auto", "journal", "stderr"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitConfig;
  }
  if (!log_level.empty()) {
    options.log_level = log_level == "warning" ? "warn" : log_level;
  }
  SetUpLogging(ParseLogTarget(log_target).value_or(LogTarget::kAuto));
  InstallLogEscaping();  // last: wraps every sink set up above

  SystemClock clock;
  std::unique_ptr<SeededRandom> random = SeededRandom::FromEntropy();
  SystemdNotifier notifier;
  DaemonDeps deps{clock,
                  *random,
                  ConnectorRegistry::Default(),
                  notifier,
                  MakeClient,
                  [&](boost::asio::any_io_executor, const SourceConfig& source, HttpTransport& base,
                      const std::string& credentials_dir, TransportCounters* counters) {
                    SecretSource secrets = [credentials_dir](const CredentialRef& ref) {
                      return ResolveCredential(ref, credentials_dir);
                    };
                    return MakeConnectorTransport(source.connection, std::move(secrets), base,
                                                  clock, *random, counters);
                  },
                  [](const std::string& dir, const StoreOptions& store_options) {
                    return OpenRocksStore(dir, store_options);
                  }};
  try {
    Daemon daemon(std::move(deps), std::move(options));
    return daemon.Run();
  } catch (const std::exception& e) {
    // Only broken invariants get here; say so and let systemd restart us.
    spdlog::critical("fatal: {}", e.what());
    return kExitFailure;
  }
}
