#include "src/admin/admin_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/platform/fake_clock.h"

namespace dealsync {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr const char* kToken = "s3cret-admin-token";

class FakeBackend final : public AdminBackend {
 public:
  bool store_open = true;
  std::vector<SourceHealth> sources;
  std::vector<Link> links;
  std::vector<Conflict> conflicts;
  std::vector<std::string> calls;
  ConflictFilter last_filter;
  Resolution last_resolution;

  bool StoreOpen() override { return store_open; }
  StoreHealth store_health;
  StoreHealth StoreStatus() override { return store_health; }
  std::vector<SourceHealth> Sources() override { return sources; }
  std::string RenderMetrics() override {
    return "# HELP dealsync_up Up.\n# TYPE dealsync_up gauge\ndealsync_up 1\n";
  }
  Result<std::vector<Link>> ListLinks(std::string_view partner) override {
    calls.push_back("ListLinks " + std::string(partner));
    std::vector<Link> out;
    for (const Link& l : links) {
      if (partner.empty() || l.partner == partner)
        out.push_back(l);
    }
    return out;
  }
  Status SetLink(std::string_view partner, std::string_view vendor_id, std::string_view partner_id,
                 std::string_view by) override {
    calls.push_back("SetLink " + std::string(partner) + " " + std::string(vendor_id) + " " +
                    std::string(partner_id) + " " + std::string(by));
    if (partner == "unknown")
      return NotFound("unknown partner \"unknown\"");
    return Status::Ok();
  }
  Status BreakLink(std::string_view link_id, std::string_view by) override {
    calls.push_back("BreakLink " + std::string(link_id) + " " + std::string(by));
    return Status::Ok();
  }
  Result<std::vector<Conflict>> ListConflicts(const ConflictFilter& filter) override {
    last_filter = filter;
    return conflicts;
  }
  Result<Conflict> GetConflict(std::string_view id) override {
    for (const Conflict& c : conflicts) {
      if (c.id == id)
        return c;
    }
    return NotFound("no conflict " + std::string(id));
  }
  Status ResolveConflict(std::string_view id, const Resolution& resolution) override {
    calls.push_back("Resolve " + std::string(id));
    last_resolution = resolution;
    for (Conflict& c : conflicts) {
      if (c.id == id) {
        if (c.status != ConflictStatus::kHeldForReview)
          return FailedPrecondition("not held");
        c.status = ConflictStatus::kResolvedByOperator;
        c.resolved_by = resolution.resolved_by;
        return Status::Ok();
      }
    }
    return NotFound("no conflict " + std::string(id));
  }
};

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() : api_(backend_, clock_, {kToken, 3}) {
    Conflict c;
    c.id = "acme/V1/P1/stage/7";
    c.link_id = "acme/V1/P1";
    c.partner = "acme";
    c.field = Field::kStage;
    c.vendor.value = "proposal";
    c.partner_change.value = "qualified";
    c.rule = "manual";
    c.status = ConflictStatus::kHeldForReview;
    c.detected_at = clock_.Now();
    backend_.conflicts.push_back(c);
    Link l;
    l.id = "acme/V1/P1";
    l.partner = "acme";
    l.vendor_id = "V1";
    l.partner_id = "P1";
    l.key_kind = "registration_id";
    l.key_value = "REG-1";
    backend_.links.push_back(l);
  }

  HttpResponse Call(std::string method, std::string url, std::string body = "",
                    std::optional<std::string> auth = std::nullopt) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    if (auth)
      r.headers.emplace_back("Authorization", *auth);
    return api_.Handle(r);
  }
  static json Body(const HttpResponse& r) { return json::parse(r.body); }
  static std::string ErrorCode(const HttpResponse& r) { return Body(r)["error"]["code"]; }

  FakeClock clock_;
  FakeBackend backend_;
  AdminApi api_;
};

TEST_F(AdminApiTest, Healthz) {
  HttpResponse r = Call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(Body(r)["status"], "ok");
}

TEST_F(AdminApiTest, ReadyWhenStoreOpenAndSourcesFresh) {
  backend_.sources = {{"vendor", minutes(5), clock_.Now() - minutes(4), ""},
                      {"acme", minutes(1), clock_.Now() - minutes(2), ""}};
  HttpResponse r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["status"], "ready");
}

