// CheckCredentials: every secret a loaded configuration names must be there
// before the daemon needs it. Reads each one (through ResolveCredential, so
// the check is the daemon's own lookup) and reports where it is referenced.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "dealsync/config.h"

namespace dealsync {
namespace {

struct NamedRef {
  const CredentialRef* ref;
  std::string key_path;
  std::string fallback_file;  // when the reference has no location
};

ConfigError ErrorAt(const NamedRef& n, std::string message) {
  SourceLocation where = n.ref->where;
  if (where.file.empty()) {
    where.file = n.fallback_file;
  }
  return ConfigError{where, n.key_path, std::move(message)};
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

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

}  // namespace

std::vector<ConfigError> CheckCredentials(const Config& config) {
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
      refs.push_back({&a.credential, "connection.auth.credential", s.file});
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
        }
        break;
      }
      case CredentialRef::Kind::kFile:
      case CredentialRef::Kind::kSystemd: {
        const std::string path = CredentialPath(ref, d.credentials_dir);
        if (path.empty()) {
          errors.push_back(ErrorAt(
              n, "credential " + Quoted(ref.name) +
                     ": $CREDENTIALS_DIRECTORY is not set and dealsync.toml has no "
                     "credentials_dir"));
          break;
        }
        std::string problem = FileProblem(path);
        if (problem.empty()) {
          // Non-empty after the trailing newline is trimmed, and not oversized.
          Result<std::string> secret = ResolveCredential(ref, d.credentials_dir);
          if (!secret.ok()) {
            problem = secret.status().message();
          }
        }
        if (!problem.empty()) {
          std::string hint;
          if (ref.kind == CredentialRef::Kind::kSystemd) {
            hint = under_systemd ? " (LoadCredential= in the unit)"
                                 : " (write the secret to that file, mode 0600)";
          }
          errors.push_back(
              ErrorAt(n, "credential " + Quoted(ref.name) + ": " + problem + hint));
        }
        break;
      }
    }
  }
  return errors;
}

}  // namespace dealsync
