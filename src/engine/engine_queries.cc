// SyncEngine's read-only queries: plan, conflicts, links, records, counters.
#include "dealsync/engine.h"

#include <algorithm>

#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

// Decodes every value under `prefix` of column `c` with `decode`.
template <typename T, typename Decoder>
Result<std::vector<T>> DecodeAll(Store& store, Column c, std::string_view prefix, Decoder decode) {
  std::vector<T> out;
  Status corrupt = Status::Ok();
  Status s = store.Scan(c, prefix, [&](std::string_view, std::string_view v) {
    Result<T> item = decode(v);
    if (!item.ok()) {
      corrupt = item.status();
      return false;
    }
    out.push_back(std::move(*item));
    return true;
  });
  DEALSYNC_RETURN_IF_ERROR(s);
  DEALSYNC_RETURN_IF_ERROR(corrupt);
  return out;
}

}  // namespace

Result<Plan> SyncEngine::PlanNextCycle() {
  Plan plan;
  Result<std::vector<StoredOutbox>> queued =
      DecodeAll<StoredOutbox>(impl_->store, Column::kOutbox, "", DecodeOutbox);
  if (!queued.ok()) {
    return queued.status();
  }
  for (StoredOutbox& o : *queued) {
    plan.pushes.push_back({std::move(o.entry)});
  }
  ConflictFilter held;
  held.status = ConflictStatus::kHeldForReview;
  Result<std::vector<Conflict>> conflicts = ListConflicts(held);
  if (!conflicts.ok()) {
    return conflicts.status();
  }
  plan.held = std::move(*conflicts);
  return plan;
}

