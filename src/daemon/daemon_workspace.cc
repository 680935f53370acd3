#include "src/daemon/daemon_workspace.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "src/daemon/daemon.h"
#include "src/transport/http_server.h"

namespace dealsync {

Result<std::vector<UserSecret>> LoadUserSecrets(const DaemonConfig& daemon,
                                                const std::string& admin_token) {
  std::vector<UserSecret> users;
  if (!admin_token.empty()) {
    users.push_back({{"admin", UserRole::kAdmin, {}}, "", admin_token});
  }
  for (const AdminUser& u : daemon.admin_users) {
    UserSecret s{{u.name, u.role, u.partners}, "", ""};
    const std::string who = "admin.users \"" + u.name + "\"";
    if (!u.password_hash.empty()) {
      Result<std::string> hash = ResolveCredential(u.password_hash, daemon.credentials_dir);
      if (!hash.ok()) {
        return hash.status().Annotate(who + " password_hash (" + u.password_hash.Describe() + ")");
      }
      if (Status shape = CheckPasswordHash(*hash); !shape.ok()) {
        return shape.Annotate(who + " password_hash (" + u.password_hash.Describe() + ")");
      }
      s.password_hash = std::move(*hash);
    }
    if (!u.token.empty()) {
      Result<std::string> token = ResolveCredential(u.token, daemon.credentials_dir);
      if (!token.ok()) {
        return token.status().Annotate(who + " token (" + u.token.Describe() + ")");
      }
      if (token->size() < 16) {
        return InvalidArgument(who + " token (" + u.token.Describe() +
                               "): a token must be at least 16 characters");
      }
      s.token = std::move(*token);
    }
    users.push_back(std::move(s));
  }
  return users;
}

Result<std::string> CredentialFilePath(const CredentialRef& ref,
                                       const std::string& credentials_dir) {
  if (ref.kind == CredentialRef::Kind::kEnv) {
    return InvalidArgument("credential " + ref.Describe() +
                           ": a certificate or key must be a file or a systemd credential");
  }
  std::string path = CredentialPath(ref, credentials_dir);
  if (path.empty()) {
    return FailedPrecondition("credential " + ref.Describe() +
                              ": $CREDENTIALS_DIRECTORY is not set and no credentials_dir");
  }
  return path;
}

Status Daemon::BuildWorkspace(bool tls, bool loopback_only,
                              const std::vector<std::string>& hosts) {
  const DaemonConfig& d = loaded_->config.daemon;
  Result<std::vector<UserSecret>> users = LoadUserSecrets(d, loaded_->admin_token);
  if (!users.ok()) {
    return users.status();
  }
  auto stack = std::make_unique<WorkspaceStack>();
  RandomBytes random = SystemRandomBytes();
  const std::string raw = random(32);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : raw) {
    stack->inner_token += kHex[c >> 4];
    stack->inner_token += kHex[c & 15];
  }
  stack->auth = std::make_unique<Authenticator>(std::move(*users), deps_.clock, d.session_ttl,
                                                std::move(random));
  admin_api_ =
      std::make_unique<AdminApi>(*this, deps_.clock, AdminApiOptions{stack->inner_token, 3, hosts});
  stack->review = std::make_unique<ReviewApi>(ReviewDeps{
      *this, *engine_, [this]() -> const Config& { return loaded_->config; }, deps_.clock});
  stack->front = std::make_unique<Workspace>(*stack->review, *admin_api_, stack->inner_token,
                                             *stack->auth,
                                             WorkspaceOptions{tls, loopback_only, hosts});
  spdlog::info("admin: {} user(s) can sign in{}", d.admin_users.size(),
               loaded_->admin_token.empty() ? "" : ", plus the [admin] token as user \"admin\"");
  workspace_ = std::move(stack);
  return Status::Ok();
}

}  // namespace dealsync
