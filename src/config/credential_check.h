// CheckCredentials with the account the service runs as: the unit's
// User=dealsync reads `file:` credentials itself (LoadCredential= ones are read
// by systemd), so those must be readable by that account, not only by the
// person running `dealsyncctl validate`.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "dealsync/config.h"

namespace dealsync {

// The account name in the shipped unit (User=, sysusers.d).
inline constexpr const char* kServiceAccountName = "dealsync";

struct ServiceAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// The account from the user database; nullopt when there is none.
std::optional<ServiceAccount> LookUpServiceAccount(const std::string& name);

// As CheckCredentials(config), and when `service` is set every `file:`
// credential must also be readable by it (each directory on the way
// searchable, the file readable by its owner, group or others bits).
std::vector<ConfigError> CheckCredentials(const Config& config, const ServiceAccount* service);

}  // namespace dealsync
