// SyncEngine's public operations: ingest, push bookkeeping, operator actions.
// Read-only queries live in engine_queries.cc, PushOnce in push_once.cc.
#include "dealsync/engine.h"

#include <algorithm>

#include "src/engine/engine_impl.h"
#include "src/engine/field_values.h"
#include "src/engine/keys.h"
#include "src/engine/record_bounds.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

SyncEngine::SyncEngine(Store& store, Config config, Clock& clock)
    : impl_(std::make_unique<Impl>(store, std::move(config), clock)) {}

SyncEngine::~SyncEngine() = default;

void SyncEngine::UpdateConfig(Config config) {
  impl_->config = std::move(config);
}

Result<std::string> SyncEngine::LoadCursor(std::string_view source) {
  Result<std::optional<std::string>> c = impl_->store.Get(Column::kCursors, source);
  if (!c.ok()) {
    return c.status();
  }
  return *c ? **c : std::string();
}

Result<IngestStats> SyncEngine::IngestPage(std::string_view source, const FetchPage& page) {
  return impl_->Ingest(source, page);
}

Result<std::vector<OutboxEntry>> SyncEngine::DuePushes(std::string_view target, size_t max,
                                                       Timestamp now) {
  return impl_->DuePushes(target, max, now);
}

Result<PushStats> SyncEngine::RecordPushResults(std::string_view target,
                                                const std::vector<OutboxEntry>& sent,
                                                const std::vector<UpdateOutcome>& outcomes,
                                                const Status& batch_error) {
  return impl_->RecordPushResults(target, sent, outcomes, batch_error);
}

Status SyncEngine::ResolveConflict(std::string_view id, const Resolution& resolution) {
  Impl& im = *impl_;
  Txn txn(im.store);
  Result<std::optional<Conflict>> found = im.LoadConflict(txn, id);
  if (!found.ok()) {
    return found.status();
  }
  if (!*found) {
    return NotFound("no conflict \"" + std::string(id) + "\"");
  }
  Conflict c = std::move(**found);
  if (c.status != ConflictStatus::kHeldForReview) {
    return FailedPrecondition("conflict \"" + c.id + "\" is already " +
                              std::string(ConflictStatusName(c.status)));
  }
  if (resolution.resolved_by.empty()) {
    return InvalidArgument("resolved_by is required");
  }
  std::string value;
  switch (resolution.choice) {
    case Resolution::Choice::kVendor:
      value = c.vendor.value;
      break;
    case Resolution::Choice::kPartner:
      value = c.partner_change.value;
      break;
    case Resolution::Choice::kValue: {
      Opportunity probe;
      DEALSYNC_RETURN_IF_ERROR(SetFieldFromText(probe, c.field, resolution.value)
                                   .Annotate(std::string(FieldName(c.field))));
      value = FieldValueText(probe, c.field);
      DEALSYNC_RETURN_IF_ERROR(CheckValueBounds(c.field, value, im.PolicyFor(c.partner).bounds,
                                                im.Rates(),
                                                TimeZone::Utc().LocalDate(im.clock.Now())));
      break;
    }
  }
  if (value.empty()) {
    return InvalidArgument("the chosen " + std::string(FieldName(c.field)) +
                           " is empty; an empty value cannot be pushed");
  }
  c.status = ConflictStatus::kResolvedByOperator;
  c.outcome_value = value;
  c.resolved_by = resolution.resolved_by;
  c.resolved_at = im.clock.Now();
  c.resolution_reason = resolution.reason;
  c.explanation += " Resolved by " + c.resolved_by + ": " + value +
                   (resolution.reason.empty() ? "." : " (" + resolution.reason + ").");
  txn.Put(Column::kConflicts, c.id, EncodeConflict(c));

  Result<std::optional<Link>> link = im.LoadLink(txn, c.link_id);
  if (!link.ok()) {
    return link.status();
  }
  if (*link) {
    Result<std::optional<StoredRecord>> v = im.LoadRecord(txn, im.config.vendor.id, c.vendor_id);
    Result<std::optional<StoredRecord>> p = im.LoadRecord(txn, c.partner, c.partner_id);
    if (!v.ok() || !p.ok()) {
      return v.ok() ? p.status() : v.status();
    }
    if (*v && *p) {
      Result<size_t> q = im.SettleField(txn, **link, **v, **p, c.field, value,
                                        "resolved by " + c.resolved_by + " (" + c.id + ")",
                                        im.clock.Now());
      if (!q.ok()) {
        return q.status();
      }
    }
  }
  return txn.Commit();
}

