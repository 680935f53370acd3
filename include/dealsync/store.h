// Store: an ordered key-value store with column families and atomic batches.
// The RocksDB implementation lives in src/store/ (the only place that includes
// RocksDB); MemoryStore (src/store/memory_store.h) serves unit tests.
//
// Every multi-key state change is one WriteBatch: Write() applies all of it or
// none of it, durably (fsync'd WAL) before returning OK.
//
// Column families and what their keys look like are owned by the module that
// writes them; the encoding of each is documented in src/engine/keys.h.
// Thread-safety: Get/Scan/Write may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealsync/status.h"

namespace dealsync {

enum class Column : uint8_t {
  kMeta = 0,   // schema version, sequence counters
  kJournal,    // append-only change journal
  kRecords,    // latest canonical record per (source, native id)
  kLinks,      // vendor record <-> partner record
  kBase,       // last agreed value per (link, field)
  kOutbox,     // pushes waiting to be sent
  kConflicts,  // conflict records
  kCursors,    // poll cursor per source
  kIndex,      // secondary indexes (link keys, unlinked records, dead letters)
};
inline constexpr int kColumnCount = 9;
std::string_view ColumnName(Column c);  // "meta", "journal", ... (RocksDB CF names)

class WriteBatch {
 public:
  struct Op {
    Column column;
    bool is_delete;
    std::string key;
    std::string value;
  };

  void Put(Column c, std::string_view key, std::string_view value) {
    ops_.push_back({c, false, std::string(key), std::string(value)});
  }
  void Delete(Column c, std::string_view key) { ops_.push_back({c, true, std::string(key), {}}); }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }
  void Append(const WriteBatch& other) {
    ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
  }

 private:
  std::vector<Op> ops_;
};

// What the store can say about its own health (for /readyz and /metrics).
struct StoreHealth {
  Status status;                       // OK, or why writes are failing right now
  std::optional<uint64_t> free_bytes;  // free space on the file system holding the store
  bool low_space = false;              // free_bytes below the store's warning level
};

// Visitor for Scan: return false to stop early.
using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // nullopt when absent.
  virtual Result<std::optional<std::string>> Get(Column c, std::string_view key) = 0;
  // Point reads of several keys of one column (one batched lookup where the
  // store can); out[i] answers keys[i].
  virtual Status MultiGet(Column c, const std::vector<std::string>& keys,
                          std::vector<std::optional<std::string>>& out);
  virtual Status Write(const WriteBatch& batch) = 0;
  // Visits keys in byte order that start with `prefix`, beginning at the first
  // key >= max(prefix, start).
  virtual Status Scan(Column c, std::string_view prefix, std::string_view start,
                      const ScanVisitor& visit) = 0;
  Status Scan(Column c, std::string_view prefix, const ScanVisitor& visit) {
    return Scan(c, prefix, prefix, visit);
  }
  // Approximate number of bytes used by a column (for /metrics).
  virtual uint64_t ApproximateSize(Column c) = 0;
  // Cheap; callable from any thread. The default reports a healthy store.
  virtual StoreHealth Health() { return {}; }
};

// The schema this build writes. Opening a store written by another schema
// fails with an instruction (version 2 changed the index key design).
inline constexpr int kStoreSchemaVersion = 2;

// Memory and disk budget of the RocksDB store (see docs/operations.md, "Disk space").
struct StoreOptions {
  uint64_t block_cache_bytes = 32ull << 20;  // one LRU block cache shared by every family
  uint64_t memtable_bytes = 64ull << 20;     // all memtables together (charged to the cache)
  bool compression = true;                   // LZ4 blocks, ZSTD in the bottommost level
  // Memtable size per column family (0: a quarter of memtable_bytes, at least
  // 1 MiB); also the free space RocksDB needs before it clears a "no space"
  // error by itself.
  uint64_t write_buffer_bytes = 0;
  // All write-ahead logs together; beyond this the oldest memtables are flushed.
  uint64_t max_total_wal_bytes = 64ull << 20;
  // Health() reports low_space (and a warning is logged) below this.
  uint64_t free_space_warning_bytes = 256ull << 20;
  // Open a read-only view instead of the writer (see OpenRocksStore): what
  // dealsyncctl's read commands use, so they work while dealsyncd runs.
  bool read_only = false;
};

// Opens (creating if needed) the RocksDB store under `dir`. Fails with
// kFailedPrecondition and a clear message when another process holds the lock,
// when the store was written by another schema, or when the directory cannot
// be written (read-only, full, permissions).
//
// Storage faults while running (disk full, I/O errors) fail the Write() with
// kResourceExhausted (no space) or kUnavailable (other I/O), change nothing,
// never abort the process, and clear by themselves once the cause is gone:
// the next Write() resumes the database.
//
// With options.read_only the store is opened as a RocksDB secondary instance
// instead: it takes no lock, so it works while dealsyncd writes; it sees the
// state as of the open (written batches whole, later ones not at all), and
// Write() fails with kFailedPrecondition. The directory must already hold a
// store (kNotFound otherwise); nothing in it is changed.
Result<std::unique_ptr<Store>> OpenRocksStore(const std::string& dir,
                                              const StoreOptions& options = {});

// True when another process (a running dealsyncd) holds the writer's lock of
// the store in `dir` right now. Asks without taking the lock; false when `dir`
// holds no store.
bool RocksStoreInUse(const std::string& dir);

}  // namespace dealsync
