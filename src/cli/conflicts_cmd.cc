// dealsyncctl conflicts: the channel manager's review workflow.
//   conflicts list [--partner P] [--status S] [--field F] [--older-than 7d]
//   conflicts show ID
//   conflicts resolve ID (--take vendor|partner | --value V) --by NAME --reason TEXT
// Output is for people: aligned columns, held conflicts first, plain words.
// list and show read a view of the store; resolve settles in the store, or
// through the running dealsyncd's admin API when it holds the store (the same
// command line either way; see engine_session.h).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <memory>

#include "dealsync/engine.h"
#include "dealsync/sync_records.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

struct ConflictsArgs {
  std::string config_dir;
  std::string partner;
  std::string status;
  std::string field;
  std::string older_than;
  std::string id;
  std::string take;
  std::string value;
  std::string by;
  std::string reason;
};

// "7d", "12h", "2w" -> duration; nullopt for anything else.
std::optional<std::chrono::milliseconds> ParseAge(std::string_view text) {
  if (text.size() < 2) {
    return std::nullopt;
  }
  int64_t n = 0;
  const char* end = text.data() + text.size() - 1;
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || ptr != end || n < 0) {
    return std::nullopt;
  }
  switch (text.back()) {
    case 'h':
      return std::chrono::hours(n);
    case 'd':
      return std::chrono::hours(24 * n);
    case 'w':
      return std::chrono::hours(24 * 7 * n);
    default:
      return std::nullopt;
  }
}

std::optional<ConflictStatus> ParseStatusWord(const std::string& s) {
  if (s == "held") {
    return ConflictStatus::kHeldForReview;
  }
  if (s == "auto") {
    return ConflictStatus::kAutoResolved;
  }
  if (s == "resolved") {
    return ConflictStatus::kResolvedByOperator;
  }
  return ParseConflictStatus(s);
}

std::string When(Timestamp t) {
  if (t == Timestamp{}) {
    return "unknown time";
  }
  const std::string iso = FormatTimestamp(t);
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string Words(std::string_view snake) {
  std::string out(snake);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// Cuts at `max` bytes without splitting a UTF-8 sequence.
std::string Clip(const std::string& s, size_t max) {
  if (s.size() <= max) {
    return s;
  }
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return s.substr(0, cut) + "~";
}

size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (char ch : s) {
    width += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  }
  return width;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - DisplayWidth(row[i]), ' ');
      line += right[i] ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : "");
      line += i + 1 < row.size() ? "  " : "";
    }
    std::cout << line << "\n";
  }
}