Status SyncEngine::SetLink(std::string_view partner, std::string_view vendor_id,
                           std::string_view partner_id, std::string_view by) {
  Impl& im = *impl_;
  const SourceConfig* pc = im.Source(partner);
  if (pc == nullptr || im.IsVendor(partner)) {
    return InvalidArgument("unknown partner \"" + std::string(partner) + "\"");
  }
  Txn txn(im.store);
  for (const auto& [source, id] : {std::pair{std::string_view(im.config.vendor.id), vendor_id},
                                   std::pair{partner, partner_id}}) {
    Result<std::optional<StoredRecord>> r = im.LoadRecord(txn, source, id);
    if (!r.ok()) {
      return r.status();
    }
    if (!*r || (*r)->opp.deleted) {
      return NotFound("no record " + std::string(source) + "/" + std::string(id));
    }
    Result<std::optional<std::string>> linked = im.LinkOfRecord(txn, source, id, partner);
    if (!linked.ok()) {
      return linked.status();
    }
    if (*linked) {
      return FailedPrecondition(std::string(source) + "/" + std::string(id) +
                                " is already linked (" + **linked + "); break that link first");
    }
  }
  Link link;
  link.partner = std::string(partner);
  link.vendor_id = std::string(vendor_id);
  link.partner_id = std::string(partner_id);
  link.id = keys::LinkId(partner, vendor_id, partner_id);
  link.key_kind = "operator";
  link.key_value = std::string(by);
  link.created_at = im.clock.Now();
  txn.Delete(Column::kIndex, keys::BrokenKey(partner, vendor_id, partner_id));
  DEALSYNC_RETURN_IF_ERROR(im.CreateLink(txn, link));
  DEALSYNC_RETURN_IF_ERROR(im.RecordAction(
      txn, link.id, partner, by, "linked",
      "linked " + std::string(vendor_id) + " and " + std::string(partner_id) + " by hand"));
  Result<ReconcileCounts> counts = im.ReconcileLink(txn, link);
  if (!counts.ok()) {
    return counts.status();
  }
  return txn.Commit();
}

Status SyncEngine::BreakLink(std::string_view link_id, std::string_view by) {
  Impl& im = *impl_;
  if (by.empty()) {
    return InvalidArgument("who breaks the link is required");
  }
  Txn txn(im.store);
  Result<std::optional<Link>> link = im.LoadLink(txn, link_id);
  if (!link.ok()) {
    return link.status();
  }
  if (!*link) {
    return NotFound("no link \"" + std::string(link_id) + "\"");
  }
  DEALSYNC_RETURN_IF_ERROR(im.RemoveLink(txn, **link, by));
  DEALSYNC_RETURN_IF_ERROR(im.RecordAction(txn, link_id, (*link)->partner, by, "not_the_same_deal",
                                           "unlinked " + (*link)->vendor_id + " and " +
                                               (*link)->partner_id +
                                               "; they are never linked again automatically"));
  return txn.Commit();
}

Status SyncEngine::MarkNotSameDeal(std::string_view partner, std::string_view vendor_id,
                                   std::string_view partner_id, std::string_view by) {
  Impl& im = *impl_;
  if (im.Source(partner) == nullptr || im.IsVendor(partner)) {
    return InvalidArgument("unknown partner \"" + std::string(partner) + "\"");
  }
  if (by.empty()) {
    return InvalidArgument("who says the deals differ is required");
  }
  Txn txn(im.store);
  std::vector<StoredRecord> records;
  for (const auto& [source, id] : {std::pair{std::string_view(im.config.vendor.id), vendor_id},
                                   std::pair{partner, partner_id}}) {
    Result<std::optional<StoredRecord>> r = im.LoadRecord(txn, source, id);
    if (!r.ok()) {
      return r.status();
    }
    if (!*r) {
      return NotFound("no record " + std::string(source) + "/" + std::string(id));
    }
    records.push_back(std::move(**r));
  }
  const std::string link_id = keys::LinkId(partner, vendor_id, partner_id);
  Result<std::optional<Link>> link = im.LoadLink(txn, link_id);
  if (!link.ok()) {
    return link.status();
  }
  if (*link) {
    DEALSYNC_RETURN_IF_ERROR(im.RemoveLink(txn, **link, by));
  } else {
    txn.Put(Column::kIndex, keys::BrokenKey(partner, vendor_id, partner_id), by);
  }
  DEALSYNC_RETURN_IF_ERROR(
      im.RecordAction(txn, link_id, partner, by, "not_the_same_deal",
                      std::string(vendor_id) + " and " + std::string(partner_id) +
                          " are different deals; they are never linked automatically"));
  // Without this pair, a record's key may now find exactly one counterpart.
  for (const StoredRecord& r : records) {
    Result<std::vector<std::string>> before = im.LinksOfRecord(txn, r.opp.source, r.opp.native_id);
    if (!before.ok()) {
      return before.status();
    }
    Result<std::vector<Link>> now = im.LinkRecord(txn, r);
    if (!now.ok()) {
      return now.status();
    }
    for (const Link& l : *now) {
      if (std::find(before->begin(), before->end(), l.id) == before->end()) {
        DEALSYNC_RETURN_IF_ERROR(im.ReconcileLink(txn, l).status());
      }
    }
  }
  return txn.Commit();
}

}  // namespace dealsync