Result<std::vector<Conflict>> SyncEngine::ListConflicts(const ConflictFilter& filter) {
  Result<std::vector<Conflict>> all =
      DecodeAll<Conflict>(impl_->store, Column::kConflicts, "", DecodeConflict);
  if (!all.ok()) {
    return all.status();
  }
  std::vector<Conflict> out;
  for (Conflict& c : *all) {
    if ((!filter.partner.empty() && c.partner != filter.partner) ||
        (filter.status && c.status != *filter.status) ||
        (filter.field && c.field != *filter.field) ||
        (filter.detected_before && c.detected_at >= *filter.detected_before)) {
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<Conflict> SyncEngine::GetConflict(std::string_view id) {
  Txn txn(impl_->store);
  Result<std::optional<Conflict>> c = impl_->LoadConflict(txn, id);
  if (!c.ok()) {
    return c.status();
  }
  if (!*c) {
    return NotFound("no conflict \"" + std::string(id) + "\"");
  }
  return std::move(**c);
}

Result<std::vector<Link>> SyncEngine::ListLinks(std::string_view partner) {
  std::string prefix = partner.empty() ? "" : std::string(partner) + "/";
  return DecodeAll<Link>(impl_->store, Column::kLinks, prefix, DecodeLink);
}

Result<std::optional<Opportunity>> SyncEngine::GetRecord(std::string_view source,
                                                         std::string_view native_id) {
  Txn txn(impl_->store);
  Result<std::optional<StoredRecord>> r = impl_->LoadRecord(txn, source, native_id);
  if (!r.ok()) {
    return r.status();
  }
  if (!*r) {
    return std::optional<Opportunity>();
  }
  return std::optional<Opportunity>((*r)->opp);
}

Status SyncEngine::ScanRecords(std::string_view source,
                               const std::function<bool(const Opportunity&)>& visit) {
  Status corrupt = Status::Ok();
  Status s = impl_->store.Scan(Column::kRecords, keys::Prefix({source}),
                               [&](std::string_view, std::string_view v) {
                                 Result<StoredRecord> r = DecodeRecord(v);
                                 if (!r.ok()) {
                                   corrupt = r.status();
                                   return false;
                                 }
                                 return visit(r->opp);
                               });
  DEALSYNC_RETURN_IF_ERROR(s);
  return corrupt;
}

Result<std::vector<Opportunity>> SyncEngine::UnlinkedRecords(std::string_view source) {
  std::vector<std::string> ids;
  DEALSYNC_RETURN_IF_ERROR(impl_->store.Scan(Column::kIndex, keys::Prefix({"unl", source}),
                                             [&](std::string_view k, std::string_view) {
                                               ids.push_back(keys::Split(k).back());
                                               return true;
                                             }));
  std::vector<Opportunity> out;
  Txn txn(impl_->store);
  for (const std::string& id : ids) {
    Result<std::optional<StoredRecord>> r = impl_->LoadRecord(txn, source, id);
    if (!r.ok()) {
      return r.status();
    }
    if (*r) {
      out.push_back((*r)->opp);
    }
  }
  return out;
}

Result<std::vector<OutboxEntry>> SyncEngine::DeadLetters(std::string_view target) {
  std::string prefix = target.empty() ? keys::Prefix({"dead"}) : keys::Prefix({"dead", target});
  Result<std::vector<StoredOutbox>> dead =
      DecodeAll<StoredOutbox>(impl_->store, Column::kIndex, prefix, DecodeOutbox);
  if (!dead.ok()) {
    return dead.status();
  }
  std::vector<OutboxEntry> out;
  for (StoredOutbox& o : *dead) {
    out.push_back(std::move(o.entry));
  }
  return out;
}

Result<std::vector<LinkAmbiguity>> SyncEngine::ListAmbiguities() {
  return DecodeAll<LinkAmbiguity>(impl_->store, Column::kIndex, keys::Prefix({"amb"}),
                                  DecodeAmbiguity);
}

Result<std::vector<RejectedRecord>> SyncEngine::RejectedRecords(std::string_view source) {
  return DecodeAll<RejectedRecord>(
      impl_->store, Column::kIndex,
      source.empty() ? keys::Prefix({"rjt"}) : keys::Prefix({"rjt", source}), DecodeRejected);
}

Result<std::vector<OperatorAction>> SyncEngine::LinkActions(std::string_view link_id) {
  return DecodeAll<OperatorAction>(impl_->store, Column::kIndex, keys::Prefix({"act", link_id}),
                                   DecodeAction);
}

Result<EngineCounters> SyncEngine::Counters() {
  EngineCounters c;
  Result<std::optional<std::string>> seq = impl_->store.Get(Column::kMeta, keys::kJournalSeq);
  if (!seq.ok()) {
    return seq.status();
  }
  c.journal_entries = *seq ? keys::DecodeSeq(**seq) : 0;
  Result<Gauges> g = impl_->counting.Current();
  if (!g.ok()) {
    return g.status();
  }
  auto at = [&](Gauge x) {
    return static_cast<uint64_t>(std::max<int64_t>(0, (*g)[static_cast<size_t>(x)]));
  };
  c.outbox_depth = at(Gauge::kOutbox);
  c.dead_letters = at(Gauge::kDeadLetters);
  c.links = at(Gauge::kLinks);
  c.unlinked_records = at(Gauge::kUnlinked);
  c.ambiguous_records = at(Gauge::kAmbiguous);
  c.rejected_records = at(Gauge::kRejected);
  c.conflicts_auto_resolved = at(Gauge::kConflictsAutoResolved);
  c.conflicts_held = at(Gauge::kConflictsHeld);
  c.conflicts_resolved_by_operator = at(Gauge::kConflictsResolvedByOperator);
  Result<SourceGauges> by_source = impl_->counting.CurrentBySource();
  if (!by_source.ok()) {
    return by_source.status();
  }
  for (const auto& [source, gauges] : *by_source) {
    auto of = [&gauges = gauges](Gauge x) {
      return static_cast<uint64_t>(std::max<int64_t>(0, gauges[static_cast<size_t>(x)]));
    };
    SourceCounters& s = c.by_source[source];
    s.outbox_depth = of(Gauge::kOutbox);
    s.dead_letters = of(Gauge::kDeadLetters);
    s.links = of(Gauge::kLinks);
    s.conflicts_held = of(Gauge::kConflictsHeld);
    s.unlinked_records = of(Gauge::kUnlinked);
    s.ambiguous_records = of(Gauge::kAmbiguous);
    s.rejected_records = of(Gauge::kRejected);
  }
  return c;
}

}  // namespace dealsync
