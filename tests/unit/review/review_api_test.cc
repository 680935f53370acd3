// Users, sessions, CSRF, roles and partner scope of the review workspace, and
// the review API over a real engine (MemoryStore, fake clock).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/admin/host_check.h"
#include "tests/unit/review/review_fixture.h"

namespace dealsync::testing {
namespace {

using nlohmann::json;

class WorkspaceTest : public ::testing::Test {
 protected:
  struct Signed {
    std::string cookie;
    std::string csrf;
  };

  HttpResponse Call(const std::string& method, const std::string& url, const std::string& body = "",
                    const Signed* who = nullptr, bool with_csrf = true) {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = body;
    if (who != nullptr) {
      r.headers.emplace_back("Cookie", "other=1; " + who->cookie);
      if (with_csrf) {
        r.headers.emplace_back("X-CSRF-Token", who->csrf);
      }
    }
    return w.front->Handle(r);
  }
  HttpResponse WithToken(const std::string& method, const std::string& url,
                         const std::string& token, const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = body;
    r.headers.emplace_back("Authorization", "Bearer " + token);
    return w.front->Handle(r);
  }
  Signed SignIn(const std::string& name) {
    HttpResponse r = Call("POST", "/api/v1/session",
                          json{{"name", name}, {"password", name + "-password-1"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    auto set_cookie = r.header("Set-Cookie");
    EXPECT_TRUE(set_cookie.has_value());
    std::string cookie(set_cookie.value_or(""));
    cookie = cookie.substr(0, cookie.find(';'));
    return {cookie, json::parse(r.body)["csrf_token"].get<std::string>()};
  }
  static json Body(const HttpResponse& r) { return json::parse(r.body); }
  std::vector<std::string> HeldIds(const Signed& who, const std::string& query = "") {
    HttpResponse r = Call("GET", "/api/v1/conflicts?status=held_for_review" + query, "", &who);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    const json body = Body(r);
    for (const json& c : body["conflicts"]) {
      ids.push_back(c["id"]);
    }
    return ids;
  }

  ReviewWorld w{3};
};

TEST(PasswordHashTest, VerifiesOnlyTheRightPasswordAndRejectsMalformedHashes) {
  const std::string h = HashPassword("correct horse", "0123456789abcdef", 1000);
  EXPECT_TRUE(h.starts_with("pbkdf2-sha256$1000$"));
  EXPECT_TRUE(VerifyPassword("correct horse", h));
  EXPECT_FALSE(VerifyPassword("correct horsE", h));
  EXPECT_FALSE(VerifyPassword("", h));
  EXPECT_TRUE(CheckPasswordHash(h).ok());
  EXPECT_FALSE(CheckPasswordHash("correct horse").ok());
  EXPECT_FALSE(CheckPasswordHash("pbkdf2-sha256$10$MDEyMzQ1Njc4OWFiY2RlZg==$AAAA").ok());
  // A cost so high that every sign-in would hang is refused at load.
  const std::string huge = HashPassword("x", "0123456789abcdef", 1000);
  EXPECT_FALSE(
      CheckPasswordHash("pbkdf2-sha256$2000000000$" + huge.substr(huge.find('$', 15) + 1)).ok());
  EXPECT_FALSE(VerifyPassword("x", "md5$1$a$b"));
  // Different salts, different hashes.
  EXPECT_NE(h, HashPassword("correct horse", "fedcba9876543210", 1000));
}

TEST(CookieTest, FindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("a=1; dealsync_session=xyz; b=2", "dealsync_session"), "xyz");
  EXPECT_EQ(CookieValue("dealsync_sessionx=1", "dealsync_session"), std::nullopt);
}

TEST_F(WorkspaceTest, SignInSetsAHardenedCookieAndWrongPasswordsAreRefused) {
  HttpResponse bad =
      Call("POST", "/api/v1/session", json{{"name", "rita"}, {"password", "nope"}}.dump());
  EXPECT_EQ(bad.status, 401);
  HttpResponse unknown =
      Call("POST", "/api/v1/session", json{{"name", "mallory"}, {"password", "x"}}.dump());
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(Body(bad)["error"]["message"], Body(unknown)["error"]["message"]);

  HttpResponse ok = Call("POST", "/api/v1/session",
                         json{{"name", "rita"}, {"password", "rita-password-1"}}.dump());
  ASSERT_EQ(ok.status, 200);
  const std::string cookie(*ok.header("Set-Cookie"));
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain loopback HTTP
  EXPECT_EQ(Body(ok)["user"]["role"], "resolver");
  EXPECT_FALSE(Body(ok)["csrf_token"].get<std::string>().empty());

  ReviewWorld tls(1, /*tls=*/true);
  HttpRequest r;
  r.method = "POST";
  r.url = "/api/v1/session";
  r.body = json{{"name", "rita"}, {"password", "rita-password-1"}}.dump();
  HttpResponse secure = tls.front->Handle(r);
  ASSERT_EQ(secure.status, 200);
  EXPECT_NE(std::string(*secure.header("Set-Cookie")).find("; Secure"), std::string::npos);
}

// Each sign-in costs a slow hash on the admin server's executor: a flood of
// attempts gets 429 with Retry-After instead of stalling the sync beside it.
TEST_F(WorkspaceTest, SignInsAreBudgetedSoAFloodCannotStallTheService) {
  const std::string wrong = json{{"name", "rita"}, {"password", "guess"}}.dump();
  for (int i = 0; i < Authenticator::kSignInBurst; ++i) {
    ASSERT_EQ(Call("POST", "/api/v1/session", wrong).status, 401) << i;
  }
  const std::string right = json{{"name", "rita"}, {"password", "rita-password-1"}}.dump();
  HttpResponse flooded = Call("POST", "/api/v1/session", right);
  EXPECT_EQ(flooded.status, 429) << flooded.body;
  EXPECT_EQ(flooded.header("Retry-After").value_or(""), "1");
  EXPECT_EQ(Body(flooded)["error"]["code"], "resource_exhausted");
  EXPECT_EQ(flooded.header("Set-Cookie"), std::nullopt);
  // Existing sessions and tokens are not affected.
  EXPECT_EQ(WithToken("GET", "/api/v1/conflicts", kCliToken).status, 200);
  // One attempt per second comes back.
  w.clock.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(Call("POST", "/api/v1/session", right).status, 429);
  w.clock.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(Call("POST", "/api/v1/session", right).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/session", right).status, 429);
  w.clock.Advance(std::chrono::seconds(30));  // refilled, up to the burst
  for (int i = 0; i < Authenticator::kSignInBurst; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/session", wrong).status, 401) << i;
  }
  EXPECT_EQ(Call("POST", "/api/v1/session", wrong).status, 429);
}

TEST_F(WorkspaceTest, ReadsOfBusinessDataNeedASignedInUser) {
  for (const char* url : {"/api/v1/conflicts", "/api/v1/links", "/api/v1/partners",
                          "/api/v1/deadletters", "/api/v1/unlinked", "/api/v1/reports/all"}) {
    EXPECT_EQ(Call("GET", url).status, 401) << url;
    EXPECT_EQ(WithToken("GET", url, "wrong-token-0123456789").status, 401) << url;
  }
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/app/").status, 200);
  EXPECT_EQ(Call("GET", "/readyz").status, 200);  // loopback-only listener
  Signed vic = SignIn("vic");
  EXPECT_EQ(Call("GET", "/api/v1/conflicts", "", &vic).status, 200);
  EXPECT_EQ(WithToken("GET", "/api/v1/conflicts", kCliToken).status, 200);
}

TEST_F(WorkspaceTest, BeyondLoopbackOnlyHealthzIsOpen) {
  ReviewWorld open(1, /*tls=*/true, /*loopback_only=*/false);
  auto get = [&](const char* url) {
    HttpRequest r;
    r.url = url;
    return open.front->Handle(r).status;
  };
  EXPECT_EQ(get("/healthz"), 200);
  EXPECT_EQ(get("/readyz"), 401);
  EXPECT_EQ(get("/metrics"), 401);
  EXPECT_EQ(get("/api/v1/conflicts"), 401);
}

TEST_F(WorkspaceTest, StaticAppCarriesAStrictContentSecurityPolicy) {
  HttpResponse r = Call("GET", "/app/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("Content-Type")->find("text/html"), std::string::npos);
  EXPECT_NE(r.header("Content-Security-Policy")->find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(Call("GET", "/app/app.js").status, 200);
  EXPECT_EQ(Call("GET", "/app/missing.js").status, 404);
  EXPECT_EQ(Call("GET", "/").status, 302);
}

TEST_F(WorkspaceTest, MutationsWithASessionNeedTheCsrfToken) {
  Signed rita = SignIn("rita");
  const std::string id = HeldIds(rita).front();
  const std::string url = "/api/v1/conflicts/" + UrlEncode(id) + "/resolve";
  const std::string body = json{{"take", "vendor"}, {"reason", "customer confirmed"}}.dump();
  HttpResponse no_csrf = Call("POST", url, body, &rita, /*with_csrf=*/false);
  EXPECT_EQ(no_csrf.status, 403);
  Signed forged = rita;
  forged.csrf = "forged";
  EXPECT_EQ(Call("POST", url, body, &forged).status, 403);
  EXPECT_EQ(HeldIds(rita).front(), id);  // nothing happened
  EXPECT_EQ(Call("POST", url, body, &rita).status, 200);
}

TEST_F(WorkspaceTest, SettlingNeedsAReasonAndIsRecordedUnderTheUsersName) {
  Signed rita = SignIn("rita");
  std::vector<std::string> held = HeldIds(rita);
  ASSERT_EQ(held.size(), 6u);
  const std::string id = held.front();
  const std::string url = "/api/v1/conflicts/" + UrlEncode(id) + "/resolve";
  EXPECT_EQ(Call("POST", url, json{{"take", "partner"}}.dump(), &rita).status, 400);
  EXPECT_EQ(Call("POST", url, json{{"take", "partner"}, {"reason", "  "}}.dump(), &rita).status,
            400);
  // Values of the wrong JSON type are a 400 that says so, not an exception.
  HttpResponse typed = Call("POST", url, json{{"take", 5}, {"reason", "x"}}.dump(), &rita);
  EXPECT_EQ(typed.status, 400);
  EXPECT_EQ(Body(typed)["error"]["message"], "\"take\" must be a string") << typed.body;
  EXPECT_EQ(Call("POST", url, json{{"take", "vendor"}, {"reason", {1}}}.dump(), &rita).status,
            400);
  EXPECT_EQ(Call("POST", "/api/v1/links",
                 json{{"partner", 7}, {"vendor_id", "v"}, {"partner_id", "p"}}.dump(), &rita)
                .status,
            400);
  EXPECT_EQ(Call("POST", "/api/v1/links/not-same-deal",
                 json{{"partner", "contoso"}, {"vendor_id", true}, {"partner_id", "p"}}.dump(),
                 &rita)
                .status,
            400);
  // A body naming someone else does not change who acted.
  HttpResponse r = Call(
      "POST", url,
      json{{"take", "partner"}, {"reason", "partner has the signed PO"}, {"by", "mallory"}}.dump(),
      &rita);
  ASSERT_EQ(r.status, 200) << r.body;
  json detail = Body(r);
  EXPECT_EQ(detail["status"], "resolved_by_operator");
  EXPECT_EQ(detail["resolved_by"], "rita");
  EXPECT_EQ(detail["resolution_reason"], "partner has the signed PO");
  EXPECT_EQ(detail["outcome_value"], "2027-01-10");
  ASSERT_FALSE(detail["history"].empty());
  EXPECT_EQ(detail["history"][0]["resolved_by"], "rita");
  EXPECT_EQ(detail["history"][0]["reason"], "partner has the signed PO");
  // The push to the vendor is queued and shown.
  ASSERT_FALSE(detail["pushes"].empty()) << detail.dump();
  EXPECT_EQ(detail["pushes"][0]["state"], "queued");
  EXPECT_EQ(detail["pushes"][0]["target"], "vendor");
  EXPECT_EQ(detail["pushes"][0]["values"]["close_date"], "2027-01-10");
  // It left the held list.
  std::vector<std::string> after = HeldIds(rita);
  EXPECT_EQ(after.size(), 5u);
  EXPECT_EQ(std::find(after.begin(), after.end(), id), after.end());
  // Settled twice: refused.
  EXPECT_EQ(Call("POST", url, json{{"take", "vendor"}, {"reason", "again"}}.dump(), &rita).status,
            409);
}

TEST_F(WorkspaceTest, BulkSettleReportsEveryOutcome) {
  Signed rita = SignIn("rita");
  std::vector<std::string> held = HeldIds(rita);
  json ids = json::array({held[0], held[1], held[2], "northwind/none/none/stage/1"});
  HttpResponse r =
      Call("POST", "/api/v1/conflicts/resolve",
           json{{"ids", ids}, {"take", "vendor"}, {"reason", "vendor is master"}}.dump(), &rita);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["settled"], 3);
  EXPECT_FALSE(Body(r)["results"][3]["ok"]);
  EXPECT_EQ(HeldIds(rita).size(), 3u);
}

TEST_F(WorkspaceTest, AViewerCannotSettleOrLink) {
  Signed vic = SignIn("vic");
  const std::string id = HeldIds(vic).front();
  HttpResponse r = Call("POST", "/api/v1/conflicts/" + UrlEncode(id) + "/resolve",
                        json{{"take", "vendor"}, {"reason", "x"}}.dump(), &vic);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(
      Call("POST", "/api/v1/links",
           json{{"partner", "contoso"}, {"vendor_id", "006SOLO"}, {"partner_id", "co-solo"}}.dump(),
           &vic)
          .status,
      403);
  EXPECT_EQ(HeldIds(vic).size(), 6u);
}

TEST_F(WorkspaceTest, APartnerLimitedUserNeverSeesAnotherPartnersDeals) {
  Signed nora = SignIn("nora");
  Signed ada = SignIn("ada");
  std::vector<std::string> all = HeldIds(ada);
  std::vector<std::string> mine = HeldIds(nora);
  ASSERT_EQ(all.size(), 6u);
  ASSERT_EQ(mine.size(), 3u);
  for (const std::string& id : mine) {
    EXPECT_TRUE(id.starts_with("northwind/")) << id;
  }
  std::string other;
  for (const std::string& id : all) {
    if (id.starts_with("contoso/")) {
      other = id;
    }
  }
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(Call("GET", "/api/v1/conflicts/" + UrlEncode(other), "", &nora).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/conflicts/" + UrlEncode(other) + "/resolve",
                 json{{"take", "vendor"}, {"reason", "x"}}.dump(), &nora)
                .status,
            404);
  EXPECT_EQ(Call("GET", "/api/v1/conflicts?partner=contoso", "", &nora).status, 403);
  for (const char* url :
       {"/api/v1/links", "/api/v1/partners", "/api/v1/deadletters", "/api/v1/unlinked",
        "/api/v1/outbox", "/api/v1/ambiguities", "/api/v1/rejects"}) {
    HttpResponse r = Call("GET", url, "", &nora);
    ASSERT_EQ(r.status, 200) << url << " " << r.body;
    EXPECT_EQ(r.body.find("contoso"), std::string::npos) << url << " " << r.body;
    EXPECT_EQ(r.body.find("006SOLO"), std::string::npos) << url << " " << r.body;
  }
  EXPECT_EQ(Call("GET", "/api/v1/reports/all", "", &nora).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/reports/contoso", "", &nora).status, 403);
  HttpResponse own = Call("GET", "/api/v1/reports/northwind?format=json", "", &nora);
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body.find("contoso"), std::string::npos);
}

TEST_F(WorkspaceTest, ListsFilterSearchAndSortByValueAtStake) {
  Signed ada = SignIn("ada");
  HttpResponse r = Call("GET", "/api/v1/conflicts?status=held_for_review", "", &ada);
  json list = Body(r)["conflicts"];
  ASSERT_EQ(list.size(), 6u);
  for (size_t i = 1; i < list.size(); ++i) {
    EXPECT_GE(list[i - 1]["value_at_stake_minor"].get<int64_t>(),
              list[i]["value_at_stake_minor"].get<int64_t>());
  }
  EXPECT_EQ(list[0]["age_days"], 2);
  EXPECT_EQ(HeldIds(ada, "&partner=contoso").size(), 3u);
  EXPECT_EQ(HeldIds(ada, "&field=stage").size(), 0u);
  EXPECT_EQ(HeldIds(ada, "&min_age_days=3").size(), 0u);
  EXPECT_EQ(HeldIds(ada, "&min_age_days=2").size(), 6u);
  const std::string account = list[0]["account"];
  std::vector<std::string> found = HeldIds(ada, "&q=" + UrlEncode(account.substr(0, 4)));
  EXPECT_GE(found.size(), 1u);
  EXPECT_LT(found.size(), 6u);
  const int64_t top = list[0]["value_at_stake_minor"].get<int64_t>() / 100;
  EXPECT_EQ(HeldIds(ada, "&min_value=" + std::to_string(top)).size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/conflicts?colour=red", "", &ada).status, 400);
}

TEST_F(WorkspaceTest, OneSidedDealsAreLinkedByHandAndLinksBrokenAsNotTheSameDeal) {
  Signed rita = SignIn("rita");
  json unlinked = Body(Call("GET", "/api/v1/unlinked", "", &rita))["records"];
  std::set<std::string> ids;
  for (const json& r : unlinked) {
    ids.insert(r["native_id"]);
  }
  EXPECT_TRUE(ids.count("co-solo"));
  EXPECT_TRUE(ids.count("006SOLO"));
  HttpResponse link =
      Call("POST", "/api/v1/links",
           json{{"partner", "contoso"}, {"vendor_id", "006SOLO"}, {"partner_id", "co-solo"}}.dump(),
           &rita);
  ASSERT_EQ(link.status, 201) << link.body;
  EXPECT_EQ(Body(link)["created_by"], "rita");
  HttpResponse broken =
      Call("DELETE", "/api/v1/links/" + UrlEncode("contoso/006SOLO/co-solo"), "", &rita);
  ASSERT_EQ(broken.status, 200) << broken.body;
  EXPECT_EQ(Body(broken)["by"], "rita");
}

TEST_F(WorkspaceTest, PartnersShowSyncHealthAndDeadLettersTheirFullError) {
  Signed ada = SignIn("ada");
  json partners = Body(Call("GET", "/api/v1/partners", "", &ada));
  ASSERT_EQ(partners["partners"].size(), 2u);
  json contoso = partners["partners"][1];
  EXPECT_EQ(contoso["id"], "contoso");
  EXPECT_EQ(contoso["held_conflicts"], 3);
  EXPECT_EQ(contoso["dead_letters"], 1);
  EXPECT_EQ(contoso["error_rate_percent"], 5.0);
  EXPECT_EQ(contoso["lag_seconds"], "120");
  json dead = Body(Call("GET", "/api/v1/deadletters", "", &ada))["dead_letters"];
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0]["last_error"].get<std::string>().find("registration cap"), std::string::npos);
}

// A partner that is configured but failed to start (a missing credential)
// and one whose file did not load at all are both on the Partners page as
// failed, with the reason, and only for users who may see that partner.
TEST_F(WorkspaceTest, PartnersThatFailedToStartAreShownWithTheReason) {
  SourceHealth missing;
  missing.id = "northwind";
  missing.failed = true;
  missing.last_error = "credential \"northwind-token\" is missing";
  w.backend->SetSource(missing);
  SourceHealth invalid;
  invalid.id = "fabrikam";
  invalid.failed = true;
  invalid.last_error = "partners.d/fabrikam.toml:4:1: connection: missing key base_url";
  w.backend->SetSource(invalid);

  Signed ada = SignIn("ada");
  json partners = Body(Call("GET", "/api/v1/partners", "", &ada))["partners"];
  ASSERT_EQ(partners.size(), 3u) << partners.dump();
  EXPECT_EQ(partners[0]["id"], "northwind");
  EXPECT_EQ(partners[0]["failed"], true);
  EXPECT_EQ(partners[0]["running"], false);
  EXPECT_NE(partners[0]["last_error"].get<std::string>().find("northwind-token"),
            std::string::npos);
  EXPECT_EQ(partners[1]["id"], "contoso");
  EXPECT_EQ(partners[1]["failed"], false);
  EXPECT_EQ(partners[2]["id"], "fabrikam");
  EXPECT_EQ(partners[2]["failed"], true);
  EXPECT_EQ(partners[2]["last_error"], invalid.last_error);

  Signed nora = SignIn("nora");
  json limited = Body(Call("GET", "/api/v1/partners", "", &nora))["partners"];
  ASSERT_EQ(limited.size(), 1u) << limited.dump();
  EXPECT_EQ(limited[0]["id"], "northwind");
}

// The API quota a CRM reports (Sforce-Limit-Info and the like) is shown per
// partner beside the configured budget; unknown stays null, never a guess.
TEST_F(WorkspaceTest, PartnersShowTheQuotaTheCrmReports) {
  std::vector<SourceHealth> sources = w.backend->Sources();
  SourceHealth contoso = sources[2];
  contoso.quota_used = 1234;
  contoso.quota_limit = 15000;
  w.backend->SetSource(contoso);
  Signed ada = SignIn("ada");
  json body = Body(Call("GET", "/api/v1/partners", "", &ada));
  EXPECT_EQ(body["partners"][1]["api_quota_used"], 1234);
  EXPECT_EQ(body["partners"][1]["api_quota_limit"], 15000);
  EXPECT_TRUE(body["partners"][0]["api_quota_used"].is_null());
  // The vendor's card counts the pushes queued to the vendor.
  EXPECT_EQ(body["vendor"]["queued_pushes"], 0);
  EXPECT_EQ(body["vendor"]["links"], 0);  // links belong to their partner
  EXPECT_EQ(body["partners"][0]["links"], 3);
}

TEST_F(WorkspaceTest, DeadLettersAreRetriedOnlyByResolversWhoSeeTheirPartner) {
  Signed rita = SignIn("rita");
  Signed vic = SignIn("vic");
  Signed nora = SignIn("nora");
  json dead = Body(Call("GET", "/api/v1/deadletters?target=contoso", "", &rita))["dead_letters"];
  ASSERT_EQ(dead.size(), 1u);
  const std::string id = dead[0]["id"];
  const std::string record = dead[0]["native_id"];
  EXPECT_EQ(id, "contoso/" + record);
  EXPECT_EQ(dead[0]["attempts"], 1);
  ASSERT_EQ(dead[0]["history"].size(), 1u);
  EXPECT_NE(dead[0]["history"][0]["error"].get<std::string>().find("422"), std::string::npos);
  EXPECT_TRUE(
      Body(Call("GET", "/api/v1/deadletters?target=vendor", "", &rita))["dead_letters"].empty());
  EXPECT_EQ(Call("GET", "/api/v1/deadletters?tagret=contoso", "", &rita).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/deadletters?partner=contoso", "", &nora).status, 403);

  const std::string retry = "/api/v1/deadletters/contoso/" + UrlEncode(record) + "/retry";
  EXPECT_EQ(Call("POST", retry, "", &vic).status, 403);
  EXPECT_EQ(Call("POST", retry, "", &nora).status, 404);  // another partner's: not even named
  EXPECT_EQ(Call("POST", retry, "", &rita, /*with_csrf=*/false).status, 403);
  EXPECT_EQ(Call("GET", retry, "", &rita).status, 405);
  HttpResponse r = Call("POST", retry, "", &rita);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["status"], "queued");
  EXPECT_EQ(Body(r)["by"], "rita");
  EXPECT_TRUE(Body(Call("GET", "/api/v1/deadletters", "", &rita))["dead_letters"].empty());
  bool queued = false;
  const json outbox = Body(Call("GET", "/api/v1/outbox?partner=contoso", "", &rita));
  for (const json& p : outbox["pushes"]) {
    queued = queued || (p["native_id"] == record && p["state"] == "queued");
  }
  EXPECT_TRUE(queued) << outbox.dump();
  EXPECT_EQ(Call("POST", retry, "", &rita).status, 404);  // no longer a dead letter
}

TEST_F(WorkspaceTest, DeadLettersAreDiscardedUnderTheCallersNameOneOrInBulk) {
  Signed rita = SignIn("rita");
  json dead = Body(Call("GET", "/api/v1/deadletters", "", &rita))["dead_letters"];
  ASSERT_EQ(dead.size(), 1u);
  const std::string id = dead[0]["id"];
  HttpResponse bulk = Call("POST", "/api/v1/deadletters/discard",
                           json{{"ids", {id, "contoso/missing", "no-slash"}}}.dump(), &rita);
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  EXPECT_EQ(Body(bulk)["discarded"], 1);
  EXPECT_EQ(Body(bulk)["results"][0]["ok"], true);
  EXPECT_EQ(Body(bulk)["results"][1]["ok"], false);
  EXPECT_EQ(Body(bulk)["results"][2]["ok"], false);
  EXPECT_EQ(w.backend->discarded_by, std::vector<std::string>{"rita"});
  EXPECT_TRUE(Body(Call("GET", "/api/v1/deadletters", "", &rita))["dead_letters"].empty());
  EXPECT_EQ(Call("DELETE", "/api/v1/deadletters/" + id, "", &rita).status, 404);
  EXPECT_EQ(
      Call("POST", "/api/v1/deadletters/retry", json{{"ids", json::array()}}.dump(), &rita).status,
      400);
}

// A retried dead letter is on the deal's page under the person who retried it.
TEST_F(WorkspaceTest, ActionsOnADealAreInItsHistoryUnderTheUsersName) {
  Signed rita = SignIn("rita");
  const json dead = Body(Call("GET", "/api/v1/deadletters", "", &rita))["dead_letters"][0];
  const std::string link_id = dead["link_id"];
  ASSERT_EQ(Call("POST",
                 "/api/v1/deadletters/contoso/" + UrlEncode(dead["native_id"].get<std::string>()) +
                     "/retry",
                 "", &rita)
                .status,
            200);
  std::string conflict_id;
  for (const std::string& id : HeldIds(rita, "&partner=contoso")) {
    if (id.starts_with(link_id + "/")) {
      conflict_id = id;
    }
  }
  ASSERT_FALSE(conflict_id.empty()) << link_id;
  const json detail = Body(Call("GET", "/api/v1/conflicts/" + UrlEncode(conflict_id), "", &rita));
  ASSERT_EQ(detail["actions"].size(), 1u) << detail.dump();
  EXPECT_EQ(detail["actions"][0]["by"], "rita");
  EXPECT_EQ(detail["actions"][0]["action"], "dead_letter_retried");
  EXPECT_NE(detail["actions"][0]["detail"].get<std::string>().find("registration cap"),
            std::string::npos);
  EXPECT_EQ(detail["actions"][0]["at"], FormatTimestamp(w.clock.Now()));
}

TEST_F(WorkspaceTest, RefusedRecordsAreListedPerPartnerAndReadAgainByResolvers) {
  Signed rita = SignIn("rita");
  Signed vic = SignIn("vic");
  Signed nora = SignIn("nora");
  const json all = Body(Call("GET", "/api/v1/rejects", "", &vic))["rejected"];
  ASSERT_EQ(all.size(), 3u) << all.dump();
  EXPECT_EQ(all[0]["id"], "contoso/co-bad-1");
  EXPECT_NE(all[0]["message"].get<std::string>().find("[mapping.stage]"), std::string::npos);
  EXPECT_FALSE(all[0]["rejected_at"].get<std::string>().empty());
  const json mine = Body(Call("GET", "/api/v1/rejects", "", &nora))["rejected"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["id"], "northwind/nw-bad-1");
  EXPECT_EQ(Call("GET", "/api/v1/rejects?partner=contoso", "", &nora).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/rejects?partner=vendor", "", &nora).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/rejects?prtner=contoso", "", &rita).status, 400);
  EXPECT_EQ(Body(Call("GET", "/api/v1/partners", "", &rita))["partners"][1]["rejected_records"], 2);

  const std::string ids = json{{"ids", {"contoso/co-bad-1", "contoso/co-bad-2"}}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/rejects/reread", ids, &vic).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/rejects/reread", "", &rita).status, 405);
  // Another partner's, or a record that is not refused: not read, and said so.
  HttpResponse foreign = Call("POST", "/api/v1/rejects/reread", ids, &nora);
  ASSERT_EQ(foreign.status, 200) << foreign.body;
  EXPECT_EQ(Body(foreign)["requested"], 0);
  EXPECT_EQ(Body(foreign)["results"][0]["ok"], false);
  EXPECT_TRUE(w.backend->reread_by.empty());
  HttpResponse r = Call(
      "POST", "/api/v1/rejects/reread",
      json{{"ids", {"contoso/co-bad-1", "contoso/co-bad-2", "contoso/co-1", "no-slash"}}}.dump(),
      &rita);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Body(r)["requested"], 2);
  EXPECT_EQ(Body(r)["results"][2]["ok"], false);
  EXPECT_EQ(Body(r)["results"][3]["ok"], false);
  EXPECT_EQ(w.backend->reread_by, std::vector<std::string>{"rita"});
  // Read again in a readable version: no longer refused.
  const json left = Body(Call("GET", "/api/v1/rejects", "", &rita))["rejected"];
  ASSERT_EQ(left.size(), 1u) << left.dump();
  EXPECT_EQ(left[0]["id"], "northwind/nw-bad-1");
  EXPECT_EQ(
      Call("POST", "/api/v1/rejects/reread", json{{"ids", json::array()}}.dump(), &rita).status,
      400);
}

TEST_F(WorkspaceTest, AnAmbiguousMatchIsSettledByNotTheSameDeal) {
  Signed rita = SignIn("rita");
  Signed vic = SignIn("vic");
  Signed nora = SignIn("nora");
  const json amb = Body(Call("GET", "/api/v1/ambiguities", "", &rita))["ambiguities"];
  ASSERT_EQ(amb.size(), 2u) << amb.dump();
  EXPECT_EQ(amb[0]["native_id"], "006AMB");
  EXPECT_EQ(amb[0]["candidates"], json({"contoso/co-amb-1", "contoso/co-amb-2"}));
  // A partner's channel manager sees the vendor deal only through that partner's candidates.
  const json noras = Body(Call("GET", "/api/v1/ambiguities", "", &nora))["ambiguities"];
  ASSERT_EQ(noras.size(), 1u) << noras.dump();
  EXPECT_EQ(noras[0]["native_id"], "006AMB2");
  const std::string pair =
      json{{"partner", "contoso"}, {"vendor_id", "006AMB"}, {"partner_id", "co-amb-2"}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/links/not-same-deal", pair, &vic).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/links/not-same-deal", pair, &nora).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/links/not-same-deal", "{}", &rita).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/links/not-same-deal", "", &rita).status, 405);
  HttpResponse r = Call("POST", "/api/v1/links/not-same-deal", pair, &rita);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["by"], "rita");
  // The key now finds one candidate: linked, and no longer ambiguous.
  const json left = Body(Call("GET", "/api/v1/ambiguities", "", &rita))["ambiguities"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["native_id"], "006AMB2");
  bool linked = false;
  const json links = Body(Call("GET", "/api/v1/links?partner=contoso", "", &rita));
  for (const json& l : links["links"]) {
    linked = linked || (l["vendor_id"] == "006AMB" && l["partner_id"] == "co-amb-1");
  }
  EXPECT_TRUE(linked);
}

