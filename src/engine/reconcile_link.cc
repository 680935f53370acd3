// Applies the reconciler to one link: per field, the decision, its conflict
// record and its outbox entries, staged in the caller's Txn (one WriteBatch).
#include <algorithm>

#include "src/engine/engine_impl.h"
#include "src/engine/field_values.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

int64_t ValueAtStake(const Opportunity& a, const Opportunity& b, const CurrencyRates& rates) {
  int64_t stake = 0;
  for (const Opportunity* o : {&a, &b}) {
    if (std::optional<int64_t> m = ReportingMinor(FieldValueText(*o, Field::kAmount), rates)) {
      stake = std::max(stake, *m);
    }
  }
  return stake;
}

FieldChange ChangeOf(const StoredRecord& r, Field f) {
  const FieldStamp& s = r.changed[FieldIndex(f)];
  return {FieldValueText(r.opp, f), s.modified_at, s.modified_by, s.journal_seq};
}

}  // namespace

Conflict SyncEngine::Impl::MakeConflict(const Link& link, Field f, const StoredRecord& vendor,
                                        const StoredRecord& partner,
                                        const std::optional<BaseValue>& base,
                                        const ReconcileDecision& d) {
  Conflict c;
  c.link_id = link.id;
  c.partner = link.partner;
  c.field = f;
  c.deal_name = vendor.opp.name.empty() ? partner.opp.name : vendor.opp.name;
  c.account = vendor.opp.account.empty() ? partner.opp.account : vendor.opp.account;
  c.vendor_id = link.vendor_id;
  c.partner_id = link.partner_id;
  c.base_value = base ? base->value : "";
  c.vendor = ChangeOf(vendor, f);
  c.partner_change = ChangeOf(partner, f);
  c.id = keys::ConflictId(link.id, f, std::max(c.vendor.journal_seq, c.partner_change.journal_seq));
  c.rule = d.rule;
  c.outcome_value = d.action == ReconcileAction::kHold ? "" : d.value;
  c.explanation = d.explanation;
  c.flags = d.flags;
  c.status = d.action == ReconcileAction::kHold ? ConflictStatus::kHeldForReview
                                                : ConflictStatus::kAutoResolved;
  c.detected_at = clock.Now();
  c.value_at_stake_minor = ValueAtStake(vendor.opp, partner.opp, Rates());
  return c;
}

Result<bool> SyncEngine::Impl::QueueFieldPush(Txn& txn, const Link& link,
                                              const StoredRecord& target, Field f,
                                              std::string_view value, std::string_view reason,
                                              Timestamp edited_at) {
  const std::string key = keys::OutboxKey(target.opp.source, target.opp.native_id);
  Result<std::optional<std::string>> raw = txn.Get(Column::kOutbox, key);
  if (!raw.ok()) {
    return raw.status();
  }
  StoredOutbox o;
  bool existed = false;
  if (*raw) {
    Result<StoredOutbox> decoded = DecodeOutbox(**raw);
    if (decoded.ok()) {
      o = std::move(*decoded);
      existed = true;
    }
  }
  if (existed && UpdateFieldText(o.entry.update, f) == value &&
      o.target_seq == target.journal_seq && o.entry.link_id == link.id) {
    return false;  // already queued against this very version of the target
  }
  if (!existed) {
    o.entry.key = key;
    o.entry.target = target.opp.source;
    o.entry.update.native_id = target.opp.native_id;
  }
  o.entry.update.pipeline = target.opp.pipeline;
  DEALSYNC_RETURN_IF_ERROR(SetUpdateField(o.entry.update, f, value));
  Result<uint64_t> trace = NextSeq(txn, keys::kTraceSeq);
  if (!trace.ok()) {
    return trace.status();
  }
  o.entry.update.trace_id = "dealsync-" + std::to_string(*trace);
  o.entry.link_id = link.id;
  o.entry.reason = std::string(reason);
  o.entry.attempts = 0;
  o.entry.not_before = Timestamp{};
  o.entry.last_error.clear();
  o.entry.first_failed_at = Timestamp{};  // a new decision starts a new failure streak
  o.target_seq = target.journal_seq;
  o.queued_at = clock.Now();
  o.edited_at = edited_at;
  txn.Put(Column::kOutbox, key, EncodeOutbox(o));
  txn.Delete(Column::kIndex, keys::DeadLetterKey(target.opp.source, target.opp.native_id));
  return true;
}

