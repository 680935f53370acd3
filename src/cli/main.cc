// dealsyncctl: the operator's command line. Subcommands are registered from an
// explicit list below, one line each (see commands.h).
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "dealsync/version.h"
#include "src/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"dealsyncctl: operate a dealsync deployment (validate config, inspect state)"};
  app.set_version_flag("--version", std::string("dealsyncctl ") + dealsync::kVersionLineSuffix,
                       "Print the version and git revision, then exit");
  app.require_subcommand(1);
  int exit_code = 0;

  dealsync::cli::AddValidateCommand(app, exit_code);
  dealsync::cli::AddPartnerCommand(app, exit_code);
  dealsync::cli::AddReportCommand(app, exit_code);
  dealsync::cli::AddConflictsCommand(app, exit_code);
  dealsync::cli::AddPlanCommand(app, exit_code);
  dealsync::cli::AddUsersCommand(app, exit_code);
  dealsync::cli::AddReloadCommand(app, exit_code);
  dealsync::cli::AddDeadLettersCommand(app, exit_code);
  dealsync::cli::AddSourcesCommand(app, exit_code);
  dealsync::cli::AddLinksCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Nothing below should throw; if it does, say so instead of aborting.
    std::cerr << "dealsyncctl: internal error: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
  return exit_code;
}
