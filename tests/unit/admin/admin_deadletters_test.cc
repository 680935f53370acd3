// Admin routes for dead letters (list, retry, discard; token required) and
// for rewinding a source's cursor to a time.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/admin/admin_api.h"
#include "src/platform/fake_clock.h"

namespace dealsync {
namespace {

using nlohmann::json;

constexpr const char* kToken = "s3cret-token";

class DeadLetterBackend final : public AdminBackend {
 public:
  bool StoreOpen() override { return true; }
  std::vector<SourceHealth> Sources() override { return {}; }
  std::string RenderMetrics() override { return ""; }
  Result<std::vector<Link>> ListLinks(std::string_view) override { return std::vector<Link>{}; }
  Status SetLink(std::string_view, std::string_view, std::string_view, std::string_view) override {
    return Status::Ok();
  }
  Status BreakLink(std::string_view, std::string_view) override { return Status::Ok(); }
  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter&) override {
    return std::vector<Conflict>{};
  }
  Result<Conflict> GetConflict(std::string_view) override { return NotFound("none"); }
  Status ResolveConflict(std::string_view, const Resolution&) override { return Status::Ok(); }

  Result<std::vector<OutboxEntry>> ListDeadLetters(std::string_view target) override {
    std::vector<OutboxEntry> out;
    for (const OutboxEntry& e : dead) {
      if (target.empty() || e.target == target) {
        out.push_back(e);
      }
    }
    return out;
  }
  Status RetryDeadLetter(std::string_view target, std::string_view native_id,
                         std::string_view by) override {
    calls.push_back("retry " + std::string(target) + " " + std::string(native_id) +
                    (by == "admin" ? "" : " by " + std::string(by)));
    return native_id == "missing" ? NotFound("no dead letter") : Status::Ok();
  }
  Status DiscardDeadLetter(std::string_view target, std::string_view native_id,
                           std::string_view by) override {
    calls.push_back("discard " + std::string(target) + " " + std::string(native_id) + " " +
                    std::string(by));
    return Status::Ok();
  }
  Status RewindSource(std::string_view source, Timestamp since, std::string_view by) override {
    calls.push_back("rewind " + std::string(source) + " " + FormatTimestamp(since) + " by " +
                    std::string(by));
    return source == "nobody" ? NotFound("unknown source") : Status::Ok();
  }

  std::vector<OutboxEntry> dead;
  std::vector<std::string> calls;
};

class AdminDeadLettersTest : public ::testing::Test {
 protected:
  AdminDeadLettersTest() : api_(backend_, clock_, {kToken, 3}) {
    OutboxEntry e;
    e.target = "acme";
    e.update.native_id = "deal/42";
    e.update.stage = Stage::kProposal;
    e.attempts = 1;
    e.last_error = "INVALID_ARGUMENT: FIELD_CUSTOM_VALIDATION_EXCEPTION [needs a person]";
    e.history.push_back({clock_.Now(), "INVALID_ARGUMENT: FIELD_CUSTOM_VALIDATION_EXCEPTION"});
    backend_.dead.push_back(e);
    e.target = "vendor";
    e.update.native_id = "006A";
    backend_.dead.push_back(e);
  }

  HttpResponse Call(std::string method, std::string url, std::string body = "", bool token = true) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    if (token) {
      r.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    }
    return api_.Handle(r);
  }

  FakeClock clock_;
  DeadLetterBackend backend_;
  AdminApi api_;
};

TEST_F(AdminDeadLettersTest, ListNeedsTheTokenAndFiltersByTarget) {
  EXPECT_EQ(Call("GET", "/api/v1/deadletters", "", false).status, 401);
  HttpResponse all = Call("GET", "/api/v1/deadletters");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(json::parse(all.body)["dead_letters"].size(), 2u);
  HttpResponse acme = Call("GET", "/api/v1/deadletters?target=acme");
  json list = json::parse(acme.body)["dead_letters"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], "acme/deal/42");
  EXPECT_EQ(list[0]["values"]["stage"], "proposal");
  EXPECT_EQ(list[0]["history"].size(), 1u);
  EXPECT_NE(list[0]["last_error"].get<std::string>().find("needs a person"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/deadletters?tagret=acme").status, 400);
}

TEST_F(AdminDeadLettersTest, RetryAndDiscardReachTheBackend) {
  EXPECT_EQ(Call("POST", "/api/v1/deadletters/acme/deal%2F42/retry", "", false).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/deadletters/acme/deal%2F42/retry").status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/deadletters/acme/missing/retry").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/deadletters/acme/deal%2F42").status, 400);  // no ?by=
  EXPECT_EQ(Call("DELETE", "/api/v1/deadletters/acme/deal%2F42?by=alice").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/deadletters/acme/deal%2F42/retry").status, 405);
  ASSERT_EQ(backend_.calls.size(), 3u);
  EXPECT_EQ(backend_.calls[0], "retry acme deal/42");
  EXPECT_EQ(backend_.calls[1], "retry acme missing");
  EXPECT_EQ(backend_.calls[2], "discard acme deal/42 alice");
}

TEST_F(AdminDeadLettersTest, RewindTakesADayOrATimestamp) {
  EXPECT_EQ(Call("POST", "/api/v1/sources/acme/rewind", R"({"to":"2026-11-01","by":"ops"})", false)
                .status,
            401);
  EXPECT_EQ(Call("POST", "/api/v1/sources/acme/rewind", R"({"to":"2026-11-01","by":"ops"})").status,
            200);
  EXPECT_EQ(
      Call("POST", "/api/v1/sources/acme/rewind", R"({"to":"2026-11-01T12:30:00Z","by":"ops"})")
          .status,
      200);
  EXPECT_EQ(Call("POST", "/api/v1/sources/acme/rewind", R"({"to":"yesterday","by":"ops"})").status,
            400);
  EXPECT_EQ(Call("POST", "/api/v1/sources/acme/rewind", R"({"to":"2026-11-01"})").status, 400);
  EXPECT_EQ(
      Call("POST", "/api/v1/sources/nobody/rewind", R"({"to":"2026-11-01","by":"ops"})").status,
      404);
  ASSERT_GE(backend_.calls.size(), 2u);
  EXPECT_EQ(backend_.calls[0], "rewind acme 2026-11-01T00:00:00.000Z by ops");
  EXPECT_EQ(backend_.calls[1], "rewind acme 2026-11-01T12:30:00.000Z by ops");
}

}  // namespace
}  // namespace dealsync