Status SyncEngine::Impl::DropFieldPush(Txn& txn, std::string_view target,
                                       std::string_view native_id, Field f) {
  const std::string key = keys::OutboxKey(target, native_id);
  Result<std::optional<std::string>> raw = txn.Get(Column::kOutbox, key);
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return Status::Ok();
  }
  Result<StoredOutbox> o = DecodeOutbox(**raw);
  if (!o.ok()) {
    txn.Delete(Column::kOutbox, key);
    return Status::Ok();
  }
  if (UpdateFieldText(o->entry.update, f).empty()) {
    return Status::Ok();
  }
  DEALSYNC_RETURN_IF_ERROR(SetUpdateField(o->entry.update, f, ""));
  if (!UpdateHasFields(o->entry.update)) {
    txn.Delete(Column::kOutbox, key);
    return Status::Ok();
  }
  Result<uint64_t> trace = NextSeq(txn, keys::kTraceSeq);
  if (!trace.ok()) {
    return trace.status();
  }
  o->entry.update.trace_id = "dealsync-" + std::to_string(*trace);  // content changed
  txn.Put(Column::kOutbox, key, EncodeOutbox(*o));
  return Status::Ok();
}

Result<size_t> SyncEngine::Impl::SettleField(Txn& txn, const Link& link, const StoredRecord& vendor,
                                             const StoredRecord& partner, Field f,
                                             std::string_view value, std::string_view reason,
                                             Timestamp decided_at) {
  const AmountPolicy& amounts = PolicyFor(link.partner).amount;
  size_t queued = 0;
  bool all_hold_it = true;
  for (const StoredRecord* side : {&vendor, &partner}) {
    if (ValuesEquivalent(f, FieldValueText(side->opp, f), value, amounts, Rates())) {
      DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, side->opp.source, side->opp.native_id, f));
      continue;
    }
    all_hold_it = false;
    // The side that already holds the value made the edit being carried over.
    const StoredRecord& editor = side == &vendor ? partner : vendor;
    const Timestamp edited_at = decided_at != Timestamp{} ? decided_at : editor.opp.modified_at;
    Result<bool> q = QueueFieldPush(txn, link, *side, f, value, reason, edited_at);
    if (!q.ok()) {
      return q.status();
    }
    if (*q) {
      Result<bool> oscillating = NoteQueuedPush(txn, link, f, value);
      if (!oscillating.ok()) {
        return oscillating.status();
      }
      if (*oscillating) {
        DEALSYNC_RETURN_IF_ERROR(PauseOscillatingField(txn, link, vendor, partner, f, value));
        return size_t{0};
      }
    }
    queued += *q ? 1 : 0;
  }
  if (all_hold_it) {
    SaveBase(txn, link.id, f, value);
  }
  return queued;
}

Result<std::optional<std::string>> SyncEngine::Impl::PendingValue(Txn& txn,
                                                                  const StoredRecord& target,
                                                                  Field f) {
  Result<std::optional<std::string>> raw =
      txn.Get(Column::kOutbox, keys::OutboxKey(target.opp.source, target.opp.native_id));
  if (!raw.ok()) {
    return raw.status();
  }
  if (!*raw) {
    return std::optional<std::string>();
  }
  Result<StoredOutbox> o = DecodeOutbox(**raw);
  if (!o.ok() || o->target_seq != target.journal_seq) {
    return std::optional<std::string>();  // the target changed since: not a standing decision
  }
  std::string v = UpdateFieldText(o->entry.update, f);
  return v.empty() ? std::optional<std::string>() : std::optional<std::string>(v);
}

