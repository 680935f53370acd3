// Configuration: plain structs filled by one validator from TOML files.
//
//   <dir>/dealsync.toml        daemon settings and reconciliation defaults
//   <dir>/vendor.toml          the vendor's CRM (a SourceConfig, role vendor)
//   <dir>/partners.d/*.toml    one SourceConfig per partner
//
// LoadConfig reports *every* error, each as
//   "file:line:column: key.path: what is wrong and what would be right"
// Unknown keys are errors; a bad value is never replaced by a default.
// Secrets are never inline: a CredentialRef names where to read them.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dealsync/model.h"
#include "dealsync/policy.h"
#include "dealsync/status.h"

namespace dealsync {

class ConnectorRegistry;

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

struct ConfigError {
  SourceLocation where;
  std::string key_path;  // "connection.auth.type"
  std::string message;
  std::string ToString() const;  // "file:line:column: key.path: message"
};

// Where a secret lives. In TOML:
//   credential = "name"                 systemd credential (or credentials_dir/name)
//   credential = { env = "VAR" }        environment variable
//   credential = { file = "/path" }     file contents (trailing newline trimmed)
struct CredentialRef {
  enum class Kind : uint8_t { kSystemd, kEnv, kFile };
  Kind kind = Kind::kSystemd;
  std::string name;        // credential name, variable name or path
  SourceLocation where{};  // where the config names it (file:line:column)
  bool empty() const { return name.empty(); }
  // e.g. "env:NORTHWIND_KEY" (never the secret). Inline so that libraries that
  // only read configs (the transport) need not link the config loader.
  std::string Describe() const {
    switch (kind) {
      case Kind::kEnv:
        return "env:" + name;
      case Kind::kFile:
        return "file:" + name;
      case Kind::kSystemd:
        break;
    }
    return "credential:" + name;
  }
};

// Reads the secret. `credentials_dir` is used when $CREDENTIALS_DIRECTORY is unset.
// Under systemd a credential "name" is $CREDENTIALS_DIRECTORY/name, or
// $CREDENTIALS_DIRECTORY/dealsync_name: the unit's
// `LoadCredential=dealsync:/etc/dealsync/credentials` loads every file of that
// directory with the prefix kUnitCredentialPrefix.
Result<std::string> ResolveCredential(const CredentialRef& ref, const std::string& credentials_dir);
inline constexpr std::string_view kUnitCredentialPrefix = "dealsync_";
// The file ResolveCredential would read for a kSystemd or kFile reference (the
// first candidate that exists, else the first candidate); "" for kEnv or when
// no directory is known.
std::string CredentialPath(const CredentialRef& ref, const std::string& credentials_dir);

struct AuthConfig {
  enum class Type : uint8_t {
    kNone,
    kBearer,        // Authorization: Bearer <credential>
    kApiKeyHeader,  // <header>: <credential>
    kApiKeyQuery,   // ?<param>=<credential>
    kBasic,         // username + credential (password)
    kOAuth2ClientCredentials,
    kOAuth2RefreshToken,
    kOAuth2JwtBearer,  // RFC 7523: an RS256 assertion signed with `credential` (a PEM key)
  };
  Type type = Type::kNone;
  std::string header;                   // api_key header name
  std::string param;                    // api_key query parameter name
  std::string username;                 // basic
  bool credential_is_username = false;  // basic: user = credential, password empty
  CredentialRef credential;  // token / key / password / OAuth2 client secret / JWT private key
  // Token schemes (bearer, oauth2_*): the headers that carry the token, each
  // value with "{token}" where it goes ("Authorization", "Zoho-oauthtoken
  // {token}"); empty = "Authorization: Bearer {token}".
  std::vector<std::pair<std::string, std::string>> headers;
  // OAuth2
  std::string token_url;
  std::string client_id;
  CredentialRef refresh_token;  // refresh-token flow
  std::string scope;
  std::string subject;   // JWT bearer: the user the token acts for (sub)
  std::string audience;  // JWT bearer: aud; empty = the origin of token_url
};

struct RateLimitConfig {
  int requests = 10;
  std::chrono::milliseconds per{1000};
};

struct RetryConfig {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
};

struct ConnectionConfig {
  std::string base_url;
  AuthConfig auth;
  RateLimitConfig rate_limit;
  RetryConfig retry;
  std::chrono::milliseconds timeout{30000};
  std::string ca_file;               // extra trusted CA (tests, private PKI); empty = system store
  bool allow_insecure_http = false;  // plain http:// only to loopback and only when true
  // Outbound proxy for https://: nullopt = HTTPS_PROXY / NO_PROXY from the
  // environment; "" = none (proxy = "" or "none"); else "http://host:port".
  std::optional<std::string> proxy;
  std::string proxy_username;      // Proxy-Authorization: Basic, with proxy_credential
  CredentialRef proxy_credential;  // only with an explicit proxy
};

// A canonical field read from a native record: a JSON pointer plus a format.
// In TOML: `name = "/title"` or `amount = { pointer = "/value", format = "decimal_string" }`.
struct FieldMapping {
  std::string pointer;  // RFC 6901 JSON pointer into the native record
  std::string format;   // "" or one of: string, decimal_string, number, minor_units,
                        // iso_date, iso_datetime, epoch_ms, epoch_s
  SourceLocation where;
};

// Canonical field names: id, registration_id, counterpart_id, counterpart_source (vendor:
// the partner source id owning counterpart_id), name, account, owner,
// pipeline, stage, amount, currency, close_date, modified_at, deleted.
using FieldMap = std::map<std::string, FieldMapping>;

// Native stage values for one pipeline. For each canonical stage, the native
// values that map to it; the first is the one written back.
struct PipelineStageMap {
  std::map<Stage, std::vector<std::string>> native_by_stage;
  std::optional<Stage> ToCanonical(std::string_view native) const;
  std::optional<std::string> ToNative(Stage s) const;
};
// Keyed by pipeline id; "" is the only key for CRMs without pipelines.
// TOML: [stages] qualified = [...]   or   [stages.<pipeline>] qualified = [...]
using StageMaps = std::map<std::string, PipelineStageMap>;

struct LinkConfig {
  bool by_registration_id = true;    // equal registration ids
  bool by_counterpart_id = true;     // one side stores the other's id
  bool by_match_key = false;         // normalised account + close month + amount band
  int64_t amount_band_ppm = 100000;  // +-10% for the match key
};

// Connector-specific options, validated against the connector's OptionTable
// (include/dealsync/connector.h). Keys are dotted paths: "list.page.style".
struct OptionValue {
  std::variant<std::string, int64_t, bool, std::chrono::milliseconds, std::vector<std::string>>
      value;
  SourceLocation where;
};
using ConnectorOptions = std::map<std::string, OptionValue>;

enum class Role : uint8_t { kVendor, kPartner };

struct SourceConfig {
  Role role = Role::kPartner;
  std::string id;  // "vendor" for the vendor; the partner id otherwise
  std::string name;
  std::string connector;  // "salesforce", "hubspot", "rest"
  std::string file;       // the file it came from
  std::chrono::milliseconds poll_interval{300000};
  std::string time_zone = "UTC";  // how this CRM's datetimes are meant
  std::string currency;           // default currency when records carry none
  ConnectionConfig connection;
  FieldMap fields;  // overrides/extends the connector's default field map
  StageMaps stages;
  // [statuses]: values of the `status` field -> the canonical stage they put a
  // record in (closed_won, closed_lost), or nullopt ("open": the stage comes
  // from the `stage` field). Empty when the CRM keeps the stage in one field.
  std::map<std::string, std::optional<Stage>> statuses;
  // [currencies]: native currency values that are not ISO 4217 codes (ids such
  // as SuiteCRM's "-99") -> the ISO code they stand for.
  std::map<std::string, std::string> currencies;
  LinkConfig link;
  ReconcilePolicy policy;  // defaults with this source's overrides applied
  ConnectorOptions options;
};

// A person who signs in to the review workspace or calls the admin API.
// Exactly one secret: a password hash ("pbkdf2-sha256$<iterations>$<salt>$<hash>",
// from `dealsyncctl users hash-password`) or an API token, both read from a credential.
enum class UserRole : uint8_t { kViewer, kResolver, kAdmin };
struct AdminUser {
  std::string name;
  UserRole role = UserRole::kViewer;
  std::vector<std::string> partners;  // empty: every partner
  CredentialRef password_hash;
  CredentialRef token;
  SourceLocation where;
};

// Outgoing webhook (review notifications). url is a credential (it carries a secret).
struct WebhookConfig {
  std::string name;
  CredentialRef url;
  std::string format = "json";        // "json" or "slack"
  std::vector<std::string> partners;  // empty: every partner
  std::vector<std::string> events;    // held_conflict, dead_letter, partner_failing, digest
  std::chrono::milliseconds failing_after{std::chrono::hours(1)};
  int digest_hour_utc = -1;  // 0..23: daily digest at that hour; -1: none
};

// [store]: the state directory's memory budget and how long the journal keeps
// what it no longer needs.
struct StoreSettings {
  std::optional<uint64_t> block_cache_bytes;  // unset: the store's default (StoreOptions)
  std::optional<uint64_t> memtable_bytes;
  // Journal entries recorded longer ago are pruned, except each record's latest
  // version and what an open conflict or refused record still points at; 0 keeps all.
  std::chrono::milliseconds keep_journal{std::chrono::hours(24 * 365)};
};

struct DaemonConfig {
  std::string file;
  std::string state_dir = "/var/lib/dealsync";
  std::string credentials_dir;  // fallback when $CREDENTIALS_DIRECTORY is unset
  std::string admin_listen = "127.0.0.1:8686";
  CredentialRef admin_token;           // bearer token for mutating admin calls
  std::vector<AdminUser> admin_users;  // [[admin.users]]
  CredentialRef admin_tls_cert;        // PEM chain; required beyond loopback
  CredentialRef admin_tls_key;
  std::chrono::milliseconds session_ttl{std::chrono::hours(8)};
  std::vector<WebhookConfig> webhooks;  // [[notify.webhooks]]
  // Host names the admin API answers to besides the loopback names and the
  // listen address ([admin] allowed_hosts; DNS-rebinding protection).
  std::vector<std::string> admin_allowed_hosts;
  std::string log_level = "info";
  std::chrono::milliseconds poll_interval{300000};  // default for sources without one
  std::chrono::milliseconds poll_jitter{5000};
  std::chrono::milliseconds shutdown_timeout{20000};
  std::chrono::milliseconds stalled_after{std::chrono::hours(24 * 30)};  // reports: stalled deals
  std::optional<Money> pipeline_target;  // reports: coverage target per partner
  ReconcilePolicy reconciliation;        // defaults for every partner
  CurrencyRates rates;
  PushRetryConfig push_retry;  // [push]
  StoreSettings store;         // [store]
};

struct Config {
  std::string dir;
  DaemonConfig daemon;
  SourceConfig vendor;
  std::vector<SourceConfig> partners;