TEST_F(WorkspaceTest, RewindingASourceNeedsRoleAdmin) {
  Signed rita = SignIn("rita");
  Signed ada = SignIn("ada");
  const std::string body = json{{"to", "2026-11-01"}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/sources/contoso/rewind", body, &rita).status, 403);
  // Past the role check AdminApi answers; this backend cannot rewind (409), so
  // the call did reach it with "by" set to the caller.
  HttpResponse r = Call("POST", "/api/v1/sources/contoso/rewind", body, &ada);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("rewinding sources is not available"), std::string::npos) << r.body;
}

TEST_F(WorkspaceTest, ReloadingTheConfigurationNeedsRoleAdmin) {
  Signed rita = SignIn("rita");
  Signed ada = SignIn("ada");
  HttpResponse refused = Call("POST", "/api/v1/reload", "", &rita);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("needs role admin"), std::string::npos) << refused.body;
  // Past the role check AdminApi answers; this backend cannot reload (422).
  HttpResponse r = Call("POST", "/api/v1/reload", "", &ada);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("this server cannot reload"), std::string::npos) << r.body;
}

TEST_F(WorkspaceTest, AHostHeaderNamingAnotherServerIsRefusedBeforeAnything) {
  Workspace front(*w.review, *w.inner, "inner-token-xyz", *w.auth,
                  WorkspaceOptions{false, true, AdminHostNames("127.0.0.1", {"review.example"})});
  auto get = [&](const std::string& url, const std::string& host) {
    HttpRequest r;
    r.url = url;
    r.headers.emplace_back("Host", host);
    return front.Handle(r);
  };
  for (const char* url : {"/app/", "/api/v1/session", "/healthz"}) {
    HttpResponse evil = get(url, "attacker.example:8686");
    EXPECT_EQ(evil.status, 403) << url;
    EXPECT_NE(evil.body.find("host_not_allowed"), std::string::npos) << url;
    EXPECT_EQ(get(url, "127.0.0.1:8686").status, 200) << url;
    EXPECT_EQ(get(url, "Review.Example").status, 200) << url;
  }
}

