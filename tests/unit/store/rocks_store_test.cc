#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>

#include "dealsync/store.h"
#include "support/test_support.h"

namespace dealsync {
namespace {

namespace fs = std::filesystem;

class RocksStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "dealsync-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store = OpenRocksStore(dir_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::vector<std::pair<std::string, std::string>> ScanAll(Store& store, Column c,
                                                           std::string_view prefix,
                                                           std::string_view start = {}) {
    std::vector<std::pair<std::string, std::string>> out;
    EXPECT_OK(store.Scan(c, prefix, start, [&](std::string_view k, std::string_view v) {
      out.emplace_back(k, v);
      return true;
    }));
    return out;
  }

  std::string dir_;
};

std::string Key(const char* prefix, int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%08d", prefix, i);
  return buf;
}

// A first start on a state directory that does not exist yet is normal: no
// error-level line (operators alert on those).
TEST_F(RocksStoreTest, OpeningANewStateDirectoryLogsNoError) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  {
    Result<std::unique_ptr<Store>> store = OpenRocksStore((fs::path(dir_) / "state").string());
    EXPECT_OK(store);
  }
  spdlog::set_default_logger(previous);
  EXPECT_EQ(captured.str().find("[error]"), std::string::npos) << captured.str();
  EXPECT_TRUE(fs::is_directory(fs::path(dir_) / "state"));
}

TEST_F(RocksStoreTest, RoundTripInEveryColumnSurvivesReopen) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    WriteBatch batch;
    for (int i = 0; i < kColumnCount; ++i) {
      auto c = static_cast<Column>(i);
      batch.Put(c, "key", "value in " + std::string(ColumnName(c)));
      batch.Put(c, std::string("bin\0ary", 7), std::string("\0\xff", 2));
    }
    ASSERT_OK(store->Write(batch));
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < kColumnCount; ++i) {
    auto c = static_cast<Column>(i);
    Result<std::optional<std::string>> v = store->Get(c, "key");
    ASSERT_OK(v);
    EXPECT_EQ(**v, "value in " + std::string(ColumnName(c)));
    EXPECT_EQ(**store->Get(c, std::string("bin\0ary", 7)), std::string("\0\xff", 2));
    EXPECT_FALSE(store->Get(c, "absent")->has_value());
    EXPECT_GT(store->ApproximateSize(c), 0u);
  }
  WriteBatch del;
  del.Delete(Column::kLinks, "key");
  ASSERT_OK(store->Write(del));
  EXPECT_FALSE(store->Get(Column::kLinks, "key")->has_value());
  EXPECT_TRUE(store->Get(Column::kBase, "key")->has_value());  // columns are separate
}

TEST_F(RocksStoreTest, ScanHonoursPrefixStartAndEarlyStop) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  for (const char* k : {"a/1", "a/2", "a/3", "ab/1", "b/1", "a"}) {
    batch.Put(Column::kJournal, k, k);
  }
  ASSERT_OK(store->Write(batch));
  using Rows = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ScanAll(*store, Column::kJournal, "a/"),
            (Rows{{"a/1", "a/1"}, {"a/2", "a/2"}, {"a/3", "a/3"}}));
  EXPECT_EQ(ScanAll(*store, Column::kJournal, "a/", "a/2"), (Rows{{"a/2", "a/2"}, {"a/3", "a/3"}}));
  EXPECT_EQ(ScanAll(*store, Column::kJournal, "a/", "a/25"), (Rows{{"a/3", "a/3"}}));
  EXPECT_EQ(ScanAll(*store, Column::kJournal, "a/", "0"), ScanAll(*store, Column::kJournal, "a/"));
  EXPECT_EQ(ScanAll(*store, Column::kJournal, "").size(), 6u);
  EXPECT_TRUE(ScanAll(*store, Column::kRecords, "").empty());
  int visited = 0;
  ASSERT_OK(store->Scan(Column::kJournal, "",
                        [&](std::string_view, std::string_view) { return ++visited < 2; }));
  EXPECT_EQ(visited, 2);
}

TEST_F(RocksStoreTest, BatchAppliesAllOperationsInOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  batch.Put(Column::kOutbox, "x", "1");
  batch.Put(Column::kConflicts, "y", "2");
  batch.Delete(Column::kOutbox, "x");  // later ops see earlier ones
  batch.Put(Column::kCursors, "z", "3");
  ASSERT_OK(store->Write(batch));
  EXPECT_FALSE(store->Get(Column::kOutbox, "x")->has_value());
  EXPECT_EQ(**store->Get(Column::kConflicts, "y"), "2");
  EXPECT_EQ(**store->Get(Column::kCursors, "z"), "3");
  ASSERT_OK(store->Write(WriteBatch()));  // empty batch is a no-op
}

