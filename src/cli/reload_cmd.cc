// dealsyncctl reload --config DIR
// Asks the running dealsyncd to reload its configuration (POST /api/v1/reload
// on daemon.admin_listen, with the admin token) and waits for the verdict:
//   0   applied: the new configuration is in effect
//   1   rejected (nothing changed), applied with failed sources, or the
//       daemon could not be reached; every error is printed
//   78  DIR/dealsync.toml is unusable, so the daemon cannot even be found
//       (its reload would reject the directory the same way)
// The unit's ExecReload= runs it, so `systemctl reload dealsyncd` fails when
// the new configuration is rejected. Under systemd the admin token is read
// from $CREDENTIALS_DIRECTORY like the daemon reads it.
#include <iostream>
#include <memory>
#include <string>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"

namespace dealsync::cli {
namespace {

struct ReloadArgs {
  std::string config_dir;
  int timeout_seconds = 90;
};

int RunReload(const ReloadArgs& args) {
  ConfigLoadResult loaded = LoadConfig(args.config_dir, ConnectorRegistry::Default(),
                                       LoadOptions{.isolate_partners = true});
  if (!loaded.daemon) {
    // Without dealsync.toml there is no admin address to ask; the daemon's
    // own LoadConfig would reject this directory the same way.
    for (const ConfigError& e : loaded.errors) {
      std::cerr << e.ToString() << "\n";
    }
    std::cerr << "reload rejected: " << args.config_dir
              << "/dealsync.toml is not usable (the daemon was not asked and keeps running its "
                 "previous configuration)\n";
    return kExitConfig;
  }
  const DaemonClient daemon(*loaded.daemon);
  Result<DaemonReply> reply =
      daemon.Call("POST", "/api/v1/reload", "", std::chrono::seconds(args.timeout_seconds));
  if (!reply.ok()) {
    std::cerr << "reload: " << reply.status().message() << "\n";
    return 1;
  }
  const DaemonReply& r = *reply;
  const nlohmann::json& body = r.body;
  auto print_errors = [&body] {
    if (body.is_object() && body.contains("errors") && body["errors"].is_array()) {
      for (const auto& e : body["errors"]) {
        std::cerr << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
      }
    }
  };
  if (r.status == 200 && body.is_object()) {
    const std::string status = body.value("status", "");
    if (status == "applied") {
      std::cout << "reload applied: " << body.value("summary", "") << "\n";
      return 0;
    }
    print_errors();
    std::cerr << "reload applied with failures: " << body.value("summary", "") << "\n";
    return 1;
  }
  if (r.status == 422) {
    print_errors();
    std::cerr << "reload rejected: the daemon keeps running its previous configuration\n";
    return 1;
  }
  std::cerr << "reload: dealsyncd answered " << r.status << ": " << r.ErrorMessage() << "\n";
  return 1;
}

}  // namespace

void AddReloadCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReloadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "reload", "Ask the running dealsyncd to reload its configuration and wait for the verdict");
  AddConfigOption(cmd, args->config_dir,
                  "Configuration directory (finds [admin] listen and the admin token)");
  cmd->add_option("--timeout", args->timeout_seconds, "Seconds to wait for the verdict")
      ->check(CLI::Range(1, 3600));
  cmd->callback([args, &exit_code] { exit_code = RunReload(*args); });
}

}  // namespace dealsync::cli