int Fail(const std::string& what, const Status& status) {
  std::cerr << "dealsyncctl conflicts " << what << ": " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int RunList(const ConflictsArgs& args, EngineSession& s) {
  ConflictFilter filter;
  filter.partner = args.partner;
  if (!args.status.empty()) {
    filter.status = ParseStatusWord(args.status);
    if (!filter.status) {
      return Fail("list", InvalidArgument("unknown status \"" + args.status +
                                          "\" (known: held, auto, resolved)"));
    }
  }
  if (!args.field.empty()) {
    filter.field = ParseField(args.field);
    if (!filter.field) {
      return Fail("list", InvalidArgument("unknown field \"" + args.field +
                                          "\" (known: stage, amount, close_date)"));
    }
  }
  const Timestamp now = s.clock.Now();
  if (!args.older_than.empty()) {
    std::optional<std::chrono::milliseconds> age = ParseAge(args.older_than);
    if (!age) {
      return Fail("list", InvalidArgument("--older-than \"" + args.older_than +
                                          "\" is not an age like 12h, 7d or 2w"));
    }
    filter.detected_before = now - *age;
  }
  Result<std::vector<Conflict>> found = s.engine->ListConflicts(filter);
  if (!found.ok()) {
    return Fail("list", found.status());
  }
  std::vector<Conflict> conflicts = std::move(*found);
  std::stable_sort(conflicts.begin(), conflicts.end(), [](const Conflict& a, const Conflict& b) {
    const bool ah = a.status == ConflictStatus::kHeldForReview;
    const bool bh = b.status == ConflictStatus::kHeldForReview;
    return ah != bh ? ah : a.value_at_stake_minor > b.value_at_stake_minor;
  });
  if (conflicts.empty()) {
    std::cout << "No conflicts match.\n";
    return 0;
  }
  const std::string& currency = s.config.daemon.rates.reporting_currency;
  std::vector<std::vector<std::string>> rows{{"ID", "STATUS", "PARTNER", "FIELD", "DEAL", "VENDOR",
                                              "PARTNER'S", "AT STAKE (" + currency + ")", "AGE"}};
  int held = 0;
  for (const Conflict& c : conflicts) {
    held += c.status == ConflictStatus::kHeldForReview ? 1 : 0;
    const auto age = std::chrono::floor<std::chrono::days>(now - c.detected_at).count();
    rows.push_back(
        {c.id, Words(ConflictStatusName(c.status)), c.partner, std::string(FieldName(c.field)),
         Clip(c.deal_name, 32), Clip(c.vendor.value, 18), Clip(c.partner_change.value, 18),
         FormatDecimal(Money{c.value_at_stake_minor, currency}), std::to_string(age) + "d"});
  }
  PrintTable(rows, {false, false, false, false, false, false, false, true, true});
  std::cout << "\n"
            << conflicts.size() << " conflict(s), " << held
            << " held for review. Details: dealsyncctl conflicts show ID\n";
  return 0;
}

void PrintConflict(const Conflict& c, Timestamp now) {
  auto line = [](const char* label, const std::string& value) {
    std::cout << label << std::string(12 - std::string_view(label).size(), ' ') << value << "\n";
  };
  auto change = [](const FieldChange& f) {
    return (f.value.empty() ? std::string("(empty)") : f.value) + "   changed" +
           (f.modified_by.empty() ? "" : " by " + f.modified_by) + " at " + When(f.modified_at);
  };
  const auto age = std::chrono::floor<std::chrono::days>(now - c.detected_at).count();
  line("Conflict", c.id);
  line("Status", Words(ConflictStatusName(c.status)) + " (detected " + When(c.detected_at) + ", " +
                     std::to_string(age) + " days ago)");
  line("Deal", c.deal_name + (c.account.empty() ? "" : " - " + c.account));
  line("Partner", c.partner);
  line("Records", "vendor " + c.vendor_id + ", partner " + c.partner_id);
  line("Field", std::string(FieldName(c.field)));
  line("Agreed", c.base_value.empty() ? "(nothing agreed yet)" : c.base_value);
  line("Vendor", change(c.vendor));
  line("Partner's", change(c.partner_change));
  line("Rule", c.rule);
  line("Result", c.outcome_value.empty() ? "(waiting for a decision)" : c.outcome_value);
  if (!c.flags.empty()) {
    std::string flags;
    for (const std::string& f : c.flags) {
      flags += (flags.empty() ? "" : ", ") + Words(f);
    }
    line("Flags", flags);
  }
  if (!c.explanation.empty()) {
    line("Why", c.explanation);
  }
  if (c.status == ConflictStatus::kResolvedByOperator) {
    line("Resolved", "by " + c.resolved_by + (c.resolved_at ? " at " + When(*c.resolved_at) : ""));
  }
  if (c.status == ConflictStatus::kHeldForReview) {
    line("To settle", "dealsyncctl conflicts resolve " + c.id +
                          " --take vendor|partner (or --value V) --by YOUR_NAME --reason WHY");
  }
}

int RunShow(const ConflictsArgs& args, EngineSession& s) {
  Result<Conflict> c = s.engine->GetConflict(args.id);
  if (!c.ok()) {
    return Fail("show", c.status());
  }
  PrintConflict(*c, s.clock.Now());
  return 0;
}

// Settles through the running daemon, which journals the decision under the
// API token's user; the --by name is kept in the reason so it is not lost.
int ResolveThroughDaemon(const ConflictsArgs& args, const EngineSession& s) {
  nlohmann::json body = {{"take", args.take.empty() ? "value" : args.take},
                         {"reason", args.reason + " (dealsyncctl, by " + args.by + ")"}};
  if (!args.value.empty()) {
    body["value"] = args.value;
  }
  const DaemonClient daemon(s.config.daemon);
  Result<DaemonReply> reply =
      daemon.Call("POST", "/api/v1/conflicts/" + PathOfId(args.id) + "/resolve", body.dump());
  if (!reply.ok()) {
    return Fail("resolve", reply.status().Annotate("dealsyncd holds the state directory"));
  }
  if (!reply->ok()) {
    const StatusCode code = reply->status == 400 || reply->status == 422
                                ? StatusCode::kInvalidArgument
                                : StatusCode::kFailedPrecondition;
    return Fail("resolve", Status(code, "dealsyncd answered " + std::to_string(reply->status) +
                                            ": " + reply->ErrorMessage()));
  }
  const nlohmann::json& c = reply->body;
  std::cout << "Resolved " << c.value("id", args.id) << ": " << c.value("field", "") << " = "
            << c.value("outcome_value", "") << " (by " << c.value("resolved_by", args.by)
            << ", through dealsyncd at " << daemon.base()
            << "). The update is queued; dealsyncd pushes it to the side that differs.\n";
  return 0;
}

int RunResolve(const ConflictsArgs& args, EngineSession& s) {
  Resolution r;
  r.resolved_by = args.by;
  r.reason = args.reason;
  if (args.take.empty() == args.value.empty()) {
    return Fail("resolve",
                InvalidArgument("give exactly one of --take vendor|partner or --value V"));
  }
  if (args.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Fail("resolve", InvalidArgument("--reason must say why this value is right"));
  }
  if (!args.take.empty()) {
    if (args.take != "vendor" && args.take != "partner") {
      return Fail("resolve",
                  InvalidArgument("--take must be vendor or partner, not \"" + args.take + "\""));
    }
    r.choice = args.take == "vendor" ? Resolution::Choice::kVendor : Resolution::Choice::kPartner;
  } else {
    r.choice = Resolution::Choice::kValue;
    r.value = args.value;
  }
  if (s.daemon_running) {
    return ResolveThroughDaemon(args, s);
  }
  if (Status st = s.engine->ResolveConflict(args.id, r); !st.ok()) {
    return Fail("resolve", st);
  }
  Result<Conflict> c = s.engine->GetConflict(args.id);
  if (!c.ok()) {
    return Fail("resolve", c.status());
  }
  std::cout << "Resolved " << c->id << ": " << FieldName(c->field) << " = " << c->outcome_value
            << " (by " << args.by << "). The update is queued; dealsyncd pushes it to the side "
            << "that differs on its next cycle.\n";
  return 0;
}

}  // namespace

void AddConflictsCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConflictsArgs>();
  CLI::App* cmd = app.add_subcommand("conflicts", "List, inspect and settle deal conflicts");
  cmd->require_subcommand(1);
  AddConfigOption(cmd, args->config_dir);
  auto run = [args, &exit_code](int (*body)(const ConflictsArgs&, EngineSession&), Access access) {
    Result<std::unique_ptr<EngineSession>> session = OpenEngineSession(args->config_dir, access);
    exit_code = session.ok() ? body(*args, **session) : Fail("", session.status());
  };

  CLI::App* list = cmd->add_subcommand("list", "Conflicts, held ones first");
  list->add_option("--partner", args->partner, "Only this partner");
  list->add_option("--status", args->status, "held, auto or resolved");
  list->add_option("--field", args->field, "stage, amount or close_date");
  list->add_option("--older-than", args->older_than, "Detected longer ago than e.g. 7d, 12h, 2w");
  list->fallthrough();  // accept --config after the subcommand too
  list->callback([run] { run(RunList, Access::kRead); });

  CLI::App* show = cmd->add_subcommand("show", "One conflict in full");
  show->add_option("ID", args->id, "Conflict id (from conflicts list)")->required();
  show->fallthrough();
  show->callback([run] { run(RunShow, Access::kRead); });

  CLI::App* resolve = cmd->add_subcommand("resolve", "Settle a held conflict and queue the push");
  resolve->add_option("ID", args->id, "Conflict id (from conflicts list)")->required();
  resolve->add_option("--take", args->take, "Keep the vendor's or the partner's value");
  resolve->add_option("--value", args->value,
                      "Set this value instead (stage name, \"1234.50 EUR\", or 2026-12-31)");
  resolve->add_option("--by", args->by, "Your name, recorded with the decision")->required();
  resolve->add_option("--reason", args->reason, "Why this value is right, recorded with it")
      ->required();
  resolve->fallthrough();
  resolve->callback([run] { run(RunResolve, Access::kWrite); });
}

}  // namespace dealsync::cli
