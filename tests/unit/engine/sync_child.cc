// The sync loop as a separate process for the SIGKILL crash test:
//   engine_sync_child STATE_DIR REMOTE_DIR KILL_AT
// Runs poll/push cycles against a RocksDB state directory and two fake remotes
// persisted in REMOTE_DIR/{vendor,partner}.json (write-temp + rename = the
// remote's ack). At step KILL_AT (counting store commits and remote writes) it
// SIGKILLs itself; KILL_AT < 0 never. Exits 0 once a cycle changes nothing.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dealsync/engine.h"
#include "dealsync/store.h"
#include "tests/unit/engine/engine_fixture.h"
#include "tests/unit/engine/remote_file.h"

namespace dealsync::testing {
namespace {

int g_step = 0;
int g_kill_at = -1;

void Step() {
  if (g_step++ == g_kill_at) {
    std::raise(SIGKILL);
  }
}

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "sync_child: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 2;
}

int Main(const std::string& state_dir, const std::string& remote_dir) {
  const std::string paths[2] = {remote_dir + "/vendor.json", remote_dir + "/partner.json"};
  Result<std::map<std::string, Opportunity>> v = LoadRemote(paths[0]);
  Result<std::map<std::string, Opportunity>> p = LoadRemote(paths[1]);
  if (!v.ok() || !p.ok()) {
    return Fail("load remotes", v.ok() ? p.status() : v.status());
  }
  FakeClock clock(std::max(NewestStamp(*v), NewestStamp(*p)) + std::chrono::seconds(1));
  FakeCrm crms[2] = {FakeCrm("vendor", clock, 3, 2), FakeCrm(kPartner, clock, 3, 2)};
  crms[0].Load(std::move(*v));
  crms[1].Load(std::move(*p));
  const std::string sources[2] = {"vendor", kPartner};

  Result<std::unique_ptr<Store>> store = OpenRocksStore(state_dir);
  if (!store.ok()) {
    return Fail("open store", store.status());
  }
  SyncEngine engine(**store, TestConfig(), clock);
  for (int cycle = 0; cycle < 40; ++cycle) {
    bool moved = false;
    for (int side = 0; side < 2; ++side) {
      for (int page = 0; page < 100; ++page) {
        Result<std::string> cursor = engine.LoadCursor(sources[side]);
        if (!cursor.ok()) {
          return Fail("cursor", cursor.status());
        }
        Result<FetchPage> fetched = RunAwaitable(crms[side].FetchChanges(*cursor));
        Result<IngestStats> s = engine.IngestPage(sources[side], *fetched);
        if (!s.ok()) {
          return Fail("ingest", s.status());
        }
        Step();
        moved = moved || s->changes_journaled > 0 || s->echoes > 0;
        if (!fetched->has_more) {
          break;
        }
      }
    }
    for (int side = 0; side < 2; ++side) {
      Result<std::vector<OutboxEntry>> due = engine.DuePushes(sources[side], 2, clock.Now());
      if (!due.ok()) {
        return Fail("due", due.status());
      }
      if (due->empty()) {
        continue;
      }
      moved = true;
      std::vector<RecordUpdate> updates;
      for (const OutboxEntry& e : *due) {
        updates.push_back(e.update);
      }
      Result<std::vector<UpdateOutcome>> out = RunAwaitable(crms[side].Update(updates));
      Step();  // a kill here: the remote never applied it (not saved)
      if (Status s = SaveRemote(paths[side], crms[side].records()); !s.ok()) {
        return Fail("save remote", s);
      }
      Step();  // a kill here: applied remotely, ack lost
      Result<PushStats> r = engine.RecordPushResults(sources[side], *due, *out, Status::Ok());
      if (!r.ok()) {
        return Fail("record results", r.status());
      }
      Step();
    }
    clock.Advance(std::chrono::seconds(1));
    if (!moved) {
      return 0;
    }
  }
  return 3;
}

}  // namespace
}  // namespace dealsync::testing

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: engine_sync_child STATE_DIR REMOTE_DIR KILL_AT\n");
    return 64;
  }
  dealsync::testing::g_kill_at = std::atoi(argv[3]);
  return dealsync::testing::Main(argv[1], argv[2]);
}
