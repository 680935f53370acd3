// The configuration, store and engine a dealsyncctl command works on, opened
// from a configuration directory (src/cli/cli_support.cc).
//
// dealsyncctl works whether or not dealsyncd runs on the same state
// directory. Reads never take the writer's lock: they open a read-only view
// of the store (a consistent snapshot as of the open), so a running daemon is
// neither blocked nor stopped from starting. Changes are made where the
// writer is: in the store when no daemon holds it, else through the running
// daemon's admin API (DaemonClient), which journals them under its user.
#pragma once

#include <memory>
#include <string>

#include "dealsync/config.h"
#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "src/platform/system_clock.h"

namespace dealsync::cli {

enum class Access : uint8_t {
  kRead,   // a read-only view of the store (an empty store is created if none exists yet)
  kWrite,  // the writer when no daemon holds the store; else a view and daemon_running
};

struct EngineSession {
  Config config;
  std::unique_ptr<Store> store;
  SystemClock clock;
  std::unique_ptr<SyncEngine> engine;  // on `store`; a view refuses writes
  // kWrite only: dealsyncd holds the store, so changes go through its admin
  // API; `store` is then a read-only view for what the command reads first.
  bool daemon_running = false;
};

// Loads and validates the config (printing every error to stderr; the status
// is then kInvalidArgument) and opens the state directory for `access`.
Result<std::unique_ptr<EngineSession>> OpenEngineSession(const std::string& config_dir,
                                                         Access access);

}  // namespace dealsync::cli
