// IngestPage: classifies every record of a page (new version, duplicate, echo of
// our own push), journals real changes and rejects, links and reconciles the
// affected links, and moves the cursor -- all in one WriteBatch.
#include <algorithm>
#include <set>

#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/record_bounds.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

constexpr size_t kMaxJournaledIdBytes = 256;
constexpr size_t kMaxRejectPayload = 64 * 1024;

enum class VersionKind : uint8_t { kNew, kChange, kDelete, kDuplicate, kEcho, kTouch };

bool SameReconciledValues(const Opportunity& a, const Opportunity& b) {
  for (Field f : kAllFields) {
    if (FieldValueText(a, f) != FieldValueText(b, f)) {
      return false;
    }
  }
  return a.deleted == b.deleted;
}

bool SameDescriptiveValues(const Opportunity& a, const Opportunity& b) {
  return a.registration_id == b.registration_id && a.counterpart_id == b.counterpart_id &&
         a.counterpart_source == b.counterpart_source && a.name == b.name &&
         a.account == b.account && a.owner == b.owner && a.pipeline == b.pipeline;
}

// Which reconciled fields of `incoming` differ from `stored`, and which of those
// carry a value we wrote ourselves: a superseded push (stored.sent) or the push
// still queued for this record (its ack was lost, e.g. a crash after the send).
struct FieldDiff {
  std::array<bool, 3> differs{};
  std::array<bool, 3> ours{};
  bool any = false;
  bool all_ours = true;
};

FieldDiff Diff(const Opportunity& incoming, const StoredRecord& stored,
               const std::optional<StoredOutbox>& pending) {
  FieldDiff d;
  for (Field f : kAllFields) {
    const size_t i = FieldIndex(f);
    const std::string now = FieldValueText(incoming, f);
    if (now == FieldValueText(stored.opp, f)) {
      continue;
    }
    d.differs[i] = true;
    d.any = true;
    d.ours[i] = (!stored.sent[i].empty() && stored.sent[i] == now) ||
                (pending && UpdateFieldText(pending->entry.update, f) == now);
    d.all_ours = d.all_ours && d.ours[i];
  }
  d.all_ours = d.all_ours && d.any && incoming.deleted == stored.opp.deleted;
  return d;
}

}  // namespace

// Reads what classifying and linking the page will need in a few MultiGets
// instead of one lookup at a time: the page's records, outbox entries, links
// and index lists, then the records those lists name.
Status SyncEngine::Impl::PrefetchPage(Txn& txn, std::string_view source, const FetchPage& page) {
  std::vector<std::string> records;
  std::vector<std::string> outbox;
  std::vector<std::string> index;
  for (const Opportunity& o : page.records) {
    records.push_back(keys::RecordKey(source, o.native_id));
    outbox.push_back(keys::OutboxKey(source, o.native_id));
    index.push_back(keys::LinkIndexKey(source, o.native_id));
    index.push_back(keys::UnlinkedKey(source, o.native_id));
    index.push_back(keys::RejectKey(source, Shortened(o.native_id, kMaxJournaledIdBytes)));
    if (!o.registration_id.empty()) {
      index.push_back(keys::RegistrationKey(o.registration_id));
    }
    if (IsVendor(source)) {
      index.push_back(keys::CounterpartKey(source, o.native_id));
      if (!o.counterpart_id.empty()) {
        index.push_back(keys::OwnerKey(o.counterpart_id));
        index.push_back(keys::CounterpartKey(o.counterpart_source, o.counterpart_id));
      }
    } else {
      index.push_back(keys::OwnerKey(o.native_id));
      index.push_back(keys::CounterpartKey(source, o.native_id));
      index.push_back(keys::CounterpartKey("", o.native_id));
      if (!o.counterpart_id.empty()) {
        index.push_back(keys::CounterpartKey(config.vendor.id, o.counterpart_id));
        records.push_back(keys::RecordKey(config.vendor.id, o.counterpart_id));
      }
    }
  }
  DEALSYNC_RETURN_IF_ERROR(txn.Prefetch(Column::kRecords, records));
  DEALSYNC_RETURN_IF_ERROR(txn.Prefetch(Column::kOutbox, outbox));
  DEALSYNC_RETURN_IF_ERROR(txn.Prefetch(Column::kIndex, index));
  // The other copies the registration lists name, and their links.
  std::vector<std::string> others;
  std::vector<std::string> other_index;
  for (const Opportunity& o : page.records) {
    if (o.registration_id.empty()) {
      continue;
    }
    Result<std::vector<std::string>> pairs =
        LoadList(txn, keys::RegistrationKey(o.registration_id));
    if (!pairs.ok()) {
      return pairs.status();
    }
    for (size_t i = 0; i + 1 < pairs->size(); i += 2) {
      if ((*pairs)[i] != source) {
        others.push_back(keys::RecordKey((*pairs)[i], (*pairs)[i + 1]));
        other_index.push_back(keys::LinkIndexKey((*pairs)[i], (*pairs)[i + 1]));
        other_index.push_back(keys::UnlinkedKey((*pairs)[i], (*pairs)[i + 1]));
      }
    }
  }
  DEALSYNC_RETURN_IF_ERROR(txn.Prefetch(Column::kRecords, others));
  return txn.Prefetch(Column::kIndex, other_index);
}

