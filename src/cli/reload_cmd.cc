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
#include "dealsync/asio.h"  // before Asio: g++ 12 needs <utility> first

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/cli/commands.h"
#include "src/transport/beast_http_client.h"

namespace dealsync::cli {
namespace {

using std::chrono::milliseconds;

struct ReloadArgs {
  std::string config_dir;
  int timeout_seconds = 90;
};

// "127.0.0.1:8686" -> "http://127.0.0.1:8686"; a wildcard bind is reached on loopback.
std::string AdminBase(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = colon == std::string::npos ? "8686" : listen.substr(colon + 1);
  if (host.empty() || host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "[::]") {
    host = "[::1]";
  }
  return "http://" + host + ":" + port;
}

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
  const DaemonConfig& d = *loaded.daemon;
  HttpRequest request;
  request.method = "POST";
  request.url = AdminBase(d.admin_listen) + "/api/v1/reload";
  request.timeout = milliseconds(args.timeout_seconds * 1000);
  if (!d.admin_token.empty()) {
    Result<std::string> token = ResolveCredential(d.admin_token, d.credentials_dir);
    if (!token.ok()) {
      std::cerr << "reload: admin.token: " << token.status().message() << "\n";
      return 1;
    }
    request.headers.emplace_back("Authorization", "Bearer " + *token);
  }

  boost::asio::io_context io;
  ClientOptions options;
  options.allow_insecure_http_loopback = true;  // the admin API listens on loopback
  BeastHttpClient client(io.get_executor(), options);
  std::optional<Result<HttpResponse>> response;
  boost::asio::co_spawn(
      io,
      [&]() -> Awaitable<void> { response.emplace(co_await client.Send(request)); },
      [&](std::exception_ptr e) {
        if (e) {
          response.emplace(Internal("reload request failed"));
        }
      });
  io.run();
  if (!response || !response->ok()) {
    std::cerr << "reload: cannot reach dealsyncd at " << request.url << ": "
              << (response ? response->status().ToString() : "no response") << "\n";
    return 1;
  }
  const HttpResponse& r = **response;
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
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
  std::string message = r.body;
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    message = body["error"].value("message", r.body);
  }
  std::cerr << "reload: dealsyncd answered " << r.status << ": " << message << "\n";
  return 1;
}

}  // namespace

void AddReloadCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReloadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "reload", "Ask the running dealsyncd to reload its configuration and wait for the verdict");
  cmd->add_option("--config", args->config_dir,
                  "Configuration directory (finds daemon.admin_listen and the admin token)")
      ->required();
  cmd->add_option("--timeout", args->timeout_seconds, "Seconds to wait for the verdict")
      ->check(CLI::Range(1, 3600));
  cmd->callback([args, &exit_code] { exit_code = RunReload(*args); });
}

}  // namespace dealsync::cli
