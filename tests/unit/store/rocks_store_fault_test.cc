// Storage faults on a real, small file system: a tmpfs mounted for each test
// (needs CAP_SYS_ADMIN; without it the tests skip and say why). A full disk
// and a read-only state directory must give a clear error, apply nothing,
// never abort the process, and clear without reopening the store once the
// cause is gone; every acknowledged write must survive.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "dealsync/store.h"
#include "support/test_support.h"

namespace dealsync {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMountOptions = "size=24m,mode=0700";

class RocksStoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dealsync-fault-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    mount_ = pattern;
    if (::mount("tmpfs", mount_.c_str(), "tmpfs", 0, kMountOptions) != 0) {
      const int err = errno;
      fs::remove(mount_);
      mount_.clear();
      GTEST_SKIP() << "cannot mount a small tmpfs to fill (" << std::strerror(err)
                   << "); these tests need root or CAP_SYS_ADMIN";
    }
    dir_ = mount_ + "/state";
    options_.write_buffer_bytes = 1 << 20;
    options_.max_total_wal_bytes = 4 << 20;
    options_.free_space_warning_bytes = 8 << 20;
  }
  void TearDown() override {
    if (!mount_.empty()) {
      EXPECT_EQ(::umount(mount_.c_str()), 0) << std::strerror(errno);
      fs::remove(mount_);
    }
  }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenRocksStore(dir_, options_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Leaves about `leave` bytes free on the tmpfs.
  void Fill(uint64_t leave) {
    const fs::space_info space = fs::space(mount_);
    ASSERT_GT(space.available, leave);
    std::ofstream out(mount_ + "/filler", std::ios::binary);
    const std::string block(1 << 16, 'f');
    for (uint64_t written = 0; written + leave < space.available; written += block.size()) {
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  void Unfill() { fs::remove(mount_ + "/filler"); }

  static std::string Key(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "k%08d", i);
    return buf;
  }
  // 16 KiB that do not compress (the store compresses its files), the same
  // for the same i.
  static std::string Value(int i) {
    std::mt19937_64 bits(static_cast<uint64_t>(i) + 1);
    std::string v(16 * 1024, '\0');
    for (size_t at = 0; at < v.size(); at += 8) {
      const uint64_t word = bits();
      std::memcpy(v.data() + at, &word, 8);
    }
    return v;
  }

  // Writes one 16 KiB record per batch until a write fails; returns how many
  // were acknowledged.
  int WriteUntilFull(Store& store, Status& failure) {
    for (int i = 0; i < 4000; ++i) {
      WriteBatch batch;
      batch.Put(Column::kJournal, Key(i), Value(i));
      batch.Put(Column::kCursors, "cursor", std::to_string(i));
      Status s = store.Write(batch);
      if (!s.ok()) {
        failure = s;
        return i;
      }
    }
    return -1;
  }

  void ExpectAcknowledged(Store& store, int acknowledged) {
    for (int i = 0; i < acknowledged; ++i) {
      auto v = store.Get(Column::kJournal, Key(i));
      ASSERT_OK(v);
      ASSERT_TRUE(v->has_value()) << Key(i);
      ASSERT_TRUE(**v == Value(i)) << Key(i);  // binary: not printed
    }
    auto cursor = store.Get(Column::kCursors, "cursor");
    ASSERT_OK(cursor);
    ASSERT_TRUE(cursor->has_value());
    EXPECT_EQ(**cursor, std::to_string(acknowledged - 1));  // the batch moved both or neither
  }

  std::string mount_;
  std::string dir_;
  StoreOptions options_;
};

TEST_F(RocksStoreFaultTest, DiskFullFailsWritesCleanlyAndRecoversWithoutReopening) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Fill(6 << 20);
  Status failure;
  const int acknowledged = WriteUntilFull(*store, failure);
  ASSERT_GT(acknowledged, 0) << "the file system never filled up";
  EXPECT_EQ(failure.code(), StatusCode::kResourceExhausted) << failure.ToString();
  EXPECT_NE(failure.message().find("No space left on device"), std::string::npos)
      << failure.ToString();
  EXPECT_NE(failure.message().find(dir_), std::string::npos) << failure.ToString();
  StoreHealth health = store->Health();
  EXPECT_EQ(health.status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(health.low_space);
  ASSERT_TRUE(health.free_bytes.has_value());

  // While full: writes keep failing and apply nothing; reads still work.
  WriteBatch more;
  more.Put(Column::kJournal, "x1", "1");
  more.Put(Column::kJournal, "x2", "2");
  EXPECT_FALSE(store->Write(more).ok());
  auto x1 = store->Get(Column::kJournal, "x1");
  ASSERT_OK(x1);
  EXPECT_FALSE(x1->has_value());
  ExpectAcknowledged(*store, acknowledged);

  // Space returns: the same store writes again (RocksDB's recovery runs on
  // its own thread, so allow it real time).
  Unfill();
  Status again = Unavailable("not tried");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    again = store->Write(more);
    if (again.ok()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_OK(again);
  EXPECT_OK(store->Health().status);
  EXPECT_FALSE(store->Health().low_space);
  WriteBatch after;
  after.Put(Column::kJournal, Key(acknowledged), Value(acknowledged));
  after.Put(Column::kCursors, "cursor", std::to_string(acknowledged));
  ASSERT_OK(store->Write(after));

  // Nothing acknowledged was lost, across a close and reopen too.
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  ExpectAcknowledged(*store, acknowledged + 1);
  x1 = store->Get(Column::kJournal, "x1");
  ASSERT_OK(x1);
  EXPECT_EQ(x1->value_or(""), "1");
}

// The shutdown after ENOSPC and the next start used to abort the process on a
// RocksDB assertion (its info LOG file had seen a write error).
TEST_F(RocksStoreFaultTest, ClosingAndReopeningWhileFullDoesNotAbort) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Fill(6 << 20);
  Status failure;
  const int acknowledged = WriteUntilFull(*store, failure);
  ASSERT_GT(acknowledged, 0);
  store.reset();  // close while the disk is full

  // Still full: opening either works (reads) or is refused with a clear error.
  Result<std::unique_ptr<Store>> full = OpenRocksStore(dir_, options_);
  if (full.ok()) {
    ExpectAcknowledged(**full, acknowledged);
  } else {
    EXPECT_EQ(full.status().code(), StatusCode::kUnavailable) << full.status().ToString();
    EXPECT_NE(full.status().message().find("No space left on device"), std::string::npos)
        << full.status().ToString();
  }
  full = Status(StatusCode::kAborted, "closed");  // close before freeing space

  Unfill();
  store = Open();
  ASSERT_NE(store, nullptr);
  ExpectAcknowledged(*store, acknowledged);
  WriteBatch batch;
  batch.Put(Column::kJournal, Key(acknowledged), Value(acknowledged));
  batch.Put(Column::kCursors, "cursor", std::to_string(acknowledged));
  ASSERT_OK(store->Write(batch));
}

TEST_F(RocksStoreFaultTest, ReadOnlyStateDirectoryIsAClearErrorAndNoAbort) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    WriteBatch batch;
    batch.Put(Column::kCursors, "cursor", "7");
    ASSERT_OK(store->Write(batch));
  }
  ASSERT_EQ(::mount("tmpfs", mount_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, kMountOptions), 0)
      << std::strerror(errno);
  Result<std::unique_ptr<Store>> ro = OpenRocksStore(dir_, options_);
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.status().code(), StatusCode::kUnavailable);  // dealsyncd waits and tries again
  EXPECT_NE(ro.status().message().find("Read-only file system"), std::string::npos)
      << ro.status().ToString();
  EXPECT_NE(ro.status().message().find(dir_), std::string::npos) << ro.status().ToString();

  ASSERT_EQ(::mount("tmpfs", mount_.c_str(), "tmpfs", MS_REMOUNT, kMountOptions), 0)
      << std::strerror(errno);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto cursor = store->Get(Column::kCursors, "cursor");
  ASSERT_OK(cursor);
  EXPECT_EQ(cursor->value_or(""), "7");
}

// A preallocated WAL reserves space that file sizes do not show; it is off.
TEST_F(RocksStoreFaultTest, WriteAheadLogIsNotPreallocated) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  batch.Put(Column::kJournal, "a", "1");
  ASSERT_OK(store->Write(batch));
  uint64_t allocated = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().extension() == ".log") {
      struct stat st {};
      ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
      allocated += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  EXPECT_LT(allocated, 256u * 1024) << "WAL files hold " << allocated << " bytes on disk";
  // No RocksDB LOG file in the state directory either: its messages go to spdlog.
  EXPECT_FALSE(fs::exists(dir_ + "/LOG"));
}

}  // namespace
}  // namespace dealsync
