#include "src/engine/txn.h"

#include "src/engine/records_json.h"

namespace dealsync {

Result<std::optional<std::string>> Txn::Get(Column c, std::string_view key) {
  if (c == Column::kRecords) {
    FlushRecords();
  }
  auto it = pending_.find(Key(c, std::string(key)));
  if (it != pending_.end()) {
    return it->second;
  }
  auto& cache = read_[static_cast<size_t>(c)];
  if (auto hit = cache.find(std::string(key)); hit != cache.end()) {
    return hit->second;
  }
  Result<std::optional<std::string>> v = store_.Get(c, key);
  if (v.ok()) {
    cache.emplace(std::string(key), *v);
  }
  return v;
}

Status Txn::Prefetch(Column c, const std::vector<std::string>& keys) {
  auto& cache = read_[static_cast<size_t>(c)];
  std::vector<std::string> wanted;
  for (const std::string& k : keys) {
    if (cache.count(k) == 0 && pending_.count(Key(c, k)) == 0) {
      wanted.push_back(k);
    }
  }
  if (wanted.empty()) {
    return Status::Ok();
  }
  std::vector<std::optional<std::string>> values;
  DEALSYNC_RETURN_IF_ERROR(store_.MultiGet(c, wanted, values));
  for (size_t i = 0; i < wanted.size(); ++i) {
    cache.emplace(std::move(wanted[i]), std::move(values[i]));
  }
  return Status::Ok();
}

void Txn::Put(Column c, std::string_view key, std::string_view value) {
  pending_[Key(c, std::string(key))] = std::string(value);
}

void Txn::Delete(Column c, std::string_view key) {
  pending_[Key(c, std::string(key))] = std::nullopt;
}

std::optional<StoredRecord>* Txn::CachedRecord(std::string_view key) {
  auto it = records_.find(std::string(key));
  return it == records_.end() ? nullptr : &it->second;
}

void Txn::CacheRecord(std::string_view key, std::optional<StoredRecord> r) {
  records_[std::string(key)] = std::move(r);
}

void Txn::SaveRecord(std::string_view key, StoredRecord r) {
  std::string k(key);
  records_[k] = std::move(r);
  dirty_records_.insert(std::move(k));
}

void Txn::FlushRecords() {
  for (const std::string& k : dirty_records_) {
    pending_[Key(Column::kRecords, k)] = EncodeRecord(*records_.at(k));
  }
  dirty_records_.clear();
}

Status Txn::Scan(Column c, std::string_view prefix, const ScanVisitor& visit) {
  if (c == Column::kRecords) {
    FlushRecords();
  }
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
  FlushRecords();
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
    for (auto& cache : read_) {
      cache.clear();
    }
    records_.clear();
  }
  return s;
}

}  // namespace dealsync
