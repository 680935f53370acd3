// MemoryStore: a Store held in std::maps, for unit tests. Write() is atomic
// (all ops applied under one lock). FailNextWrites(n) injects write failures.
#pragma once

#include <array>
#include <map>
#include <mutex>

#include "dealsync/store.h"

namespace dealsync {

class MemoryStore final : public Store {
 public:
  Result<std::optional<std::string>> Get(Column c, std::string_view key) override;
  Status Write(const WriteBatch& batch) override;
  using Store::Scan;
  Status Scan(Column c, std::string_view prefix, std::string_view start,
              const ScanVisitor& visit) override;
  uint64_t ApproximateSize(Column c) override;

  // After `after` more successful Write() calls, the next `n` fail with
  // kUnavailable and change nothing.
  void FailNextWrites(int n, int after = 0);
  size_t Count(Column c);

 private:
  std::mutex mu_;
  std::array<std::map<std::string, std::string, std::less<>>, kColumnCount> columns_;
  int failing_writes_ = 0;
  int writes_before_failing_ = 0;
};

}  // namespace dealsync
