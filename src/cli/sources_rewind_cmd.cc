// dealsyncctl sources rewind SOURCE --to DATE --by NAME
// Resets the source's stored cursor to the connector's cursor for DATE
// (Connector::CursorAt) so its next poll re-reads every change since then;
// the engine de-duplicates what it has already journaled. With dealsyncd
// running, the daemon does it (POST /api/v1/sources/{id}/rewind); otherwise
// it is done in the store, without talking to the CRM.
#include "dealsync/asio.h"  // before Asio: g++ 12 needs <utility> first

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "dealsync/connector.h"
#include "dealsync/day_or_time.h"
#include "dealsync/engine.h"
#include "src/cli/cli_support.h"
#include "src/cli/commands.h"
#include "src/cli/engine_session.h"

namespace dealsync::cli {
namespace {

// The connector is built only to compute a cursor: it must not call out.
class NoNetwork final : public HttpTransport {
 public:
  Awaitable<Result<HttpResponse>> Send(HttpRequest) override {
    co_return FailedPrecondition("rewinding a cursor does not talk to the CRM");
  }
};

struct RewindArgs {
  std::string config_dir;
  std::string source;
  std::string to;
  std::string by;
};

int Fail(const Status& s) {
  std::cerr << "dealsyncctl sources rewind: " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

const char kRereadNote[] =
    ". The next poll re-reads every change since then; what was seen is not journaled twice.\n";

// The running daemon rewinds its own runner, so a pass in flight is not
// overwritten by a cursor it persists later.
int ThroughDaemon(const RewindArgs& args, Timestamp since, const EngineSession& s) {
  const DaemonClient daemon(s.config.daemon);
  Result<DaemonReply> reply =
      daemon.Call("POST", "/api/v1/sources/" + PathOfId(args.source) + "/rewind",
                  nlohmann::json{{"to", FormatTimestamp(since)}, {"by", args.by}}.dump());
  if (!reply.ok()) {
    return Fail(reply.status().Annotate("dealsyncd holds the state directory"));
  }
  if (!reply->ok()) {
    return Fail(FailedPrecondition("dealsyncd answered " + std::to_string(reply->status) + ": " +
                                   reply->ErrorMessage()));
  }
  // The daemon records the change under the token's user (see DaemonClient).
  std::cout << "Rewound " << args.source << " to " << FormatTimestamp(since)
            << " through dealsyncd (running, at " << daemon.base() << ")" << kRereadNote;
  return 0;
}

int RunRewind(const RewindArgs& args) {
  Result<Timestamp> since = ParseDayOrTimestamp(args.to);
  if (!since.ok()) {
    return Fail(
        InvalidArgument("--to \"" + args.to + "\" is not a date (2026-11-01) or an ISO timestamp"));
  }
  Result<std::unique_ptr<EngineSession>> session =
      OpenEngineSession(args.config_dir, Access::kWrite);
  if (!session.ok()) {
    return Fail(session.status());
  }
  EngineSession& s = **session;
  const SourceConfig* source = s.config.FindSource(args.source);
  if (source == nullptr) {
    return Fail(NotFound("unknown source \"" + args.source + "\""));
  }
  if (s.daemon_running) {
    return ThroughDaemon(args, *since, s);
  }
  const ConnectorFactory* factory = ConnectorRegistry::Default().Find(source->connector);
  if (factory == nullptr) {
    return Fail(NotFound(ConnectorRegistry::Default().UnknownMessage(source->connector)));
  }
  NoNetwork transport;
  Result<std::unique_ptr<Connector>> connector = factory->Create({*source, transport, s.clock});
  if (!connector.ok()) {
    return Fail(connector.status());
  }
  Result<std::string> cursor = (*connector)->CursorAt(*since);
  if (!cursor.ok()) {
    return Fail(cursor.status());
  }
  Result<SourceState> before = s.engine->GetSourceState(source->id);
  if (Status st = s.engine->ResetCursor(source->id, *cursor, *since); !st.ok()) {
    return Fail(st);
  }
  std::cout << "Rewound " << source->id << " to " << FormatTimestamp(*since) << " (by " << args.by
            << "); the watermark was "
            << (before.ok() && before->watermark ? FormatTimestamp(*before->watermark)
                                                 : std::string("unset"))
            << kRereadNote;
  return 0;
}

}  // namespace

void AddSourcesRewindCommand(CLI::App& sources, std::shared_ptr<const std::string> config_dir,
                             int& exit_code) {
  auto args = std::make_shared<RewindArgs>();
  CLI::App* rewind =
      sources.add_subcommand("rewind", "Re-read a source's changes since a date or time");
  rewind->add_option("SOURCE", args->source, "Source id (vendor or a partner id)")->required();
  rewind->add_option("--to", args->to, "2026-11-01 (start of that day, UTC) or an ISO timestamp")
      ->required();
  rewind->add_option("--by", args->by, "Your name, for the log")->required();
  rewind->fallthrough();
  rewind->callback([args, config_dir, &exit_code] {
    args->config_dir = *config_dir;
    exit_code = RunRewind(*args);
  });
}

}  // namespace dealsync::cli
