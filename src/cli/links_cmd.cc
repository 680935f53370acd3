// dealsyncctl links: which vendor deal is which partner deal.
//   links [list] [--partner P]
//   links add --partner P --vendor-id V --partner-id R --by NAME
//   links break LINK_ID --by NAME       "not the same deal" (never re-made automatically)
// list reads a view of the store; add and break change the store, or go
// through the running dealsyncd's admin API when it holds the store
// (engine_session.h).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "dealsync/engine.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

struct LinksArgs {
  std::string config_dir;
  std::string partner;
  std::string vendor_id;
  std::string partner_id;
  std::string link_id;
  std::string by;
};

int Fail(const std::string& what, const Status& status) {
  std::cerr << "dealsyncctl links " << what << (what.empty() ? "" : ": ") << status.message()
            << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int RunList(const LinksArgs& args, EngineSession& s) {
  Result<std::vector<Link>> links = s.engine->ListLinks(args.partner);
  if (!links.ok()) {
    return Fail("list", links.status());
  }
  std::cout << "LINK\tPARTNER\tVENDOR RECORD\tPARTNER RECORD\tMATCHED BY\tSINCE\n";
  for (const Link& l : *links) {
    std::cout << l.id << "\t" << l.partner << "\t" << l.vendor_id << "\t" << l.partner_id << "\t"
              << l.key_kind << (l.key_value.empty() ? "" : " " + l.key_value) << "\t"
              << (l.created_at == Timestamp{} ? "-" : FormatTimestamp(l.created_at)) << "\n";
  }
  std::cout << "\n" << links->size() << " link(s).\n";
  return 0;
}

// The daemon's answer to a link change, as an exit code.
int Answered(const std::string& what, const Result<DaemonReply>& reply) {
  if (!reply.ok()) {
    return Fail(what, reply.status().Annotate("dealsyncd holds the state directory"));
  }
  if (!reply->ok()) {
    return Fail(what, Status(reply->status == 400 ? StatusCode::kInvalidArgument
                                                  : StatusCode::kFailedPrecondition,
                             "dealsyncd answered " + std::to_string(reply->status) + ": " +
                                 reply->ErrorMessage()));
  }
  return 0;
}

// Who the daemon recorded: the token's user, which need not be --by.
std::string RecordedBy(const DaemonReply& reply, const char* key, const std::string& fallback) {
  return reply.body.is_object() ? reply.body.value(key, fallback) : fallback;
}

int RunAdd(const LinksArgs& args, EngineSession& s) {
  std::string by = args.by;
  if (s.daemon_running) {
    const nlohmann::json body = {
        {"partner", args.partner}, {"vendor_id", args.vendor_id}, {"partner_id", args.partner_id}};
    Result<DaemonReply> reply =
        DaemonClient(s.config.daemon).Call("POST", "/api/v1/links", body.dump());
    if (int rc = Answered("add", reply); rc != 0) {
      return rc;
    }
    by = RecordedBy(*reply, "created_by", by);
  } else if (Status st = s.engine->SetLink(args.partner, args.vendor_id, args.partner_id, args.by);
             !st.ok()) {
    return Fail("add", st);
  }
  std::cout << "Linked " << args.partner << ": vendor " << args.vendor_id << " = partner "
            << args.partner_id << " (by " << by << ").\n";
  return 0;
}

int RunBreak(const LinksArgs& args, EngineSession& s) {
  std::string by = args.by;
  if (s.daemon_running) {
    Result<DaemonReply> reply =
        DaemonClient(s.config.daemon).Call("DELETE", "/api/v1/links/" + PathOfId(args.link_id));
    if (int rc = Answered("break", reply); rc != 0) {
      return rc;
    }
    by = RecordedBy(*reply, "by", by);
  } else if (Status st = s.engine->BreakLink(args.link_id, args.by); !st.ok()) {
    return Fail("break", st);
  }
  std::cout << "Broke link " << args.link_id << " (by " << by
            << "): not the same deal; it is never linked again automatically.\n";
  return 0;
}

}  // namespace

void AddLinksCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LinksArgs>();
  CLI::App* cmd = app.add_subcommand("links", "List, make and break links between deals");
  AddConfigOption(cmd, args->config_dir);
  auto run = [args, &exit_code](int (*body)(const LinksArgs&, EngineSession&), Access access) {
    Result<std::unique_ptr<EngineSession>> session = OpenEngineSession(args->config_dir, access);
    exit_code = session.ok() ? body(*args, **session) : Fail("", session.status());
  };

  CLI::App* list = cmd->add_subcommand("list", "Links, of every partner or of --partner");
  list->add_option("--partner", args->partner, "Only this partner");
  list->fallthrough();
  list->callback([run] { run(RunList, Access::kRead); });
  cmd->add_option("--partner", args->partner, "Only this partner");  // plain `links --partner P`
  cmd->callback([cmd, run] {
    if (cmd->get_subcommands().empty()) {
      run(RunList, Access::kRead);
    }
  });

  CLI::App* add = cmd->add_subcommand("add", "Link a vendor deal to a partner deal by hand");
  add->add_option("--partner", args->partner, "The partner both deals belong to")->required();
  add->add_option("--vendor-id", args->vendor_id, "The vendor CRM's record id")->required();
  add->add_option("--partner-id", args->partner_id, "The partner CRM's record id")->required();
  add->add_option("--by", args->by, "Your name, recorded with the link")->required();
  add->fallthrough();
  add->callback([run] { run(RunAdd, Access::kWrite); });

  CLI::App* brk = cmd->add_subcommand("break", "Mark a link \"not the same deal\"");
  brk->add_option("LINK_ID", args->link_id, "Link id (from links list)")->required();
  brk->add_option("--by", args->by, "Your name, recorded with the decision")->required();
  brk->fallthrough();
  brk->callback([run] { run(RunBreak, Access::kWrite); });
}

}  // namespace dealsync::cli
