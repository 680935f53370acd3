// The admin server's front: users and sessions, the review API and web app
// (src/admin/workspace.h), built from the loaded configuration.
#pragma once

#include <memory>
#include <string>

#include "dealsync/config.h"
#include "src/admin/auth.h"
#include "src/admin/review_api.h"
#include "src/admin/workspace.h"

namespace dealsync {

struct WorkspaceStack {
  std::string inner_token;  // random per start: what the Workspace tells AdminApi
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<ReviewApi> review;
  std::unique_ptr<Workspace> front;
};

// Every user's secret, read from its credential ([admin] token becomes user
// "admin", role admin). Names the credential on failure, never its content.
Result<std::vector<UserSecret>> LoadUserSecrets(const DaemonConfig& daemon,
                                                const std::string& admin_token);

// A credential as a file path (TLS certificates and keys are read by path):
// { file = "/path" } or a systemd credential; { env = ... } is refused.
Result<std::string> CredentialFilePath(const CredentialRef& ref,
                                       const std::string& credentials_dir);

}  // namespace dealsync
