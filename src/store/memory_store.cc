#include "src/store/memory_store.h"

#include <vector>

namespace dealsync {

Result<std::optional<std::string>> MemoryStore::Get(Column c, std::string_view key) {
  std::lock_guard lock(mu_);
  auto& column = columns_[static_cast<size_t>(c)];
  auto it = column.find(key);
  if (it == column.end()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(it->second);
}

Status MemoryStore::Write(const WriteBatch& batch) {
  std::lock_guard lock(mu_);
  if (writes_before_failing_ > 0) {
    --writes_before_failing_;
  } else if (failing_writes_ > 0) {
    --failing_writes_;
    return Unavailable("injected write failure");
  }
  for (const auto& op : batch.ops()) {
    auto& column = columns_[static_cast<size_t>(op.column)];
    if (op.is_delete) {
      column.erase(op.key);
    } else {
      column[op.key] = op.value;
    }
  }
  return Status::Ok();
}

Status MemoryStore::Scan(Column c, std::string_view prefix, std::string_view start,
                         const ScanVisitor& visit) {
  // Copy the range first so the visitor may write to the store.
  std::vector<std::pair<std::string, std::string>> rows;
  {
    std::lock_guard lock(mu_);
    auto& column = columns_[static_cast<size_t>(c)];
    std::string_view from = start < prefix ? prefix : start;
    for (auto it = column.lower_bound(from); it != column.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) {
        break;
      }
      rows.emplace_back(it->first, it->second);
    }
  }
  for (const auto& [key, value] : rows) {
    if (!visit(key, value)) {
      break;
    }
  }
  return Status::Ok();
}

uint64_t MemoryStore::ApproximateSize(Column c) {
  std::lock_guard lock(mu_);
  uint64_t bytes = 0;
  for (const auto& [key, value] : columns_[static_cast<size_t>(c)]) {
    bytes += key.size() + value.size();
  }
  return bytes;
}

void MemoryStore::FailNextWrites(int n, int after) {
  std::lock_guard lock(mu_);
  failing_writes_ = n;
  writes_before_failing_ = after;
}

size_t MemoryStore::Count(Column c) {
  std::lock_guard lock(mu_);
  return columns_[static_cast<size_t>(c)].size();
}

}  // namespace dealsync
