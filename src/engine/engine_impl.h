// SyncEngine::Impl: the engine's internals, split by meaning across
// state.cc (typed reads/writes), ingest.cc (journal), linker.cc, reconcile_link.cc,
// outbox.cc and engine.cc (public operations and queries).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dealsync/clock.h"
#include "dealsync/engine.h"
#include "src/engine/counting_store.h"
#include "src/engine/reconciler.h"
#include "src/engine/records.h"
#include "src/engine/txn.h"

namespace dealsync {

// What one reconciliation pass over a link wrote.
struct ReconcileCounts {
  size_t conflicts = 0;
  size_t pushes_queued = 0;
};

struct SyncEngine::Impl {
  Impl(Store& s, Config c, Clock& k)
      : counting(s), store(counting), config(std::move(c)), clock(k) {}

  CountingStore counting;  // every read and write of the engine goes through it
  Store& store;
  Config config;
  Clock& clock;

  // ---- configuration ------------------------------------------------------
  bool IsVendor(std::string_view source) const { return source == config.vendor.id; }
  const SourceConfig* Source(std::string_view id) const;
  const ReconcilePolicy& PolicyFor(std::string_view partner) const;
  const CurrencyRates& Rates() const { return config.daemon.rates; }

  // ---- state (state.cc) -----------------------------------------------------
  Result<uint64_t> NextSeq(Txn& txn, std::string_view counter);
  Result<std::optional<StoredRecord>> LoadRecord(Txn& txn, std::string_view source,
                                                 std::string_view native_id);
  void SaveRecord(Txn& txn, const StoredRecord& r);
  Result<std::optional<Link>> LoadLink(Txn& txn, std::string_view link_id);
  // Link ids of a record (one per partner at most): one point read.
  Result<std::vector<std::string>> LinksOfRecord(Txn& txn, std::string_view source,
                                                 std::string_view native_id);
  // The record's link with `partner`, if any.
  Result<std::optional<std::string>> LinkOfRecord(Txn& txn, std::string_view source,
                                                  std::string_view native_id,
                                                  std::string_view partner);
  // List-valued index keys (keys.h); an empty list deletes the key.
  Result<std::vector<std::string>> LoadList(Txn& txn, std::string_view key);
  void SaveList(Txn& txn, std::string_view key, const std::vector<std::string>& items);
  // Writes only what changes, so no delete is issued for an absent key (deletes
  // of absent keys would leave tombstones for later iterators to skip).
  Status PutIfChanged(Txn& txn, Column c, std::string_view key, std::string_view value);
  Status DeleteIfPresent(Txn& txn, Column c, std::string_view key);
  Result<std::optional<BaseValue>> LoadBase(Txn& txn, std::string_view link_id, Field f);
  void SaveBase(Txn& txn, std::string_view link_id, Field f, std::string_view value);
  Result<std::optional<Conflict>> LoadConflict(Txn& txn, std::string_view id);
  // Assigns e.seq and stages the entry.
  Status AppendJournal(Txn& txn, JournalEntry& e);
  // Journals what `by` did to the deals of `link_id` (of `partner`) and keeps
  // it in that link's history.
  Status RecordAction(Txn& txn, std::string_view link_id, std::string_view partner,
                      std::string_view by, std::string_view action, std::string detail);

  // ---- journal retention (journal_retention.cc) -----------------------------
  // Entries below this seq were examined by PruneJournal (0: none yet).
  Result<uint64_t> PrunedBelow(Txn& txn);
  // True when a held conflict of one of the record's links names entry `seq`.
  Result<bool> HeldConflictPointsAt(Txn& txn, std::string_view source, std::string_view native_id,
                                    uint64_t seq);
  // Entry `seq` of the record is no longer its latest version (or listed
  // reject): deleted when PruneJournal has already examined and kept it.
  Status SupersedeJournalEntry(Txn& txn, std::string_view source, std::string_view native_id,
                               uint64_t seq);
  // Ends the record's listing as refused (no-op when not listed).
  Status DropRejectListing(Txn& txn, std::string_view source, std::string_view native_id);

  // ---- per-source reading state (source_state.cc) ---------------------------
  Result<SourceState> LoadSourceState(Txn& txn, std::string_view source);
  void SaveSourceState(Txn& txn, std::string_view source, const SourceState& state);

  // ---- journal (ingest.cc) -------------------------------------------------
  Result<IngestStats> Ingest(std::string_view source, const FetchPage& page);
  Status PrefetchPage(Txn& txn, std::string_view source, const FetchPage& page);

