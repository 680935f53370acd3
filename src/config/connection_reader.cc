// [connection]: base URL, auth with credential references, rate limit, retry.
#include <algorithm>

#include "dealsync/http.h"
#include "src/config/config_internal.h"

namespace dealsync::config_internal {
namespace {

using AuthType = AuthConfig::Type;

struct UrlParts {
  std::string scheme;
  std::string host;
};

std::optional<UrlParts> SplitUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::nullopt;
  }
  UrlParts parts{std::string(url.substr(0, scheme_end)), ""};
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return std::nullopt;  // user:password@ would put a secret in the config
  }
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    parts.host = std::string(authority.substr(0, close + 1));
  } else {
    parts.host = std::string(authority.substr(0, authority.find(':')));
  }
  if (parts.host.empty() || parts.host.find(' ') != std::string::npos) {
    return std::nullopt;
  }
  return parts;
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// Checks an https URL (or http to loopback when allowed); reports at `key`.
bool CheckUrl(TableReader& t, std::string_view key, const std::string& url, bool allow_http) {
  const toml::node& node = *t.Get(key);
  std::optional<UrlParts> parts = SplitUrl(url);
  if (!parts || (parts->scheme != "https" && parts->scheme != "http")) {
    t.Error(key, node,
            "invalid URL \"" + url + "\" (expected https://host[:port]/path, no user info)");
    return false;
  }
  if (parts->scheme == "http") {
    if (!allow_http || !IsLoopback(parts->host)) {
      t.Error(key, node,
              "plain http:// is refused (use https://; http is allowed only to a loopback host "
              "with allow_insecure_http = true)");
      return false;
    }
  }
  return true;
}

struct AuthTypeInfo {
  std::string_view name;
  std::vector<std::string_view> required;  // besides type (api_key: header or param)
  std::vector<std::string_view> optional;
};

const std::vector<AuthTypeInfo>& AuthTypes() {
  static const std::vector<AuthTypeInfo> kTypes = {
      {"none", {}, {}},
      {"bearer", {"credential"}, {"headers"}},
      {"api_key", {"credential"}, {"header", "param"}},
      {"basic", {"credential"}, {"username", "credential_is"}},
      {"oauth2_client_credentials", {"token_url", "client_id", "credential"}, {"scope", "headers"}},
      {"oauth2_refresh_token",
       {"token_url", "client_id", "refresh_token"},
       {"credential", "scope", "headers"}},
      {"oauth2_jwt_bearer",
       {"token_url", "client_id", "subject", "credential"},
       {"audience", "scope", "headers"}},
  };
  return kTypes;
}

// basic: username = "..." with the credential as password, or
// credential_is = "username" (the API key is the user name, the password empty).
void ReadBasicUser(TableReader& t, AuthConfig& auth) {
  if (auth.type != AuthType::kBasic) {
    return;
  }
  if (t.Get("credential_is") != nullptr) {
    auto role = t.Enum("credential_is", {"password", "username"});
    auth.credential_is_username = role && *role == "username";
  }
  const toml::node* username = t.Get("username");
  if (auth.credential_is_username && username != nullptr) {
    t.Error("username", *username,
            "with credential_is = \"username\" the credential is the user name: remove "
            "username (the password is sent empty)");
  } else if (!auth.credential_is_username && username == nullptr) {
    t.ErrorAtTable("username",
                   "auth type \"basic\" needs key \"username\" (or credential_is = "
                   "\"username\" when the API key is the user name and the password is empty)");
  }
}

// headers = ["Authorization: Zoho-oauthtoken {token}", ...]: how a token scheme
// sends its token; {token} is the only placeholder and must appear.
void ReadTokenHeaders(TableReader& t, AuthConfig& auth) {
  const toml::node* node = t.Get("headers");
  if (node == nullptr) {
    return;
  }
  const toml::array* list = node->as_array();
  if (list == nullptr || list->empty()) {
    t.Error("headers", *node,
            "expected a non-empty list of \"Name: value\" strings, the value with {token} "
            "where the token goes (headers = [\"Authorization: Zoho-oauthtoken {token}\"])");
    return;
  }
  bool has_token = false;
  for (const toml::node& entry : *list) {
    auto header = entry.is_string() ? ParseHeaderLine(entry.as_string()->get()) : std::nullopt;
    if (!header) {
      t.Error("headers", entry,
              "each entry is \"Name: value\" (a header name, a colon, a value on one line), "
              "e.g. \"Authorization: Token token={token}\"");
      return;
    }
    auto& [name, value] = *header;
    for (size_t open = value.find('{'); open != std::string::npos;
         open = value.find('{', open + 1)) {
      const size_t close = value.find('}', open);
      if (close != std::string::npos && value.compare(open, close - open + 1, "{token}") != 0) {
        t.Error("headers", entry,
                "unknown placeholder " + value.substr(open, close - open + 1) + " in \"" + name +
                    "\" (the only one is {token})");
        return;
      }
    }
    has_token = has_token || value.find("{token}") != std::string::npos;
    auth.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!has_token) {
    auth.headers.clear();
    t.Error("headers", *node, "no entry contains {token}: the token would never be sent");
  }
}