Status SyncEngine::Impl::SupersedeHeldConflicts(Txn& txn, const Link& link, Field f,
                                                std::string_view agreed) {
  std::vector<Conflict> held;
  Status corrupt = Status::Ok();
  DEALSYNC_RETURN_IF_ERROR(txn.Scan(Column::kConflicts,
                                    link.id + "/" + std::string(FieldName(f)) + "/",
                                    [&](std::string_view, std::string_view v) {
                                      Result<Conflict> c = DecodeConflict(v);
                                      if (!c.ok()) {
                                        corrupt = c.status();
                                        return false;
                                      }
                                      if (c->status == ConflictStatus::kHeldForReview) {
                                        held.push_back(std::move(*c));
                                      }
                                      return true;
                                    }));
  DEALSYNC_RETURN_IF_ERROR(corrupt);
  for (Conflict& c : held) {
    c.status = ConflictStatus::kAutoResolved;
    c.outcome_value = std::string(agreed);
    c.rule += "+superseded";
    c.explanation += " Superseded: both sides have since agreed on " + std::string(agreed) + ".";
    txn.Put(Column::kConflicts, c.id, EncodeConflict(c));
  }
  return Status::Ok();
}

Result<ReconcileCounts> SyncEngine::Impl::ReconcileLink(Txn& txn, const Link& link) {
  ReconcileCounts counts;
  Result<std::optional<StoredRecord>> vendor = LoadRecord(txn, config.vendor.id, link.vendor_id);
  if (!vendor.ok()) {
    return vendor.status();
  }
  Result<std::optional<StoredRecord>> partner = LoadRecord(txn, link.partner, link.partner_id);
  if (!partner.ok()) {
    return partner.status();
  }
  if (!*vendor || !*partner || (*vendor)->opp.deleted || (*partner)->opp.deleted) {
    return counts;
  }
  const StoredRecord& v = **vendor;
  const StoredRecord& p = **partner;
  const ReconcilePolicy& policy = PolicyFor(link.partner);
  for (Field f : kAllFields) {
    Result<bool> paused = FieldPaused(txn, link, f);
    if (!paused.ok()) {
      return paused.status();
    }
    if (*paused) {  // held for a person after oscillating: nothing is pushed
      DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, v.opp.source, v.opp.native_id, f));
      DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, p.opp.source, p.opp.native_id, f));
      continue;
    }
    Result<std::optional<BaseValue>> base = LoadBase(txn, link.id, f);
    if (!base.ok()) {
      return base.status();
    }
    ReconcileInput in;
    in.field = f;
    if (*base) {
      in.base = (*base)->value;
    }
    in.vendor = {FieldValueText(v.opp, f), v.changed[FieldIndex(f)].modified_at,
                 v.echo[FieldIndex(f)]};
    in.partner = {FieldValueText(p.opp, f), p.changed[FieldIndex(f)].modified_at,
                  p.echo[FieldIndex(f)]};
    // Our superseded write came back to one side while the decision that
    // superseded it is still queued for the other: that decision stands.
    if (const StoredRecord* echoing = v.echo[FieldIndex(f)]   ? &v
                                      : p.echo[FieldIndex(f)] ? &p
                                                              : nullptr) {
      const StoredRecord& other = echoing == &v ? p : v;
      Result<std::optional<std::string>> decided = PendingValue(txn, other, f);
      if (!decided.ok()) {
        return decided.status();
      }
      if (*decided) {
        Result<size_t> q = SettleField(txn, link, v, p, f, **decided,
                                       "restores the decided value after a superseded write");
        if (!q.ok()) {
          return q.status();
        }
        counts.pushes_queued += *q;
        continue;
      }
    }
    ReconcileDecision d = Reconcile(in, policy, Rates());

    if (d.Reportable()) {
      Conflict fresh = MakeConflict(link, f, v, p, *base, d);
      Result<std::optional<Conflict>> existing = LoadConflict(txn, fresh.id);
      if (!existing.ok()) {
        return existing.status();
      }
      if (*existing) {
        // Decided before (possibly by an operator): keep that decision.
        const Conflict& c = **existing;
        if (c.status == ConflictStatus::kHeldForReview || c.outcome_value.empty()) {
          DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, v.opp.source, v.opp.native_id, f));
          DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, p.opp.source, p.opp.native_id, f));
        } else {
          Result<size_t> q = SettleField(txn, link, v, p, f, c.outcome_value, c.explanation);
          if (!q.ok()) {
            return q.status();
          }
          counts.pushes_queued += *q;
        }
        continue;
      }
      txn.Put(Column::kConflicts, fresh.id, EncodeConflict(fresh));
      ++counts.conflicts;
    }
    switch (d.action) {
      case ReconcileAction::kNone:
        break;
      case ReconcileAction::kHold:
        DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, v.opp.source, v.opp.native_id, f));
        DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, p.opp.source, p.opp.native_id, f));
        break;
      case ReconcileAction::kAgree:
        DEALSYNC_RETURN_IF_ERROR(SupersedeHeldConflicts(txn, link, f, d.value));
        [[fallthrough]];
      case ReconcileAction::kPushToPartner:
      case ReconcileAction::kPushToVendor:
      case ReconcileAction::kPushToBoth: {
        Result<size_t> q = SettleField(txn, link, v, p, f, d.value, d.explanation);
        if (!q.ok()) {
          return q.status();
        }
        counts.pushes_queued += *q;
        break;
      }
    }
  }
  return counts;
}