TEST_F(AdminApiTest, NotReadyListsEveryReason) {
  backend_.store_open = false;
  backend_.sources = {{"vendor", minutes(5), std::nullopt, "UNAVAILABLE: connection refused"},
                      {"acme", minutes(1), clock_.Now() - minutes(4), ""},
                      {"fresh", minutes(1), clock_.Now(), ""}};
  HttpResponse r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  json reasons = Body(r)["reasons"];
  ASSERT_EQ(reasons.size(), 3u) << r.body;
  EXPECT_EQ(reasons[0], "store is not open");
  EXPECT_NE(reasons[1].get<std::string>().find("vendor: no successful poll yet (last error: "
                                               "UNAVAILABLE: connection refused)"),
            std::string::npos);
  EXPECT_NE(reasons[2].get<std::string>().find("acme: last successful poll 240s ago"),
            std::string::npos);
}

// A store that cannot be written (disk full) makes the daemon not ready at
// once, with the store's own error, not only once polls have gone stale.
TEST_F(AdminApiTest, NotReadyWhileStoreWritesFail) {
  backend_.sources = {{"vendor", minutes(5), clock_.Now() - minutes(1), ""}};
  backend_.store_health.free_bytes = 4096;
  backend_.store_health.low_space = true;
  HttpResponse r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;  // low on space but still writing: ready, with a flag
  EXPECT_EQ(Body(r)["store"]["low_space"], true);
  EXPECT_EQ(Body(r)["store"]["free_bytes"], 4096);
  backend_.store_health.status = ResourceExhausted(
      "store write of 3 operations in /var/lib/dealsync: IO error: No space left "
      "on device");
  r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  ASSERT_EQ(Body(r)["reasons"].size(), 1u) << r.body;
  EXPECT_EQ(Body(r)["reasons"][0],
            "store: writes are failing: RESOURCE_EXHAUSTED: store write of 3 operations in "
            "/var/lib/dealsync: IO error: No space left on device");
  EXPECT_EQ(Body(r)["store"]["writable"], false);
  backend_.store_health = {};
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
}

TEST_F(AdminApiTest, MetricsUsesPrometheusContentType) {
  HttpResponse r = Call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("dealsync_up 1"), std::string::npos);
}

TEST_F(AdminApiTest, UnknownPathIs404AndWrongMethodIs405) {
  HttpResponse r = Call("GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "not_found");
  r = Call("POST", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET");
  EXPECT_EQ(ErrorCode(r), "method_not_allowed");
  r = Call("PUT", "/api/v1/links");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, POST");
  r = Call("GET", "/api/v1/conflicts/acme%2FV1%2FP1%2Fstage%2F7/resolve");
  EXPECT_EQ(r.status, 405);
  r = Call("GET", "/api/v2/links");
  EXPECT_EQ(r.status, 404);
}

TEST_F(AdminApiTest, ListsLinksOfOnePartner) {
  HttpResponse r = Call("GET", "/api/v1/links?partner=acme");
  ASSERT_EQ(r.status, 200) << r.body;
  json links = Body(r)["links"];
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]["id"], "acme/V1/P1");
  EXPECT_EQ(links[0]["key_value"], "REG-1");
  EXPECT_EQ(backend_.calls.back(), "ListLinks acme");
  EXPECT_EQ(Call("GET", "/api/v1/links?partnr=acme").status, 400);  // typo is not ignored
  EXPECT_EQ(Call("GET", "/api/v1/links?partner=%zz").status, 400);
}

