// dealsyncctl sources rewind SOURCE --to DATE [--by NAME]
// Resets the source's stored cursor to the connector's cursor for DATE
// (Connector::CursorAt) so its next poll re-reads every change since then;
// the engine de-duplicates what it has already journaled. Needs no network.
#include "dealsync/asio.h"  // before Asio: g++ 12 needs <utility> first

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "dealsync/connector.h"
#include "dealsync/engine.h"
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

Result<Timestamp> ParseSince(const std::string& text) {
  if (text.size() == 10) {
    Result<CalendarDate> d = ParseDate(text);
    if (!d.ok()) {
      return d.status();
    }
    return TimeZone::Utc().StartOfDay(*d);
  }
  return ParseTimestamp(text);
}

int Fail(const Status& s) {
  std::cerr << "dealsyncctl sources rewind: " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int RunRewind(const RewindArgs& args) {
  Result<Timestamp> since = ParseSince(args.to);
  if (!since.ok()) {
    return Fail(
        InvalidArgument("--to \"" + args.to + "\" is not a date (2026-11-01) or an ISO timestamp"));
  }
  Result<std::unique_ptr<EngineSession>> session = OpenEngineSession(args.config_dir);
  if (!session.ok()) {
    return Fail(session.status());
  }
  EngineSession& s = **session;
  const SourceConfig* source = s.config.FindSource(args.source);
  if (source == nullptr) {
    return Fail(NotFound("unknown source \"" + args.source + "\""));
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
  std::cout << "Rewound " << source->id << " to " << FormatTimestamp(*since)
            << (args.by.empty() ? "" : " (by " + args.by + ")") << "; the watermark was "
            << (before.ok() && before->watermark ? FormatTimestamp(*before->watermark)
                                                 : std::string("unset"))
            << ". The next poll re-reads every change since then; what was seen is not "
               "journaled twice.\n";
  return 0;
}

}  // namespace

void AddSourcesRewindCommand(CLI::App& sources, int& exit_code) {
  auto args = std::make_shared<RewindArgs>();
  CLI::App* rewind =
      sources.add_subcommand("rewind", "Re-read a source's changes since a date or time");
  rewind->add_option("SOURCE", args->source, "Source id (vendor or a partner id)")->required();
  rewind->add_option("--to", args->to, "2026-11-01 (start of that day, UTC) or an ISO timestamp")
      ->required();
  rewind->add_option("--by", args->by, "Your name, for the record");
  rewind->fallthrough();
  rewind->callback([args, &exit_code, &sources] {
    args->config_dir = sources.get_option("--config")->as<std::string>();
    exit_code = RunRewind(*args);
  });
}

}  // namespace dealsync::cli