TEST_F(RocksStoreTest, SecondOpenIsRefusedClearly) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::unique_ptr<Store>> second = OpenRocksStore(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(),
            "state directory " + dir_ + " is in use by another dealsyncd (RocksDB lock held)");
}

// A read-only view (what dealsyncctl's read commands open) works while another
// process writes: it takes no lock, sees every batch written before it opened
// and none after, and refuses to write.
TEST_F(RocksStoreTest, ReadOnlyViewReadsWhileAnotherProcessWrites) {
  EXPECT_FALSE(RocksStoreInUse(dir_));
  Result<std::unique_ptr<Store>> none = OpenRocksStore(dir_, StoreOptions{.read_only = true});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound) << none.status().ToString();

  int ready[2];
  int step[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(step), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<Store>> store = OpenRocksStore(dir_);
    char byte = 'n';
    if (store.ok()) {
      WriteBatch first;
      first.Put(Column::kConflicts, "c1", "held");
      first.Put(Column::kIndex, "held/c1", "");
      byte = (*store)->Write(first).ok() ? 'y' : 'n';
    }
    (void)!write(ready[1], &byte, 1);
    (void)!read(step[0], &byte, 1);  // then one more batch
    WriteBatch second;
    second.Put(Column::kConflicts, "c2", "held");
    byte = store.ok() && (*store)->Write(second).ok() ? 'y' : 'n';
    (void)!write(ready[1], &byte, 1);
    (void)!read(step[0], &byte, 1);  // hold the lock until the parent is done
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  EXPECT_TRUE(RocksStoreInUse(dir_));

  Result<std::unique_ptr<Store>> view = OpenRocksStore(dir_, StoreOptions{.read_only = true});
  ASSERT_OK(view.status());
  (void)!write(step[1], &byte, 1);
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  Result<std::unique_ptr<Store>> later = OpenRocksStore(dir_, StoreOptions{.read_only = true});
  (void)!write(step[1], &byte, 1);
  int status = 0;
  waitpid(child, &status, 0);
  for (int fd : {ready[0], ready[1], step[0], step[1]}) {
    close(fd);
  }

  // The first view: the first batch whole, the second not at all.
  EXPECT_EQ(**(*view)->Get(Column::kConflicts, "c1"), "held");
  EXPECT_TRUE((*view)->Get(Column::kIndex, "held/c1")->has_value());
  EXPECT_FALSE((*view)->Get(Column::kConflicts, "c2")->has_value());
  ASSERT_OK(later.status());
  EXPECT_EQ(**(*later)->Get(Column::kConflicts, "c2"), "held");
  EXPECT_EQ(ScanAll(**later, Column::kConflicts, "").size(), 2u);
  WriteBatch refused;
  refused.Put(Column::kConflicts, "c3", "x");
  Status write = (*view)->Write(refused);
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition) << write.ToString();
  EXPECT_NE(write.message().find("read-only view"), std::string::npos);

  EXPECT_FALSE(RocksStoreInUse(dir_));  // released once the child exits
  view->reset();
  later->reset();
  auto writer = Open();  // views left no lock behind
  ASSERT_NE(writer, nullptr);
  EXPECT_FALSE(writer->Get(Column::kConflicts, "c3")->has_value());
}

TEST_F(RocksStoreTest, OpenHeldByAnotherProcessIsRefused) {
  int ready[2];
  int release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<Store>> store = OpenRocksStore(dir_);
    char byte = store.ok() ? 'y' : 'n';
    (void)!write(ready[1], &byte, 1);
    (void)!read(release[0], &byte, 1);  // hold the lock until the parent is done
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  Result<std::unique_ptr<Store>> second = OpenRocksStore(dir_);
  (void)!write(release[1], &byte, 1);
  int status = 0;
  waitpid(child, &status, 0);
  for (int fd : {ready[0], ready[1], release[0], release[1]}) {
    close(fd);
  }
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use by another dealsyncd"), std::string::npos);
  EXPECT_NE(Open(), nullptr);  // released once the child exits
}

