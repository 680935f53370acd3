// Txn: reads through a pending WriteBatch. The engine stages one whole step
// (journal + records + cursor + links + decisions + outbox) in a Txn, reading
// its own writes, and commits it as ONE WriteBatch, so a crash leaves either
// all of the step or none of it.
//
// A Txn also remembers what it read from the store (a key is read at most once
// per step; Prefetch reads many keys of a page in one MultiGet) and keeps the
// decoded records the engine loads and saves, so a record touched several
// times in one step is decoded once and encoded once, at Commit.
// Thread-safety: none; one Txn per operation.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dealsync/store.h"
#include "src/engine/records.h"

namespace dealsync {

class Txn {
 public:
  explicit Txn(Store& store) : store_(store) {}
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Result<std::optional<std::string>> Get(Column c, std::string_view key);
  // Reads every key of `keys` not yet pending or read, in one MultiGet.
  Status Prefetch(Column c, const std::vector<std::string>& keys);
  void Put(Column c, std::string_view key, std::string_view value);
  void Delete(Column c, std::string_view key);
  // Visits the merged view (store + pending writes) of keys starting with `prefix`.
  Status Scan(Column c, std::string_view prefix, const ScanVisitor& visit);

  // Decoded records by record key (keys.h): nullptr when not loaded in this
  // step; a loaded absent record is an empty optional.
  std::optional<StoredRecord>* CachedRecord(std::string_view key);
  void CacheRecord(std::string_view key, std::optional<StoredRecord> r);
  // Stages `r` (encoded at Commit).
  void SaveRecord(std::string_view key, StoredRecord r);

  bool empty() const { return pending_.empty() && dirty_records_.empty(); }
  // Writes every pending change as one batch.
  Status Commit();

 private:
  using Key = std::pair<Column, std::string>;
  void FlushRecords();

  Store& store_;
  std::map<Key, std::optional<std::string>> pending_;  // nullopt = delete
  std::array<std::unordered_map<std::string, std::optional<std::string>>, kColumnCount> read_;
  std::unordered_map<std::string, std::optional<StoredRecord>> records_;
  std::unordered_set<std::string> dirty_records_;
};

}  // namespace dealsync
