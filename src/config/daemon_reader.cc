// dealsync.toml: daemon settings, reconciliation defaults, currency rates, reports.
#include <charconv>
#include <filesystem>

#include "src/config/config_internal.h"
#include "src/config/units.h"

namespace dealsync::config_internal {
namespace {

const std::vector<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error"};

std::string ResolvePath(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/') {
    return path;
  }
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

// "host:port" or "[v6]:port"; the port must be 0..65535 (0 picks a free port).
bool IsValidListenAddress(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
    return false;
  }
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.front() == '[' ? host.back() != ']' : host.find(':') != std::string_view::npos) {
    return false;
  }
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && end == port.data() + port.size() && value >= 0 && value <= 65535;
}

// A host name or IP literal as it may appear in a Host header (no port).
bool IsValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  if (host.front() == '[') {  // IPv6 literal
    return host.back() == ']' && host.size() > 2 &&
           host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") ==
               std::string_view::npos;
  }
  return host.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
         std::string_view::npos;
}

void ReadAllowedHosts(TableReader& admin, DaemonConfig& daemon) {
  const toml::node* node = admin.Get("allowed_hosts");
  if (node == nullptr) {
    return;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    admin.WrongType("allowed_hosts", *node, "an array of host names");
    return;
  }
  for (const toml::node& item : *array) {
    const auto* text = item.as_string();
    if (text == nullptr || !IsValidHostName(text->get())) {
      admin.sink().Add(
          item.source(), admin.PathOf("allowed_hosts"),
          "expected a host name without port such as \"dealsync.internal\" or "
          "\"[fd00::5]\", found " +
              (text == nullptr ? std::string(TypeName(item)) : "\"" + text->get() + "\""));
      continue;
    }
    daemon.admin_allowed_hosts.push_back(text->get());
  }
}

void ReadAdmin(TableReader& root, DaemonConfig& daemon) {
  const toml::table* table = root.Table("admin");
  if (table == nullptr) {
    return;
  }
  TableReader admin(root.sink(), *table, "admin");
  if (auto listen = admin.String("listen")) {
    if (IsValidListenAddress(*listen)) {
      daemon.admin_listen = *listen;
    } else {
      admin.Error("listen", *admin.Get("listen"),
                  "invalid listen address \"" + *listen +
                      "\" (expected host:port, e.g. \"127.0.0.1:8686\" or \"[::1]:8686\")");
    }
  }
  if (auto token = ReadCredential(admin, "token")) {
    daemon.admin_token = *token;
  }
  ReadAllowedHosts(admin, daemon);
  RejectInlineSecrets(admin, {"token"});
  ReadAdminReview(admin, daemon);
  admin.Finish();
}

void ReadCurrency(TableReader& root, CurrencyRates& rates) {
  const toml::table* table = root.Table("currency");
  if (table == nullptr) {
    return;
  }
  TableReader currency(root.sink(), *table, "currency");
  if (auto code = currency.String("reporting")) {
    if (CurrencyMinorDigits(*code)) {
      rates.reporting_currency = *code;
    } else {
      currency.Error("reporting", *currency.Get("reporting"),
                     "unknown currency \"" + *code + "\" (expected an ISO 4217 code such as USD)");
    }
  }
  if (const toml::table* rate_table = currency.Table("rates")) {
    for (auto&& [key, value] : *rate_table) {
      const std::string path = "currency.rates." + std::string(key.str());
      if (!CurrencyMinorDigits(key.str())) {
        root.sink().Add(key.source(), path,
                        "unknown currency \"" + std::string(key.str()) +
                            "\" (expected an ISO 4217 code such as EUR)");
        continue;
      }
      const auto* text = value.as_string();
      if (text == nullptr) {
        root.sink().Add(value.source(), path,
                        "expected a decimal string such as \"1.08\" (rates are exact; no "
                        "floating point), found " +
                            std::string(TypeName(value)));
        continue;
      }
      Result<int64_t> nano = ParseScaledDecimal(text->get(), 9);
      if (!nano.ok() || *nano == 0) {
        root.sink().Add(value.source(), path,
                        nano.ok() ? "rate must be greater than zero" : nano.status().message());
        continue;
      }
      rates.nano_rates[std::string(key.str())] = *nano;
    }
  }
  currency.Finish();
}

