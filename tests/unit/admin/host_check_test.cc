#include "src/admin/host_check.h"

#include <gtest/gtest.h>

#include "src/admin/admin_api.h"
#include "src/platform/fake_clock.h"

namespace dealsync {
namespace {

TEST(HostCheckTest, LoopbackListenAndConfiguredNames) {
  const auto names = AdminHostNames("127.0.0.1", {"Dealsync.Internal", "[fd00::5]"});
  for (const char* ok :
       {"localhost", "localhost:8686", "LOCALHOST.", "127.0.0.1:8686", "[::1]", "[::1]:8686",
        "dealsync.internal", "dealsync.internal:443", "[FD00::5]:8686", " dealsync.internal "}) {
    EXPECT_TRUE(HostAllowed(ok, names)) << ok;
  }
  for (const char* bad :
       {"evil.example", "evil.example:8686", "127.0.0.2", "dealsync.internal.evil", "localhost:80x",
        "[::1", "", "localhost:8686:1", "::1"}) {
    EXPECT_FALSE(HostAllowed(bad, names)) << bad;
  }
  EXPECT_TRUE(HostAllowed("[::1]:1", AdminHostNames("::1", {})));
  EXPECT_TRUE(HostAllowed("10.0.0.7:8686", AdminHostNames("10.0.0.7", {})));
  // A wildcard listen address is not a name.
  EXPECT_FALSE(HostAllowed("0.0.0.0:8686", AdminHostNames("0.0.0.0", {})));
  EXPECT_FALSE(HostAllowed("[::]:8686", AdminHostNames("::", {})));
}

class NoBackend final : public AdminBackend {
 public:
  bool StoreOpen() override { return true; }
  std::vector<SourceHealth> Sources() override { return {}; }
  std::string RenderMetrics() override { return ""; }
  Result<std::vector<Link>> ListLinks(std::string_view) override {
    ++reads;
    return std::vector<Link>{};
  }
  Status SetLink(std::string_view, std::string_view, std::string_view, std::string_view) override {
    return Status::Ok();
  }
  Status BreakLink(std::string_view, std::string_view) override { return Status::Ok(); }
  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter&) override {
    ++reads;
    return std::vector<Conflict>{};
  }
  Result<Conflict> GetConflict(std::string_view) override { return NotFound("none"); }
  Status ResolveConflict(std::string_view, const Resolution&) override { return Status::Ok(); }
  int reads = 0;
};

// DNS rebinding: a page on evil.example resolves its name to 127.0.0.1 and
// reads the API; the Host header gives it away, before any route runs.
TEST(HostCheckTest, AdminApiRefusesForeignHostBeforeRouting) {
  NoBackend backend;
  FakeClock clock;
  AdminApiOptions options;
  options.allowed_hosts = AdminHostNames("127.0.0.1", {});
  AdminApi api(backend, clock, options);
  HttpRequest request;
  request.method = "GET";
  request.url = "/api/v1/conflicts";
  request.headers = {{"Host", "evil.example:8686"}};
  HttpResponse r = api.Handle(request);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("host_not_allowed"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("[admin] allowed_hosts"), std::string::npos) << r.body;
  EXPECT_EQ(backend.reads, 0);
  request.headers = {{"HOST", "Evil.Example"}};  // header names are case-insensitive
  EXPECT_EQ(api.Handle(request).status, 403);
  request.headers = {{"host", "127.0.0.1:8686"}};
  EXPECT_EQ(api.Handle(request).status, 200);
  request.headers = {};  // HTTP/1.0 tools send none; a browser always does
  EXPECT_EQ(api.Handle(request).status, 200);
  EXPECT_EQ(backend.reads, 2);
}

}  // namespace
}  // namespace dealsync
