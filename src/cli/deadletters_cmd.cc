// dealsyncctl deadletters: pushes the outbox gave up on, for a person.
//   deadletters list [--target T]
//   deadletters show ID
//   deadletters retry (ID... | --all [--target T]) [--by NAME]
//   deadletters discard ID... --by NAME
// An ID is "<target>/<native id>" as `list` prints it. list and show read a
// view of the store; retry and discard change the store, or go through the
// running dealsyncd's admin API when it holds the store (engine_session.h).
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "dealsync/engine.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

// Who runs the command, for the deal's history when --by is not given.
std::string LoginName() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr && pw->pw_name != nullptr ? pw->pw_name
                                                 : "uid " + std::to_string(::geteuid());
}

struct DeadLetterArgs {
  std::string config_dir;
  std::string target;
  std::vector<std::string> ids;
  bool all = false;
  std::string by;
};

int Fail(const std::string& what, const Status& status) {
  std::cerr << "dealsyncctl deadletters " << what << (what.empty() ? "" : ": ") << status.message()
            << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

std::string When(Timestamp t) {
  if (t == Timestamp{}) {
    return "-";
  }
  const std::string iso = FormatTimestamp(t);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string OneLine(std::string s, size_t max) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') {
      c = ' ';
    }
  }
  if (s.size() > max) {
    size_t cut = max - 1;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    s = s.substr(0, cut) + "~";
  }
  return s;
}

// "<target>/<native id>" -> (target, native id); native ids may contain '/'.
Result<std::pair<std::string, std::string>> SplitId(const std::string& id) {
  const size_t slash = id.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == id.size()) {
    return InvalidArgument("dead letter id \"" + id +
                           "\" is not TARGET/RECORD (as `deadletters list` prints it)");
  }
  return std::pair{id.substr(0, slash), id.substr(slash + 1)};
}

std::string ValuesOf(const RecordUpdate& u) {
  std::string out;
  auto add = [&](std::string_view name, const std::string& v) {
    out += (out.empty() ? "" : ", ") + std::string(name) + " " + v;
  };
  if (u.stage) {
    add("stage", std::string(StageName(*u.stage)));
  }
  if (u.amount) {
    add("amount", FormatMoney(*u.amount));
  }
  if (u.close_date) {
    add("close_date", FormatDate(*u.close_date));
  }
  return out;
}

int RunList(const DeadLetterArgs& args, EngineSession& s) {
  Result<std::vector<OutboxEntry>> dead = s.engine->DeadLetters(args.target);
  if (!dead.ok()) {
    return Fail("list", dead.status());
  }
  if (dead->empty()) {
    std::cout << "No dead letters" << (args.target.empty() ? "" : " for " + args.target) << ".\n";
    return 0;
  }
  std::cout << "ID\tATTEMPTS\tFIRST FAILED\tLAST FAILED\tPUSH\tREASON\n";
  for (const OutboxEntry& e : *dead) {
    const Timestamp last = e.history.empty() ? Timestamp{} : e.history.back().at;
    std::cout << e.target << "/" << e.update.native_id << "\t" << e.attempts << "\t"
              << When(e.first_failed_at) << "\t" << When(last) << "\t" << ValuesOf(e.update) << "\t"
              << OneLine(e.last_error, 160) << "\n";
  }
  std::cout << "\n"
            << dead->size()
            << " dead letter(s). Once the cause is fixed: dealsyncctl deadletters retry ID "
               "(or --all); to drop one: dealsyncctl deadletters discard ID --by NAME\n";
  return 0;
}

int RunShow(const DeadLetterArgs& args, EngineSession& s) {
  for (const std::string& id : args.ids) {
    Result<std::pair<std::string, std::string>> parts = SplitId(id);
    if (!parts.ok()) {
      return Fail("show", parts.status());
    }
    Result<std::vector<OutboxEntry>> dead = s.engine->DeadLetters(parts->first);
    if (!dead.ok()) {
      return Fail("show", dead.status());
    }
    const OutboxEntry* found = nullptr;
    for (const OutboxEntry& e : *dead) {
      found = e.update.native_id == parts->second ? &e : found;
    }
    if (found == nullptr) {
      return Fail("show", NotFound("no dead letter " + id));
    }
    std::cout << "Dead letter  " << id << "\n"
              << "Push         " << ValuesOf(found->update) << " (trace " << found->update.trace_id
              << ")\n"
              << "Why queued   " << OneLine(found->reason, 400) << "\n"
              << "Attempts     " << found->attempts << "\n"
              << "Reason       " << OneLine(found->last_error, 400) << "\n";
    for (const PushAttempt& a : found->history) {
      std::cout << "  " << When(a.at) << "  " << OneLine(a.error, 200) << "\n";
    }
  }
  return 0;
}

