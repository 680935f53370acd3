// dealsyncctl validate --config DIR
// Prints every configuration error as `file:line:column: key.path: message`
// and exits 78 (EX_CONFIG); on success prints a one-screen summary and exits 0.
// Once the files are valid, every credential they name is checked the way the
// daemon will read it ($CREDENTIALS_DIRECTORY, else credentials_dir): it must
// exist, be readable and not be empty; each miss is an error at the line that
// names the credential.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"

namespace dealsync::cli {
namespace {

// The largest unit that states the duration exactly: 90000ms -> "90s".
std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}}) {
    if (ms != 0 && ms % u.ms == 0) {
      return std::to_string(ms / u.ms) + u.suffix;
    }
  }
  return std::to_string(ms) + "ms";
}

std::string UrlHost(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string PolicySummary(const ReconcilePolicy& p) {
  std::string amount = std::string(PolicyRuleName(p.amount.rule));
  std::string tolerance;
  if (p.amount.tolerance_ppm > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%04lld%%",
                  static_cast<long long>(p.amount.tolerance_ppm / 10000),
                  static_cast<long long>(p.amount.tolerance_ppm % 10000));
    std::string pct = buf;  // trim "0.5000%" to "0.5%"
    while (pct.size() > 2 && pct[pct.size() - 2] == '0') {
      pct.erase(pct.size() - 2, 1);
    }
    if (pct[pct.size() - 2] == '.') {
      pct.erase(pct.size() - 2, 1);
    }
    tolerance = pct;
  }
  if (p.amount.tolerance_absolute) {
    tolerance += (tolerance.empty() ? "" : "/") + FormatMoney(*p.amount.tolerance_absolute);
  }
  if (!tolerance.empty()) {
    amount += "(±" + tolerance + ")";
  }
  return "stage=" + std::string(PolicyRuleName(p.stage.rule)) +
         (p.stage.allow_reopen ? "(reopen)" : "") + " amount=" + amount +
         " close_date=" + std::string(PolicyRuleName(p.close_date.rule));
}

void PrintSource(const SourceConfig& s) {
  std::printf("  %-16s %-11s %-34s %-6s %s\n", s.id.c_str(), s.connector.c_str(),
              UrlHost(s.connection.base_url).c_str(), FormatDuration(s.poll_interval).c_str(),
              PolicySummary(s.policy).c_str());
}

void PrintSummary(const Config& config) {
  const DaemonConfig& d = config.daemon;
  std::printf("configuration %s is valid\n", config.dir.c_str());
  std::printf("  state dir        %s\n", d.state_dir.c_str());
  std::printf("  admin            %s (mutations need %s)\n", d.admin_listen.c_str(),
              d.admin_token.empty() ? "no token: read-only" : d.admin_token.Describe().c_str());
  std::printf("  log level        %s\n", d.log_level.c_str());
  std::printf("  poll             every %s, jitter %s\n", FormatDuration(d.poll_interval).c_str(),
              FormatDuration(d.poll_jitter).c_str());
  std::printf("  reporting in     %s (%zu conversion rates)\n", d.rates.reporting_currency.c_str(),
              d.rates.nano_rates.size());
  std::printf("  defaults         %s\n\n", PolicySummary(d.reconciliation).c_str());
  std::printf("  %-16s %-11s %-34s %-6s %s\n", "SOURCE", "CONNECTOR", "HOST", "POLL", "POLICY");
  PrintSource(config.vendor);
  for (const SourceConfig& partner : config.partners) {
    PrintSource(partner);
  }
  std::printf("\n1 vendor, %zu partner%s\n", config.partners.size(),
              config.partners.size() == 1 ? "" : "s");
}

int RunValidate(const std::string& dir) {
  ConfigLoadResult result = LoadConfig(dir, ConnectorRegistry::Default());
  if (!result.errors.empty()) {
    for (const ConfigError& e : result.errors) {
      std::cerr << e.ToString() << "\n";
    }
    std::cerr << result.errors.size() << " error" << (result.errors.size() == 1 ? "" : "s")
              << " in configuration " << dir << "\n";
    return kExitConfig;
  }
  const std::vector<ConfigError> missing = CheckCredentials(*result.config);
  if (!missing.empty()) {
    for (const ConfigError& e : missing) {
      std::cerr << e.ToString() << "\n";
    }
    std::cerr << missing.size() << " credential error" << (missing.size() == 1 ? "" : "s")
              << " in configuration " << dir << "\n";
    return kExitConfig;
  }
  PrintSummary(*result.config);
  return 0;
}

}  // namespace

void AddValidateCommand(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a configuration directory; print every error with file:line:column");
  AddConfigOption(cmd, *dir, "Configuration directory (dealsync.toml, vendor.toml, partners.d/)");
  cmd->callback([dir, &exit_code] { exit_code = RunValidate(*dir); });
}

}  // namespace dealsync::cli
