// The review workspace's keys of dealsync.toml:
//   [admin] tls_cert, tls_key, session_ttl, [[admin.users]]
//   [[notify.webhooks]]
// Every error is located; secrets (password hashes, tokens, webhook URLs) are
// credential references, never inline.
#include <algorithm>
#include <set>

#include "src/config/config_internal.h"

namespace dealsync::config_internal {
namespace {

const std::vector<std::string> kRoles = {"viewer", "resolver", "admin"};
const std::vector<std::string> kFormats = {"json", "slack"};
const std::vector<std::string> kEvents = {"held_conflict", "dead_letter", "partner_failing",
                                          "digest"};

bool IsValidName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
}

// An array of strings; reports the first non-string element.
std::optional<std::vector<std::string>> StringList(TableReader& t, std::string_view key) {
  const toml::node* node = t.Get(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    t.WrongType(key, *node, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const toml::node& item : *array) {
    const auto* text = item.as_string();
    if (text == nullptr || text->get().empty()) {
      t.Error(key, item, "expected a non-empty string, found " + std::string(TypeName(item)));
      return std::nullopt;
    }
    out.push_back(text->get());
  }
  return out;
}

// [[key]]: an array of tables; calls `read` for each.
template <typename Fn>
void ForEachTable(TableReader& parent, std::string_view key, Fn read) {
  const toml::node* node = parent.Get(key);
  if (node == nullptr) {
    return;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    parent.WrongType(key, *node,
                     std::string("an array of tables ([[") + parent.PathOf(key) + "]])");
    return;
  }
  size_t index = 0;
  for (const toml::node& item : *array) {
    const std::string path = parent.PathOf(key) + "[" + std::to_string(index++) + "]";
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      parent.sink().Add(item.source(), path,
                        "expected a table, found " + std::string(TypeName(item)));
      continue;
    }
    TableReader reader(parent.sink(), *table, path);
    read(reader);
    reader.Finish();
  }
}

void ReadUser(TableReader& u, std::set<std::string>& seen, std::vector<AdminUser>& users) {
  AdminUser user;
  user.where = u.sink().Where(u.table().source());
  RejectInlineSecrets(u, {"token", "password"});  // password: the more helpful message below
  if (const toml::node* inline_password = u.table().get("password")) {
    u.Allow("password");
    u.Error("password", *inline_password,
            "passwords are never written in config files; store a hash from `dealsyncctl users "
            "hash-password` in a credential and name it with password_hash = \"cred-name\"");
  }
  if (u.Get("name") == nullptr) {
    u.ErrorAtTable("name", "missing key \"name\" (the person's sign-in name, e.g. \"alice\")");
  } else if (auto name = u.String("name")) {
    if (!IsValidName(*name)) {
      u.Error("name", *u.Get("name"),
              "invalid user name \"" + *name + "\" (letters, digits, \".\", \"_\", \"-\", \"@\")");
    } else if (!seen.insert(*name).second) {
      u.Error("name", *u.Get("name"), "duplicate user \"" + *name + "\"");
    } else {
      user.name = *name;
    }
  }
  if (u.Get("role") == nullptr) {
    u.ErrorAtTable("role", "missing key \"role\" (one of viewer, resolver, admin)");
  } else if (auto role = u.Enum("role", kRoles)) {
    user.role = *role == "admin"      ? UserRole::kAdmin
                : *role == "resolver" ? UserRole::kResolver
                                      : UserRole::kViewer;
  }
  if (auto partners = StringList(u, "partners")) {
    user.partners = *partners;
  }
  if (auto hash = ReadCredential(u, "password_hash")) {
    user.password_hash = *hash;
  }
  if (auto token = ReadCredential(u, "token")) {
    user.token = *token;
  }
  if (user.password_hash.empty() && user.token.empty() && u.Get("password") == nullptr) {
    u.ErrorAtTable("password_hash",
                   "a user needs password_hash (a credential holding a hash) or token (a "
                   "credential holding an API token)");
  }
  users.push_back(std::move(user));
}

void ReadWebhook(TableReader& w, std::vector<WebhookConfig>& hooks) {
  WebhookConfig hook;
  RejectInlineSecrets(w, {});
  if (auto name = w.String("name")) {
    hook.name = *name;
  }
  if (const toml::node* url = w.Get("url")) {
    if (url->is_string() && url->as_string()->get().find("://") != std::string::npos) {
      w.Error("url", *url,
              "a webhook URL carries its secret; keep it in a credential: url = \"cred-name\", "
              "{ env = \"VAR\" } or { file = \"/path\" }");
    } else if (auto ref = ReadCredential(w, "url")) {
      hook.url = *ref;
    }
  } else {
    w.ErrorAtTable("url", "missing key \"url\" (a credential holding the webhook URL)");
  }
  if (auto format = w.Enum("format", kFormats)) {
    hook.format = *format;
  }
  if (auto partners = StringList(w, "partners")) {
    hook.partners = *partners;
  }
  if (auto events = StringList(w, "events")) {
    for (const std::string& e : *events) {
      if (std::find(kEvents.begin(), kEvents.end(), e) == kEvents.end()) {
        w.Error("events", *w.Get("events"),
                "unknown event \"" + e +
                    "\" (known: held_conflict, dead_letter, partner_failing, digest)");
      }
    }
    hook.events = *events;
  } else if (w.table().get("events") == nullptr) {
    hook.events = {"held_conflict", "dead_letter", "partner_failing"};
  }
  if (auto d = w.Duration("failing_after", /*allow_zero=*/false)) {
    hook.failing_after = *d;
  }
  if (auto hour = w.Int("digest_hour_utc", 0, 23)) {
    hook.digest_hour_utc = static_cast<int>(*hour);
  }
  const bool wants_digest =
      std::find(hook.events.begin(), hook.events.end(), "digest") != hook.events.end();
  if (wants_digest && hook.digest_hour_utc < 0) {
    w.ErrorAtTable("digest_hour_utc",
                   "the digest event needs digest_hour_utc (0..23, the UTC hour to send it)");
  }
  hooks.push_back(std::move(hook));
}

}  // namespace

