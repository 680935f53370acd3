// dealsyncctl partner check --config DIR --partner ID [--sample N] [--max-pages N]
//                            [--write-test ID]
// The partner onboarding gate: loads and validates the configuration (every
// error printed as file:line:column: key.path: message, exit 78), then connects
// with the partner's real transport and runs RunPartnerCheck
// (connectors/common/partner_check.h): the whole list, the mapping of the first
// records, the types of the update body, a read by id and, with --write-test,
// one record written back with its own values (exit 1 on any failure).
#include "dealsync/asio.h"  // before Asio: g++ 12 needs <utility> first

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "connectors/common/partner_check.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/platform/system_clock.h"
#include "src/transport/beast_http_client.h"
#if __has_include("src/transport/connector_transport.h")
#include "src/transport/connector_transport.h"
#define DEALSYNC_HAVE_CONNECTOR_TRANSPORT 1
#endif

namespace dealsync::cli {
namespace {

struct PartnerCheckArgs {
  std::string config_dir;
  std::string partner;
  PartnerCheckOptions check;
};

// The transport the partner's connector gets in the daemon: the shared stack
// (auth, retry, rate limit) over a Beast client. Both must outlive the check.
struct CheckTransport {
  std::unique_ptr<BeastHttpClient> base;
  std::unique_ptr<HttpTransport> stack;
  SeededRandom random{0x5eed};
};

Result<std::unique_ptr<CheckTransport>> MakeTransport(boost::asio::io_context& io,
                                                      const Config& config,
                                                      const SourceConfig& source, Clock& clock) {
  auto out = std::make_unique<CheckTransport>();
  const std::string& dir = config.daemon.credentials_dir;
  Result<ClientOptions> options = ClientOptionsFor(
      source.connection, [&dir](const CredentialRef& ref) { return ResolveCredential(ref, dir); });
  if (!options.ok()) {
    return options.status();
  }
  auto client = BeastHttpClient::Create(io.get_executor(), std::move(*options));
  if (!client.ok()) {
    return client.status();
  }
  out->base = std::move(*client);
#ifdef DEALSYNC_HAVE_CONNECTOR_TRANSPORT
  const std::string credentials_dir = config.daemon.credentials_dir;
  auto stack = MakeConnectorTransport(
      source.connection,
      [credentials_dir](const CredentialRef& ref) {
        return ResolveCredential(ref, credentials_dir);
      },
      *out->base, clock, out->random, nullptr);
  if (!stack.ok()) {
    return stack.status();
  }
  out->stack = std::move(*stack);
#else
  (void)config;
  (void)clock;
  if (source.connection.auth.type != AuthConfig::Type::kNone) {
    return FailedPrecondition(
        "this build has no authenticating transport stack "
        "(src/transport/connector_transport.h); cannot authenticate to the "
        "partner API");
  }
#endif
  return out;
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
  SystemClock clock;
  auto transport = MakeTransport(io, *loaded.config, *source, clock);
  if (!transport.ok()) {
    std::cerr << "partner check: " << transport.status().message() << "\n"
              << "  what to change: check [connection] in " << source->file << "\n";
    return 1;
  }
  HttpTransport& wire = (*transport)->stack ? *(*transport)->stack : *(*transport)->base;
  std::optional<PartnerCheckResult> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(
      io, RunPartnerCheck(*source, ConnectorRegistry::Default(), wire, clock, args.check),
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
      "check",
      "connect, walk the whole list, show how records map and check the update body's types "
      "(changes nothing unless --write-test)");
  AddConfigOption(check, args->config_dir);
  check->add_option("--partner", args->partner, "partner id (its file in partners.d/)")->required();
  check->add_option("--sample", args->check.sample_size, "how many records to show")
      ->capture_default_str();
  check
      ->add_option("--max-pages", args->check.max_pages,
                   "fail when paging has not ended after this many pages")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  check->add_option("--write-test", args->check.write_test_id,
                    "write this record's current values back unchanged, read it again and "
                    "compare (proves auth, method, body and result parsing)");
  check->callback([args, &exit_code] { exit_code = RunCheck(*args); });
}

}  // namespace dealsync::cli
