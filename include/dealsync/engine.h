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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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
  size_t warnings = 0;          // records journaled with a warning (e.g. modified in the future)
  // (native id, message) of each warning, and of each record the engine's
  // bounds rejected (the connector's own rejects are in the page), for the log.
  std::vector<std::pair<std::string, std::string>> warning_records;
  std::vector<std::pair<std::string, std::string>> bounds_rejects;
};

// What the engine knows about reading one source (dealsyncctl sources, /metrics).
struct SourceState {
  std::string cursor;                  // opaque, as the connector returned it
  std::optional<Timestamp> watermark;  // newest modified time read that is not in the future
  std::optional<Timestamp> last_page_at;  // our clock, when the last page was journaled
  uint64_t pages = 0;
  uint64_t warnings = 0;
  uint64_t rejects = 0;
};

// One failed attempt of a push, kept in the entry's history (newest last).
struct PushAttempt {
  Timestamp at{};
  std::string error;
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
  Timestamp first_failed_at{};       // start of the current failure streak (unset: none)
  std::vector<PushAttempt> history;  // the latest failed attempts (at most kPushHistory)
};
inline constexpr size_t kPushHistory = 8;

struct PushStats {
  size_t sent = 0;
  size_t succeeded = 0;
  size_t failed = 0;        // will retry
  size_t dead_lettered = 0;  // gave up; visible to operators
  // For each acknowledged push that carried an edit over: seconds from the
  // edit (its modified time on the other side) to the acknowledgement.
  std::vector<double> write_back_delays_s;
  // (native id, reason) of each push dead-lettered in this round, for the log.
  std::vector<std::pair<std::string, std::string>> dead_lettered_records;
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
  std::string reason{};  // why; kept on the conflict and shown in its history
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

// What one source owns of the engine's gauges: outbox entries and dead letters
// by target, links and held conflicts by partner, unlinked and ambiguous
// records by source.
struct SourceCounters {
  uint64_t outbox_depth = 0;
  uint64_t dead_letters = 0;
  uint64_t links = 0;
  uint64_t conflicts_held = 0;
  uint64_t unlinked_records = 0;
  uint64_t ambiguous_records = 0;
  uint64_t rejected_records = 0;
  bool operator==(const SourceCounters&) const = default;
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
  uint64_t rejected_records = 0;
  // Sources that own none of the above are absent. Kept in step with every
  // write, so reading them costs no scan.
  std::map<std::string, SourceCounters, std::less<>> by_source;

  // The counters of `source` (zeros when it owns none).
  SourceCounters Of(std::string_view source) const {
    auto it = by_source.find(source);
    return it != by_source.end() ? it->second : SourceCounters{};
  }
};

// A record the engine or its connector refused (unmappable, out of bounds).
// The record stays at its last good version until a readable version arrives:
// a new edit, or a re-read once the partner file is fixed. One per record.
struct RejectedRecord {
  std::string source;
  std::string native_id;
  std::string message;                   // names the field and value that failed
  Timestamp rejected_at{};               // our clock, the latest refusal
  std::optional<Timestamp> modified_at;  // the refused version, when it was readable
  uint64_t journal_seq = 0;              // the reject's journal entry (the payload as read)
};

// What one PruneJournal call did.
struct JournalPruneStats {
  size_t examined = 0;  // entries older than the cut-off looked at
  size_t deleted = 0;
  size_t kept = 0;        // a record's latest version, or evidence still pointed at
  bool finished = false;  // no older entry is left to examine
};

// What a person did to a link's deals (linking, "not the same deal", failed
// pushes retried or discarded), journaled and kept with the link's history.
struct OperatorAction {
  Timestamp at{};
  std::string by;
  std::string action;  // "linked", "not_the_same_deal", "dead_letter_retried", ...
  std::string detail;  // what it concerned, in words
  uint64_t journal_seq = 0;
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
  // A person says these two records are different deals: their link, if any,
  // is broken, and the linker never pairs them again; each record is then
  // linked anew where its keys now find exactly one counterpart.
  Status MarkNotSameDeal(std::string_view partner, std::string_view vendor_id,
                         std::string_view partner_id, std::string_view by);
  // What people did to the link's deals, oldest first (a bounded scan of that link's).
  Result<std::vector<OperatorAction>> LinkActions(std::string_view link_id);

  Result<std::optional<Opportunity>> GetRecord(std::string_view source, std::string_view native_id);
  // Visits the latest record of every native id of `source`; return false to stop.
  Status ScanRecords(std::string_view source, const std::function<bool(const Opportunity&)>& visit);
  // Records with no link (either side), by source.
  Result<std::vector<Opportunity>> UnlinkedRecords(std::string_view source);

  Result<EngineCounters> Counters();

  // Pushes that gave up (reason in last_error), for `target` ("" = all).
  Result<std::vector<OutboxEntry>> DeadLetters(std::string_view target);
  // Puts a dead letter back in the outbox, due now (unless a newer push for
  // the record is queued already: then the dead letter is just dropped).
  // `by` (who) is journaled and kept in the link's history.
  Status RetryDeadLetter(std::string_view target, std::string_view native_id, std::string_view by);
  // Drops a dead letter for good (the decision stays in the journal and conflicts).
  Status DiscardDeadLetter(std::string_view target, std::string_view native_id,
                           std::string_view by);
  // Refused records of `source` ("" = every source); a scan of the refused only.
  Result<std::vector<RejectedRecord>> RejectedRecords(std::string_view source);
  // Ends the refused listing of records `source` no longer has (read again,
  // they were not found); nothing else changes.
  Status ForgetRejected(std::string_view source, const std::vector<std::string>& native_ids);
  // Makes every outbox entry of `target` that is backing off due now (the
  // target recovered); returns how many were re-driven.
  Result<size_t> RedrivePushes(std::string_view target);
  // Replaces the stored cursor of `source` (operator rewind, or a cursor the
  // remote refused); the re-read records are de-duplicated on ingest.
  // `watermark`, when given, replaces the source's watermark (a rewind to a time).
  Status ResetCursor(std::string_view source, std::string_view cursor,
                     std::optional<Timestamp> watermark = std::nullopt);
  Result<SourceState> GetSourceState(std::string_view source);
  // Records whose link keys matched more than one candidate.
  Result<std::vector<LinkAmbiguity>> ListAmbiguities();

  // Journal retention: deletes, in one batch, up to `max_entries` of the
  // entries recorded before `recorded_before` that nothing needs any more.
  // Kept are each record's latest version (its native payload lives only
  // there), the versions a held conflict points at, and the entry of a record
  // still listed as refused. Entries are examined once, oldest first, from
  // where the previous call stopped (meta "journal/pruned_below"); a kept
  // latest version is deleted later by the ingest that supersedes it. Call
  // again until `finished`.
  Result<JournalPruneStats> PruneJournal(Timestamp recorded_before, size_t max_entries);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dealsync