TEST_F(RocksStoreTest, NewerSchemaIsRefused) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(**store->Get(Column::kMeta, "schema_version"), std::to_string(kStoreSchemaVersion));
    WriteBatch batch;
    batch.Put(Column::kMeta, "schema_version", std::to_string(kStoreSchemaVersion + 1));
    ASSERT_OK(store->Write(batch));
  }
  Result<std::unique_ptr<Store>> reopened = OpenRocksStore(dir_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reopened.status().message(),
            "state directory " + dir_ + " was written by store schema version " +
                std::to_string(kStoreSchemaVersion + 1) +
                ", but this build supports up to version " + std::to_string(kStoreSchemaVersion) +
                "; run a newer dealsync or point state_dir elsewhere");
}

TEST_F(RocksStoreTest, OlderSchemaIsRefusedWithAnInstruction) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    WriteBatch batch;
    batch.Put(Column::kMeta, "schema_version", std::to_string(kStoreSchemaVersion - 1));
    ASSERT_OK(store->Write(batch));
  }
  Result<std::unique_ptr<Store>> reopened = OpenRocksStore(dir_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("written by store schema version " +
                                             std::to_string(kStoreSchemaVersion - 1)),
            std::string::npos);
  EXPECT_NE(reopened.status().message().find("move the directory aside"), std::string::npos);
}

TEST_F(RocksStoreTest, MultiGetAnswersEachKeyInOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  batch.Put(Column::kRecords, "a", "1");
  batch.Put(Column::kRecords, "c", "3");
  ASSERT_OK(store->Write(batch));
  std::vector<std::optional<std::string>> values;
  ASSERT_OK(store->MultiGet(Column::kRecords, {"c", "b", "a"}, values));
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0], std::optional<std::string>("3"));
  EXPECT_EQ(values[1], std::nullopt);
  EXPECT_EQ(values[2], std::optional<std::string>("1"));
}

// A child writes numbered three-column batches as fast as it can and reports
// each acknowledged batch over a pipe; it is SIGKILLed at a random point. After
// reopening, every batch must be all there or not at all, the sequence must be
// contiguous, and nothing acknowledged may be lost.
TEST_F(RocksStoreTest, ReopenAfterSigkillMidWriteKeepsBatchesAtomic) {
  int progress[2];
  ASSERT_EQ(pipe(progress), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(progress[0]);
    Result<std::unique_ptr<Store>> store = OpenRocksStore(dir_);
    if (!store.ok()) {
      _exit(2);
    }
    const std::string payload(512, 'p');
    for (int i = 0;; ++i) {
      WriteBatch batch;
      batch.Put(Column::kJournal, Key("seq/", i), payload + std::to_string(i));
      batch.Put(Column::kOutbox, Key("out/", i), std::to_string(i));
      batch.Put(Column::kMeta, "last_seq", std::to_string(i));
      if (!(*store)->Write(batch).ok()) {
        _exit(3);
      }
      char byte = 'w';
      if (write(progress[1], &byte, 1) != 1) {
        _exit(4);
      }
    }
  }
  close(progress[1]);
  std::random_device seed;
  std::mt19937 rng(seed());
  const int kill_after = std::uniform_int_distribution<int>(5, 60)(rng);
  int acknowledged = 0;
  char byte;
  while (acknowledged < kill_after && read(progress[0], &byte, 1) == 1) {
    ++acknowledged;
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(progress[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_EQ(acknowledged, kill_after);

  auto store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::optional<std::string>> last = store->Get(Column::kMeta, "last_seq");
  ASSERT_OK(last);
  ASSERT_TRUE(last->has_value());
  const int last_seq = std::stoi(**last);
  EXPECT_GE(last_seq, acknowledged - 1) << "an acknowledged batch was lost";
  auto journal = ScanAll(*store, Column::kJournal, "seq/");
  auto outbox = ScanAll(*store, Column::kOutbox, "out/");
  ASSERT_EQ(journal.size(), static_cast<size_t>(last_seq + 1));
  ASSERT_EQ(outbox.size(), static_cast<size_t>(last_seq + 1));
  for (int i = 0; i <= last_seq; ++i) {
    EXPECT_EQ(journal[static_cast<size_t>(i)].first, Key("seq/", i));
    EXPECT_EQ(journal[static_cast<size_t>(i)].second, std::string(512, 'p') + std::to_string(i));
    EXPECT_EQ(outbox[static_cast<size_t>(i)].first, Key("out/", i));
  }
}

}  // namespace
}  // namespace dealsync