// POST /api/v1/deadletters/{retry|discard} {"ids": [...]} on the running
// daemon; prints each id's outcome. The daemon records the token's user.
int ThroughDaemon(const char* action, const std::vector<std::string>& ids, const EngineSession& s) {
  const DaemonClient daemon(s.config.daemon);
  Result<DaemonReply> reply = daemon.Call("POST", std::string("/api/v1/deadletters/") + action,
                                          nlohmann::json{{"ids", ids}}.dump());
  if (!reply.ok()) {
    return Fail(action, reply.status().Annotate("dealsyncd holds the state directory"));
  }
  if (!reply->ok() || !reply->body.is_object() || !reply->body.contains("results")) {
    return Fail(action, FailedPrecondition("dealsyncd answered " + std::to_string(reply->status) +
                                           ": " + reply->ErrorMessage()));
  }
  int exit_code = 0;
  const bool retry = std::string_view(action) == "retry";
  for (const nlohmann::json& r : reply->body["results"]) {
    const std::string id = r.value("id", std::string());
    if (r.value("ok", false)) {
      std::cout << (retry ? "Queued again: " : "Discarded ") << id << "\n";
    } else {
      exit_code = Fail(action, FailedPrecondition(r.value("error", std::string("failed"))));
    }
  }
  if (exit_code == 0 && retry) {
    std::cout << ids.size() << " dead letter(s) back in the outbox; dealsyncd (running, at "
              << daemon.base() << ") pushes them on its next push round.\n";
  }
  return exit_code;
}

int RunRetry(const DeadLetterArgs& args, EngineSession& s) {
  std::vector<std::pair<std::string, std::string>> todo;
  if (args.all == !args.ids.empty()) {
    return Fail("retry", InvalidArgument("give dead letter IDs or --all"));
  }
  if (args.all) {
    Result<std::vector<OutboxEntry>> dead = s.engine->DeadLetters(args.target);
    if (!dead.ok()) {
      return Fail("retry", dead.status());
    }
    for (const OutboxEntry& e : *dead) {
      todo.emplace_back(e.target, e.update.native_id);
    }
  }
  for (const std::string& id : args.ids) {
    Result<std::pair<std::string, std::string>> parts = SplitId(id);
    if (!parts.ok()) {
      return Fail("retry", parts.status());
    }
    todo.push_back(*parts);
  }
  if (s.daemon_running) {
    std::vector<std::string> ids;
    for (const auto& [target, native_id] : todo) {
      ids.push_back(target + "/" + native_id);
    }
    if (ids.empty()) {
      std::cout << "0 dead letter(s) back in the outbox.\n";
      return 0;
    }
    return ThroughDaemon("retry", ids, s);
  }
  for (const auto& [target, native_id] : todo) {
    if (Status st =
            s.engine->RetryDeadLetter(target, native_id, args.by.empty() ? LoginName() : args.by);
        !st.ok()) {
      return Fail("retry", st);
    }
    std::cout << "Queued again: " << target << "/" << native_id << "\n";
  }
  std::cout << todo.size() << " dead letter(s) back in the outbox; dealsyncd pushes them on its "
            << "next push round.\n";
  return 0;
}

int RunDiscard(const DeadLetterArgs& args, EngineSession& s) {
  for (const std::string& id : args.ids) {
    if (Result<std::pair<std::string, std::string>> parts = SplitId(id); !parts.ok()) {
      return Fail("discard", parts.status());
    }
  }
  if (s.daemon_running) {
    return ThroughDaemon("discard", args.ids, s);
  }
  for (const std::string& id : args.ids) {
    Result<std::pair<std::string, std::string>> parts = SplitId(id);
    if (!parts.ok()) {
      return Fail("discard", parts.status());
    }
    if (Status st = s.engine->DiscardDeadLetter(parts->first, parts->second, args.by); !st.ok()) {
      return Fail("discard", st);
    }
    std::cout << "Discarded " << id << " (by " << args.by << ")\n";
  }
  return 0;
}

}  // namespace

void AddDeadLettersCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DeadLetterArgs>();
  CLI::App* cmd =
      app.add_subcommand("deadletters", "List, retry and discard pushes that were given up on");
  cmd->require_subcommand(1);
  AddConfigOption(cmd, args->config_dir);
  auto run = [args, &exit_code](int (*body)(const DeadLetterArgs&, EngineSession&), Access access) {
    Result<std::unique_ptr<EngineSession>> session = OpenEngineSession(args->config_dir, access);
    exit_code = session.ok() ? body(*args, **session) : Fail("", session.status());
  };

  CLI::App* list = cmd->add_subcommand("list", "Dead letters with their reason");
  list->add_option("--target", args->target, "Only pushes to this source");
  list->fallthrough();
  list->callback([run] { run(RunList, Access::kRead); });

  CLI::App* show = cmd->add_subcommand("show", "One dead letter with its attempt history");
  show->add_option("ID", args->ids, "TARGET/RECORD (from deadletters list)")->required();
  show->fallthrough();
  show->callback([run] { run(RunShow, Access::kRead); });

  CLI::App* retry = cmd->add_subcommand("retry", "Put dead letters back in the outbox");
  retry->add_option("ID", args->ids, "TARGET/RECORD (from deadletters list)");
  retry->add_flag("--all", args->all, "Every dead letter (of --target, if given)");
  retry->add_option("--target", args->target, "With --all: only pushes to this source");
  retry->add_option("--by", args->by, "Your name, for the deal's history (default: login name)");
  retry->fallthrough();
  retry->callback([run] { run(RunRetry, Access::kWrite); });

  CLI::App* discard = cmd->add_subcommand("discard", "Drop dead letters for good");
  discard->add_option("ID", args->ids, "TARGET/RECORD (from deadletters list)")->required();
  discard->add_option("--by", args->by, "Your name, for the log")->required();
  discard->fallthrough();
  discard->callback([run] { run(RunDiscard, Access::kWrite); });
}

}  // namespace dealsync::cli
