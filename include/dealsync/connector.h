// Connector: how the engine reads and writes one CRM. One implementation per
// folder under connectors/; each registers a ConnectorFactory in the
// ConnectorRegistry from an explicit, configure-time generated list. The core
// never includes a connector's header.
//
// Contracts:
//  - FetchChanges(cursor) returns one page of records changed since `cursor`
//    (the empty cursor means "from the beginning") and the cursor to persist
//    after that page is journaled. Cursors are opaque to the engine. A page may
//    repeat records already seen (overlap windows); the engine de-duplicates.
//    Records returned with a warning (FetchPage::warnings) are still applied.
//  - Records that cannot be mapped are returned in `rejects`, never dropped.
//  - Update() sends absolute values (idempotent) and returns one outcome per
//    input, in input order; a failed call for the whole batch is an error
//    Status instead.
// Thread-safety: a connector is used from one io_context thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/config.h"
#include "dealsync/http.h"
#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync {

class Clock;

// A native record that could not be mapped to the canonical model.
struct RecordReject {
  std::string native_id;  // may be empty when even the id is unreadable
  std::string message;    // names the field and value that failed
  std::string native_payload;
};

// A native record that was read and returned but asks for attention, e.g. a
// modified time in the future that was not allowed to advance the cursor. The
// engine journals these; the record itself is in FetchPage::records.
struct RecordWarning {
  std::string native_id;
  std::string message;
};

struct FetchPage {
  std::vector<Opportunity> records;
  std::vector<RecordReject> rejects;
  std::vector<RecordWarning> warnings;
  std::string next_cursor;  // persist with this page's journal entries
  bool has_more = false;    // another page is available right away
};

// Absolute target values for one record; unset fields are left alone.
struct RecordUpdate {
  std::string native_id;
  std::string pipeline;  // for per-pipeline stage maps
  std::optional<Stage> stage;
  std::optional<Money> amount;
  std::optional<CalendarDate> close_date;
  std::string trace_id;  // idempotency / echo-recognition tag from the outbox
};

struct UpdateOutcome {
  std::string native_id;
  Status status;                         // per-record result (partial failures)
  std::optional<Timestamp> modified_at;  // when the remote reports it
};

struct Capabilities {
  size_t max_batch_size = 1;
  bool supports_deletes = false;
  bool returns_trace_ids = false;  // e.g. HubSpot objectWriteTraceId
};

class Connector {
 public:
  Connector() = default;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;
  virtual ~Connector() = default;

  virtual const Capabilities& capabilities() const = 0;
  virtual Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) = 0;
  virtual Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) = 0;
  virtual Awaitable<Result<std::vector<UpdateOutcome>>> Update(
      std::vector<RecordUpdate> updates) = 0;

  // The cursor that makes FetchChanges re-read everything modified at or after
  // `since` (an operator's rewind). Connectors whose cursors cannot express
  // that answer kFailedPrecondition.
  virtual Result<std::string> CursorAt(Timestamp since) const {
    (void)since;
    return FailedPrecondition("this connector cannot rewind its cursor to a point in time");
  }
};

// One entry of a connector's declarative option table. Keys are dotted paths
// relative to the source file's root ("salesforce.api_version", "list.page.style").
struct OptionSpec {
  enum class Type : uint8_t { kString, kInt, kBool, kDuration, kEnum, kJsonPointer, kStringList };
  std::string key;
  Type type = Type::kString;
  bool required = false;
  std::optional<std::string> default_value;  // textual, as it would be written in TOML
  std::vector<std::string> choices;          // for kEnum
  std::string description;
};
using OptionTable = std::vector<OptionSpec>;

// What a connector gets to work with. The transport already authenticates,
// rate-limits and retries according to config.connection.
struct ConnectorContext {
  const SourceConfig& config;
  HttpTransport& transport;
  Clock& clock;
};

class ConnectorFactory {
 public:
  ConnectorFactory() = default;
  ConnectorFactory(const ConnectorFactory&) = delete;
  ConnectorFactory& operator=(const ConnectorFactory&) = delete;
  virtual ~ConnectorFactory() = default;

  virtual std::string_view name() const = 0;
  virtual const OptionTable& options() const = 0;
  // Default [fields] for this CRM (a partner file may override entries).
  virtual FieldMap DefaultFields() const = 0;
  // Semantic checks that the option table cannot express (e.g. "list.page.next
  // is required when list.page.style = cursor"); appends located errors.
  virtual void Validate(const SourceConfig& config, std::vector<ConfigError>& errors) const = 0;
  virtual Result<std::unique_ptr<Connector>> Create(const ConnectorContext& context) const = 0;
};

class ConnectorRegistry {
 public:
  // The process-wide registry with every connector compiled in. Defined in the
  // configure-time generated list (target dealsync_connectors_all).
  static ConnectorRegistry& Default();

  // Fails (kAlreadyExists) on a duplicate name.
  Status Register(std::unique_ptr<ConnectorFactory> factory);
  // nullptr when unknown; see UnknownMessage().
  const ConnectorFactory* Find(std::string_view name) const;
  std::vector<std::string> Names() const;  // sorted
  // `unknown connector "hubspt" (known: hubspot, rest, salesforce)`
  std::string UnknownMessage(std::string_view name) const;

 private:
  std::map<std::string, std::unique_ptr<ConnectorFactory>, std::less<>> factories_;
};

}  // namespace dealsync
