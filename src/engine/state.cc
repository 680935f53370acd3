// Typed reads and writes of the engine's column families (encodings: keys.h).
#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

const SourceConfig* SyncEngine::Impl::Source(std::string_view id) const {
  if (id == config.vendor.id) {
    return &config.vendor;
  }
  for (const SourceConfig& p : config.partners) {
    if (p.id == id) {
      return &p;
    }
  }
  return nullptr;
}

const ReconcilePolicy& SyncEngine::Impl::PolicyFor(std::string_view partner) const {
  const SourceConfig* s = Source(partner);
  return s ? s->policy : config.daemon.reconciliation;
}

Result<uint64_t> SyncEngine::Impl::NextSeq(Txn& txn, std::string_view counter) {
  Result<std::optional<std::string>> cur = txn.Get(Column::kMeta, counter);
  if (!cur.ok()) {
    return cur.status();
  }
  const uint64_t next = (*cur ? keys::DecodeSeq(**cur) : 0) + 1;
  txn.Put(Column::kMeta, counter, keys::EncodeSeq(next));
  return next;
}

Result<std::optional<StoredRecord>> SyncEngine::Impl::LoadRecord(Txn& txn, std::string_view source,
                                                                 std::string_view native_id) {
  const std::string key = keys::RecordKey(source, native_id);
  if (std::optional<StoredRecord>* cached = txn.CachedRecord(key)) {
    return *cached;
  }
  Result<std::optional<std::string>> raw = txn.Get(Column::kRecords, key);
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    txn.CacheRecord(key, std::nullopt);
    return std::optional<StoredRecord>();
  }
  Result<StoredRecord> r = DecodeRecord(**raw);
  if (!r.ok()) {
    return r.status().Annotate(std::string(source) + "/" + std::string(native_id));
  }
  txn.CacheRecord(key, *r);
  return std::optional<StoredRecord>(std::move(*r));
}

void SyncEngine::Impl::SaveRecord(Txn& txn, const StoredRecord& r) {
  txn.SaveRecord(keys::RecordKey(r.opp.source, r.opp.native_id), r);
}

Result<std::optional<Link>> SyncEngine::Impl::LoadLink(Txn& txn, std::string_view link_id) {
  Result<std::optional<std::string>> raw = txn.Get(Column::kLinks, link_id);
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return std::optional<Link>();
  }
  Result<Link> l = DecodeLink(**raw);
  if (!l.ok()) {
    return l.status();
  }
  return std::optional<Link>(std::move(*l));
}

Result<std::vector<std::string>> SyncEngine::Impl::LinksOfRecord(Txn& txn, std::string_view source,
                                                                 std::string_view native_id) {
  Result<std::vector<std::string>> pairs = LoadList(txn, keys::LinkIndexKey(source, native_id));
  if (!pairs.ok()) {
    return pairs.status();
  }
  std::vector<std::string> ids;
  for (size_t i = 1; i < pairs->size(); i += 2) {
    ids.push_back((*pairs)[i]);
  }
  return ids;
}

Result<std::optional<std::string>> SyncEngine::Impl::LinkOfRecord(Txn& txn, std::string_view source,
                                                                  std::string_view native_id,
                                                                  std::string_view partner) {
  Result<std::vector<std::string>> pairs = LoadList(txn, keys::LinkIndexKey(source, native_id));
  if (!pairs.ok()) {
    return pairs.status();
  }
  for (size_t i = 0; i + 1 < pairs->size(); i += 2) {
    if ((*pairs)[i] == partner) {
      return std::optional<std::string>((*pairs)[i + 1]);
    }
  }
  return std::optional<std::string>();
}

Result<std::vector<std::string>> SyncEngine::Impl::LoadList(Txn& txn, std::string_view key) {
  Result<std::optional<std::string>> raw = txn.Get(Column::kIndex, key);
  if (!raw.ok()) {
    return raw.status();
  }
  std::vector<std::string> items;
  if (*raw && !keys::DecodeList(**raw, items)) {
    return DataLoss("stored index entry is corrupt");
  }
  return items;
}