// [push]: the outbox's own retry policy (not the per-request connection.retry).
void ReadPushRetry(TableReader& root, PushRetryConfig& push) {
  const toml::table* table = root.Table("push");
  if (table == nullptr) {
    return;
  }
  TableReader t(root.sink(), *table, "push");
  if (auto d = t.Duration("initial_backoff", /*allow_zero=*/false)) {
    push.initial_backoff = *d;
  }
  if (auto d = t.Duration("max_backoff", /*allow_zero=*/false)) {
    push.max_backoff = *d;
  }
  if (auto d = t.Duration("give_up_after", /*allow_zero=*/false)) {
    push.give_up_after = *d;
  }
  if (push.max_backoff < push.initial_backoff) {
    const char* key = t.Get("max_backoff") != nullptr ? "max_backoff" : "initial_backoff";
    if (const toml::node* node = t.Get(key)) {
      t.Error(key, *node, "max_backoff must not be shorter than initial_backoff");
    }
  }
  t.Finish();
}

void ReadReports(TableReader& root, DaemonConfig& daemon) {
  const toml::table* table = root.Table("reports");
  if (table == nullptr) {
    return;
  }
  TableReader reports(root.sink(), *table, "reports");
  if (auto d = reports.Duration("stalled_after", /*allow_zero=*/false)) {
    daemon.stalled_after = *d;
  }
  if (auto target = reports.String("pipeline_target")) {
    Result<Money> money = ParseMoneyWithCurrency(*target);
    if (money.ok()) {
      daemon.pipeline_target = *money;
    } else {
      reports.Error("pipeline_target", *reports.Get("pipeline_target"), money.status().message());
    }
  }
  reports.Finish();
}

void ReadStore(TableReader& root, StoreSettings& store) {
  const toml::table* table = root.Table("store");
  if (table == nullptr) {
    return;
  }
  TableReader t(root.sink(), *table, "store");
  constexpr int64_t kMiB = int64_t{1} << 20;
  if (auto v = t.Int("block_cache_mib", 1, 1 << 20)) {
    store.block_cache_bytes = static_cast<uint64_t>(*v * kMiB);
  }
  if (auto v = t.Int("memtables_mib", 4, 1 << 20)) {
    store.memtable_bytes = static_cast<uint64_t>(*v * kMiB);
  }
  if (auto d = t.Duration("keep_journal", /*allow_zero=*/true)) {
    store.keep_journal = *d;
  }
  t.Finish();
}

}  // namespace

DaemonConfig ReadDaemon(ErrorSink& sink, const toml::table& root_table, const std::string& dir) {
  DaemonConfig daemon;
  daemon.file = sink.file();
  TableReader root(sink, root_table, "");
  if (auto v = root.String("state_dir")) {
    if (v->empty()) {
      root.Error("state_dir", *root.Get("state_dir"), "state_dir must not be empty");
    } else {
      daemon.state_dir = ResolvePath(dir, *v);
    }
  }
  if (auto v = root.String("credentials_dir")) {
    daemon.credentials_dir = ResolvePath(dir, *v);
  }
  if (auto v = root.Enum("log_level", kLogLevels)) {
    daemon.log_level = *v;
  }
  ReadAdmin(root, daemon);
  if (const toml::table* table = root.Table("poll")) {
    TableReader poll(sink, *table, "poll");
    if (auto d = poll.Duration("interval", /*allow_zero=*/false)) {
      daemon.poll_interval = *d;
    }
    if (auto d = poll.Duration("jitter", /*allow_zero=*/true)) {
      daemon.poll_jitter = *d;
    }
    poll.Finish();
  }
  if (const toml::table* table = root.Table("shutdown")) {
    TableReader shutdown(sink, *table, "shutdown");
    if (auto d = shutdown.Duration("timeout", /*allow_zero=*/false)) {
      daemon.shutdown_timeout = *d;
    }
    shutdown.Finish();
  }
  if (const toml::table* table = root.Table("reconciliation")) {
    TableReader reconciliation(sink, *table, "reconciliation");
    ReadPolicy(reconciliation, daemon.reconciliation);
    reconciliation.Finish();
  }
  ReadCurrency(root, daemon.rates);
  ReadReports(root, daemon);
  ReadPushRetry(root, daemon.push_retry);
  ReadStore(root, daemon.store);
  ReadNotify(root, daemon);
  root.Finish();
  return daemon;
}

}  // namespace dealsync::config_internal
