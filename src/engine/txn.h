// Txn: reads through a pending WriteBatch. The engine stages one whole step
// (journal + records + cursor + links + decisions + outbox) in a Txn, reading
// its own writes, and commits it as ONE WriteBatch, so a crash leaves either
// all of the step or none of it.
// Thread-safety: none; one Txn per operation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "dealsync/store.h"

namespace dealsync {

class Txn {
 public:
  explicit Txn(Store& store) : store_(store) {}
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Result<std::optional<std::string>> Get(Column c, std::string_view key);
  void Put(Column c, std::string_view key, std::string_view value);
  void Delete(Column c, std::string_view key);
  // Visits the merged view (store + pending writes) of keys starting with `prefix`.
  Status Scan(Column c, std::string_view prefix, const ScanVisitor& visit);

  bool empty() const { return pending_.empty(); }
  // Writes every pending change as one batch.
  Status Commit();

 private:
  using Key = std::pair<Column, std::string>;
  Store& store_;
  std::map<Key, std::optional<std::string>> pending_;  // nullopt = delete
};

}  // namespace dealsync