Result<size_t> SyncEngine::Impl::ReportDeletion(Txn& txn, const StoredRecord& r) {
  Result<std::vector<std::string>> ids = LinksOfRecord(txn, r.opp.source, r.opp.native_id);
  if (!ids.ok()) {
    return ids.status();
  }
  size_t reported = 0;
  for (const std::string& id : *ids) {
    Result<std::optional<Link>> link = LoadLink(txn, id);
    if (!link.ok()) {
      return link.status();
    }
    if (!*link) {
      continue;
    }
    const Link& l = **link;
    const bool vendor_deleted = IsVendor(r.opp.source);
    Result<std::optional<StoredRecord>> other =
        vendor_deleted ? LoadRecord(txn, l.partner, l.partner_id)
                       : LoadRecord(txn, config.vendor.id, l.vendor_id);
    if (!other.ok()) {
      return other.status();
    }
    StoredRecord survivor = *other ? **other : StoredRecord{};
    const StoredRecord& vend = vendor_deleted ? r : survivor;
    const StoredRecord& part = vendor_deleted ? survivor : r;
    ReconcileDecision d;
    d.action = ReconcileAction::kHold;
    d.rule = "report_deletes";
    d.flags = {"record_deleted"};
    d.explanation = std::string("The ") + (vendor_deleted ? "vendor" : "partner") +
                    " deleted or archived this deal (" + r.opp.native_id + ") at " +
                    FormatTimestamp(r.opp.modified_at) +
                    (PolicyFor(l.partner).propagate_deletes
                         ? "; propagate_deletes is set, but connectors offer no delete "
                           "operation, so it is reported only"
                         : "; deletes are not propagated") +
                    ". The link was released so a re-created record can be linked again.";
    Conflict c = MakeConflict(l, Field::kStage, vend, part, std::nullopt, d);
    c.id = l.id + "/deleted/" + std::to_string(r.journal_seq);
    txn.Put(Column::kConflicts, c.id, EncodeConflict(c));
    ++reported;
    DEALSYNC_RETURN_IF_ERROR(RemoveLink(txn, l, ""));
  }
  return reported;
}

}  // namespace dealsync
