// Shared by dealsyncctl's commands: where the configuration is, and how to
// ask the running dealsyncd.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "dealsync/config.h"
#include "dealsync/status.h"

namespace dealsync::cli {

inline constexpr const char* kDefaultConfigDir = "/etc/dealsync";
inline constexpr const char* kConfigEnv = "DEALSYNC_CONFIG";
// A file holding one [[admin.users]] API token: the daemon then records
// changes under that user instead of "admin" (the [admin] token).
inline constexpr const char* kTokenFileEnv = "DEALSYNC_TOKEN_FILE";

// --config DIR, defaulting to $DEALSYNC_CONFIG, else /etc/dealsync. A path to
// DIR/dealsync.toml is taken as DIR.
CLI::Option* AddConfigOption(CLI::App* cmd, std::string& dir,
                             const std::string& help = "Configuration directory");

struct DaemonReply {
  int status = 0;
  nlohmann::json body;  // discarded (is_discarded()) when the body is not JSON
  std::string raw;
  bool ok() const { return status >= 200 && status < 300; }
  // The message of an error reply ({"error": {"message": ...}}), else the raw body.
  std::string ErrorMessage() const;
};

// The running dealsyncd's admin API, found from dealsync.toml: [admin] listen
// (a wildcard bind is reached on loopback), https when [admin] tls_cert is
// set (verified against that certificate), and the bearer token from
// $DEALSYNC_TOKEN_FILE or else the [admin] token credential (read like the
// daemon reads it, from $CREDENTIALS_DIRECTORY or credentials_dir).
class DaemonClient {
 public:
  explicit DaemonClient(const DaemonConfig& daemon) : daemon_(daemon) {}

  // "http://127.0.0.1:8686" (for messages).
  std::string base() const;
  // Fails only when the daemon could not be asked (no token, unreachable,
  // timeout); any HTTP answer is a reply. `path` starts with "/".
  Result<DaemonReply> Call(const std::string& method, const std::string& path,
                           const std::string& body = "",
                           std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  const DaemonConfig& daemon_;
};

// Percent-encodes each '/'-separated segment of an id for a URL path.
std::string PathOfId(std::string_view id);

}  // namespace dealsync::cli
