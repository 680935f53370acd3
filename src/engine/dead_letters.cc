// Operator actions on the outbox: retrying and discarding dead letters,
// re-driving pushes that back off once their target recovered, replacing a
// source's cursor (rewind), and dropping refused records the source no longer
// has. Each is one WriteBatch.
#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

Result<StoredOutbox> LoadDeadLetter(Txn& txn, std::string_view target, std::string_view native_id) {
  Result<std::optional<std::string>> raw =
      txn.Get(Column::kIndex, keys::DeadLetterKey(target, native_id));
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return NotFound("no dead letter for " + std::string(target) + "/" + std::string(native_id));
  }
  return DecodeOutbox(**raw);
}

std::string PartnerOfLink(std::string_view link_id) {
  return std::string(link_id.substr(0, link_id.find('/')));
}

// "push to contoso of co-7 (stage, amount): <its last error>" for the link's history.
std::string DeadLetterDetail(const StoredOutbox& dead) {
  const OutboxEntry& e = dead.entry;
  std::string fields;
  for (Field f : kAllFields) {
    if (!UpdateFieldText(e.update, f).empty()) {
      fields += (fields.empty() ? "" : ", ") + std::string(FieldName(f));
    }
  }
  return "push to " + e.target + " of " + e.update.native_id + " (" + fields + "): " + e.last_error;
}

Status RequireWho(std::string_view by) {
  return by.empty() ? InvalidArgument("who acts on the dead letter is required") : Status::Ok();
}

}  // namespace

Status SyncEngine::RetryDeadLetter(std::string_view target, std::string_view native_id,
                                   std::string_view by) {
  DEALSYNC_RETURN_IF_ERROR(RequireWho(by));
  Impl& im = *impl_;
  Txn txn(im.store);
  Result<StoredOutbox> dead = LoadDeadLetter(txn, target, native_id);
  if (!dead.ok()) {
    return dead.status();
  }
  txn.Delete(Column::kIndex, keys::DeadLetterKey(target, native_id));
  DEALSYNC_RETURN_IF_ERROR(im.RecordAction(txn, dead->entry.link_id,
                                           PartnerOfLink(dead->entry.link_id), by,
                                           "dead_letter_retried", DeadLetterDetail(*dead)));
  Result<std::optional<std::string>> queued = txn.Get(Column::kOutbox, dead->entry.key);
  if (!queued.ok()) {
    return queued.status();
  }
  if (!*queued) {
    StoredOutbox o = std::move(*dead);
    o.entry.attempts = 0;
    o.entry.not_before = Timestamp{};
    o.entry.first_failed_at = Timestamp{};
    txn.Put(Column::kOutbox, o.entry.key, EncodeOutbox(o));
  }
  return txn.Commit();
}

Status SyncEngine::DiscardDeadLetter(std::string_view target, std::string_view native_id,
                                     std::string_view by) {
  DEALSYNC_RETURN_IF_ERROR(RequireWho(by));
  Impl& im = *impl_;
  Txn txn(im.store);
  Result<StoredOutbox> dead = LoadDeadLetter(txn, target, native_id);
  if (!dead.ok()) {
    return dead.status();
  }
  txn.Delete(Column::kIndex, keys::DeadLetterKey(target, native_id));
  DEALSYNC_RETURN_IF_ERROR(im.RecordAction(txn, dead->entry.link_id,
                                           PartnerOfLink(dead->entry.link_id), by,
                                           "dead_letter_discarded", DeadLetterDetail(*dead)));
  return txn.Commit();
}

Status SyncEngine::ForgetRejected(std::string_view source,
                                  const std::vector<std::string>& native_ids) {
  Txn txn(impl_->store);
  for (const std::string& id : native_ids) {
    DEALSYNC_RETURN_IF_ERROR(impl_->DropRejectListing(txn, source, id));
  }
  return txn.Commit();
}

Result<size_t> SyncEngine::RedrivePushes(std::string_view target) {
  Impl& im = *impl_;
  const Timestamp now = im.clock.Now();
  std::vector<StoredOutbox> waiting;
  Status corrupt = Status::Ok();
  DEALSYNC_RETURN_IF_ERROR(im.store.Scan(Column::kOutbox, keys::Prefix({target}),
                                         [&](std::string_view, std::string_view v) {
                                           Result<StoredOutbox> o = DecodeOutbox(v);
                                           if (!o.ok()) {
                                             corrupt = o.status();
                                             return false;
                                           }
                                           if (o->entry.not_before > now) {
                                             waiting.push_back(std::move(*o));
                                           }
                                           return true;
                                         }));
  DEALSYNC_RETURN_IF_ERROR(corrupt);
  if (waiting.empty()) {
    return size_t{0};
  }
  Txn txn(im.store);
  for (StoredOutbox& o : waiting) {
    o.entry.not_before = now;
    txn.Put(Column::kOutbox, o.entry.key, EncodeOutbox(o));
  }
  DEALSYNC_RETURN_IF_ERROR(txn.Commit());
  return waiting.size();
}

Status SyncEngine::ResetCursor(std::string_view source, std::string_view cursor,
                               std::optional<Timestamp> watermark) {
  Impl& im = *impl_;
  if (im.Source(source) == nullptr) {
    return NotFound("unknown source \"" + std::string(source) + "\"");
  }
  Txn txn(im.store);
  txn.Put(Column::kCursors, source, cursor);
  if (watermark) {
    Result<SourceState> st = im.LoadSourceState(txn, source);
    if (!st.ok()) {
      return st.status();
    }
    st->watermark = *watermark;
    im.SaveSourceState(txn, source, *st);
  }
  return txn.Commit();
}

}  // namespace dealsync
