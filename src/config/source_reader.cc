// vendor.toml and partners.d/*.toml: one SourceConfig each.
#include <algorithm>

#include "dealsync/connector.h"
#include "src/config/config_internal.h"

namespace dealsync::config_internal {
namespace {

bool IsValidPartnerId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && id != "vendor" &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

void ReadIdentity(TableReader& root, Role role, SourceConfig& source) {
  const toml::node* id_node = root.Get("id");
  if (role == Role::kVendor) {
    source.id = "vendor";
    if (id_node != nullptr) {
      root.Error("id", *id_node,
                 "the vendor's id is always \"vendor\"; remove this key from vendor.toml");
    }
  } else if (id_node == nullptr) {
    root.ErrorAtTable("id", "missing key \"id\" (the partner id, e.g. id = \"northwind\")");
  } else if (auto id = root.String("id")) {
    if (IsValidPartnerId(*id)) {
      source.id = *id;
    } else {
      root.Error("id", *id_node,
                 "invalid partner id \"" + *id +
                     "\" (expected 1-64 characters of a-z, 0-9, \"-\", \"_\"; not \"vendor\")");
    }
  }
  if (auto name = root.String("name")) {
    source.name = *name;
  }
  if (source.name.empty()) {
    source.name = source.id;
  }
}

void ReadZoneAndCurrency(TableReader& root, SourceConfig& source) {
  if (auto zone = root.String("time_zone")) {
    Result<TimeZone> loaded = TimeZone::Load(*zone);
    if (loaded.ok()) {
      source.time_zone = *zone;
    } else {
      root.Error("time_zone", *root.Get("time_zone"), loaded.status().message());
    }
  }
  if (auto currency = root.String("currency")) {
    if (CurrencyMinorDigits(*currency)) {
      source.currency = *currency;
    } else {
      root.Error("currency", *root.Get("currency"),
                 "unknown currency \"" + *currency +
                     "\" (expected an upper-case ISO 4217 code such as USD, EUR, JPY)");
    }
  }
}

template <typename Read>
void ReadSection(TableReader& root, std::string_view key, Read read) {
  if (const toml::table* table = root.Table(key)) {
    TableReader t(root.sink(), *table, std::string(key));
    read(t);
  }
}

}  // namespace

std::optional<SourceConfig> ReadSource(ErrorSink& sink, const toml::table& root_table, Role role,
                                       const DaemonConfig& daemon, const std::string& dir,
                                       const ConnectorRegistry& registry) {
  const size_t errors_before = sink.count();
  SourceConfig source;
  source.role = role;
  source.file = sink.file();
  source.poll_interval = daemon.poll_interval;
  source.policy = daemon.reconciliation;
  TableReader root(sink, root_table, "");
  ReadIdentity(root, role, source);
  const ConnectorFactory* factory = nullptr;
  if (root.Get("connector") == nullptr) {
    root.ErrorAtTable(
        "connector", "missing key \"connector\" (known: " + [&] {
          std::string names;
          for (const std::string& n : registry.Names()) {
            names += (names.empty() ? "" : ", ") + n;
          }
          return names;
        }() + ")");
  } else if (auto name = root.String("connector")) {
    factory = registry.Find(*name);
    if (factory == nullptr) {
      root.Error("connector", *root.Get("connector"), registry.UnknownMessage(*name));
    } else {
      source.connector = *name;
    }
  }
  if (auto d = root.Duration("poll_interval", /*allow_zero=*/false)) {
    source.poll_interval = *d;
  }
  ReadZoneAndCurrency(root, source);
  RejectInlineSecrets(root, {});
  if (root.Get("connection") == nullptr) {
    root.ErrorAtTable("connection", "missing [connection] table (base_url, auth, ...)");
  }
  ReadSection(root, "connection", [&](TableReader& t) {
    ReadConnection(t, dir, source.connection);
    t.Finish();
  });
  ReadSection(root, "fields", [&](TableReader& t) { ReadFields(t, source.fields); });
  ReadSection(root, "statuses", [&](TableReader& t) { ReadStatuses(t, source.statuses); });
  ReadSection(root, "currencies", [&](TableReader& t) { ReadCurrencies(t, source.currencies); });
  ReadStages(root, source.statuses, source.stages);
  ReadSection(root, "link", [&](TableReader& t) { ReadLink(t, source.link); });
  ReadSection(root, "policy", [&](TableReader& t) {
    ReadPolicy(t, source.policy);
    t.Finish();
  });
  if (factory != nullptr) {
    ReadConnectorOptions(root, *factory, source.options);
  } else {
    // Without a known connector its options cannot be told from typos; the
    // connector error comes first and a re-run checks the rest.
    for (const std::string& key : root.UnreadKeys()) {
      root.Allow(key);
    }
  }
  if (sink.count() != errors_before) {
    return std::nullopt;
  }
  // Semantic checks need a well-formed config; they run only when the schema passed.
  std::vector<ConfigError> connector_errors;
  factory->Validate(source, connector_errors);
  for (ConfigError& e : connector_errors) {
    if (e.where.file.empty()) {
      e.where.file = sink.file();
    }
    sink.Add(e.where, std::move(e.key_path), std::move(e.message));
  }
  if (sink.count() != errors_before) {
    return std::nullopt;
  }
  return source;
}

}  // namespace dealsync::config_internal
