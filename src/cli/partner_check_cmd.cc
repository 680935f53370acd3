// dealsyncctl partner check --config DIR --partner ID [--sample N]
// The partner onboarding loop: loads and validates the configuration (every
// error printed as file:line:column: key.path: message, exit 78), then connects
// with the partner's real transport, fetches the first page, shows how the first
// records map to the canonical model and what to change for each failure
// (exit 1). Nothing is written to the partner's CRM.
#include "dealsync/asio.h"  // before Asio: g++ 12 needs <utility> first

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "connectors/rest/partner_check.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/cli/commands.h"
#include "src/platform/system_clock.h"
#include "src/transport/beast_http_client.h"

namespace dealsync::cli {
namespace {

struct PartnerCheckArgs {
  std::string config_dir;
  std::string partner;
  size_t sample = 3;
};

// The transport the partner's connector gets in the daemon. The shared
// connector stack (auth, rate limit, retry) is added here once it exists in
// src/transport; until then only sources without auth can be checked.
Result<std::unique_ptr<HttpTransport>> MakeTransport(boost::asio::io_context& io,
                                                     const SourceConfig& source) {
  if (source.connection.auth.type != AuthConfig::Type::kNone) {
    return FailedPrecondition(
        "this build has no authenticating transport stack yet (src/transport "
        "MakeConnectorTransport); cannot send " +
        source.connection.auth.credential.Describe() + " to the partner API");
  }
  auto client = BeastHttpClient::Create(io.get_executor(), ClientOptionsFor(source.connection));
  if (!client.ok()) {
    return client.status();
  }
  return std::unique_ptr<HttpTransport>(std::move(*client));
}

int RunCheck(const PartnerCheckArgs& args) {
  ConfigLoadResult loaded = LoadConfig(args.config_dir, ConnectorRegistry::Default());
  if (!loaded.errors.empty()) {
    for (const ConfigError& e : loaded.errors) {
      std::cerr << e.ToString() << "\n";
    }
    std::cerr << "partner check: the configuration is invalid; fix the errors above\n";
    return kExitConfig;
  }
  const SourceConfig* source = loaded.config->FindSource(args.partner);
  if (source == nullptr) {
    std::string known;
    for (const SourceConfig& p : loaded.config->partners) {
      known += (known.empty() ? "" : ", ") + p.id;
    }
    std::cerr << "partner check: no partner \"" << args.partner << "\" in " << args.config_dir
              << "/partners.d (known: " << known << ")\n";
    return kExitConfig;
  }
  boost::asio::io_context io;
  auto transport = MakeTransport(io, *source);
  if (!transport.ok()) {
    std::cerr << "partner check: " << transport.status().message() << "\n";
    return 1;
  }
  SystemClock clock;
  std::optional<PartnerCheckResult> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(
      io, RunPartnerCheck(*source, ConnectorRegistry::Default(), **transport, clock, args.sample),
      [&](std::exception_ptr e, PartnerCheckResult r) {
        failure = e;
        if (!e) {
          result = std::move(r);
        }
      });
  io.run();
  if (failure) {
    std::rethrow_exception(failure);  // main() reports it as an internal error
  }
  std::cout << result->report;
  return result->exit_code;
}

}  // namespace

void AddPartnerCommand(CLI::App& app, int& exit_code) {
  CLI::App* partner = app.add_subcommand("partner", "work with one partner's configuration");
  partner->require_subcommand(1);
  auto args = std::make_shared<PartnerCheckArgs>();
  CLI::App* check = partner->add_subcommand(
      "check", "connect, fetch the first page and show how records map (changes nothing)");
  check->add_option("--config", args->config_dir, "configuration directory")->required();
  check->add_option("--partner", args->partner, "partner id (its file in partners.d/)")->required();
  check->add_option("--sample", args->sample, "how many records to show")->capture_default_str();
  check->callback([args, &exit_code] { exit_code = RunCheck(*args); });
}

}  // namespace dealsync::cli
