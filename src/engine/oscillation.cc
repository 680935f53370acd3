// Oscillation guard: a link whose pushes for one field keep alternating
// between two values (two automations, or a mislink, fighting through us) is
// paused and shown to a person as a held conflict flagged "oscillation",
// instead of being pushed back and forth for ever.
//
//   index "osc"   \0 link_id \0 field -> JSON [[value, epoch ms], ...] (latest queued pushes)
//         "pause" \0 link_id \0 field -> id of the held conflict that paused it
#include <nlohmann/json.hpp>

#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;
using nlohmann::json;

namespace {

// Six queued pushes alternating A,B,A,B,A,B within the window: three round trips.
constexpr size_t kAlternations = 6;
constexpr std::chrono::hours kWindow{24};

std::string HistoryKey(std::string_view link_id, Field f) {
  return keys::Join({"osc", link_id, FieldName(f)});
}
std::string PauseKey(std::string_view link_id, Field f) {
  return keys::Join({"pause", link_id, FieldName(f)});
}

}  // namespace

Result<bool> SyncEngine::Impl::NoteQueuedPush(Txn& txn, const Link& link, Field f,
                                              std::string_view value) {
  const std::string key = HistoryKey(link.id, f);
  Result<std::optional<std::string>> raw = txn.Get(Column::kIndex, key);
  if (!raw.ok()) {
    return raw.status();
  }
  const Timestamp now = clock.Now();
  std::vector<std::pair<std::string, Timestamp>> history;
  if (*raw) {
    json j = json::parse(**raw, nullptr, /*allow_exceptions=*/false);
    if (j.is_array()) {
      for (const json& e : j) {
        if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_number_integer()) {
          Timestamp at = TimestampFromEpochMs(e[1].get<int64_t>());
          if (now - at <= kWindow) {
            history.emplace_back(e[0].get<std::string>(), at);
          }
        }
      }
    }
  }
  if (!history.empty() && history.back().first == value) {
    return false;  // the same decision again (e.g. re-queued for a newer version)
  }
  history.emplace_back(std::string(value), now);
  while (history.size() > kAlternations) {
    history.erase(history.begin());
  }
  bool alternating = history.size() == kAlternations && history[0].first != history[1].first;
  for (size_t i = 2; alternating && i < history.size(); ++i) {
    alternating = history[i].first == history[i - 2].first;
  }
  if (alternating) {
    txn.Delete(Column::kIndex, key);  // start afresh once a person has settled it
    return true;
  }
  json out = json::array();
  for (const auto& [v, at] : history) {
    out.push_back(json::array({v, EpochMs(at)}));
  }
  txn.Put(Column::kIndex, key, out.dump());
  return false;
}

Status SyncEngine::Impl::PauseOscillatingField(Txn& txn, const Link& link,
                                               const StoredRecord& vendor,
                                               const StoredRecord& partner, Field f,
                                               std::string_view value) {
  DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, vendor.opp.source, vendor.opp.native_id, f));
  DEALSYNC_RETURN_IF_ERROR(DropFieldPush(txn, partner.opp.source, partner.opp.native_id, f));
  Result<std::optional<BaseValue>> base = LoadBase(txn, link.id, f);
  if (!base.ok()) {
    return base.status();
  }
  ReconcileDecision d;
  d.action = ReconcileAction::kHold;
  d.rule = "oscillation_guard";
  d.flags = {"oscillation"};
  d.explanation = "The pushes for " + std::string(FieldName(f)) +
                  " of this deal kept alternating (the latest was " + std::string(value) +
                  "): each side keeps changing it back, so dealsync stopped pushing this field "
                  "until a channel manager settles it.";
  Conflict c = MakeConflict(link, f, vendor, partner, *base, d);
  c.id += "/oscillation";
  txn.Put(Column::kConflicts, c.id, EncodeConflict(c));
  txn.Put(Column::kIndex, PauseKey(link.id, f), c.id);
  return Status::Ok();
}

Result<bool> SyncEngine::Impl::FieldPaused(Txn& txn, const Link& link, Field f) {
  const std::string key = PauseKey(link.id, f);
  Result<std::optional<std::string>> id = txn.Get(Column::kIndex, key);
  if (!id.ok()) {
    return id.status();
  }
  if (!*id) {
    return false;
  }
  Result<std::optional<Conflict>> c = LoadConflict(txn, **id);
  if (!c.ok()) {
    return c.status();
  }
  if (*c && (*c)->status == ConflictStatus::kHeldForReview) {
    return true;
  }
  txn.Delete(Column::kIndex, key);  // settled: the field is reconciled again
  return false;
}

}  // namespace dealsync
