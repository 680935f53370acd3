// RocksDB implementation of Store: one column family per Column, named by
// ColumnName(); the RocksDB "default" family is unused.
//
// Key-space ownership:
//   meta "schema_version"  owned here: the decimal schema version that wrote
//                          the directory (kStoreSchemaVersion); written once at
//                          creation, checked at every open.
//   everything else        owned by the engine; the encoding of every other key
//                          is documented in src/engine/keys.h.
//
// Durability: every Write() is one rocksdb::WriteBatch with WriteOptions.sync,
// so an OK return means the batch is in the fsync'd WAL; a crash (kill -9,
// power loss) after that loses nothing, and a crash before it applies none of
// the batch.
// Thread-safety: rocksdb::DB is thread-safe; this class adds no state of its own.
#include <algorithm>
#include <charconv>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include "dealsync/store.h"

namespace dealsync {
namespace {

constexpr std::string_view kSchemaVersionKey = "schema_version";

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) {
    return DataLoss(std::move(message));
  }
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return Unavailable(std::move(message));
  }
  return Internal(std::move(message));
}

// RocksDB reports a held LOCK file as an IOError whose text names the lock
// ("lock hold by current process" or "While lock file: ... Resource temporarily unavailable").
bool IsLockHeld(const rocksdb::Status& s) {
  return s.IsIOError() && (s.ToString().find("lock") != std::string::npos ||
                           s.ToString().find("LOCK") != std::string::npos);
}

class RocksStore final : public Store {
 public:
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(std::move(db)), handles_(std::move(handles)) {}

