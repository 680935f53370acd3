#include "src/engine/counting_store.h"

#include <algorithm>

#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

constexpr std::string_view kCountersKey = "counters";
// Present once the per-source counters below are kept (stores written before
// them are recounted once).
constexpr std::string_view kBySourceMarkerKey = "counters/by_source";
const std::string kBySourcePrefix = std::string("counters/source") + '\0';

// A counted key's gauge and the source it belongs to.
struct CountedAs {
  Gauge gauge;
  std::string source;
};

// The component of an index key after its kind ("dead\0<target>\0<id>").
std::string SecondComponent(std::string_view key) {
  const size_t start = key.find('\0') + 1;
  return std::string(key.substr(start, key.find('\0', start) - start));
}

// What a key counts towards, judged by its value: nullopt when the key is not
// counted. For conflicts the gauge depends on the stored status.
std::optional<CountedAs> GaugeOf(Column c, std::string_view key, std::string_view value) {
  switch (c) {
    case Column::kOutbox:  // target \0 native_id
      return CountedAs{Gauge::kOutbox, std::string(key.substr(0, key.find('\0')))};
    case Column::kLinks:  // "<partner>/<vendor id>/<partner id>"
      return CountedAs{Gauge::kLinks, std::string(key.substr(0, key.find('/')))};
    case Column::kIndex:
      if (key.starts_with(std::string_view("dead\0", 5))) {
        return CountedAs{Gauge::kDeadLetters, SecondComponent(key)};
      }
      if (key.starts_with(std::string_view("unl\0", 4))) {
        return CountedAs{Gauge::kUnlinked, SecondComponent(key)};
      }
      if (key.starts_with(std::string_view("amb\0", 4))) {
        return CountedAs{Gauge::kAmbiguous, SecondComponent(key)};
      }
      if (key.starts_with(std::string_view("rjt\0", 4))) {
        return CountedAs{Gauge::kRejected, SecondComponent(key)};
      }
      return std::nullopt;
    case Column::kConflicts: {
      Result<Conflict> conflict = DecodeConflict(value);
      if (!conflict.ok()) {
        return std::nullopt;  // unreadable: not counted (reads of it report the damage)
      }
      switch (conflict->status) {
        case ConflictStatus::kAutoResolved:
          return CountedAs{Gauge::kConflictsAutoResolved, conflict->partner};
        case ConflictStatus::kHeldForReview:
          return CountedAs{Gauge::kConflictsHeld, conflict->partner};
        case ConflictStatus::kResolvedByOperator:
          return CountedAs{Gauge::kConflictsResolvedByOperator, conflict->partner};
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

bool Counted(Column c, std::string_view key) {
  switch (c) {
    case Column::kOutbox:
    case Column::kLinks:
    case Column::kConflicts:
      return true;
    case Column::kIndex:
      return key.starts_with(std::string_view("dead\0", 5)) ||
             key.starts_with(std::string_view("unl\0", 4)) ||
             key.starts_with(std::string_view("amb\0", 4)) ||
             key.starts_with(std::string_view("rjt\0", 4));
    default:
      return false;
  }
}

std::string EncodeGauges(const Gauges& g) {
  std::string out;
  for (int64_t v : g) {
    out += keys::EncodeSeq(static_cast<uint64_t>(v));
  }
  return out;
}

std::optional<Gauges> DecodeGauges(std::string_view raw) {
  if (raw.size() != 8 * kGaugeCount) {
    return std::nullopt;
  }
  Gauges g{};
  for (size_t i = 0; i < kGaugeCount; ++i) {
    g[i] = static_cast<int64_t>(keys::DecodeSeq(raw.substr(8 * i, 8)));
  }
  return g;
}

bool AllZero(const Gauges& g) {
  return std::all_of(g.begin(), g.end(), [](int64_t v) { return v == 0; });
}

}  // namespace

void CountingStore::Remember(Column c, std::string_view key,
                             const std::optional<std::string>& value, uint64_t generation) {
  std::lock_guard lock(mu_);
  if (generation == generation_) {
    read_[static_cast<size_t>(c)].insert_or_assign(std::string(key), value);
  }
}

Result<std::optional<std::string>> CountingStore::Get(Column c, std::string_view key) {
  if (!Counted(c, key)) {
    return base_.Get(c, key);
  }
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  Result<std::optional<std::string>> v = base_.Get(c, key);
  if (v.ok()) {
    Remember(c, key, *v, generation);
  }
  return v;
}

Status CountingStore::MultiGet(Column c, const std::vector<std::string>& keys,
                               std::vector<std::optional<std::string>>& out) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  DEALSYNC_RETURN_IF_ERROR(base_.MultiGet(c, keys, out));
  for (size_t i = 0; i < keys.size(); ++i) {
    if (Counted(c, keys[i])) {
      Remember(c, keys[i], out[i], generation);
    }
  }
  return Status::Ok();
}

Status CountingStore::RecountLocked(Gauges& g, SourceGauges& by_source) {
  g.fill(0);
  by_source.clear();
  for (Column c : {Column::kOutbox, Column::kLinks, Column::kIndex, Column::kConflicts}) {
    Status s = base_.Scan(c, "", [&](std::string_view k, std::string_view v) {
      if (Counted(c, k)) {
        if (std::optional<CountedAs> counted = GaugeOf(c, k, v)) {
          ++g[static_cast<size_t>(counted->gauge)];
          ++by_source[counted->source][static_cast<size_t>(counted->gauge)];
        }
      }
      return true;
    });
    DEALSYNC_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

Status CountingStore::LoadLocked() {
  if (gauges_) {
    return Status::Ok();
  }
  Result<std::optional<std::string>> raw = base_.Get(Column::kMeta, kCountersKey);
  if (!raw.ok()) {
    return raw.status();
  }
  Result<std::optional<std::string>> marker = base_.Get(Column::kMeta, kBySourceMarkerKey);
  if (!marker.ok()) {
    return marker.status();
  }
  std::optional<Gauges> g = *raw ? DecodeGauges(**raw) : std::nullopt;
  SourceGauges by_source;
  if (g && *marker) {
    Status scan =
        base_.Scan(Column::kMeta, kBySourcePrefix, [&](std::string_view k, std::string_view v) {
          if (std::optional<Gauges> source = DecodeGauges(v)) {
            by_source.emplace(k.substr(kBySourcePrefix.size()), *source);
          }
          return true;
        });
    DEALSYNC_RETURN_IF_ERROR(scan);
    persisted_ = true;
  } else {
    g.emplace();
    DEALSYNC_RETURN_IF_ERROR(RecountLocked(*g, by_source));
  }
  gauges_ = *g;
  by_source_ = std::move(by_source);
  return Status::Ok();
}

Result<Gauges> CountingStore::Current() {
  std::lock_guard lock(mu_);
  DEALSYNC_RETURN_IF_ERROR(LoadLocked());
  return *gauges_;
}

Result<SourceGauges> CountingStore::CurrentBySource() {
  std::lock_guard lock(mu_);
  DEALSYNC_RETURN_IF_ERROR(LoadLocked());
  return by_source_;
}

Status CountingStore::Write(const WriteBatch& batch) {
  std::lock_guard lock(mu_);
  DEALSYNC_RETURN_IF_ERROR(LoadLocked());
  // Prior values of the counted keys: read in this step already, or now.
  std::array<std::vector<std::string>, kColumnCount> missing;
  for (const WriteBatch::Op& op : batch.ops()) {
    const auto ci = static_cast<size_t>(op.column);
    if (Counted(op.column, op.key) && read_[ci].count(op.key) == 0) {
      missing[ci].push_back(op.key);
      read_[ci].emplace(op.key, std::nullopt);  // placeholder, filled below
    }
  }
  for (size_t ci = 0; ci < kColumnCount; ++ci) {
    if (missing[ci].empty()) {
      continue;
    }
    std::vector<std::optional<std::string>> values;
    Status s = base_.MultiGet(static_cast<Column>(ci), missing[ci], values);
    if (!s.ok()) {
      for (auto& cache : read_) {
        cache.clear();
      }
      return s;
    }
    for (size_t i = 0; i < missing[ci].size(); ++i) {
      read_[ci][missing[ci][i]] = std::move(values[i]);
    }
  }
  Gauges next = *gauges_;
  SourceGauges touched;  // the sources this batch moves, with their new values
  auto bump = [&](const CountedAs& counted, int64_t by) {
    next[static_cast<size_t>(counted.gauge)] += by;
    auto it = touched.find(counted.source);
    if (it == touched.end()) {
      auto known = by_source_.find(counted.source);
      it = touched.emplace(counted.source, known != by_source_.end() ? known->second : Gauges{})
               .first;
    }
    it->second[static_cast<size_t>(counted.gauge)] += by;
  };
  WriteBatch out;
  // Keys may repeat within a batch: track each key's value as the batch goes.
  std::array<std::unordered_map<std::string, std::optional<std::string>>, kColumnCount> current;
  bool counted_any = false;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (!Counted(op.column, op.key)) {
      if (op.is_delete) {
        out.Delete(op.column, op.key);
      } else {
        out.Put(op.column, op.key, op.value);
      }
      continue;
    }
    counted_any = true;
    const auto ci = static_cast<size_t>(op.column);
    auto it = current[ci].find(op.key);
    if (it == current[ci].end()) {
      it = current[ci].emplace(op.key, read_[ci].at(op.key)).first;
    }
    std::optional<std::string>& prior = it->second;
    if (op.is_delete && !prior) {
      continue;  // absent already: no tombstone
    }
    if (prior) {
      if (std::optional<CountedAs> counted = GaugeOf(op.column, op.key, *prior)) {
        bump(*counted, -1);
      }
    }
    if (op.is_delete) {
      prior.reset();
      out.Delete(op.column, op.key);
    } else {
      if (std::optional<CountedAs> counted = GaugeOf(op.column, op.key, op.value)) {
        bump(*counted, +1);
      }
      prior = op.value;
      out.Put(op.column, op.key, op.value);
    }
  }
  const bool persist = !persisted_ || (counted_any && next != *gauges_);
  if (persist) {
    out.Put(Column::kMeta, kCountersKey, EncodeGauges(next));
  }
  if (!persisted_) {  // every source's gauges, and the marker saying they are kept
    for (const auto& [source, g] : by_source_) {
      if (!touched.contains(source)) {
        out.Put(Column::kMeta, kBySourcePrefix + source, EncodeGauges(g));
      }
    }
    out.Put(Column::kMeta, kBySourceMarkerKey, "1");
  }
  for (const auto& [source, g] : touched) {
    auto known = by_source_.find(source);
    if (persisted_ && known != by_source_.end() && known->second == g) {
      continue;
    }
    if (AllZero(g)) {
      if (known != by_source_.end()) {
        out.Delete(Column::kMeta, kBySourcePrefix + source);
      }
    } else {
      out.Put(Column::kMeta, kBySourcePrefix + source, EncodeGauges(g));
    }
  }
  Status s = base_.Write(out);
  ++generation_;
  for (auto& cache : read_) {
    cache.clear();
  }
  if (s.ok()) {
    gauges_ = next;
    for (auto& [source, g] : touched) {
      if (AllZero(g)) {
        by_source_.erase(source);
      } else {
        by_source_[source] = g;
      }
    }
    persisted_ = persisted_ || persist;
  }
  return s;
}

}  // namespace dealsync