TEST_F(AdminApiTest, FiltersConflicts) {
  HttpResponse r = Call("GET", "/api/v1/conflicts?partner=acme&status=held_for_review&field=stage");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(backend_.last_filter.partner, "acme");
  EXPECT_EQ(backend_.last_filter.status, ConflictStatus::kHeldForReview);
  EXPECT_EQ(backend_.last_filter.field, Field::kStage);
  json c = Body(r)["conflicts"][0];
  EXPECT_EQ(c["status"], "held_for_review");
  EXPECT_EQ(c["vendor"]["value"], "proposal");
  EXPECT_EQ(Call("GET", "/api/v1/conflicts?status=open").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/conflicts?field=owner").status, 400);
}

TEST_F(AdminApiTest, GetsOneConflictByEncodedOrPlainId) {
  HttpResponse r = Call("GET", "/api/v1/conflicts/acme%2FV1%2FP1%2Fstage%2F7");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["id"], "acme/V1/P1/stage/7");
  EXPECT_EQ(Call("GET", "/api/v1/conflicts/acme/V1/P1/stage/7").status, 200);
  r = Call("GET", "/api/v1/conflicts/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "not_found");
}

TEST_F(AdminApiTest, MutationsNeedTheBearerToken) {
  const std::string url = "/api/v1/conflicts/acme%2FV1%2FP1%2Fstage%2F7/resolve";
  const std::string body = R"({"take":"vendor","by":"maria"})";
  HttpResponse r = Call("POST", url, body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"dealsync\"");
  EXPECT_EQ(Call("POST", url, body, "Basic abc").status, 401);
  r = Call("POST", url, body, "Bearer wrong");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body.find("wrong"), std::string::npos);
  EXPECT_EQ(Call("POST", url, body, std::string("Bearer ") + kToken + "x").status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/links", "{}").status, 401);
  EXPECT_EQ(Call("DELETE", "/api/v1/links/acme%2FV1%2FP1?by=x", "", "Bearer nope").status, 403);
  EXPECT_TRUE(backend_.calls.empty());
}

TEST_F(AdminApiTest, NoConfiguredTokenDisablesMutations) {
  AdminApi api(backend_, clock_, {"", 3});
  HttpRequest r;
  r.method = "POST";
  r.url = "/api/v1/links";
  r.headers = {{"Authorization", "Bearer "}};
  EXPECT_EQ(api.Handle(r).status, 401);
  r.headers = {{"Authorization", "Bearer anything"}};
  HttpResponse out = api.Handle(r);
  EXPECT_EQ(out.status, 403);
  EXPECT_NE(out.body.find("no admin token"), std::string::npos);
}

TEST_F(AdminApiTest, ResolvesAHeldConflict) {
  const std::string auth = std::string("bearer ") + kToken;  // scheme is case-insensitive
  HttpResponse r = Call("POST", "/api/v1/conflicts/acme%2FV1%2FP1%2Fstage%2F7/resolve",
                        R"({"take":"value","value":"proposal","by":"maria"})", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["status"], "resolved_by_operator");
  EXPECT_EQ(backend_.last_resolution.choice, Resolution::Choice::kValue);
  EXPECT_EQ(backend_.last_resolution.value, "proposal");
  EXPECT_EQ(backend_.last_resolution.resolved_by, "maria");
  // Already settled: the backend's FailedPrecondition becomes 409.
  r = Call("POST", "/api/v1/conflicts/acme%2FV1%2FP1%2Fstage%2F7/resolve",
           R"({"take":"partner","by":"maria"})", auth);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorCode(r), "failed_precondition");
}

TEST_F(AdminApiTest, RejectsBadResolveBodies) {
  const std::string auth = std::string("Bearer ") + kToken;
  const std::string url = "/api/v1/conflicts/acme%2FV1%2FP1%2Fstage%2F7/resolve";
  for (const char* body :
       {"", "not json", "[1]", R"({"take":"vendor"})", R"({"take":"both","by":"m"})",
        R"({"take":"value","by":"m"})", R"({"take":"value","value":3,"by":"m"})",
        R"({"take":"vendor","value":"x","by":"m"})", R"({"take":1,"by":"m"})"}) {
    HttpResponse r = Call("POST", url, body, auth);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(ErrorCode(r), "invalid_argument") << body;
  }
  EXPECT_TRUE(backend_.calls.empty());
}

TEST_F(AdminApiTest, CreatesAndBreaksLinks) {
  const std::string auth = std::string("Bearer ") + kToken;
  HttpResponse r =
      Call("POST", "/api/v1/links",
           R"({"partner":"acme","vendor_id":"V9","partner_id":"P9","by":"maria"})", auth);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(backend_.calls.back(), "SetLink acme V9 P9 maria");
  r = Call("POST", "/api/v1/links",
           R"({"partner":"unknown","vendor_id":"V9","partner_id":"P9","by":"maria"})", auth);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/links", R"({"partner":"acme","by":"m"})", auth).status, 400);
  r = Call("DELETE", "/api/v1/links/acme%2FV1%2FP1?by=maria", "", auth);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(backend_.calls.back(), "BreakLink acme/V1/P1 maria");
  EXPECT_EQ(Call("DELETE", "/api/v1/links/acme%2FV1%2FP1", "", auth).status, 400);  // no "by"
}

TEST_F(AdminApiTest, AcceptsAbsoluteFormTargets) {
  EXPECT_EQ(Call("GET", "http://127.0.0.1:8686/healthz").status, 200);
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace dealsync
