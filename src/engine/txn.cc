#include "src/engine/txn.h"

namespace dealsync {

Result<std::optional<std::string>> Txn::Get(Column c, std::string_view key) {
  auto it = pending_.find(Key(c, std::string(key)));
  if (it != pending_.end()) {
    return it->second;
  }
  return store_.Get(c, key);
}

void Txn::Put(Column c, std::string_view key, std::string_view value) {
  pending_[Key(c, std::string(key))] = std::string(value);
}

void Txn::Delete(Column c, std::string_view key) {
  pending_[Key(c, std::string(key))] = std::nullopt;
}

Status Txn::Scan(Column c, std::string_view prefix, const ScanVisitor& visit) {
  std::map<std::string, std::string, std::less<>> merged;
  DEALSYNC_RETURN_IF_ERROR(store_.Scan(c, prefix, [&](std::string_view k, std::string_view v) {
    merged.emplace(std::string(k), std::string(v));
    return true;
  }));
  for (auto it = pending_.lower_bound(Key(c, std::string(prefix)));
       it != pending_.end() && it->first.first == c && it->first.second.starts_with(prefix); ++it) {
    if (it->second) {
      merged[it->first.second] = *it->second;
    } else {
      merged.erase(it->first.second);
    }
  }
  for (const auto& [k, v] : merged) {
    if (!visit(k, v)) {
      break;
    }
  }
  return Status::Ok();
}

Status Txn::Commit() {
  if (pending_.empty()) {
    return Status::Ok();
  }
  WriteBatch batch;
  for (const auto& [key, value] : pending_) {
    if (value) {
      batch.Put(key.first, key.second, *value);
    } else {
      batch.Delete(key.first, key.second);
    }
  }
  Status s = store_.Write(batch);
  if (s.ok()) {
    pending_.clear();
  }
  return s;
}

}  // namespace dealsync
