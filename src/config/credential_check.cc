// CheckCredentials: every secret a loaded configuration names must be there
// before the daemon needs it. Reads each one (through ResolveCredential, so
// the check is the daemon's own lookup) and reports where it is referenced.
#include "src/config/credential_check.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace dealsync {
namespace {

struct NamedRef {
  const CredentialRef* ref;
  std::string key_path;
  std::string fallback_file;     // when the reference has no location
  bool private_key_pem = false;  // must be an unencrypted PEM private key (JWT signing)
};

ConfigError ErrorAt(const NamedRef& n, std::string message) {
  SourceLocation where = n.ref->where;
  if (where.file.empty()) {
    where.file = n.fallback_file;
  }
  return ConfigError{where, n.key_path, std::move(message)};
}

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// Why `path` cannot serve as a credential file, or "" when it can.
std::string FileProblem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return path + " does not exist";
  }
  if (!S_ISREG(st.st_mode)) {
    return path + " is not a regular file";
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return path + " is not readable";
  }
  if (st.st_size == 0) {
    return path + " is empty";
  }
  return "";
}

// Whether the permission bits of `st` grant `want` (S_IRUSR-style, owner
// position) to `who`.
bool Grants(const struct stat& st, const ServiceAccount& who, mode_t want) {
  if (who.uid == 0) {
    return true;
  }
  if (st.st_uid == who.uid) {
    return (st.st_mode & want) != 0;
  }
  const bool in_group = st.st_gid == who.gid || std::find(who.groups.begin(), who.groups.end(),
                                                          st.st_gid) != who.groups.end();
  return (st.st_mode & (in_group ? want >> 3 : want >> 6)) != 0;
}

// Why `who` cannot read `path`, or "" when it can.
std::string ServiceReadProblem(const std::string& path, const ServiceAccount& who) {
  const std::string account =
      "the service account " + who.name + " (uid " + std::to_string(who.uid) + ")";
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  for (; !dir.empty(); dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && !Grants(st, who, S_IXUSR)) {
      return path + " is not readable by " + account + ": it cannot enter " + dir.string() +
             " (give it search permission, or use a credential from LoadCredential=)";
    }
    if (dir == dir.root_path()) {
      break;
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !Grants(st, who, S_IRUSR)) {
    return path + " is not readable by " + account + " (chown " + who.name + " " + path +
           ", mode 0400, or use a credential from LoadCredential=)";
  }
  return "";
}

// Why `secret` cannot sign a JWT bearer assertion, or "" when it looks like it
// can (the signature itself is made, and any remaining problem reported, by
// the daemon's OAuth2 client).
std::string PrivateKeyProblem(const std::string& secret) {
  if (secret.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos) {
    return "the private key is encrypted; store it unencrypted (openssl pkey -in key.pem -out "
           "plain.pem) in a file only dealsync can read";
  }
  if (secret.find("-----BEGIN PRIVATE KEY-----") == std::string::npos &&
      secret.find("-----BEGIN RSA PRIVATE KEY-----") == std::string::npos) {
    return "not a PEM private key (expected \"-----BEGIN PRIVATE KEY-----\", the RSA key whose "
           "certificate the authorization server has)";
  }
  return "";
}

}  // namespace