void SyncEngine::Impl::SaveList(Txn& txn, std::string_view key,
                                const std::vector<std::string>& items) {
  if (items.empty()) {
    txn.Delete(Column::kIndex, key);
  } else {
    txn.Put(Column::kIndex, key, keys::EncodeList(items));
  }
}

Status SyncEngine::Impl::PutIfChanged(Txn& txn, Column c, std::string_view key,
                                      std::string_view value) {
  Result<std::optional<std::string>> cur = txn.Get(c, key);
  if (!cur.ok()) {
    return cur.status();
  }
  if (!*cur || **cur != value) {
    txn.Put(c, key, value);
  }
  return Status::Ok();
}

Status SyncEngine::Impl::DeleteIfPresent(Txn& txn, Column c, std::string_view key) {
  Result<std::optional<std::string>> cur = txn.Get(c, key);
  if (!cur.ok()) {
    return cur.status();
  }
  if (*cur) {
    txn.Delete(c, key);
  }
  return Status::Ok();
}

Result<std::optional<BaseValue>> SyncEngine::Impl::LoadBase(Txn& txn, std::string_view link_id,
                                                            Field f) {
  Result<std::optional<std::string>> raw = txn.Get(Column::kBase, keys::BaseKey(link_id, f));
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return std::optional<BaseValue>();
  }
  Result<BaseValue> b = DecodeBase(**raw);
  if (!b.ok()) {
    return b.status();
  }
  return std::optional<BaseValue>(std::move(*b));
}

void SyncEngine::Impl::SaveBase(Txn& txn, std::string_view link_id, Field f,
                                std::string_view value) {
  txn.Put(Column::kBase, keys::BaseKey(link_id, f),
          EncodeBase(BaseValue{std::string(value), clock.Now()}));
}

Result<std::optional<Conflict>> SyncEngine::Impl::LoadConflict(Txn& txn, std::string_view id) {
  Result<std::optional<std::string>> raw = txn.Get(Column::kConflicts, id);
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return std::optional<Conflict>();
  }
  Result<Conflict> c = DecodeConflict(**raw);
  if (!c.ok()) {
    return c.status();
  }
  return std::optional<Conflict>(std::move(*c));
}

Status SyncEngine::Impl::AppendJournal(Txn& txn, JournalEntry& e) {
  Result<uint64_t> seq = NextSeq(txn, keys::kJournalSeq);
  if (!seq.ok()) {
    return seq.status();
  }
  e.seq = *seq;
  e.recorded_at = clock.Now();
  txn.Put(Column::kJournal, keys::EncodeSeq(e.seq), EncodeJournal(e));
  return Status::Ok();
}

std::string UpdateFieldText(const RecordUpdate& u, Field f) {
  Opportunity o;
  o.stage = u.stage;
  o.amount = u.amount;
  o.close_date = u.close_date;
  return FieldValueText(o, f);
}

Status SetUpdateField(RecordUpdate& u, Field f, std::string_view text) {
  Opportunity o;
  DEALSYNC_RETURN_IF_ERROR(SetFieldFromText(o, f, text));
  switch (f) {
    case Field::kStage:
      u.stage = o.stage;
      break;
    case Field::kAmount:
      u.amount = o.amount;
      break;
    case Field::kCloseDate:
      u.close_date = o.close_date;
      break;
  }
  return Status::Ok();
}

bool UpdateHasFields(const RecordUpdate& u) {
  return u.stage.has_value() || u.amount.has_value() || u.close_date.has_value();
}

Status SyncEngine::Impl::RecordAction(Txn& txn, std::string_view link_id, std::string_view partner,
                                      std::string_view by, std::string_view action,
                                      std::string detail) {
  JournalEntry e;
  e.kind = JournalKind::kAction;
  e.source = std::string(partner);
  e.native_id = std::string(link_id);
  e.by = std::string(by);
  e.message = std::string(action) + ": " + detail;
  DEALSYNC_RETURN_IF_ERROR(AppendJournal(txn, e));
  const OperatorAction a{clock.Now(), std::string(by), std::string(action), std::move(detail),
                         e.seq};
  txn.Put(Column::kIndex, keys::ActionKey(link_id, e.seq), EncodeAction(a));
  return Status::Ok();
}

}  // namespace dealsync
