// Push bookkeeping: which outbox entries are due, and what a push outcome does.
// Success removes the entry, advances the base of every pushed field and
// records that the target now holds the pushed values (so their echo is not a
// change). Failure follows the outbox's own retry policy (push_policy.h): the
// error code decides between a later retry (exponential backoff up to hours,
// Retry-After honoured) and a dead letter for a person.
#include <algorithm>

#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/push_policy.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

// Each call resumes where the previous one for the target stopped and wraps
// around: the entries just sent are deleted (acknowledged) right behind the
// resume point, so a drain of N entries passes each tombstone once, not once
// per batch (quadratic in the queue), and no target's entries starve others.
Result<std::vector<OutboxEntry>> SyncEngine::Impl::DuePushes(std::string_view target, size_t max,
                                                             Timestamp now) {
  std::vector<OutboxEntry> due;
  const std::string prefix = keys::Prefix({target});
  auto resume_it = push_resume.find(target);
  const std::string start = resume_it != push_resume.end() ? resume_it->second : prefix;
  Status corrupt = Status::Ok();
  std::string last_visited;
  auto sweep = [&](std::string_view from, std::optional<std::string_view> until) {
    return store.Scan(Column::kOutbox, prefix, from, [&](std::string_view k, std::string_view v) {
      if (until && k >= *until) {
        return false;
      }
      last_visited.assign(k);
      Result<StoredOutbox> o = DecodeOutbox(v);
      if (!o.ok()) {
        corrupt = o.status();
        return false;
      }
      if (o->entry.not_before <= now) {
        due.push_back(std::move(o->entry));
      }
      return due.size() < max;
    });
  };
  DEALSYNC_RETURN_IF_ERROR(sweep(start, std::nullopt));
  DEALSYNC_RETURN_IF_ERROR(corrupt);
  if (due.size() < max && start != prefix) {
    DEALSYNC_RETURN_IF_ERROR(sweep(prefix, std::string_view(start)));
    DEALSYNC_RETURN_IF_ERROR(corrupt);
  }
  if (due.size() >= max && !last_visited.empty()) {
    push_resume[std::string(target)] = last_visited + '\0';  // the next key after it
  } else {
    push_resume.erase(std::string(target));  // a whole sweep: start over next time
  }
  return due;
}

Status SyncEngine::Impl::AckPush(Txn& txn, const StoredOutbox& stored,
                                 const UpdateOutcome* outcome) {
  const OutboxEntry& e = stored.entry;
  txn.Delete(Column::kOutbox, e.key);
  Result<std::optional<Link>> link = LoadLink(txn, e.link_id);
  if (!link.ok()) {
    return link.status();
  }
  if (*link) {
    for (Field f : kAllFields) {
      if (std::string v = UpdateFieldText(e.update, f); !v.empty()) {
        SaveBase(txn, e.link_id, f, v);
      }
    }
  }
  Result<std::optional<StoredRecord>> rec = LoadRecord(txn, e.target, e.update.native_id);
  if (!rec.ok()) {
    return rec.status();
  }
  if (!*rec || (*rec)->journal_seq != stored.target_seq) {
    return Status::Ok();  // we saw a newer version meanwhile: it is reconciled on its own
  }
  StoredRecord r = std::move(**rec);
  JournalEntry j;
  j.kind = JournalKind::kPushed;
  j.source = e.target;
  j.native_id = e.update.native_id;
  j.message = e.reason;
  j.trace_id = e.update.trace_id;
  for (Field f : kAllFields) {
    j.before[FieldIndex(f)] = FieldValueText(r.opp, f);
    if (std::string v = UpdateFieldText(e.update, f); !v.empty()) {
      DEALSYNC_RETURN_IF_ERROR(SetFieldFromText(r.opp, f, v));
      r.echo[FieldIndex(f)] = false;
      r.sent[FieldIndex(f)].clear();
    }
    j.after[FieldIndex(f)] = FieldValueText(r.opp, f);
  }
  if (outcome != nullptr && outcome->modified_at && *outcome->modified_at > r.opp.modified_at) {
    r.opp.modified_at = *outcome->modified_at;
  }
  j.modified_at = r.opp.modified_at;
  DEALSYNC_RETURN_IF_ERROR(AppendJournal(txn, j));
  r.journal_seq = j.seq;
  r.pushed_trace = e.update.trace_id;
  SaveRecord(txn, r);
  return Status::Ok();
}

