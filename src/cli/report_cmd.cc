// dealsyncctl report: writes the conflicts and joint pipeline review report.
//   dealsyncctl report --config DIR [--partner ID] --format html|csv|pipeline-csv|json --out FILE
//                      [--bom]
// Reads a consistent view of the configured daemon's state directory, whether
// or not dealsyncd runs on it (see engine_session.h).
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/engine.h"
#include "dealsync/report.h"
#include "dealsync/store.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

struct ReportArgs {
  std::string config_dir;
  std::string partner;
  std::string format = "html";
  std::string out;
  bool bom = false;  // CSV only: a UTF-8 byte order mark first
};

Result<std::string> Render(const Report& report, const std::string& format) {
  if (format == "html") {
    return RenderReportHtml(report);
  }
  if (format == "csv") {
    return RenderConflictsCsv(report);
  }
  if (format == "pipeline-csv") {
    return RenderPipelineCsv(report);
  }
  if (format == "json") {
    return RenderReportJson(report);
  }
  return InvalidArgument("unknown format \"" + format +
                         "\" (known: html, csv, pipeline-csv, json)");
}

int RunReport(const ReportArgs& args) {
  Result<std::unique_ptr<EngineSession>> session =
      OpenEngineSession(args.config_dir, Access::kRead);
  if (!session.ok()) {
    std::cerr << "dealsyncctl report: " << session.status().message() << "\n";
    return 1;
  }
  EngineSession& s = **session;
  Result<ReportInput> input = LoadReportInput(*s.engine, s.config, s.clock.Now());
  if (!input.ok()) {
    std::cerr << "dealsyncctl report: " << input.status().message() << "\n";
    return 1;
  }
  Result<Report> report = BuildReport(*input, ReportOptions{args.partner});
  if (!report.ok()) {
    std::cerr << "dealsyncctl report: " << report.status().message() << "\n";
    return 1;
  }
  Result<std::string> text = Render(*report, args.format);
  if (!text.ok()) {
    std::cerr << "dealsyncctl report: " << text.status().message() << "\n";
    return 2;
  }
  if (args.bom) {
    text->insert(0, kUtf8ByteOrderMark);
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out << *text;
  out.close();
  if (!out) {
    std::cerr << "dealsyncctl report: cannot write " << args.out << "\n";
    return 1;
  }
  int held = 0;
  for (const ConflictLine& line : report->conflicts) {
    held += line.conflict.status == ConflictStatus::kHeldForReview ? 1 : 0;
  }
  std::cout << "Wrote " << args.out << " (" << args.format << ", " << report->scope_name
            << "): " << report->conflicts.size() << " conflicts, " << held << " held for review, "
            << report->partners.size() << " partner(s).\n";
  return 0;
}

}  // namespace

void AddReportCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write the conflicts and joint pipeline review report (HTML, CSV or JSON)");
  AddConfigOption(cmd, args->config_dir);
  cmd->add_option("--partner", args->partner, "Only this partner (default: all partners)");
  cmd->add_option("--format", args->format,
                  "html (default), csv (one row per conflict), pipeline-csv (one row per "
                  "partner and side) or json")
      ->check(CLI::IsMember({"html", "csv", "pipeline-csv", "json"}));
  cmd->add_option("--out", args->out, "File to write")->required();
  cmd->add_flag("--bom", args->bom,
                "With csv or pipeline-csv: start the file with a UTF-8 byte order mark, so "
                "spreadsheet programs read it as UTF-8");
  cmd->callback([args, &exit_code] {
    if (args->bom && args->format != "csv" && args->format != "pipeline-csv") {
      std::cerr << "dealsyncctl report: --bom is for --format csv or pipeline-csv\n";
      exit_code = 2;
      return;
    }
    exit_code = RunReport(*args);
  });
}

}  // namespace dealsync::cli