  const SourceConfig* FindSource(std::string_view id) const;
};

// A partner file that did not load, set aside by LoadOptions::isolate_partners.
struct FailedPartner {
  std::string id;  // its `id` when readable, else the file name without .toml
  std::string file;
  std::vector<ConfigError> errors;
};

// Loads and validates <dir>. On failure returns every error found.
struct ConfigLoadResult {
  std::optional<Config> config;  // set when errors is empty
  std::vector<ConfigError> errors;
  std::vector<FailedPartner> failed_partners;  // only with isolate_partners
  std::optional<DaemonConfig> daemon;  // dealsync.toml's settings, when that file itself loaded
};
struct LoadOptions {
  // A partner file's errors set that partner aside (failed_partners) instead
  // of failing the whole configuration; dealsync.toml and vendor.toml errors
  // still do.
  bool isolate_partners = false;
};
// Connector-specific options are checked against `registry`'s option tables.
ConfigLoadResult LoadConfig(const std::string& dir, const ConnectorRegistry& registry);
ConfigLoadResult LoadConfig(const std::string& dir, const ConnectorRegistry& registry,
                            const LoadOptions& options);

// Checks that every credential `config` references exists, is a readable
// regular file (systemd and file references) or a set variable (env), and is
// not empty, in $CREDENTIALS_DIRECTORY or else daemon.credentials_dir. Each
// error is located where the credential is named ("file:line:column:
// connection.auth.credential: credential \"x\": ... does not exist").
std::vector<ConfigError> CheckCredentials(const Config& config);

}  // namespace dealsync