  ~RocksStore() override {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      db_->DestroyColumnFamilyHandle(h);
    }
    // Close() flushes nothing we rely on (the WAL is synced); its status is informative only.
    db_->Close().PermitUncheckedError();
  }

  rocksdb::ColumnFamilyHandle* Handle(Column c) const { return handles_[static_cast<size_t>(c)]; }

  Result<std::optional<std::string>> Get(Column c, std::string_view key) override {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(c), rocksdb::Slice(key), &value);
    if (s.IsNotFound()) {
      return std::optional<std::string>();
    }
    if (!s.ok()) {
      return FromRocks(s, "store get from " + std::string(ColumnName(c)));
    }
    return std::optional<std::string>(value.ToString());
  }

  Status MultiGet(Column c, const std::vector<std::string>& keys,
                  std::vector<std::optional<std::string>>& out) override {
    out.assign(keys.size(), std::nullopt);
    if (keys.empty()) {
      return Status::Ok();
    }
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), Handle(c), keys.size(), slices.data(), values.data(),
                  statuses.data());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) {
        continue;
      }
      if (!statuses[i].ok()) {
        return FromRocks(statuses[i], "store multi-get from " + std::string(ColumnName(c)));
      }
      out[i] = values[i].ToString();
    }
    return Status::Ok();
  }

  Status Write(const WriteBatch& batch) override {
    if (batch.empty()) {
      return Status::Ok();
    }
    rocksdb::WriteBatch rocks_batch;
    for (const WriteBatch::Op& op : batch.ops()) {
      rocksdb::Status s = op.is_delete ? rocks_batch.Delete(Handle(op.column), op.key)
                                       : rocks_batch.Put(Handle(op.column), op.key, op.value);
      if (!s.ok()) {
        return FromRocks(s, "store batch");
      }
    }
    rocksdb::WriteOptions options;
    options.sync = true;
    rocksdb::Status s = db_->Write(options, &rocks_batch);
    if (!s.ok()) {
      return FromRocks(s, "store write of " + std::to_string(batch.size()) + " operations");
    }
    return Status::Ok();
  }

  Status Scan(Column c, std::string_view prefix, std::string_view start,
              const ScanVisitor& visit) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(c)));
    const std::string_view first = start > prefix ? start : prefix;
    for (it->Seek(rocksdb::Slice(first)); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (key.substr(0, prefix.size()) != prefix) {
        break;
      }
      if (!visit(key, std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    if (!it->status().ok()) {
      return FromRocks(it->status(), "store scan of " + std::string(ColumnName(c)));
    }
    return Status::Ok();
  }

  uint64_t ApproximateSize(Column c) override {
    uint64_t sst = 0;
    uint64_t memtables = 0;
    db_->GetIntProperty(Handle(c), "rocksdb.total-sst-files-size", &sst);
    db_->GetIntProperty(Handle(c), "rocksdb.cur-size-all-mem-tables", &memtables);
    return sst + memtables;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Column, then extras
};

// Family options: a shared block cache with index and filter blocks charged to
// it (memory stays within the budget however large the store grows), whole-key
// bloom filters (point reads of absent keys skip every file), compression, and
// for the families whose keys are deleted often (queues and indexes) a
// collector that compacts files dense with deletes so iterators skip few.
rocksdb::ColumnFamilyOptions FamilyOptions(const rocksdb::Options& db,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
                                           const StoreOptions& options, std::string_view name) {
  rocksdb::ColumnFamilyOptions cf(db);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = std::max<uint64_t>(1ull << 20, options.memtable_bytes / 4);
  cf.max_write_buffer_number = 2;
  if (options.compression) {
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = rocksdb::kZSTD;
  } else {
    cf.compression = rocksdb::kNoCompression;
  }
  if (name == "outbox" || name == "index") {
    cf.table_properties_collector_factories.push_back(
        rocksdb::NewCompactOnDeletionCollectorFactory(1024, 256));
  }
  return cf;
}

// Checks (or, for a new store, writes) the schema version.
Status CheckSchemaVersion(RocksStore& store, const std::string& dir) {
  Result<std::optional<std::string>> stored = store.Get(Column::kMeta, kSchemaVersionKey);
  if (!stored.ok()) {
    return stored.status();
  }
  if (!stored->has_value()) {
    WriteBatch batch;
    batch.Put(Column::kMeta, kSchemaVersionKey, std::to_string(kStoreSchemaVersion));
    return store.Write(batch);
  }
  const std::string& text = **stored;
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version <= 0) {
    return DataLoss("state directory " + dir + " has a corrupt schema version \"" +
                    text.substr(0, 32) + "\"");
  }
  if (version > kStoreSchemaVersion) {
    return FailedPrecondition("state directory " + dir + " was written by store schema version " +
                              std::to_string(version) + ", but this build supports up to version " +
                              std::to_string(kStoreSchemaVersion) +
                              "; run a newer dealsync or point state_dir elsewhere");
  }
  if (version < kStoreSchemaVersion) {
    return FailedPrecondition(
        "state directory " + dir + " was written by store schema version " +
        std::to_string(version) + "; this build uses version " +
        std::to_string(kStoreSchemaVersion) +
        " (a new index design) and does not convert it: move the directory aside and start "
        "with an empty state_dir (the first cycle re-reads every source and re-links by "
        "registration and counterpart ids; operator-made links and held conflicts must then "
        "be redone), or keep running the dealsync that wrote it");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenRocksStore(const std::string& dir,
                                              const StoreOptions& store_options) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.keep_log_file_num = 5;
  options.max_open_files = 512;
  // Memtables count against the block cache, so the two budgets are one bound.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(
      static_cast<size_t>(store_options.block_cache_bytes + store_options.memtable_bytes));
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(store_options.memtable_bytes), cache);
  options.max_total_wal_size = 4 * store_options.memtable_bytes;

  // Our families first (indexed by Column), then any the directory already has
  // that this build does not know (a newer schema): RocksDB refuses to open a
  // DB without naming all of them, and the schema check then explains why.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::set<std::string> ours;
  for (int i = 0; i < kColumnCount; ++i) {
    std::string name(ColumnName(static_cast<Column>(i)));
    ours.insert(name);
    families.emplace_back(name, FamilyOptions(options, cache, store_options, name));
  }
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options));
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(options, dir, &existing).ok()) {
    for (const std::string& name : existing) {
      if (name != rocksdb::kDefaultColumnFamilyName && ours.count(name) == 0) {
        families.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
      }
    }
  }

  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &handles, &raw);
  if (IsLockHeld(s)) {
    return FailedPrecondition("state directory " + dir +
                              " is in use by another dealsyncd (RocksDB lock held)");
  }
  if (s.IsIOError()) {  // permissions, missing parent, full disk: an operator must act
    return FailedPrecondition("opening state directory " + dir + ": " + s.ToString());
  }
  if (!s.ok()) {
    return FromRocks(s, "opening state directory " + dir);
  }
  auto store = std::make_unique<RocksStore>(std::unique_ptr<rocksdb::DB>(raw), std::move(handles));
  DEALSYNC_RETURN_IF_ERROR(CheckSchemaVersion(*store, dir));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace dealsync
