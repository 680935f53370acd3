// Journal retention ([store] keep_journal): old entries nothing needs any more
// are deleted, so the state does not grow with every change ever seen.
//
// Entries are examined once, oldest first, from a cursor in meta: a pass reads
// only entries it has not looked at before, never the kept ones behind it. A
// record's latest version is kept (the stored record refers to it and its native
// payload lives only there); when a newer version supersedes it, the ingest that
// journals the newer one deletes it (SupersedeJournalEntry), so kept versions do
// not pile up behind the cursor either. Versions a held conflict points at stay
// for as long as the conflict record does.
#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

Result<uint64_t> SyncEngine::Impl::PrunedBelow(Txn& txn) {
  Result<std::optional<std::string>> raw = txn.Get(Column::kMeta, keys::kJournalPrunedBelow);
  if (!raw.ok()) {
    return raw.status();
  }
  return *raw ? keys::DecodeSeq(**raw) : 0;
}

Result<bool> SyncEngine::Impl::HeldConflictPointsAt(Txn& txn, std::string_view source,
                                                    std::string_view native_id, uint64_t seq) {
  Result<std::vector<std::string>> links = LinksOfRecord(txn, source, native_id);
  if (!links.ok()) {
    return links.status();
  }
  bool points = false;
  for (const std::string& link_id : *links) {
    // Conflict ids are "<link id>/<field>/<seq>": one scan of this link's conflicts.
    DEALSYNC_RETURN_IF_ERROR(
        txn.Scan(Column::kConflicts, link_id + "/", [&](std::string_view, std::string_view v) {
          Result<Conflict> c = DecodeConflict(v);
          if (!c.ok()) {
            points = true;  // unreadable: it may be evidence, so the entry is kept
            return false;
          }
          points = c->link_id == link_id && c->status == ConflictStatus::kHeldForReview &&
                   (c->vendor.journal_seq == seq || c->partner_change.journal_seq == seq);
          return !points;
        }));
    if (points) {
      break;
    }
  }
  return points;
}

Status SyncEngine::Impl::SupersedeJournalEntry(Txn& txn, std::string_view source,
                                               std::string_view native_id, uint64_t seq) {
  if (seq == 0) {
    return Status::Ok();
  }
  Result<uint64_t> below = PrunedBelow(txn);
  if (!below.ok()) {
    return below.status();
  }
  if (seq >= *below) {
    return Status::Ok();  // not examined yet: the next prune pass decides
  }
  Result<bool> held = HeldConflictPointsAt(txn, source, native_id, seq);
  if (!held.ok()) {
    return held.status();
  }
  if (!*held) {
    txn.Delete(Column::kJournal, keys::EncodeSeq(seq));
  }
  return Status::Ok();
}

Status SyncEngine::Impl::DropRejectListing(Txn& txn, std::string_view source,
                                           std::string_view native_id) {
  const std::string key = keys::RejectKey(source, native_id);
  Result<std::optional<std::string>> raw = txn.Get(Column::kIndex, key);
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return Status::Ok();
  }
  txn.Delete(Column::kIndex, key);
  Result<RejectedRecord> listed = DecodeRejected(**raw);
  if (!listed.ok()) {
    return Status::Ok();  // its entry is left to the next prune pass's judgement
  }
  Result<uint64_t> below = PrunedBelow(txn);
  if (!below.ok()) {
    return below.status();
  }
  if (listed->journal_seq != 0 && listed->journal_seq < *below) {
    txn.Delete(Column::kJournal, keys::EncodeSeq(listed->journal_seq));
  }
  return Status::Ok();
}

namespace {

struct Examined {
  uint64_t seq = 0;
  JournalKind kind = JournalKind::kChange;
  std::string source;
  std::string native_id;
};

}  // namespace

Result<JournalPruneStats> SyncEngine::PruneJournal(Timestamp recorded_before, size_t max_entries) {
  Impl& im = *impl_;
  Txn txn(im.store);
  JournalPruneStats stats;
  Result<uint64_t> below = im.PrunedBelow(txn);
  if (!below.ok()) {
    return below.status();
  }
  std::vector<Examined> entries;
  uint64_t next = *below;
  stats.finished = true;
  DEALSYNC_RETURN_IF_ERROR(im.store.Scan(
      Column::kJournal, "", keys::EncodeSeq(*below), [&](std::string_view k, std::string_view v) {
        if (entries.size() + stats.kept >= max_entries) {
          stats.finished = false;
          return false;
        }
        Result<JournalEntry> e = DecodeJournal(v);
        if (!e.ok()) {
          // Unreadable: its age is unknown, so it is kept (and not looked at again).
          ++stats.kept;
          next = keys::DecodeSeq(k) + 1;
          return true;
        }
        if (e->recorded_at >= recorded_before) {
          return false;
        }
        next = keys::DecodeSeq(k) + 1;
        entries.push_back(
            {keys::DecodeSeq(k), e->kind, std::move(e->source), std::move(e->native_id)});
        return true;
      }));
  stats.examined = entries.size() + stats.kept;
  if (stats.examined == 0) {
    return stats;
  }
  std::vector<std::string> record_keys;
  std::vector<std::string> reject_keys;
  for (const Examined& e : entries) {
    record_keys.push_back(keys::RecordKey(e.source, e.native_id));
    reject_keys.push_back(keys::RejectKey(e.source, e.native_id));
  }
  DEALSYNC_RETURN_IF_ERROR(txn.Prefetch(Column::kRecords, record_keys));
  DEALSYNC_RETURN_IF_ERROR(txn.Prefetch(Column::kIndex, reject_keys));
  for (const Examined& e : entries) {
    bool keep = false;
    if (e.kind == JournalKind::kChange || e.kind == JournalKind::kDelete) {
      Result<std::optional<StoredRecord>> r = im.LoadRecord(txn, e.source, e.native_id);
      if (!r.ok()) {
        return r.status();
      }
      keep = *r && (*r)->journal_seq == e.seq;
      if (!keep) {
        Result<bool> held = im.HeldConflictPointsAt(txn, e.source, e.native_id, e.seq);
        if (!held.ok()) {
          return held.status();
        }
        keep = *held;
      }
    } else if (e.kind == JournalKind::kReject) {
      Result<std::optional<std::string>> raw =
          txn.Get(Column::kIndex, keys::RejectKey(e.source, e.native_id));
      if (!raw.ok()) {
        return raw.status();
      }
      if (*raw) {
        Result<RejectedRecord> listed = DecodeRejected(**raw);
        keep = !listed.ok() || listed->journal_seq == e.seq;
      }
    }
    // Pushes, warnings and operator actions go (an action stays in its link's
    // history, "act" keys).
    if (keep) {
      ++stats.kept;
    } else {
      txn.Delete(Column::kJournal, keys::EncodeSeq(e.seq));
      ++stats.deleted;
    }
  }
  txn.Put(Column::kMeta, keys::kJournalPrunedBelow, keys::EncodeSeq(next));
  DEALSYNC_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

}  // namespace dealsync
