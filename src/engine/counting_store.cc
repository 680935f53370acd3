#include "src/engine/counting_store.h"

#include "src/engine/keys.h"
#include "src/engine/records_json.h"

namespace dealsync {

namespace keys = engine_keys;

namespace {

constexpr std::string_view kCountersKey = "counters";

// The gauge a key counts towards, judged by its value: nullopt when the key is
// not counted. For conflicts the gauge depends on the stored status.
std::optional<Gauge> GaugeOf(Column c, std::string_view key, std::string_view value) {
  switch (c) {
    case Column::kOutbox:
      return Gauge::kOutbox;
    case Column::kLinks:
      return Gauge::kLinks;
    case Column::kIndex:
      if (key.starts_with(std::string_view("dead\0", 5))) {
        return Gauge::kDeadLetters;
      }
      if (key.starts_with(std::string_view("unl\0", 4))) {
        return Gauge::kUnlinked;
      }
      if (key.starts_with(std::string_view("amb\0", 4))) {
        return Gauge::kAmbiguous;
      }
      return std::nullopt;
    case Column::kConflicts: {
      Result<Conflict> conflict = DecodeConflict(value);
      if (!conflict.ok()) {
        return std::nullopt;  // unreadable: not counted (reads of it report the damage)
      }
      switch (conflict->status) {
        case ConflictStatus::kAutoResolved:
          return Gauge::kConflictsAutoResolved;
        case ConflictStatus::kHeldForReview:
          return Gauge::kConflictsHeld;
        case ConflictStatus::kResolvedByOperator:
          return Gauge::kConflictsResolvedByOperator;
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
             key.starts_with(std::string_view("amb\0", 4));
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

Status CountingStore::RecountLocked(Gauges& g) {
  g.fill(0);
  for (Column c : {Column::kOutbox, Column::kLinks, Column::kIndex, Column::kConflicts}) {
    Status s = base_.Scan(c, "", [&](std::string_view k, std::string_view v) {
      if (Counted(c, k)) {
        if (std::optional<Gauge> gauge = GaugeOf(c, k, v)) {
          ++g[static_cast<size_t>(*gauge)];
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
  Gauges g{};
  if (*raw && (*raw)->size() == 8 * kGaugeCount) {
    for (size_t i = 0; i < kGaugeCount; ++i) {
      g[i] = static_cast<int64_t>(keys::DecodeSeq(std::string_view(**raw).substr(8 * i, 8)));
    }
    persisted_ = true;
  } else {
    DEALSYNC_RETURN_IF_ERROR(RecountLocked(g));
  }
  gauges_ = g;
  return Status::Ok();
}

Result<Gauges> CountingStore::Current() {
  std::lock_guard lock(mu_);
  DEALSYNC_RETURN_IF_ERROR(LoadLocked());
  return *gauges_;
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
      if (std::optional<Gauge> g = GaugeOf(op.column, op.key, *prior)) {
        --next[static_cast<size_t>(*g)];
      }
    }
    if (op.is_delete) {
      prior.reset();
      out.Delete(op.column, op.key);
    } else {
      if (std::optional<Gauge> g = GaugeOf(op.column, op.key, op.value)) {
        ++next[static_cast<size_t>(*g)];
      }
      prior = op.value;
      out.Put(op.column, op.key, op.value);
    }
  }
  const bool persist = !persisted_ || (counted_any && next != *gauges_);
  if (persist) {
    out.Put(Column::kMeta, kCountersKey, EncodeGauges(next));
  }
  Status s = base_.Write(out);
  ++generation_;
  for (auto& cache : read_) {
    cache.clear();
  }
  if (s.ok()) {
    gauges_ = next;
    persisted_ = persisted_ || persist;
  }
  return s;
}

}  // namespace dealsync
