// The config loader's internal pieces, one reader per part of the schema.
#pragma once

#include <string>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/config/toml_reader.h"

namespace dealsync::config_internal {

inline constexpr std::string_view kInlineSecretMessage =
    "secrets must not be written in config files; use credential = \"name\" (systemd "
    "credential), { env = \"VAR\" } or { file = \"/path\" }";

// Reads a credential reference: "name", { env = "VAR" } or { file = "/path" }.
std::optional<CredentialRef> ReadCredential(TableReader& table, std::string_view key);
// Reports keys that look like inline secrets (token, secret, password, api_key,
// client_secret, key) holding a string, except the ones in `references`.
void RejectInlineSecrets(TableReader& table, const std::vector<std::string>& references);

// [policy] / [reconciliation]: overrides `policy` field by field.
void ReadPolicy(TableReader& table, ReconcilePolicy& policy);

// dealsync.toml. Relative paths are resolved against `dir`.
DaemonConfig ReadDaemon(ErrorSink& sink, const toml::table& root, const std::string& dir);

// [admin] tls_cert, tls_key, session_ttl, [[admin.users]] (review_reader.cc).
void ReadAdminReview(TableReader& admin, DaemonConfig& daemon);
// [[notify.webhooks]] (review_reader.cc).
void ReadNotify(TableReader& root, DaemonConfig& daemon);
// Cross-file: partners named by users and webhooks exist.
void CheckUserPartners(const Config& config, std::vector<ConfigError>& errors);

// [connection] of a source file.
void ReadConnection(TableReader& table, const std::string& dir, ConnectionConfig& connection);
// [fields], [stages], [link].
void ReadFields(TableReader& table, FieldMap& fields);
// [stages]; canonical stages that [statuses] decides need no native stage value.
void ReadStages(TableReader& root, const std::map<std::string, std::optional<Stage>>& statuses,
                StageMaps& stages);
void ReadStatuses(TableReader& t, std::map<std::string, std::optional<Stage>>& statuses);
void ReadCurrencies(TableReader& t, std::map<std::string, std::string>& currencies);
void ReadLink(TableReader& table, LinkConfig& link);

// Every key of `root` not read yet, as connector options: sub-tables and
// inline tables flatten to dotted keys, checked against the factory's option table.
void ReadConnectorOptions(TableReader& root, const ConnectorFactory& factory,
                          ConnectorOptions& options);

// vendor.toml or one partners.d file; nullopt when it has errors.
std::optional<SourceConfig> ReadSource(ErrorSink& sink, const toml::table& root, Role role,
                                       const DaemonConfig& daemon, const std::string& dir,
                                       const ConnectorRegistry& registry);

}  // namespace dealsync::config_internal
