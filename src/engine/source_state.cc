// What the engine knows about reading each source, kept next to the cursor:
//   meta "src" \0 source -> JSON {watermark, last_page_at, pages, warnings, rejects}
// updated in the ingest batch, reset with the cursor (rewind).
#include <nlohmann/json.hpp>

#include "src/engine/engine_impl.h"
#include "src/engine/keys.h"

namespace dealsync {

namespace keys = engine_keys;
using nlohmann::json;

namespace {

std::string StateKey(std::string_view source) {
  return keys::Join({"src", source});
}

std::optional<Timestamp> OptionalTime(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_integer()) {
    return std::nullopt;
  }
  return TimestampFromEpochMs(j[key].get<int64_t>());
}

uint64_t Count(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<uint64_t>() : 0;
}

}  // namespace

Result<SourceState> SyncEngine::Impl::LoadSourceState(Txn& txn, std::string_view source) {
  SourceState st;
  Result<std::optional<std::string>> cursor = txn.Get(Column::kCursors, source);
  if (!cursor.ok()) {
    return cursor.status();
  }
  st.cursor = *cursor ? **cursor : "";
  Result<std::optional<std::string>> raw = txn.Get(Column::kMeta, StateKey(source));
  if (!raw.ok()) {
    return raw.status();
  }
  if (*raw) {
    json j = json::parse(**raw, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      st.watermark = OptionalTime(j, "watermark");
      st.last_page_at = OptionalTime(j, "last_page_at");
      st.pages = Count(j, "pages");
      st.warnings = Count(j, "warnings");
      st.rejects = Count(j, "rejects");
    }
  }
  return st;
}

void SyncEngine::Impl::SaveSourceState(Txn& txn, std::string_view source, const SourceState& st) {
  json j = {{"pages", st.pages}, {"warnings", st.warnings}, {"rejects", st.rejects}};
  if (st.watermark) {
    j["watermark"] = EpochMs(*st.watermark);
  }
  if (st.last_page_at) {
    j["last_page_at"] = EpochMs(*st.last_page_at);
  }
  txn.Put(Column::kMeta, StateKey(source), j.dump());
}

Result<SourceState> SyncEngine::GetSourceState(std::string_view source) {
  if (impl_->Source(source) == nullptr) {
    return NotFound("unknown source \"" + std::string(source) + "\"");
  }
  Txn txn(impl_->store);
  return impl_->LoadSourceState(txn, source);
}

}  // namespace dealsync