void ReadAuth(TableReader& connection, bool allow_http, AuthConfig& auth) {
  const toml::table* table = connection.Table("auth");
  if (table == nullptr) {
    return;
  }
  TableReader t(connection.sink(), *table, connection.PathOf("auth"));
  RejectInlineSecrets(t, {"credential", "refresh_token"});
  std::vector<std::string> names;
  for (const AuthTypeInfo& info : AuthTypes()) {
    names.emplace_back(info.name);
  }
  if (t.Get("type") == nullptr) {
    t.ErrorAtTable("type",
                   "missing key \"type\" (expected one of: none, bearer, api_key, basic, "
                   "oauth2_client_credentials, oauth2_refresh_token, oauth2_jwt_bearer)");
    t.Finish();
    return;
  }
  std::optional<std::string> type = t.Enum("type", names);
  if (!type) {
    t.Finish();
    return;
  }
  const AuthTypeInfo& info = *std::find_if(AuthTypes().begin(), AuthTypes().end(),
                                           [&](const AuthTypeInfo& i) { return i.name == *type; });
  // Keys that belong to another auth type are errors, not silently ignored.
  for (std::string_view key :
       {"header", "param", "username", "credential_is", "credential", "token_url", "client_id",
        "refresh_token", "scope", "subject", "audience", "headers"}) {
    const toml::node* node = t.Get(key);
    bool applies = std::count(info.required.begin(), info.required.end(), key) > 0 ||
                   std::count(info.optional.begin(), info.optional.end(), key) > 0;
    if (node != nullptr && !applies) {
      t.Error(key, *node,
              "key \"" + std::string(key) + "\" does not apply to auth type \"" + *type + "\"");
    } else if (node == nullptr && applies &&
               std::count(info.required.begin(), info.required.end(), key) > 0) {
      t.ErrorAtTable(key, "auth type \"" + *type + "\" needs key \"" + std::string(key) + "\"" +
                              (key == "credential" || key == "refresh_token"
                                   ? " (a reference: \"name\", { env = \"VAR\" } or "
                                     "{ file = \"/path\" })"
                                   : ""));
    }
  }
  static const std::map<std::string, AuthType, std::less<>> kTypeByName = {
      {"none", AuthType::kNone},
      {"bearer", AuthType::kBearer},
      {"api_key", AuthType::kApiKeyHeader},
      {"basic", AuthType::kBasic},
      {"oauth2_client_credentials", AuthType::kOAuth2ClientCredentials},
      {"oauth2_refresh_token", AuthType::kOAuth2RefreshToken},
      {"oauth2_jwt_bearer", AuthType::kOAuth2JwtBearer}};
  auth.type = kTypeByName.find(*type)->second;
  if (*type == "api_key") {
    const bool has_header = t.Get("header") != nullptr;
    const bool has_param = t.Get("param") != nullptr;
    if (has_header == has_param) {
      t.ErrorAtTable(has_header ? "param" : "header",
                     "api_key auth needs exactly one of header = \"X-Api-Key\" (sent as a "
                     "header) or param = \"api_key\" (sent in the query)");
    }
    if (has_param) {
      auth.type = AuthType::kApiKeyQuery;
    }
  }
  auto read_string = [&](std::string_view key, std::string& out) {
    if (t.Get(key) == nullptr) {
      return;
    }
    if (auto v = t.String(key)) {
      if (v->empty()) {
        t.Error(key, *t.Get(key), "must not be empty");
      } else {
        out = *v;
      }
    }
  };
  read_string("header", auth.header);
  read_string("param", auth.param);
  read_string("username", auth.username);
  read_string("client_id", auth.client_id);
  read_string("scope", auth.scope);
  read_string("subject", auth.subject);
  read_string("audience", auth.audience);
  read_string("token_url", auth.token_url);
  if (!auth.token_url.empty() && !CheckUrl(t, "token_url", auth.token_url, allow_http)) {
    auth.token_url.clear();
  }
  ReadBasicUser(t, auth);
  ReadTokenHeaders(t, auth);
  if (t.Get("credential") != nullptr) {
    if (auto ref = ReadCredential(t, "credential")) {
      auth.credential = *ref;
    }
  }
  if (t.Get("refresh_token") != nullptr) {
    if (auto ref = ReadCredential(t, "refresh_token")) {
      auth.refresh_token = *ref;
    }
  }
  t.Finish();
}

