// CountingStore: the Store the engine writes through. It keeps the engine's
// gauges (outbox depth, dead letters, links, unlinked, ambiguous and rejected
// records, conflicts by status) current in the same WriteBatch as every change that
// moves them (meta "counters"), so reading them costs one lookup in memory at
// any store size. It also drops deletes of keys it knows to be absent, so
// queues and indexes do not collect tombstones for iterators to skip.
//
// The same gauges are kept per owning source as well: outbox entries and dead
// letters by target, links and conflicts by partner, unlinked, ambiguous and
// rejected records by source (meta "counters/source" \0 <id>, written only for the
// sources a batch moves).
//
// The counters are read once (or, when the key is missing, recounted by one
// scan) and then kept in memory. Every write of the engine's state must go
// through one CountingStore (one engine per store directory; RocksDB's lock
// keeps other processes out).
// Thread-safety: Get/MultiGet/Scan from any thread; Write is serialised.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "dealsync/store.h"

namespace dealsync {

enum class Gauge : uint8_t {
  kOutbox = 0,
  kDeadLetters,
  kLinks,
  kUnlinked,
  kAmbiguous,
  kConflictsAutoResolved,
  kConflictsHeld,
  kConflictsResolvedByOperator,
  kRejected,
};
inline constexpr size_t kGaugeCount = 9;
using Gauges = std::array<int64_t, kGaugeCount>;
using SourceGauges = std::map<std::string, Gauges, std::less<>>;

class CountingStore final : public Store {
 public:
  explicit CountingStore(Store& base) : base_(base) {}

  Result<std::optional<std::string>> Get(Column c, std::string_view key) override;
  Status MultiGet(Column c, const std::vector<std::string>& keys,
                  std::vector<std::optional<std::string>>& out) override;
  Status Write(const WriteBatch& batch) override;
  using Store::Scan;
  Status Scan(Column c, std::string_view prefix, std::string_view start,
              const ScanVisitor& visit) override {
    return base_.Scan(c, prefix, start, visit);
  }
  uint64_t ApproximateSize(Column c) override { return base_.ApproximateSize(c); }

  // The gauges as of the last write: in all, and per source (sources whose
  // gauges are all zero are absent).
  Result<Gauges> Current();
  Result<SourceGauges> CurrentBySource();

 private:
  using Cache =
      std::array<std::unordered_map<std::string, std::optional<std::string>>, kColumnCount>;
  void Remember(Column c, std::string_view key, const std::optional<std::string>& value,
                uint64_t generation);
  Status LoadLocked();
  Status RecountLocked(Gauges& g, SourceGauges& by_source);

  Store& base_;
  std::mutex mu_;
  std::optional<Gauges> gauges_;  // guarded by mu_
  SourceGauges by_source_;        // guarded by mu_; loaded with gauges_
  bool persisted_ = false;        // guarded by mu_: meta holds gauges_ and by_source_
  uint64_t generation_ = 0;       // guarded by mu_; bumped by every write
  Cache read_;                    // guarded by mu_: values read since the last write
};

}  // namespace dealsync