Result<IngestStats> SyncEngine::Impl::Ingest(std::string_view source, const FetchPage& page) {
  if (Source(source) == nullptr) {
    return InvalidArgument("unknown source \"" + std::string(source) + "\"");
  }
  IngestStats stats;
  stats.records = page.records.size();
  Txn txn(store);
  std::set<std::string> touched_links;
  DEALSYNC_RETURN_IF_ERROR(PrefetchPage(txn, source, page));

  const ValueBounds& bounds = PolicyFor(source).bounds;
  const CalendarDate today = TimeZone::Utc().LocalDate(clock.Now());
  auto journal_reject = [&](std::string_view native_id, std::string message,
                            std::string_view payload,
                            std::optional<Timestamp> modified_at = std::nullopt) -> Status {
    JournalEntry e;
    e.kind = JournalKind::kReject;
    e.source = std::string(source);
    e.native_id = Shortened(native_id, kMaxJournaledIdBytes);
    e.message = std::move(message);
    // An oversized payload is kept only in part: the journal is not a place
    // where a hostile record can grow the state without bound.
    e.native_payload = Shortened(payload, std::min(bounds.max_record_bytes, kMaxRejectPayload));
    DEALSYNC_RETURN_IF_ERROR(AppendJournal(txn, e));
    ++stats.rejects;
    if (!e.native_id.empty()) {  // listed for the channel manager until a readable version
      DEALSYNC_RETURN_IF_ERROR(DropRejectListing(txn, source, e.native_id));
      const RejectedRecord r{e.source, e.native_id, e.message, e.recorded_at, modified_at, e.seq};
      txn.Put(Column::kIndex, keys::RejectKey(source, e.native_id), EncodeRejected(r));
    }
    return Status::Ok();
  };
  auto journal_warning = [&](std::string_view native_id, std::string message) -> Status {
    JournalEntry e;
    e.kind = JournalKind::kWarning;
    e.source = std::string(source);
    e.native_id = Shortened(native_id, kMaxJournaledIdBytes);
    e.message = std::move(message);
    DEALSYNC_RETURN_IF_ERROR(AppendJournal(txn, e));
    ++stats.warnings;
    stats.warning_records.emplace_back(e.native_id, e.message);
    return Status::Ok();
  };
  Result<SourceState> state_r = LoadSourceState(txn, source);
  if (!state_r.ok()) {
    return state_r.status();
  }
  SourceState state = std::move(*state_r);
  const Timestamp future_after = clock.Now() + PolicyFor(source).clock_skew;
  for (const RecordReject& reject : page.rejects) {
    DEALSYNC_RETURN_IF_ERROR(
        journal_reject(reject.native_id, reject.message, reject.native_payload));
  }
  // The connector's own warnings (e.g. its cursor refused a future modified time).
  // One journal entry per (record, message): a record re-read every poll is
  // not journaled again and again.
  std::set<std::string> warned;
  for (const RecordWarning& w : page.warnings) {
    warned.insert(w.native_id);
    const std::string seen_key =
        keys::Join({"wrn", source, Shortened(w.native_id, kMaxJournaledIdBytes)});
    Result<std::optional<std::string>> seen = txn.Get(Column::kIndex, seen_key);
    if (!seen.ok()) {
      return seen.status();
    }
    if (*seen && **seen == w.message) {
      continue;
    }
    txn.Put(Column::kIndex, seen_key, w.message);
    DEALSYNC_RETURN_IF_ERROR(journal_warning(w.native_id, w.message));
  }

  for (const Opportunity& incoming_ref : page.records) {
    if (incoming_ref.native_id.empty()) {
      DEALSYNC_RETURN_IF_ERROR(
          journal_reject("", "record without a native id", incoming_ref.native_payload));
      continue;
    }
    if (Status bad = CheckRecordBounds(incoming_ref, bounds, Rates(), today); !bad.ok()) {
      // The record is kept at its last good version: nothing of this one is
      // linked, reconciled or pushed. One reject per remote version.
      const std::string seen_key =
          keys::Join({"rej", source, Shortened(incoming_ref.native_id, kMaxJournaledIdBytes)});
      const std::string version = std::to_string(EpochMs(incoming_ref.modified_at));
      Result<std::optional<std::string>> seen = txn.Get(Column::kIndex, seen_key);
      if (!seen.ok()) {
        return seen.status();
      }
      if (*seen && **seen == version) {
        ++stats.duplicates;
        continue;
      }
      txn.Put(Column::kIndex, seen_key, version);
      DEALSYNC_RETURN_IF_ERROR(journal_reject(incoming_ref.native_id, bad.message(),
                                              incoming_ref.native_payload,
                                              incoming_ref.modified_at));
      stats.bounds_rejects.emplace_back(Shortened(incoming_ref.native_id, kMaxJournaledIdBytes),
                                        bad.message());
      continue;
    }
    if (incoming_ref.modified_at > future_after) {
      // Journaled as usual, but a modified time this far ahead must not move
      // the source's watermark (nor, in the connector, its cursor).
      const std::string seen_key =
          keys::Join({"wrn", source, Shortened(incoming_ref.native_id, kMaxJournaledIdBytes)});
      const std::string version = std::to_string(EpochMs(incoming_ref.modified_at));
      Result<std::optional<std::string>> seen = txn.Get(Column::kIndex, seen_key);
      if (!seen.ok()) {
        return seen.status();
      }
      if ((!*seen || **seen != version) && warned.count(incoming_ref.native_id) == 0) {
        txn.Put(Column::kIndex, seen_key, version);
        DEALSYNC_RETURN_IF_ERROR(journal_warning(
            incoming_ref.native_id,
            "modified time " + FormatTimestamp(incoming_ref.modified_at) +
                " is later than now + clock_skew (" + FormatTimestamp(future_after) +
                "); the record is read, but the cursor does not advance past it"));
      }
    } else if (!state.watermark || incoming_ref.modified_at > *state.watermark) {
      state.watermark = incoming_ref.modified_at;
    }
    Opportunity incoming = incoming_ref;
    incoming.source = std::string(source);
    Result<std::optional<StoredRecord>> stored_r = LoadRecord(txn, source, incoming.native_id);
    if (!stored_r.ok()) {
      return stored_r.status();
    }
    const std::optional<StoredRecord>& stored = *stored_r;

    VersionKind kind = VersionKind::kNew;
    FieldDiff diff;
    if (stored) {
      const Opportunity& old = stored->opp;
      const bool same_values = SameReconciledValues(incoming, old);
      if (incoming.modified_at < old.modified_at) {
        kind = VersionKind::kDuplicate;  // an older version (overlap window)
      } else if (same_values && !stored->pushed_trace.empty()) {
        kind = VersionKind::kEcho;  // the remote confirms what our ack recorded
      } else if (incoming.modified_at == old.modified_at && same_values &&
                 SameDescriptiveValues(incoming, old)) {
        kind = VersionKind::kDuplicate;  // re-delivered
      } else if (same_values) {
        kind = SameDescriptiveValues(incoming, old) ? VersionKind::kTouch : VersionKind::kChange;
      } else {
        Result<std::optional<std::string>> pending_raw =
            txn.Get(Column::kOutbox, keys::OutboxKey(source, incoming.native_id));
        if (!pending_raw.ok()) {
          return pending_raw.status();
        }
        std::optional<StoredOutbox> pending;
        if (*pending_raw) {
          Result<StoredOutbox> decoded = DecodeOutbox(**pending_raw);
          if (decoded.ok()) {
            pending = std::move(*decoded);
          }
        }
        diff = Diff(incoming, *stored, pending);
        kind = diff.all_ours                        ? VersionKind::kEcho
               : (incoming.deleted && !old.deleted) ? VersionKind::kDelete
                                                    : VersionKind::kChange;
      }
    } else if (incoming.deleted) {
      kind = VersionKind::kDelete;
    }
    if (kind == VersionKind::kDuplicate) {
      ++stats.duplicates;
      continue;
    }

    StoredRecord next;
    next.opp = incoming;
    if (stored) {
      next.journal_seq = stored->journal_seq;
      next.changed = stored->changed;
      next.sent = stored->sent;
      next.echo = stored->echo;
      for (Field f : kAllFields) {
        const size_t i = FieldIndex(f);
        if (diff.differs[i]) {
          next.echo[i] = diff.ours[i] && stored->sent[i] == FieldValueText(incoming, f);
          next.sent[i].clear();
        }
      }
    }
    if (kind == VersionKind::kEcho) {
      ++stats.echoes;
    } else if (kind != VersionKind::kTouch) {
      JournalEntry e;
      e.kind = kind == VersionKind::kDelete ? JournalKind::kDelete : JournalKind::kChange;
      e.source = std::string(source);
      e.native_id = incoming.native_id;
      e.modified_at = incoming.modified_at;
      e.native_payload = incoming.native_payload;
      for (Field f : kAllFields) {
        e.before[FieldIndex(f)] = stored ? FieldValueText(stored->opp, f) : "";
        e.after[FieldIndex(f)] = FieldValueText(incoming, f);
      }
      DEALSYNC_RETURN_IF_ERROR(AppendJournal(txn, e));
      ++stats.changes_journaled;
      if (stored) {
        DEALSYNC_RETURN_IF_ERROR(
            SupersedeJournalEntry(txn, source, incoming.native_id, stored->journal_seq));
      }
      next.journal_seq = e.seq;
      for (Field f : kAllFields) {
        if ((e.before[FieldIndex(f)] != e.after[FieldIndex(f)] && !diff.ours[FieldIndex(f)]) ||
            !stored) {
          next.changed[FieldIndex(f)] = {e.seq, incoming.modified_at, incoming.owner};
        }
      }
    }
    // The native payload is kept once, in the journal entry of the version.
    next.opp.native_payload.clear();
    SaveRecord(txn, next);
    // A readable version ends the record's listing as refused.
    DEALSYNC_RETURN_IF_ERROR(
        DropRejectListing(txn, source, Shortened(next.opp.native_id, kMaxJournaledIdBytes)));
    DEALSYNC_RETURN_IF_ERROR(IndexRecord(txn, stored ? &*stored : nullptr, next));

    if (next.opp.deleted) {
      if (kind == VersionKind::kDelete) {
        Result<size_t> reported = ReportDeletion(txn, next);
        if (!reported.ok()) {
          return reported.status();
        }
        stats.conflicts += *reported;
      }
      continue;
    }
    Result<std::vector<Link>> links = LinkRecord(txn, next);
    if (!links.ok()) {
      return links.status();
    }
    for (const Link& l : *links) {
      touched_links.insert(l.id);
    }
  }

  for (const std::string& id : touched_links) {
    Result<std::optional<Link>> link = LoadLink(txn, id);
    if (!link.ok()) {
      return link.status();
    }
    if (!*link) {
      continue;
    }
    Result<ReconcileCounts> counts = ReconcileLink(txn, **link);
    if (!counts.ok()) {
      return counts.status();
    }
    stats.conflicts += counts->conflicts;
    stats.pushes_queued += counts->pushes_queued;
  }
  txn.Put(Column::kCursors, source, page.next_cursor);
  ++state.pages;
  state.warnings += stats.warnings;
  state.rejects += stats.rejects;
  state.last_page_at = clock.Now();
  SaveSourceState(txn, source, state);
  DEALSYNC_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

}  // namespace dealsync