TEST_F(WorkspaceTest, ReportsDownloadPerPartnerWithAnOptionalBom) {
  Signed ada = SignIn("ada");
  HttpResponse csv = Call("GET", "/api/v1/reports/contoso?format=csv&bom=1", "", &ada);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF"));
  EXPECT_NE(csv.header("Content-Disposition")->find("dealsync-contoso.conflicts.csv"),
            std::string::npos);
  HttpResponse plain = Call("GET", "/api/v1/reports/contoso?format=csv", "", &ada);
  EXPECT_FALSE(plain.body.starts_with("\xEF\xBB\xBF"));
  HttpResponse html = Call("GET", "/api/v1/reports/all", "", &ada);
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("<html"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/reports/all?format=pdf", "", &ada).status, 400);
}

TEST_F(WorkspaceTest, SessionsExpireAndSignOutEndsThem) {
  Signed rita = SignIn("rita");
  EXPECT_EQ(Call("GET", "/api/v1/session", "", &rita).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/session", "", &rita, /*with_csrf=*/false).status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/session", "", &rita).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/conflicts", "", &rita).status, 401);
  Signed vic = SignIn("vic");
  w.clock.Advance(std::chrono::hours(8) + std::chrono::seconds(1));
  EXPECT_EQ(Call("GET", "/api/v1/conflicts", "", &vic).status, 401);
}

TEST_F(WorkspaceTest, TokenCallersNeedNoCsrfAndActUnderTheirName) {
  json list = Body(WithToken("GET", "/api/v1/conflicts?status=held_for_review", kCliToken));
  const std::string id = list["conflicts"][0]["id"];
  HttpResponse r =
      WithToken("POST", "/api/v1/conflicts/" + UrlEncode(id) + "/resolve", kCliToken,
                json{{"take", "value"}, {"value", "2026-12-31"}, {"reason", "agreed"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["resolved_by"], "cli");
  EXPECT_EQ(Body(r)["outcome_value"], "2026-12-31");
}

}  // namespace
}  // namespace dealsync::testing