  // ---- linker (linker.cc) --------------------------------------------------
  // Re-indexes the record's link keys (removing the old ones of `before`).
  Status IndexRecord(Txn& txn, const StoredRecord* before, const StoredRecord& after);
  // Links the record where its keys find exactly one counterpart; returns all
  // its links (existing and new).
  Result<std::vector<Link>> LinkRecord(Txn& txn, const StoredRecord& r);
  Status CreateLink(Txn& txn, const Link& link);
  // Removes the link, its base values and pending pushes; `broken_by` non-empty
  // marks the pair as broken by an operator (never re-made automatically).
  Status RemoveLink(Txn& txn, const Link& link, std::string_view broken_by);
  Status RefreshUnlinked(Txn& txn, std::string_view source, std::string_view native_id);
  // Sets (or, with an empty link id, clears) the record's link with `partner`.
  Status SetRecordLink(Txn& txn, std::string_view source, std::string_view native_id,
                       std::string_view partner, std::string_view link_id);
  // The source that owns the record a record's counterpart id names ("" when a
  // vendor record does not say which partner).
  std::string CounterpartOwner(const Opportunity& o) const;
  // How many partners link by counterpart id.
  size_t CounterpartPartners() const;
  // Partners (linking by counterpart id) holding a record with `native_id`, sorted.
  Result<std::vector<std::string>> CounterpartHolders(Txn& txn, std::string_view native_id);
  Result<size_t> ReportDeletion(Txn& txn, const StoredRecord& r);

  // ---- reconciliation (reconcile_link.cc) -------------------------------------
  Result<ReconcileCounts> ReconcileLink(Txn& txn, const Link& link);
  Conflict MakeConflict(const Link& link, Field f, const StoredRecord& vendor,
                        const StoredRecord& partner, const std::optional<BaseValue>& base,
                        const ReconcileDecision& d);
  // Queues `value` for field `f` of the target record; returns true when the
  // outbox changed.
  Result<bool> QueueFieldPush(Txn& txn, const Link& link, const StoredRecord& target, Field f,
                              std::string_view value, std::string_view reason,
                              Timestamp edited_at);
  // Held conflicts of (link, f) become auto_resolved once both sides agree.
  Status SupersedeHeldConflicts(Txn& txn, const Link& link, Field f, std::string_view agreed);
  // The value queued for field `f` of `target`, when queued against its current version.
  Result<std::optional<std::string>> PendingValue(Txn& txn, const StoredRecord& target, Field f);
  Status DropFieldPush(Txn& txn, std::string_view target, std::string_view native_id, Field f);
  // Pushes `value` to each side of the link not already holding it (or agrees).
  // `decided_at` is when a person chose the value; unset, the edit carried over
  // is the other side's record.
  Result<size_t> SettleField(Txn& txn, const Link& link, const StoredRecord& vendor,
                             const StoredRecord& partner, Field f, std::string_view value,
                             std::string_view reason, Timestamp decided_at = {});

  // ---- oscillation guard (oscillation.cc) -------------------------------------
  // Records a push queued for (link, f); true when the link's pushes for f
  // have been alternating between two values (the caller pauses the field).
  Result<bool> NoteQueuedPush(Txn& txn, const Link& link, Field f, std::string_view value);
  // Drops the field's pushes and holds it in a conflict flagged "oscillation".
  Status PauseOscillatingField(Txn& txn, const Link& link, const StoredRecord& vendor,
                               const StoredRecord& partner, Field f, std::string_view value);
  // True while the field is paused by a held oscillation conflict.
  Result<bool> FieldPaused(Txn& txn, const Link& link, Field f);

  // ---- push bookkeeping (outbox.cc) ------------------------------------------
  Result<std::vector<OutboxEntry>> DuePushes(std::string_view target, size_t max, Timestamp now);
  // Per target: the outbox key the next DuePushes scan starts at (in memory).
  std::map<std::string, std::string, std::less<>> push_resume;
  Result<PushStats> RecordPushResults(std::string_view target, const std::vector<OutboxEntry>& sent,
                                      const std::vector<UpdateOutcome>& outcomes,
                                      const Status& batch_error);
  Status AckPush(Txn& txn, const StoredOutbox& stored, const UpdateOutcome* outcome);
  Status RememberSupersededWrite(Txn& txn, const OutboxEntry& sent);
  Result<bool> FailPush(Txn& txn, StoredOutbox stored, const Status& error);  // true: dead letter
};

// Field helpers shared by the engine files.
inline constexpr std::array<Field, 3> kAllFields = {Field::kStage, Field::kAmount,
                                                    Field::kCloseDate};
inline size_t FieldIndex(Field f) {
  return static_cast<size_t>(f);
}
std::string UpdateFieldText(const RecordUpdate& u, Field f);
Status SetUpdateField(RecordUpdate& u, Field f, std::string_view text);  // "" clears
bool UpdateHasFields(const RecordUpdate& u);

}  // namespace dealsync
