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
//
// Storage faults. A failed WAL append (disk full, I/O error) puts RocksDB in a
// "background error" state in which every write fails and nothing is applied;
// RocksDB's own recovery clears a no-space error once write_buffer_bytes are
// free again, and Write() calls DB::Resume() first after any failure, so
// writes resume without a restart. RocksDB's info log goes to spdlog (logger
// "store", warnings and errors only) instead of a LOG file in the state
// directory: that file is the first casualty of a full disk, and Debian's
// librocksdb asserts (aborts the process) on the next line written to a log
// file that has seen a write error, at shutdown and again at every start.
// Preallocation is off (allow_fallocate = false): a preallocated WAL reserves
// ~1.1 x write_buffer_size per log, invisible in file sizes, which is what
// fills a small file system unnoticed.
//
// Read-only views (StoreOptions::read_only) are RocksDB secondary instances:
// unlike DB::OpenForReadOnly, a secondary is made for a primary that keeps
// writing, flushing and compacting meanwhile (it keeps every table file open,
// max_open_files = -1, so a compaction cannot delete one under its reads, and
// it replays the primary's WAL, so it sees every synced batch). It is caught
// up once at open and then never moves: one consistent view for a command.
// Its own files (RocksDB wants a directory for them) go to a temporary
// directory removed when the view closes; the state directory is not touched.
// Thread-safety: rocksdb::DB is thread-safe; the fault flags are atomics.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
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
  if (s.IsNoSpace()) {  // back off; it clears once space is freed
    return ResourceExhausted(std::move(message) +
                             " (free space on the state directory's file system)");
  }
  if (s.IsIOError()) {  // local I/O: retry after a short backoff, an operator may have to act
    return Unavailable(std::move(message));
  }
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return Unavailable(std::move(message));
  }
  return Internal(std::move(message));
}

// RocksDB's info log, forwarded to spdlog (see the file comment).
class SpdlogRocksLogger final : public rocksdb::Logger {
 public:
  SpdlogRocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) {
      return;
    }
    char buffer[1024];
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, copy);
    va_end(copy);
    if (n < 0) {
      return;
    }
    std::string_view text(buffer, std::min(static_cast<size_t>(n), sizeof(buffer) - 1));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.remove_suffix(1);
    }
    auto log = Log();
    // Opening a state directory that does not exist yet, RocksDB reports the
    // directory it is about to create as an error; a first start has none.
    if (level == rocksdb::InfoLogLevel::ERROR_LEVEL && text.rfind("Error when reading ", 0) == 0 &&
        text.find(" dir NotFound") != std::string_view::npos) {
      log->debug("rocksdb: {}", text);
      return;
    }
    switch (level) {
      case rocksdb::InfoLogLevel::DEBUG_LEVEL:
        log->debug("rocksdb: {}", text);
        break;
      case rocksdb::InfoLogLevel::INFO_LEVEL:
      case rocksdb::InfoLogLevel::HEADER_LEVEL:
        log->info("rocksdb: {}", text);
        break;
      case rocksdb::InfoLogLevel::WARN_LEVEL:
        log->warn("rocksdb: {}", text);
        break;
      default:
        log->error("rocksdb: {}", text);
        break;
    }
  }

 private:
  // The store's logger: a clone of the default one (same sinks), made once.
  static std::shared_ptr<spdlog::logger> Log() {
    static std::once_flag once;
    static std::shared_ptr<spdlog::logger> logger;
    std::call_once(once, [] { logger = spdlog::default_logger()->clone("store"); });
    return logger;
  }
};

// RocksDB reports a held LOCK file as an IOError whose text names the lock
// ("lock hold by current process" or "While lock file: ... Resource temporarily
// unavailable"). Other failures to open the LOCK file (a read-only or
// unwritable directory: "while open a file for lock: ...") are not "in use".
bool IsLockHeld(const rocksdb::Status& s) {
  const std::string text = s.ToString();
  return s.IsIOError() && (text.find("lock hold by current process") != std::string::npos ||
                           (text.find("While lock file") != std::string::npos &&
                            text.find("Resource temporarily unavailable") != std::string::npos));
}

