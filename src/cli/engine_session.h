// The configuration, store and engine a dealsyncctl command works on, opened
// from a configuration directory. Defined in report_cmd.cc; used by the report
// and conflicts commands.
#pragma once

#include <memory>
#include <string>

#include "dealsync/config.h"
#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "src/platform/system_clock.h"

namespace dealsync::cli {

struct EngineSession {
  Config config;
  std::unique_ptr<Store> store;
  SystemClock clock;
  std::unique_ptr<SyncEngine> engine;
};

// Loads and validates the config (printing every error to stderr), opens the
// RocksDB state directory and an engine on it. Fails with the store's message
// when dealsyncd holds the state directory.
Result<std::unique_ptr<EngineSession>> OpenEngineSession(const std::string& config_dir);

}  // namespace dealsync::cli