// proxy = "http://host:port" (or "" / "none"); reports at `proxy`.
std::optional<std::string> CheckProxy(TableReader& t, const std::string& value) {
  const toml::node& node = *t.Get("proxy");
  if (value.empty() || value == "none") {
    return std::string();
  }
  // User info first: no message below may echo a password.
  if (value.find('@') != std::string::npos) {
    t.Error("proxy", node,
            "proxy must not carry user info (it would put a secret in the config; use "
            "proxy_username and proxy_credential)");
    return std::nullopt;
  }
  const size_t scheme_end = value.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : value.substr(0, scheme_end);
  if (scheme != "http") {
    t.Error("proxy", node,
            scheme == "https" || scheme == "socks5" || scheme == "socks4"
                ? "proxy scheme \"" + scheme +
                      "\" is not supported (expected \"http://host:port\": the proxy is reached "
                      "over TCP and the CONNECT tunnel inside carries TLS to the server)"
                : "invalid proxy \"" + value +
                      "\" (expected \"http://host:port\", or \"none\" for no proxy)");
    return std::nullopt;
  }
  std::string_view authority = std::string_view(value).substr(scheme_end + 3);
  if (!authority.empty() && authority.back() == '/') {
    authority.remove_suffix(1);
  }
  size_t port_colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    port_colon = close == std::string_view::npos || close + 1 >= authority.size() ||
                         authority[close + 1] != ':'
                     ? std::string_view::npos
                     : close + 1;
  }
  const std::string_view host = authority.substr(0, port_colon);
  const std::string_view port =
      port_colon == std::string_view::npos ? "" : authority.substr(port_colon + 1);
  const bool host_ok = !host.empty() && host.find_first_of("/?# ") == std::string_view::npos;
  const bool port_ok =
      !port.empty() && port.size() <= 5 &&
      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      std::stoi(std::string(port)) >= 1 && std::stoi(std::string(port)) <= 65535;
  if (!host_ok || !port_ok) {
    t.Error("proxy", node,
            "invalid proxy \"" + value +
                "\" (expected \"http://host:port\" with a port 1..65535 and no path)");
    return std::nullopt;
  }
  return value;
}

void ReadProxy(TableReader& t, ConnectionConfig& connection) {
  if (t.Get("proxy") != nullptr) {
    if (auto v = t.String("proxy")) {
      connection.proxy = CheckProxy(t, *v);
    }
  }
  const bool explicit_proxy = connection.proxy && !connection.proxy->empty();
  if (t.Get("proxy_username") != nullptr) {
    if (auto v = t.String("proxy_username")) {
      if (v->empty() || v->find(':') != std::string::npos) {
        t.Error("proxy_username", *t.Get("proxy_username"),
                "proxy_username must be non-empty and contain no \":\"");
      } else {
        connection.proxy_username = *v;
      }
    }
  }
  if (t.Get("proxy_credential") != nullptr) {
    if (auto ref = ReadCredential(t, "proxy_credential")) {
      connection.proxy_credential = *ref;
    }
  }
  const bool has_user = t.Get("proxy_username") != nullptr;
  const bool has_credential = t.Get("proxy_credential") != nullptr;
  const bool bad_proxy = t.Get("proxy") != nullptr && !connection.proxy;
  if ((has_user || has_credential) && !explicit_proxy && !bad_proxy) {
    const std::string_view key = has_credential ? "proxy_credential" : "proxy_username";
    t.Error(key, *t.Get(key),
            std::string(key) +
                " needs proxy = \"http://host:port\" in this table (a proxy credential is sent "
                "only to the proxy configured beside it, never to one from HTTPS_PROXY)");
  } else if (has_user != has_credential) {
    if (has_user) {
      t.ErrorAtTable("proxy_credential",
                     "proxy_username needs proxy_credential (the password: a reference "
                     "\"name\", { env = \"VAR\" } or { file = \"/path\" })");
    } else {
      t.ErrorAtTable("proxy_username", "proxy_credential needs proxy_username");
    }
  }
}

}  // namespace