Status SyncEngine::Impl::RememberSupersededWrite(Txn& txn, const OutboxEntry& sent) {
  Result<std::optional<StoredRecord>> rec = LoadRecord(txn, sent.target, sent.update.native_id);
  if (!rec.ok()) {
    return rec.status();
  }
  if (!*rec) {
    return Status::Ok();
  }
  StoredRecord r = std::move(**rec);
  for (Field f : kAllFields) {
    if (std::string v = UpdateFieldText(sent.update, f); !v.empty()) {
      r.sent[FieldIndex(f)] = v;
    }
  }
  SaveRecord(txn, r);
  return Status::Ok();
}

Result<bool> SyncEngine::Impl::FailPush(Txn& txn, StoredOutbox stored, const Status& error) {
  OutboxEntry& e = stored.entry;
  const Timestamp now = clock.Now();
  ++e.attempts;
  if (e.first_failed_at == Timestamp{}) {
    e.first_failed_at = now;
  }
  e.history.push_back({now, error.ToString()});
  if (e.history.size() > kPushHistory) {
    e.history.erase(e.history.begin(), e.history.begin() + static_cast<std::ptrdiff_t>(
                                                               e.history.size() - kPushHistory));
  }
  const PushRetryDecision d =
      DecidePushRetry(config.daemon.push_retry, error, e.attempts, e.first_failed_at, now);
  e.last_error = error.ToString();
  if (d.dead_letter) {
    e.last_error += " [" + d.why + "]";
    txn.Delete(Column::kOutbox, e.key);
    txn.Put(Column::kIndex, keys::DeadLetterKey(e.target, e.update.native_id),
            EncodeOutbox(stored));
    return true;
  }
  e.not_before = d.not_before;
  const SourceConfig* target = Source(e.target);
  if (error.code() == StatusCode::kAborted && target != nullptr &&
      now + target->poll_interval > e.not_before) {
    // The target refused because the record changed since it was read (a 412):
    // retrying is pointless until the next poll has read that change and the
    // link was reconciled again (which re-queues the entry if still needed).
    e.not_before = now + target->poll_interval;
  }
  txn.Put(Column::kOutbox, e.key, EncodeOutbox(stored));
  return false;
}

Result<PushStats> SyncEngine::Impl::RecordPushResults(std::string_view target,
                                                      const std::vector<OutboxEntry>& sent,
                                                      const std::vector<UpdateOutcome>& outcomes,
                                                      const Status& batch_error) {
  PushStats stats;
  Txn txn(store);
  for (size_t i = 0; i < sent.size(); ++i) {
    ++stats.sent;
    const OutboxEntry& s = sent[i];
    if (s.target != target) {
      return InvalidArgument("outbox entry " + s.update.native_id + " is for " + s.target +
                             ", not " + std::string(target));
    }
    Status result = batch_error;
    const UpdateOutcome* outcome = nullptr;
    if (result.ok()) {
      if (i < outcomes.size() && !outcomes[i].native_id.empty() &&
          outcomes[i].native_id != s.update.native_id) {
        // An outcome that answers another record acknowledges nothing: retry.
        result = Internal("connector returned the outcome of " + outcomes[i].native_id + " for " +
                          s.update.native_id + "; not taken as an acknowledgement");
      } else if (i < outcomes.size()) {
        outcome = &outcomes[i];
        result = outcome->status;
      } else {
        result = Internal("connector returned no outcome for " + s.update.native_id);
      }
    }
    Result<std::optional<std::string>> raw = txn.Get(Column::kOutbox, s.key);
    if (!raw.ok()) {
      return raw.status();
    }
    std::optional<StoredOutbox> stored;
    if (*raw) {
      Result<StoredOutbox> d = DecodeOutbox(**raw);
      if (d.ok() && d->entry.update.trace_id == s.update.trace_id) {
        stored = std::move(*d);
      }
    }
    if (result.ok()) {
      ++stats.succeeded;
      if (stored) {
        if (stored->edited_at != Timestamp{}) {
          const auto delay = std::chrono::duration<double>(clock.Now() - stored->edited_at);
          stats.write_back_delays_s.push_back(std::max(0.0, delay.count()));
        }
        DEALSYNC_RETURN_IF_ERROR(AckPush(txn, *stored, outcome));
      } else {
        // Superseded by a newer decision (pushed next); remember what this
        // write put on the remote so its echo is not taken for a user's edit.
        DEALSYNC_RETURN_IF_ERROR(RememberSupersededWrite(txn, s));
      }
      continue;
    }
    if (!stored) {
      ++stats.failed;
      continue;
    }
    Result<bool> dead = FailPush(txn, std::move(*stored), result);
    if (!dead.ok()) {
      return dead.status();
    }
    ++(*dead ? stats.dead_lettered : stats.failed);
    if (*dead) {
      stats.dead_lettered_records.emplace_back(s.update.native_id, result.ToString());
    }
  }
  DEALSYNC_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

}  // namespace dealsync
