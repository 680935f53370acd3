// dealsyncd's logging: journald-native under systemd, plain stderr lines
// otherwise.
//
//   kJournal  every line goes to the journal through sd_journal_sendv with its
//             priority and structured fields (journal_fields.h), so
//             `journalctl -u dealsyncd -p warning` and `PARTNER=northwind` work
//   kStderr   "2026-12-01T09:00:00.000Z warning connector.northwind: ..." on stderr
//   kAuto     kJournal when stderr is the journal's stream ($JOURNAL_STREAM
//             names fd 2's device and inode, as systemd sets it), else kStderr
//
// Loggers cloned from the default logger (connector.<id>) share its sink.
#pragma once

#include <spdlog/sinks/sink.h>

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "src/daemon/journal_fields.h"

namespace dealsync {

enum class LogTarget : uint8_t { kAuto, kJournal, kStderr };
std::optional<LogTarget> ParseLogTarget(std::string_view name);  // auto, journal, stderr

// True when $JOURNAL_STREAM is "<dev>:<ino>" of the current stderr.
bool StderrIsJournalStream();

// Receives one entry's fields. The production sender is sd_journal_sendv.
using JournalSender = std::function<void(const std::vector<JournalField>&)>;
JournalSender SdJournalSender();
std::shared_ptr<spdlog::sinks::sink> MakeJournalSink(JournalSender sender);

// Installs the default logger "dealsyncd" for `target`; returns the target used.
LogTarget SetUpLogging(LogTarget target);

}  // namespace dealsync