void ReadAdminReview(TableReader& admin, DaemonConfig& daemon) {
  if (auto cert = ReadCredential(admin, "tls_cert")) {
    daemon.admin_tls_cert = *cert;
  }
  if (auto key = ReadCredential(admin, "tls_key")) {
    daemon.admin_tls_key = *key;
  }
  if (daemon.admin_tls_cert.empty() != daemon.admin_tls_key.empty()) {
    admin.ErrorAtTable(daemon.admin_tls_cert.empty() ? "tls_cert" : "tls_key",
                       "TLS needs both tls_cert and tls_key");
  }
  if (auto ttl = admin.Duration("session_ttl", /*allow_zero=*/false)) {
    daemon.session_ttl = *ttl;
  }
  std::set<std::string> seen;
  ForEachTable(admin, "users", [&](TableReader& u) { ReadUser(u, seen, daemon.admin_users); });
}

void ReadNotify(TableReader& root, DaemonConfig& daemon) {
  const toml::table* table = root.Table("notify");
  if (table == nullptr) {
    return;
  }
  TableReader notify(root.sink(), *table, "notify");
  ForEachTable(notify, "webhooks", [&](TableReader& w) { ReadWebhook(w, daemon.webhooks); });
  notify.Finish();
}

void CheckUserPartners(const Config& config, std::vector<ConfigError>& errors) {
  auto known = [&](const std::string& id) {
    return config.FindSource(id) != nullptr && id != "vendor";
  };
  for (const AdminUser& user : config.daemon.admin_users) {
    for (const std::string& p : user.partners) {
      if (!known(p)) {
        errors.push_back({user.where, "admin.users.partners",
                          "user \"" + user.name + "\": unknown partner \"" + p + "\""});
      }
    }
  }
  for (const WebhookConfig& hook : config.daemon.webhooks) {
    for (const std::string& p : hook.partners) {
      if (!known(p)) {
        errors.push_back({{config.daemon.file, 0, 0},
                          "notify.webhooks.partners",
                          "webhook \"" + hook.name + "\": unknown partner \"" + p + "\""});
      }
    }
  }
}

}  // namespace dealsync::config_internal
