// A vendor and two partners on a MemoryStore engine with held conflicts, an
// AdminBackend over that engine (what the daemon does, minus the sockets), and
// the review workspace in front: shared by the review unit tests and the
// browser tests' fixture server.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dealsync/engine.h"
#include "src/admin/admin_api.h"
#include "src/admin/auth.h"
#include "src/admin/review_api.h"
#include "src/admin/workspace.h"
#include "src/platform/fake_clock.h"
#include "src/store/memory_store.h"

namespace dealsync::testing {

class EngineBackend final : public AdminBackend {
 public:
  EngineBackend(SyncEngine& engine, std::vector<SourceHealth> sources)
      : engine_(engine), sources_(std::move(sources)) {}
  bool StoreOpen() override { return true; }
  std::vector<SourceHealth> Sources() override { return sources_; }
  std::string RenderMetrics() override { return "dealsync_up 1\n"; }
  Result<std::vector<Link>> ListLinks(std::string_view partner) override {
    return engine_.ListLinks(partner);
  }
  Status SetLink(std::string_view partner, std::string_view vendor_id, std::string_view partner_id,
                 std::string_view by) override {
    return engine_.SetLink(partner, vendor_id, partner_id, by);
  }
  Status BreakLink(std::string_view link_id, std::string_view by) override {
    return engine_.BreakLink(link_id, by);
  }
  Status MarkNotSameDeal(std::string_view partner, std::string_view vendor_id,
                         std::string_view partner_id, std::string_view by) override {
    return engine_.MarkNotSameDeal(partner, vendor_id, partner_id, by);
  }
  // As the daemon's source runner does: reads the records (here: `fixed`, what
  // the connector returns once the partner file is fixed) and ingests them
  // with the stored cursor kept.
  Status RereadRecords(std::string_view source, const std::vector<std::string>& native_ids,
                       std::string_view by) override {
    reread_by.emplace_back(by);
    FetchPage page;
    std::vector<std::string> gone;
    for (const std::string& id : native_ids) {
      if (auto it = fixed.find(std::string(source) + "/" + id); it != fixed.end()) {
        page.records.push_back(it->second);
      } else {
        gone.push_back(id);
      }
    }
    DEALSYNC_RETURN_IF_ERROR(engine_.ForgetRejected(source, gone));
    Result<std::string> cursor = engine_.LoadCursor(source);
    if (!cursor.ok()) {
      return cursor.status();
    }
    page.next_cursor = *cursor;
    return engine_.IngestPage(source, page).status();
  }
  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter& filter) override {
    return engine_.ListConflicts(filter);
  }
  Result<Conflict> GetConflict(std::string_view id) override { return engine_.GetConflict(id); }
  Status ResolveConflict(std::string_view id, const Resolution& resolution) override {
    return engine_.ResolveConflict(id, resolution);
  }
  Result<std::vector<OutboxEntry>> ListDeadLetters(std::string_view target) override {
    return engine_.DeadLetters(target);
  }
  Status RetryDeadLetter(std::string_view target, std::string_view native_id,
                         std::string_view by) override {
    return engine_.RetryDeadLetter(target, native_id, by);
  }
  Status DiscardDeadLetter(std::string_view target, std::string_view native_id,
                           std::string_view by) override {
    discarded_by.emplace_back(by);
    return engine_.DiscardDeadLetter(target, native_id, by);
  }
  // A source as the daemon reports it (e.g. one that failed to start).
  void SetSource(SourceHealth health) {
    for (SourceHealth& h : sources_) {
      if (h.id == health.id) {
        h = std::move(health);
        return;
      }
    }
    sources_.push_back(std::move(health));
  }
  std::vector<std::string> discarded_by;  // who discarded, in order
  std::vector<std::string> reread_by;     // who asked for a re-read, in order
  std::map<std::string, Opportunity> fixed;  // "<source>/<id>" -> the record read again

 private:
  SyncEngine& engine_;
  std::vector<SourceHealth> sources_;
};

// Test users; every password is "<name>-password-1", hashed with few iterations.
//   ada     admin     all partners
//   rita    resolver  all partners
//   vic     viewer    all partners
//   nora    resolver  only "northwind"
// and the bearer token "cli-token-0123456789" for user "cli" (resolver).
// Beside the held conflicts the world has one-sided deals (contoso co-solo,
// vendor 006SOLO), a dead letter to contoso, vendor deals whose registration
// id matches two partner deals (006AMB: contoso co-amb-1 and co-amb-2;
// 006AMB2: northwind nw-amb-1 and nw-amb-2), and three
// refused records (contoso co-bad-1 and co-bad-2 with an unmapped stage,
// northwind nw-bad-1 with an unreadable date) that a re-read finds readable.
std::vector<UserSecret> TestUsers();
inline constexpr const char* kCliToken = "cli-token-0123456789";

struct ReviewWorld {
  // `deals_per_partner` linked deal pairs per partner, each with a held close
  // date conflict (close_date policy manual) of a distinct value at stake.
  explicit ReviewWorld(int deals_per_partner = 3, bool tls = false, bool loopback_only = true);

  FakeClock clock;
  MemoryStore store;
  Config config;
  std::unique_ptr<SyncEngine> engine;
  std::unique_ptr<EngineBackend> backend;
  std::unique_ptr<AdminApi> inner;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<ReviewApi> review;
  std::unique_ptr<Workspace> front;
};

}  // namespace dealsync::testing
