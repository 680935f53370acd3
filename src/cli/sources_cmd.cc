// dealsyncctl sources: how far each source has been read.
//   sources [list]                      cursor, watermark, last page, counts
//   sources rewind SOURCE --to DATE     re-read changes since DATE (2026-11-01 or
//                                       an ISO timestamp); see sources_rewind_cmd.cc
// The list reads a view of the state directory, whether or not dealsyncd runs.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "dealsync/engine.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

struct SourcesArgs {
  std::string config_dir;
};

std::string TimeOrDash(const std::optional<Timestamp>& t) {
  return t ? FormatTimestamp(*t) : "-";
}

std::string Clip(const std::string& s, size_t max) {
  std::string out;
  for (char c : s) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  return out.size() <= max ? out : out.substr(0, max - 1) + "~";
}

int RunList(EngineSession& s) {
  std::vector<const SourceConfig*> sources{&s.config.vendor};
  for (const SourceConfig& p : s.config.partners) {
    sources.push_back(&p);
  }
  std::cout << "SOURCE\tCONNECTOR\tWATERMARK\tLAST PAGE\tPAGES\tWARNINGS\tREJECTS\tCURSOR\n";
  for (const SourceConfig* src : sources) {
    Result<SourceState> st = s.engine->GetSourceState(src->id);
    if (!st.ok()) {
      std::cerr << "dealsyncctl sources: " << src->id << ": " << st.status().message() << "\n";
      return 1;
    }
    std::cout << src->id << "\t" << src->connector << "\t" << TimeOrDash(st->watermark) << "\t"
              << TimeOrDash(st->last_page_at) << "\t" << st->pages << "\t" << st->warnings << "\t"
              << st->rejects << "\t" << (st->cursor.empty() ? "(start)" : Clip(st->cursor, 80))
              << "\n";
  }
  return 0;
}

}  // namespace

void AddSourcesCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SourcesArgs>();
  CLI::App* cmd = app.add_subcommand("sources", "How far each source has been read; rewind one");
  AddConfigOption(cmd, args->config_dir);
  auto list_now = [args, &exit_code] {
    Result<std::unique_ptr<EngineSession>> session =
        OpenEngineSession(args->config_dir, Access::kRead);
    if (!session.ok()) {
      std::cerr << "dealsyncctl sources: " << session.status().message() << "\n";
      exit_code = 1;
      return;
    }
    exit_code = RunList(**session);
  };
  CLI::App* list = cmd->add_subcommand("list", "Cursor, watermark and last page of every source");
  list->fallthrough();
  list->callback(list_now);
  AddSourcesRewindCommand(*cmd, std::shared_ptr<const std::string>(args, &args->config_dir),
                          exit_code);
  cmd->callback([cmd, list_now] {
    if (cmd->get_subcommands().empty()) {
      list_now();  // plain `dealsyncctl sources`
    }
  });
}

}  // namespace dealsync::cli