class RocksStore final : public Store {
 public:
  // `secondary_dir`: a read-only view's own directory (removed at close), else "".
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             std::string dir, StoreOptions options, std::string secondary_dir = "")
      : db_(std::move(db)),
        handles_(std::move(handles)),
        dir_(std::move(dir)),
        options_(options),
        secondary_dir_(std::move(secondary_dir)) {}

  ~RocksStore() override {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      db_->DestroyColumnFamilyHandle(h);
    }
    // Close() flushes nothing we rely on (the WAL is synced); its status is informative only.
    db_->Close().PermitUncheckedError();
    db_.reset();
    if (!secondary_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(secondary_dir_, ignored);
    }
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
    if (options_.read_only) {
      return FailedPrecondition("state directory " + dir_ +
                                " is open as a read-only view; dealsyncd makes every change "
                                "(through its admin API while it runs)");
    }
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
    if (write_failing_.load()) {
      // Clears a background error whose cause is gone. Busy: RocksDB's own
      // recovery is under way; the write below then reports the error again.
      db_->Resume().PermitUncheckedError();
    }
    rocksdb::WriteOptions options;
    options.sync = true;
    rocksdb::Status s = db_->Write(options, &rocks_batch);
    if (!s.ok()) {
      Status error =
          FromRocks(s, "store write of " + std::to_string(batch.size()) + " operations in " + dir_);
      RecordWriteFailure(error);
      return error;
    }
    if (write_failing_.exchange(false)) {
      spdlog::info("store: writes to {} succeed again", dir_);
      std::lock_guard lock(mu_);
      last_error_ = Status::Ok();
    }
    return Status::Ok();
  }

  StoreHealth Health() override {
    StoreHealth health;
    struct statvfs fs {};
    if (::statvfs(dir_.c_str(), &fs) == 0) {
      health.free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
      health.low_space = *health.free_bytes < options_.free_space_warning_bytes;
    }
    const bool was_low = low_space_.exchange(health.low_space);
    if (health.low_space && !was_low) {
      spdlog::warn(
          "store: only {} MiB free on the file system holding {} (warning below {} MiB); "
          "writes fail when it is full",
          *health.free_bytes >> 20, dir_, options_.free_space_warning_bytes >> 20);
    }
    if (write_failing_.load()) {
      std::lock_guard lock(mu_);
      health.status = last_error_;
    }
    return health;
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
  void RecordWriteFailure(const Status& error) {
    if (!write_failing_.exchange(true)) {
      spdlog::error("store: writes are failing, nothing is applied until they succeed: {}",
                    error.ToString());
    }
    std::lock_guard lock(mu_);
    last_error_ = error;
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Column, then extras
  const std::string dir_;
  const StoreOptions options_;
  const std::string secondary_dir_;
  std::atomic<bool> write_failing_{false};
  std::atomic<bool> low_space_{false};
  std::mutex mu_;
  Status last_error_;  // guarded by mu_; meaningful while write_failing_
};

// Family options: a shared block cache with index and filter blocks charged to
// it (memory stays within the budget however large the store grows), whole-key
// bloom filters (point reads of absent keys skip every file), compression, and
// for the families whose keys are deleted often (queues, indexes and the
// pruned journal) a collector that compacts files dense with deletes, so
// iterators skip few and pruned entries free their space.
// The memtable size of every family (the unused "default" one too): RocksDB
// clears a "no space" error by itself only once the largest of them is free.
size_t WriteBufferBytes(const StoreOptions& options) {
  return static_cast<size_t>(options.write_buffer_bytes != 0
                                 ? options.write_buffer_bytes
                                 : std::max<uint64_t>(1ull << 20, options.memtable_bytes / 4));
}

rocksdb::ColumnFamilyOptions FamilyOptions(const rocksdb::Options& db,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
                                           const StoreOptions& options, std::string_view name) {
  rocksdb::ColumnFamilyOptions cf(db);  // write_buffer_size: WriteBufferBytes()
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.max_write_buffer_number = 2;
  if (options.compression) {
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = rocksdb::kZSTD;
  } else {
    cf.compression = rocksdb::kNoCompression;
  }
  if (name == "outbox" || name == "index" || name == "journal") {
    cf.table_properties_collector_factories.push_back(
        rocksdb::NewCompactOnDeletionCollectorFactory(1024, 256));
  }
  return cf;
}

// Checks (or, for a new store, writes) the schema version.
Status CheckSchemaVersion(RocksStore& store, const std::string& dir, bool read_only) {
  Result<std::optional<std::string>> stored = store.Get(Column::kMeta, kSchemaVersionKey);
  if (!stored.ok()) {
    return stored.status();
  }
  if (!stored->has_value()) {
    if (read_only) {
      return Status::Ok();  // created a moment ago by its writer, which writes the version next
    }
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

Result<std::unique_ptr<Store>> OpenRocksView(const std::string& dir,
                                             const StoreOptions& store_options) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    return NotFound("state directory " + dir + " holds no store yet (dealsyncd creates it)");
  }
  rocksdb::Options options;
  options.info_log = std::make_shared<SpdlogRocksLogger>();
  options.max_open_files = -1;  // required of a secondary: see the file comment
  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(static_cast<size_t>(store_options.block_cache_bytes));
  std::vector<std::string> existing;
  if (rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, dir, &existing); !s.ok()) {
    return FailedPrecondition("reading state directory " + dir + ": " + s.ToString());
  }
  const std::set<std::string> present(existing.begin(), existing.end());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < kColumnCount; ++i) {
    std::string name(ColumnName(static_cast<Column>(i)));
    if (present.count(name) == 0) {
      // Only a store older than the column families (or not a dealsync store).
      return FailedPrecondition("state directory " + dir + " has no column family \"" + name +
                                "\"; it is not a store of this dealsync");
    }
    families.emplace_back(name, FamilyOptions(options, cache, store_options, name));
  }
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options));

  std::string secondary =
      (std::filesystem::temp_directory_path(ec) / "dealsync-view-XXXXXX").string();
  if (ec || ::mkdtemp(secondary.data()) == nullptr) {
    return FailedPrecondition("cannot make a temporary directory for a read-only view of " + dir);
  }
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::OpenAsSecondary(options, dir, secondary, families, &handles, &raw);
  if (s.ok()) {
    s = raw->TryCatchUpWithPrimary();
    if (!s.ok()) {
      for (rocksdb::ColumnFamilyHandle* h : handles) {
        raw->DestroyColumnFamilyHandle(h);
      }
      delete raw;
    }
  }
  if (!s.ok()) {
    std::filesystem::remove_all(secondary, ec);
    return FailedPrecondition("opening a read-only view of state directory " + dir + ": " +
                              s.ToString());
  }
  StoreOptions view_options = store_options;
  view_options.read_only = true;
  auto store = std::make_unique<RocksStore>(std::unique_ptr<rocksdb::DB>(raw), std::move(handles),
                                            dir, view_options, secondary);
  DEALSYNC_RETURN_IF_ERROR(CheckSchemaVersion(*store, dir, /*read_only=*/true));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace

bool RocksStoreInUse(const std::string& dir) {
  const std::string lock = dir + "/LOCK";
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  // RocksDB holds a POSIX write lock on the whole LOCK file; F_GETLK reports
  // another process's lock without taking one.
  struct flock query {};
  query.l_type = F_WRLCK;
  query.l_whence = SEEK_SET;
  query.l_start = 0;
  query.l_len = 0;
  const bool held = ::fcntl(fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

Result<std::unique_ptr<Store>> OpenRocksStore(const std::string& dir,
                                              const StoreOptions& store_options) {
  if (store_options.read_only) {
    return OpenRocksView(dir, store_options);
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.info_log = std::make_shared<SpdlogRocksLogger>();
  options.allow_fallocate = false;
  options.max_open_files = 512;
  // Memtables count against the block cache, so the two budgets are one bound.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(
      static_cast<size_t>(store_options.block_cache_bytes + store_options.memtable_bytes));
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(store_options.memtable_bytes), cache);
  options.max_total_wal_size = store_options.max_total_wal_bytes;
  options.write_buffer_size = WriteBufferBytes(store_options);

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
  if (s.IsIOError()) {  // read-only or full file system, permissions: may pass, so retryable
    return Unavailable("opening state directory " + dir + ": " + s.ToString());
  }
  if (!s.ok()) {
    return FromRocks(s, "opening state directory " + dir);
  }
  auto store = std::make_unique<RocksStore>(std::unique_ptr<rocksdb::DB>(raw), std::move(handles),
                                            dir, store_options);
  DEALSYNC_RETURN_IF_ERROR(CheckSchemaVersion(*store, dir, /*read_only=*/false));
  (void)store->Health();  // logs the free-space warning now rather than at the first check
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace dealsync
