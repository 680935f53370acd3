// dealsyncctl plan --config DIR: a dry run. Prints what the next sync cycle
// would push (target, record, absolute values, why, retry state) and the
// conflicts held for a channel manager, from a read-only view of the state
// directory (also while dealsyncd runs). Never pushes and never writes.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "dealsync/engine.h"
#include "dealsync/sync_records.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

struct PlanArgs {
  std::string config_dir;
};

std::string Values(const RecordUpdate& u) {
  std::string out;
  auto add = [&](std::string_view name, const std::string& v) {
    if (!v.empty()) {
      out += (out.empty() ? "" : ", ") + std::string(name) + " = " + v;
    }
  };
  Opportunity o;
  o.stage = u.stage;
  o.amount = u.amount;
  o.close_date = u.close_date;
  for (Field f : {Field::kStage, Field::kAmount, Field::kCloseDate}) {
    add(FieldName(f), FieldValueText(o, f));
  }
  return out;
}

void PrintPlan(const Plan& plan, std::ostream& out) {
  out << "Pushes the next cycle would send: " << plan.pushes.size() << "\n";
  for (const PlannedPush& p : plan.pushes) {
    const OutboxEntry& e = p.entry;
    out << "  -> " << e.target << " " << e.update.native_id << ": " << Values(e.update)
        << "  [trace " << e.update.trace_id << "]\n";
    out << "     why: " << e.reason << "\n";
    if (e.attempts > 0) {
      out << "     retry: " << e.attempts << " failed attempt(s), not before "
          << FormatTimestamp(e.not_before) << "; last error: " << e.last_error << "\n";
    }
  }
  out << "Conflicts held for review (nothing is pushed for them): " << plan.held.size() << "\n";
  for (const Conflict& c : plan.held) {
    out << "  " << c.id << "  " << FieldName(c.field) << ": vendor " << c.vendor.value
        << " / partner " << c.partner_change.value << " (base "
        << (c.base_value.empty() ? "none" : c.base_value) << ")\n";
    out << "     " << c.explanation << "\n";
  }
}

}  // namespace

void AddPlanCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Dry run: show what the next sync cycle would push and why, and held conflicts");
  AddConfigOption(cmd, args->config_dir);
  cmd->callback([args, &exit_code] {
    Result<std::unique_ptr<EngineSession>> session =
        OpenEngineSession(args->config_dir, Access::kRead);
    if (!session.ok()) {
      std::cerr << "dealsyncctl plan: " << session.status().message() << "\n";
      exit_code = session.status().code() == StatusCode::kInvalidArgument ? kExitConfig : 1;
      return;
    }
    Result<Plan> plan = (*session)->engine->PlanNextCycle();
    if (!plan.ok()) {
      std::cerr << "dealsyncctl plan: " << plan.status().ToString() << "\n";
      exit_code = 1;
      return;
    }
    PrintPlan(*plan, std::cout);
    exit_code = 0;
  });
}

}  // namespace dealsync::cli
