// Crash safety with a real process kill: engine_sync_child runs the sync loop
// against a RocksDB state directory and file-backed fake remotes and SIGKILLs
// itself at a random step (between any two durable writes). The parent makes
// user edits between runs and finally lets the loop finish: both sides must be
// equal, and the last edit of every pair must have reached the other side.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "src/engine/records_json.h"
#include "tests/unit/engine/engine_fixture.h"
#include "tests/unit/engine/remote_file.h"

#ifndef ENGINE_SYNC_CHILD
#error "ENGINE_SYNC_CHILD must name the child binary"
#endif

namespace dealsync::testing {
namespace {

namespace fs = std::filesystem;
constexpr int kPairs = 4;

// Runs the child; returns its exit code, or -signal when killed.
int RunChild(const fs::path& state, const fs::path& remotes, int kill_at) {
  pid_t pid = fork();
  if (pid == 0) {
    const std::string k = std::to_string(kill_at);
    execl(ENGINE_SYNC_CHILD, ENGINE_SYNC_CHILD, state.c_str(), remotes.c_str(), k.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

class KillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("engine_kill_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "remotes");
    std::map<std::string, Opportunity> v, p;
    Timestamp t = TimestampFromEpochMs(1'790'000'000'000);
    for (int i = 0; i < kPairs; ++i) {
      const std::string n = std::to_string(i);
      v["V" + n] = Deal("V" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01");
      p["P" + n] = Deal("P" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01");
      for (auto* o : {&v["V" + n], &p["P" + n]}) {
        o->source = o == &v["V" + n] ? "vendor" : kPartner;
        o->modified_at = t;
      }
    }
    ASSERT_OK(SaveRemote(Path("vendor"), v));
    ASSERT_OK(SaveRemote(Path("partner"), p));
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Path(const std::string& side) {
    return (root_ / "remotes" / (side + ".json")).string();
  }

  // A user edit of one field in a remote file, stamped after everything in it.
  std::string Edit(const std::string& side, const std::string& id, Field f, uint64_t pick) {
    Result<std::map<std::string, Opportunity>> recs = LoadRemote(Path(side));
    EXPECT_TRUE(recs.ok());
    Opportunity& o = (*recs)[id];
    const std::string before = FieldValueText(o, f);
    std::string value;
    for (uint64_t k = pick; value.empty() || value == before; ++k) {
      switch (f) {
        case Field::kStage:
          o.stage = static_cast<Stage>(k % 5);
          break;
        case Field::kAmount:
          o.amount = Money{static_cast<int64_t>(100'000 + (k % 40) * 500), "USD"};
          break;
        case Field::kCloseDate:
          o.close_date = CalendarDate{2026, 12, static_cast<unsigned>(1 + k % 28)};
          break;
      }
      value = FieldValueText(o, f);
    }
    Timestamp newest = std::max(NewestStamp(*LoadRemote(Path("vendor"))),
                                NewestStamp(*LoadRemote(Path("partner"))));
    o.modified_at = newest + std::chrono::seconds(30);
    EXPECT_TRUE(SaveRemote(Path(side), *recs).ok());
    return value;
  }

  // Runs the child to completion (no kill); true when it reported quiet.
  bool Finish() {
    for (int i = 0; i < 5; ++i) {
      int rc = RunChild(root_ / "state", root_ / "remotes", -1);
      EXPECT_GE(rc, 0) << "child died by signal " << -rc;
      if (rc == 0) {
        return true;
      }
    }
    return false;
  }

  void ExpectEqualSides() {
    auto v = LoadRemote(Path("vendor"));
    auto p = LoadRemote(Path("partner"));
    ASSERT_OK(v);
    ASSERT_OK(p);
    for (int i = 0; i < kPairs; ++i) {
      const std::string n = std::to_string(i);
      for (Field f : {Field::kStage, Field::kAmount, Field::kCloseDate}) {
        EXPECT_EQ(FieldValueText(v->at("V" + n), f), FieldValueText(p->at("P" + n), f))
            << "pair " << n << " " << FieldName(f);
      }
    }
  }

  fs::path root_;
};

TEST_F(KillTest, SigkillAtRandomStepsConverges) {
  std::mt19937 rng(20261123);
  auto pick = [&](uint64_t bound) {
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng);
  };
  int kills = 0;
  for (int round = 0; round < 30; ++round) {
    {
      const bool vendor = pick(2) == 0;
      const std::string n = std::to_string(pick(kPairs));
      Edit(vendor ? "vendor" : "partner", (vendor ? "V" : "P") + n, static_cast<Field>(pick(3)),
           pick(1000));
    }
    int rc = RunChild(root_ / "state", root_ / "remotes", static_cast<int>(pick(12)));
    ASSERT_TRUE(rc == 0 || rc == 3 || rc == -SIGKILL) << "child exit " << rc;
    kills += rc == -SIGKILL ? 1 : 0;
  }
  EXPECT_GE(kills, 10);  // the loop really was killed mid-sync, many times
  ASSERT_TRUE(Finish());
  ExpectEqualSides();

  // No lost update: one edit per pair, more kills, then the edits are everywhere.
  std::vector<std::pair<Field, std::string>> last(kPairs);
  for (int i = 0; i < kPairs; ++i) {
    const bool vendor = pick(2) == 0;
    const Field f = static_cast<Field>(pick(3));
    last[i] = {f, Edit(vendor ? "vendor" : "partner", (vendor ? "V" : "P") + std::to_string(i), f,
                       pick(1000))};
  }
  for (int round = 0; round < 10; ++round) {
    kills += RunChild(root_ / "state", root_ / "remotes", static_cast<int>(pick(12))) == -SIGKILL;
  }
  std::printf("KillTest: %d SIGKILLs in 40 runs survived\n", kills);  // README's figure
  ASSERT_TRUE(Finish());
  ExpectEqualSides();
  auto v = LoadRemote(Path("vendor"));
  ASSERT_OK(v);
  for (int i = 0; i < kPairs; ++i) {
    EXPECT_EQ(FieldValueText(v->at("V" + std::to_string(i)), last[i].first), last[i].second)
        << "pair " << i;
  }
  // The state directory is consistent: every conflict is decided, nothing dead.
  Result<std::unique_ptr<Store>> store = OpenRocksStore((root_ / "state").string());
  ASSERT_OK(store);
  FakeClock clock;
  SyncEngine engine(**store, TestConfig(), clock);
  Result<EngineCounters> c = engine.Counters();
  ASSERT_OK(c);
  EXPECT_EQ(c->links, static_cast<uint64_t>(kPairs));
  EXPECT_EQ(c->outbox_depth, 0u);
  EXPECT_EQ(c->dead_letters, 0u);
}

}  // namespace
}  // namespace dealsync::testing