std::optional<ServiceAccount> LookUpServiceAccount(const std::string& name) {
  std::vector<char> buffer(16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  ServiceAccount account{name, pw.pw_uid, pw.pw_gid, {}};
  int count = 64;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  if (::getgrouplist(name.c_str(), pw.pw_gid, groups.data(), &count) >= 0) {
    groups.resize(static_cast<size_t>(count));
    account.groups = std::move(groups);
  }
  return account;
}

std::vector<ConfigError> CheckCredentials(const Config& config) {
  // As root (the usual `sudo dealsyncctl validate`), reading a file proves
  // nothing about the service: check for its account. Otherwise the caller's
  // own access is what the check measures.
  std::optional<ServiceAccount> service;
  if (::geteuid() == 0) {
    service = LookUpServiceAccount(kServiceAccountName);
  }
  return CheckCredentials(config, service ? &*service : nullptr);
}

std::vector<ConfigError> CheckCredentials(const Config& config, const ServiceAccount* service) {
  std::vector<NamedRef> refs;
  const DaemonConfig& d = config.daemon;
  if (!d.admin_token.empty()) {
    refs.push_back({&d.admin_token, "admin.token", d.file});
  }
  if (!d.admin_tls_cert.empty()) {
    refs.push_back({&d.admin_tls_cert, "admin.tls_cert", d.file});
  }
  if (!d.admin_tls_key.empty()) {
    refs.push_back({&d.admin_tls_key, "admin.tls_key", d.file});
  }
  for (const AdminUser& u : d.admin_users) {
    if (!u.password_hash.empty()) {
      refs.push_back({&u.password_hash, "admin.users." + u.name + ".password_hash", d.file});
    }
    if (!u.token.empty()) {
      refs.push_back({&u.token, "admin.users." + u.name + ".token", d.file});
    }
  }
  for (const WebhookConfig& w : d.webhooks) {
    refs.push_back({&w.url, "notify.webhooks." + w.name + ".url", d.file});
  }
  auto add_source = [&refs](const SourceConfig& s) {
    const AuthConfig& a = s.connection.auth;
    if (!a.credential.empty()) {
      refs.push_back({&a.credential, "connection.auth.credential", s.file,
                      a.type == AuthConfig::Type::kOAuth2JwtBearer});
    }
    if (!a.refresh_token.empty()) {
      refs.push_back({&a.refresh_token, "connection.auth.refresh_token", s.file});
    }
    if (!s.connection.proxy_credential.empty()) {
      refs.push_back({&s.connection.proxy_credential, "connection.proxy_credential", s.file});
    }
  };
  add_source(config.vendor);
  for (const SourceConfig& p : config.partners) {
    add_source(p);
  }

  const char* env_dir = std::getenv("CREDENTIALS_DIRECTORY");
  const bool under_systemd = env_dir != nullptr && *env_dir != '\0';
  std::vector<ConfigError> errors;
  for (const NamedRef& n : refs) {
    const CredentialRef& ref = *n.ref;
    switch (ref.kind) {
      case CredentialRef::Kind::kEnv: {
        const char* value = std::getenv(ref.name.c_str());
        if (value == nullptr || *value == '\0') {
          errors.push_back(ErrorAt(n, "credential " + ref.Describe() + ": environment variable " +
                                          ref.name + " is not set or empty"));
        } else if (n.private_key_pem && !PrivateKeyProblem(value).empty()) {
          errors.push_back(
              ErrorAt(n, "credential " + ref.Describe() + ": " + PrivateKeyProblem(value)));
        }
        break;
      }
      case CredentialRef::Kind::kFile:
      case CredentialRef::Kind::kSystemd: {
        const std::string path = CredentialPath(ref, d.credentials_dir);
        if (path.empty()) {
          errors.push_back(
              ErrorAt(n, "credential " + Quoted(ref.name) +
                             ": $CREDENTIALS_DIRECTORY is not set and dealsync.toml has no "
                             "credentials_dir"));
          break;
        }
        std::string problem = FileProblem(path);
        if (problem.empty() && service != nullptr && ref.kind == CredentialRef::Kind::kFile) {
          problem = ServiceReadProblem(path, *service);
        }
        if (problem.empty()) {
          // Non-empty after the trailing newline is trimmed, and not oversized.
          Result<std::string> secret = ResolveCredential(ref, d.credentials_dir);
          if (!secret.ok()) {
            problem = secret.status().message();
          } else if (n.private_key_pem) {
            problem = PrivateKeyProblem(*secret);
          }
        }
        if (!problem.empty()) {
          std::string hint;
          if (ref.kind == CredentialRef::Kind::kSystemd) {
            hint = under_systemd ? " (LoadCredential= in the unit)"
                                 : " (write the secret to that file, mode 0600)";
          }
          errors.push_back(ErrorAt(n, "credential " + Quoted(ref.name) + ": " + problem + hint));
        }
        break;
      }
    }
  }
  return errors;
}

}  // namespace dealsync