std::optional<CredentialRef> ReadCredential(TableReader& t, std::string_view key) {
  const toml::node* node = t.Get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (const auto* name = node->as_string()) {
    const std::string& n = name->get();
    bool valid = !n.empty() && n.size() <= 255 && n != "." && n != ".." &&
                 std::all_of(n.begin(), n.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                          c == '.' || c == '@';
                 });
    if (!valid) {
      // Do not echo the value: it may be a secret pasted in by mistake.
      t.Error(key, *node,
              "invalid credential name (expected a systemd credential name of letters, digits, "
              "\"-\", \"_\", \".\"; or { env = \"VAR\" } / { file = \"/path\" })");
      return std::nullopt;
    }
    return CredentialRef{CredentialRef::Kind::kSystemd, n, t.sink().Where(*node)};
  }
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    t.WrongType(key, *node,
                "a credential reference (\"name\", { env = \"VAR\" } or "
                "{ file = \"/path\" })");
    return std::nullopt;
  }
  TableReader ref(t.sink(), *table, t.PathOf(key));
  std::optional<CredentialRef> result;
  if (const toml::node* value = ref.Get("value")) {
    ref.Error("value", *value, std::string(kInlineSecretMessage));
  }
  RejectInlineSecrets(ref, {});
  const bool has_env = ref.Get("env") != nullptr;
  const bool has_file = ref.Get("file") != nullptr;
  if (has_env && has_file) {
    ref.ErrorAtTable("", "give either env or file, not both");
  } else if (has_env) {
    if (auto var = ref.String("env")) {
      if (var->empty() || var->find('=') != std::string::npos) {
        ref.Error("env", *ref.Get("env"), "invalid environment variable name");
      } else {
        result = CredentialRef{CredentialRef::Kind::kEnv, *var, t.sink().Where(*node)};
      }
    }
  } else if (has_file) {
    if (auto path = ref.String("file")) {
      if (path->empty() || path->front() != '/') {
        ref.Error("file", *ref.Get("file"), "credential file must be an absolute path");
      } else {
        result = CredentialRef{CredentialRef::Kind::kFile, *path, t.sink().Where(*node)};
      }
    }
  } else if (ref.Get("value") == nullptr) {
    ref.ErrorAtTable("", "a credential table needs env = \"VAR\" or file = \"/path\"");
  }
  ref.Finish();
  return result;
}

void RejectInlineSecrets(TableReader& t, const std::vector<std::string>& references) {
  for (std::string_view key : {"token", "secret", "password", "api_key", "client_secret", "key"}) {
    if (std::find(references.begin(), references.end(), key) != references.end()) {
      continue;
    }
    const toml::node* node = t.table().get(key);
    if (node != nullptr && node->is_string()) {
      t.Allow(key);
      t.Error(key, *node, std::string(kInlineSecretMessage));
    }
  }
}

void ReadConnection(TableReader& t, const std::string& dir, ConnectionConfig& connection) {
  RejectInlineSecrets(t, {});
  if (auto v = t.Bool("allow_insecure_http")) {
    connection.allow_insecure_http = *v;
  }
  if (t.Get("base_url") == nullptr) {
    t.ErrorAtTable("base_url", "missing key \"base_url\" (e.g. \"https://crm.example.com/api\")");
  } else if (auto url = t.String("base_url")) {
    if (CheckUrl(t, "base_url", *url, connection.allow_insecure_http)) {
      connection.base_url = *url;
    }
  }
  ReadAuth(t, connection.allow_insecure_http, connection.auth);
  if (const toml::table* table = t.Table("rate_limit")) {
    TableReader r(t.sink(), *table, t.PathOf("rate_limit"));
    if (auto v = r.Int("requests", 1, 1'000'000)) {
      connection.rate_limit.requests = static_cast<int>(*v);
    }
    if (auto d = r.Duration("per", /*allow_zero=*/false)) {
      connection.rate_limit.per = *d;
    }
    r.Finish();
  }
  if (const toml::table* table = t.Table("retry")) {
    TableReader r(t.sink(), *table, t.PathOf("retry"));
    if (auto v = r.Int("max_attempts", 1, 100)) {
      connection.retry.max_attempts = static_cast<int>(*v);
    }
    auto initial = r.Duration("initial_backoff", /*allow_zero=*/false);
    auto max = r.Duration("max_backoff", /*allow_zero=*/false);
    if (initial) {
      connection.retry.initial_backoff = *initial;
    }
    if (max) {
      connection.retry.max_backoff = *max;
    }
    if ((initial || max) && connection.retry.max_backoff < connection.retry.initial_backoff) {
      r.Error(max ? "max_backoff" : "initial_backoff",
              *r.Get(max ? "max_backoff" : "initial_backoff"),
              "max_backoff must not be shorter than initial_backoff");
    }
    r.Finish();
  }
  if (auto d = t.Duration("timeout", /*allow_zero=*/false)) {
    connection.timeout = *d;
  }
  if (auto ca = t.String("ca_file")) {
    if (ca->empty()) {
      t.Error("ca_file", *t.Get("ca_file"),
              "ca_file must not be empty (omit it for the system store)");
    } else {
      connection.ca_file = ca->front() == '/' ? *ca : dir + "/" + *ca;
    }
  }
  ReadProxy(t, connection);
}

}  // namespace dealsync::config_internal
