// dealsyncctl subcommands. Each lives in its own <name>_cmd.cc (picked up by
// src/cli/CMakeLists.txt) and is registered by one call in main.cc. A command
// sets `exit_code` from its callback (0 ok, 78 EX_CONFIG for bad config, ...).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace dealsync::cli {

// Exit status for an invalid configuration (sysexits.h EX_CONFIG); the systemd
// unit's RestartPreventExitStatus=78 stops a restart loop on it.
inline constexpr int kExitConfig = 78;

void AddValidateCommand(CLI::App& app, int& exit_code);
void AddPartnerCommand(CLI::App& app, int& exit_code);      // partner check (partner_check_cmd.cc)
void AddReportCommand(CLI::App& app, int& exit_code);       // report (report_cmd.cc)
void AddConflictsCommand(CLI::App& app, int& exit_code);    // conflicts list|show|resolve
void AddPlanCommand(CLI::App& app, int& exit_code);         // plan (plan_cmd.cc, dry run)
void AddDeadLettersCommand(CLI::App& app, int& exit_code);  // deadletters list|show|retry|discard
void AddSourcesCommand(CLI::App& app, int& exit_code);      // sources [list] | rewind
// `sources rewind` (sources_rewind_cmd.cc), registered by AddSourcesCommand
// with the --config value of `sources`.
void AddSourcesRewindCommand(CLI::App& sources, std::shared_ptr<const std::string> config_dir,
                             int& exit_code);
void AddLinksCommand(CLI::App& app, int& exit_code);   // links [list]|add|break
void AddUsersCommand(CLI::App& app, int& exit_code);   // users hash-password (users_cmd.cc)
void AddReloadCommand(CLI::App& app, int& exit_code);  // reload (asks the running daemon)

}  // namespace dealsync::cli
