// SyncEngine: journal -> linker -> reconciler -> outbox -> push bookkeeping, on
// top of a Store. Synchronous and sans-io except PushOnce(), which awaits the
// connector. Every state change is one WriteBatch:
//   IngestPage:   journal entries + records + cursor                  (one batch)
//                 then per affected link: decisions + conflicts + outbox (one batch)
//   RecordPushResults: outbox removal + base advance (+ dead letters)   (one batch)
// So a crash anywhere repeats at most an idempotent push.
// Thread-safety: one engine instance is used from one thread (or strand) at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dealsync/asio.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/model.h"
#include "dealsync/store.h"
#include "dealsync/sync_records.h"

namespace dealsync {

class Clock;

struct IngestStats {
  size_t records = 0;           // records in the page
  size_t changes_journaled = 0;  // new journal entries (duplicates and echoes excluded)
  size_t duplicates = 0;        // already-seen versions (overlap windows, re-delivered pages)
  size_t echoes = 0;            // our own pushes coming back
  size_t rejects = 0;           // unmappable records journaled as errors
  size_t conflicts = 0;         // conflict records written
  size_t pushes_queued = 0;     // outbox entries written
};

// One queued push: absolute target values for one record.
struct OutboxEntry {
  std::string key;        // store key (opaque)
  std::string target;     // source id to push to
  RecordUpdate update;    // native id, values, trace id
  std::string link_id;
  std::string reason;     // why (e.g. "vendor changed stage qualified -> proposal")
  int attempts = 0;
  Timestamp not_before{};  // backoff after a failed attempt
  std::string last_error;
};

struct PushStats {
  size_t sent = 0;
  size_t succeeded = 0;
  size_t failed = 0;        // will retry
  size_t dead_lettered = 0;  // gave up; visible to operators
};

struct PlannedPush {
  OutboxEntry entry;
};
struct Plan {
  std::vector<PlannedPush> pushes;       // what the next cycle would push, and why
  std::vector<Conflict> held;            // conflicts waiting for a channel manager
};

struct ConflictFilter {
  std::string partner;                   // "" = all
  std::optional<ConflictStatus> status;
  std::optional<Field> field;
  std::optional<Timestamp> detected_before;  // age filter
};

struct Resolution {
  enum class Choice : uint8_t { kVendor, kPartner, kValue };
  Choice choice = Choice::kVendor;
  std::string value;     // canonical text when choice == kValue
  std::string resolved_by;
  std::string reason;    // why; kept on the conflict and shown in its history
};

// A record whose link key matched several records on the other side; never
// auto-linked, an operator decides (SetLink).
struct LinkAmbiguity {
  std::string source;
  std::string native_id;
  std::string key_kind;   // "registration_id", "counterpart_id", "match_key"
  std::string key_value;
  std::vector<std::string> candidates;  // "<source>/<native id>"
};

struct EngineCounters {
  uint64_t journal_entries = 0;
  uint64_t outbox_depth = 0;
  uint64_t dead_letters = 0;
  uint64_t conflicts_auto_resolved = 0;
  uint64_t conflicts_held = 0;
  uint64_t conflicts_resolved_by_operator = 0;
  uint64_t links = 0;
  uint64_t unlinked_records = 0;
  uint64_t ambiguous_records = 0;
};

class SyncEngine {
 public:
  SyncEngine(Store& store, Config config, Clock& clock);
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;
  ~SyncEngine();

  // Takes effect for the next operation (SIGHUP reload). State is kept.
  void UpdateConfig(Config config);

  Result<std::string> LoadCursor(std::string_view source);
  Result<IngestStats> IngestPage(std::string_view source, const FetchPage& page);

  // Outbox entries for `target` that are due at `now`, at most `max`.
  Result<std::vector<OutboxEntry>> DuePushes(std::string_view target, size_t max, Timestamp now);
  // Applies per-record outcomes (same order as `sent`); a whole-batch failure is
  // passed as `batch_error` with empty outcomes.
  Result<PushStats> RecordPushResults(std::string_view target, const std::vector<OutboxEntry>& sent,
                                      const std::vector<UpdateOutcome>& outcomes,
                                      const Status& batch_error);
  // Due pushes for `target`, in batches of the connector's max size: send + record.
  Awaitable<Result<PushStats>> PushOnce(std::string_view target, Connector& connector);

  Result<Plan> PlanNextCycle();

  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter& filter);
  Result<Conflict> GetConflict(std::string_view id);
  // Settles a held conflict and queues the push(es) in the same batch.
  Status ResolveConflict(std::string_view id, const Resolution& resolution);

  Result<std::vector<Link>> ListLinks(std::string_view partner);
  Status SetLink(std::string_view partner, std::string_view vendor_id, std::string_view partner_id,
                 std::string_view by);
  Status BreakLink(std::string_view link_id, std::string_view by);

  Result<std::optional<Opportunity>> GetRecord(std::string_view source, std::string_view native_id);
  // Visits the latest record of every native id of `source`; return false to stop.
  Status ScanRecords(std::string_view source, const std::function<bool(const Opportunity&)>& visit);
  // Records with no link (either side), by source.
  Result<std::vector<Opportunity>> UnlinkedRecords(std::string_view source);

  Result<EngineCounters> Counters();

  // Pushes that gave up (reason in last_error), for `target` ("" = all).
  Result<std::vector<OutboxEntry>> DeadLetters(std::string_view target);
  // Records whose link keys matched more than one candidate.
  Result<std::vector<LinkAmbiguity>> ListAmbiguities();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dealsync
