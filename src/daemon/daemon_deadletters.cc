// Daemon's admin backend for dead letters (the engine's operations, logged,
// the target's pusher woken after a retry), for re-reading refused records
// and for rewinding a source.
#include <spdlog/spdlog.h>

#include "src/daemon/daemon.h"
#include "src/daemon/source_runner.h"

namespace dealsync {

Result<std::vector<OutboxEntry>> Daemon::ListDeadLetters(std::string_view target) {
  return engine_->DeadLetters(target);
}

Status Daemon::RetryDeadLetter(std::string_view target, std::string_view native_id,
                               std::string_view by) {
  Status s = engine_->RetryDeadLetter(target, native_id, by);
  if (s.ok()) {
    spdlog::info("admin: dead letter {}/{} queued again by {}", target, native_id, by);
    if (auto it = runners_.find(std::string(target)); it != runners_.end()) {
      it->second->WakePusher();
    }
  }
  return s;
}

Status Daemon::DiscardDeadLetter(std::string_view target, std::string_view native_id,
                                 std::string_view by) {
  Status s = engine_->DiscardDeadLetter(target, native_id, by);
  if (s.ok()) {
    spdlog::warn("admin: dead letter {}/{} discarded by {}", target, native_id, by);
  }
  return s;
}

Status Daemon::RereadRecords(std::string_view source, const std::vector<std::string>& native_ids,
                             std::string_view by) {
  auto it = runners_.find(std::string(source));
  if (it == runners_.end()) {
    return NotFound("source \"" + std::string(source) + "\" is not running");
  }
  if (native_ids.empty() || native_ids.size() > 500) {
    return InvalidArgument("re-read 1 to 500 records at a time");
  }
  spdlog::info("admin: {} record(s) of {} to be read again, asked by {}", native_ids.size(), source,
               by);
  it->second->Reread(native_ids, std::string(by));
  return Status::Ok();
}

Status Daemon::RewindSource(std::string_view source, Timestamp since, std::string_view by) {
  auto it = runners_.find(std::string(source));
  if (it == runners_.end()) {
    return NotFound("unknown source \"" + std::string(source) + "\"");
  }
  Status s = it->second->Rewind(since);
  if (s.ok()) {
    spdlog::warn("admin: source {} rewound to {} by {}", source, FormatTimestamp(since), by);
  }
  return s;
}

}  // namespace dealsync
