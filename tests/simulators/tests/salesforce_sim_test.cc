#include "tests/simulators/salesforce_sim.h"

#include <gtest/gtest.h>

#include "src/transport/cert_gen.h"
#include "src/transport/gzip.h"
#include "src/transport/jwt.h"
#include "tests/simulators/sim_time.h"
#include "tests/simulators/tests/sim_test_util.h"

namespace dealsync::sim {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::Get;
using testing::HasViolation;
using testing::WithJson;

const std::string kBase = "/services/data/v59.0";

class SalesforceSimTest : public ::testing::Test {
 protected:
  SalesforceSimTest() : sim_(clock_, random_) { token_ = sim_.IssueToken(); }

  std::string Add(const std::string& name, const std::string& stage = "Prospecting") {
    auto id = sim_.CreateRecord({{"Name", name},
                                 {"Account", {{"Name", "Acme"}}},
                                 {"StageName", stage},
                                 {"Amount", 1234.5},
                                 {"CurrencyIsoCode", "USD"},
                                 {"CloseDate", "2026-12-01"}});
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : "";
  }
  HttpResponse Query(const std::string& soql, bool all = true) {
    return sim_.Handle(Get(kBase + (all ? "/queryAll?q=" : "/query?q=") + UrlEncode(soql), token_));
  }
  static std::string Poll(const std::string& since) {
    return "SELECT Id, IsDeleted, SystemModstamp, Name, Account.Name, StageName, Amount, "
           "CurrencyIsoCode, CloseDate FROM Opportunity WHERE SystemModstamp >= " +
           since + " ORDER BY SystemModstamp ASC, Id ASC";
  }

  FakeClock clock_;
  ScriptedRandom random_{{7, 3, 9}};
  SalesforceSim sim_;
  std::string token_;
};

TEST_F(SalesforceSimTest, OAuthClientCredentialsIssuesAWorkingToken) {
  HttpRequest r;
  r.method = "POST";
  r.url = "https://127.0.0.1:1/services/oauth2/token";
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.body = "grant_type=client_credentials&client_id=sf-client-id&client_secret=sf-client-secret";
  auto resp = sim_.Handle(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  const Json body = BodyOf(resp);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(sim_.Handle(Get(kBase + "/query?q=" + UrlEncode("SELECT Id FROM Opportunity"),
                            body["access_token"]))
                .status,
            200);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(SalesforceSimTest, OAuthRejectsBadSecretAndWrongContentType) {
  HttpRequest r;
  r.method = "POST";
  r.url = "/services/oauth2/token";
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.body = "grant_type=client_credentials&client_id=sf-client-id&client_secret=nope";
  auto resp = sim_.Handle(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)["error"], "invalid_client");
  r.headers = {{"Content-Type", "application/json"}};
  EXPECT_EQ(sim_.Handle(r).status, 400);
  EXPECT_TRUE(HasViolation(sim_.violations(), "oauth.invalid_request"));
}

// The JWT bearer grant, checked as Salesforce documents it (salesforce_sim.cc).
class SalesforceJwtTest : public SalesforceSimTest {
 protected:
  static void SetUpTestSuite() {
    Result<SigningPair> app = GenerateRsaSigningPair();
    Result<SigningPair> stranger = GenerateRsaSigningPair();
    ASSERT_TRUE(app.ok() && stranger.ok());
    app_ = new SigningPair(*app);
    stranger_ = new SigningPair(*stranger);
  }
  static void TearDownTestSuite() {
    delete app_;
    delete stranger_;
  }
  SalesforceJwtTest() {
    SalesforceSimConfig c;
    c.jwt_certificate_pem = app_->certificate_pem;
    c.instance_url = "https://127.0.0.1:8443";
    sim_ = std::make_unique<SalesforceSim>(clock_, random_, c);
  }
  Json Claims() const {
    return {{"iss", "sf-client-id"},
            {"sub", "integration@acme.example"},
            {"aud", "https://login.salesforce.com"},
            {"exp", ToEpochMs(clock_.Now()) / 1000 + 120}};
  }
  HttpResponse Grant(const Json& claims, const SigningPair& signer) {
    Result<std::string> assertion = SignJwtRs256(claims.dump(), signer.private_key_pem);
    EXPECT_TRUE(assertion.ok());
    HttpRequest r;
    r.method = "POST";
    r.url = "/services/oauth2/token";
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    r.body = "grant_type=" + UrlEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
             "&assertion=" + (assertion.ok() ? *assertion : std::string());
    return sim_->Handle(r);
  }
  static std::string ErrorOf(const HttpResponse& r) {
    const Json body = BodyOf(r);
    return std::to_string(r.status) + " " + body.value("error", "") + ": " +
           body.value("error_description", "");
  }

  static SigningPair* app_;
  static SigningPair* stranger_;
  std::unique_ptr<SalesforceSim> sim_;
};
SigningPair* SalesforceJwtTest::app_ = nullptr;
SigningPair* SalesforceJwtTest::stranger_ = nullptr;

TEST_F(SalesforceJwtTest, AValidAssertionGetsAWorkingSessionWithoutARefreshToken) {
  for (const char* aud :
       {"https://login.salesforce.com", "https://test.salesforce.com", "https://127.0.0.1:8443"}) {
    Json claims = Claims();
    claims["aud"] = aud;
    HttpResponse r = Grant(claims, *app_);
    ASSERT_EQ(r.status, 200) << aud << ": " << r.body;
    const Json body = BodyOf(r);
    EXPECT_FALSE(body.contains("refresh_token"));
    EXPECT_EQ(body["instance_url"], "https://127.0.0.1:8443");
    EXPECT_EQ(sim_->Handle(Get(kBase + "/query?q=" + UrlEncode("SELECT Id FROM Opportunity"),
                               body["access_token"]))
                  .status,
              200);
  }
  EXPECT_TRUE(sim_->violations().empty()) << sim_->violations().Describe();
}

TEST_F(SalesforceJwtTest, EachWrongClaimGetsSalesforcesAnswer) {
  const auto with = [&](const char* name, Json value) {
    Json c = Claims();
    c[name] = std::move(value);
    return c;
  };
  const int64_t now_s = ToEpochMs(clock_.Now()) / 1000;
  EXPECT_EQ(ErrorOf(Grant(Claims(), *stranger_)), "400 invalid_grant: invalid assertion");
  EXPECT_EQ(ErrorOf(Grant(with("iss", "someone-else"), *app_)),
            "400 invalid_client_id: client identifier invalid");
  EXPECT_EQ(ErrorOf(Grant(with("aud", "https://acme.my.salesforce.com"), *app_)),
            "400 invalid_grant: audience is invalid");
  EXPECT_EQ(ErrorOf(Grant(with("exp", now_s), *app_)),
            "400 invalid_grant: expired authorization code");
  EXPECT_EQ(ErrorOf(Grant(with("exp", now_s + 600), *app_)),
            "400 invalid_grant: expired authorization code")
      << "more than three minutes ahead";
  EXPECT_EQ(ErrorOf(Grant(with("exp", std::to_string(now_s + 60)), *app_)),
            "400 invalid_grant: expired authorization code")
      << "exp is a number";
  EXPECT_EQ(ErrorOf(Grant(with("sub", "nobody@acme.example"), *app_)),
            "400 invalid_grant: user hasn't approved this consumer");
  EXPECT_TRUE(HasViolation(sim_->violations(), "oauth.invalid_grant"));
}

TEST_F(SalesforceJwtTest, WithoutACertificateTheGrantIsRefused) {
  sim_ = std::make_unique<SalesforceSim>(clock_, random_);
  EXPECT_EQ(ErrorOf(Grant(Claims(), *app_)), "400 invalid_client: invalid client credentials");
}

TEST_F(SalesforceSimTest, MissingAndUnknownTokensAre401Violations) {
  auto resp = sim_.Handle(Get(kBase + "/query?q=x"));
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(BodyOf(resp)[0]["errorCode"], "INVALID_SESSION_ID");
  EXPECT_EQ(sim_.Handle(Get(kBase + "/query?q=x", "forged")).status, 401);
  EXPECT_EQ(sim_.violations().entries().size(), 2u);
}

TEST_F(SalesforceSimTest, ExpiredTokenIs401WithoutViolation) {
  clock_.Advance(121min);
  EXPECT_EQ(Query("SELECT Id FROM Opportunity").status, 401);
  EXPECT_TRUE(sim_.violations().empty());
}

// As Salesforce does for "Accept-Encoding: gzip" (REST API Developer Guide,
// "Compression Headers"): a large answer comes compressed, a small one or one
// not asked for comes plain.
TEST_F(SalesforceSimTest, AnswersAreGzippedWhenTheClientAsks) {
  for (int i = 0; i < 40; ++i) {
    Add("deal " + std::to_string(i));
  }
  HttpRequest plain = Get(kBase + "/queryAll?q=" + UrlEncode(Poll("2020-01-01T00:00:00Z")), token_);
  HttpRequest asking = plain;
  asking.headers.emplace_back("Accept-Encoding", "gzip");
  const HttpResponse uncompressed = sim_.Handle(plain);
  const HttpResponse compressed = sim_.Handle(asking);
  ASSERT_EQ(compressed.status, 200);
  EXPECT_FALSE(FindHeader(uncompressed.headers, "Content-Encoding"));
  EXPECT_EQ(FindHeader(compressed.headers, "Content-Encoding").value_or(""), "gzip");
  EXPECT_LT(compressed.body.size(), uncompressed.body.size() / 3);
  Result<std::string> decoded = GunzipBounded(compressed.body, 1 << 24);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, uncompressed.body);
  HttpRequest refusing = plain;
  refusing.headers.emplace_back("Accept-Encoding", "gzip;q=0, identity");
  EXPECT_FALSE(FindHeader(sim_.Handle(refusing).headers, "Content-Encoding"));
}

// Salesforce's documentation writes "/queryAll/?q=": the trailing slash names
// the same resource and must not be read as a query locator.
TEST_F(SalesforceSimTest, QueryResourcesAcceptATrailingSlash) {
  Add("deal 1");
  for (const char* resource : {"/queryAll/?q=", "/query/?q="}) {
    auto resp =
        sim_.Handle(Get(kBase + resource + UrlEncode(Poll("2020-01-01T00:00:00Z")), token_));
    ASSERT_EQ(resp.status, 200) << resource << ": " << resp.body;
    EXPECT_EQ(BodyOf(resp)["totalSize"], 1) << resource;
  }
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(SalesforceSimTest, QueryAllPagesWithLocatorsInModstampOrder) {
  for (int i = 0; i < 4500; ++i) {
    Add("deal " + std::to_string(i));
    if (i % 1000 == 0)
      clock_.Advance(1s);  // many rows share one SystemModstamp
  }
  auto resp = Query(Poll("2020-01-01T00:00:00Z"));
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json page = BodyOf(resp);
  EXPECT_EQ(page["totalSize"], 4500);
  std::vector<std::string> seen;
  std::string last_key;
  while (true) {
    for (const auto& rec : page["records"]) {
      const std::string key =
          rec["SystemModstamp"].get<std::string>() + rec["Id"].get<std::string>();
      EXPECT_LT(last_key, key);
      last_key = key;
      seen.push_back(rec["Id"]);
      EXPECT_EQ(rec["Account"]["Name"], "Acme");
      EXPECT_EQ(rec["attributes"]["type"], "Opportunity");
    }
    if (page["done"].get<bool>())
      break;
    EXPECT_EQ(page["records"].size(), 2000u);
    resp = sim_.Handle(Get(page["nextRecordsUrl"].get<std::string>(), token_));
    ASSERT_EQ(resp.status, 200);
    page = BodyOf(resp);
  }
  EXPECT_EQ(seen.size(), 4500u);
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(SalesforceSimTest, LocatorExpiresInSimTime) {
  for (int i = 0; i < 2100; ++i)
    Add("d");
  Json page = BodyOf(Query(Poll("2020-01-01T00:00:00Z")));
  clock_.Advance(16min);
  auto resp = sim_.Handle(Get(page["nextRecordsUrl"].get<std::string>(), token_));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)[0]["errorCode"], "INVALID_QUERY_LOCATOR");
  EXPECT_TRUE(sim_.violations().empty());  // expiry is not the client's fault
  EXPECT_EQ(sim_.Handle(Get(kBase + "/query/01gBOGUS-2000", token_)).status, 400);
  EXPECT_TRUE(HasViolation(sim_.violations(), "INVALID_QUERY_LOCATOR"));
}

TEST_F(SalesforceSimTest, QueryExcludesDeletedButQueryAllReturnsThem) {
  const std::string a = Add("a");
  Add("b");
  ASSERT_OK(sim_.DeleteRecord(a));
  EXPECT_EQ(BodyOf(Query(Poll("2020-01-01T00:00:00Z"), false))["totalSize"], 1);
  Json all = BodyOf(Query(Poll("2020-01-01T00:00:00Z"), true));
  ASSERT_EQ(all["totalSize"], 2);
  int deleted = 0;
  for (const auto& r : all["records"])
    deleted += r["IsDeleted"].get<bool>();
  EXPECT_EQ(deleted, 1);
}

TEST_F(SalesforceSimTest, ModstampFilterAndLateCommit) {
  Add("old");
  clock_.Advance(10min);
  const std::string cursor = IsoSecondsZ(clock_.Now());
  // A row committing now with a stamp from before the cursor (long transaction).
  ASSERT_OK(
      sim_.CreateRecord({{"Name", "late"}, {"modified_at", IsoMillisZ(clock_.Now() - 1min)}}));
  Add("new");
  Json page = BodyOf(Query(Poll(cursor)));
  ASSERT_EQ(page["totalSize"], 1);
  EXPECT_EQ(page["records"][0]["Name"], "new");
  page = BodyOf(Query(Poll(IsoSecondsZ(clock_.Now() - 5min))));
  EXPECT_EQ(page["totalSize"], 2);  // an overlap window finds the late row
}

TEST_F(SalesforceSimTest, InvisibleUntilVisibleAt) {
  ASSERT_OK(sim_.CreateRecord({{"Name", "pending"},
                               {"modified_at", IsoMillisZ(clock_.Now())},
                               {"visible_at", IsoMillisZ(clock_.Now() + 1min)}}));
  EXPECT_EQ(BodyOf(Query(Poll("2020-01-01T00:00:00Z")))["totalSize"], 0);
  clock_.Advance(1min);
  EXPECT_EQ(BodyOf(Query(Poll("2020-01-01T00:00:00Z")))["totalSize"], 1);
}

TEST_F(SalesforceSimTest, SoqlViolationsAnswer400AndAreLogged) {
  auto resp = Query("SELECT Id, Bogus__c FROM Opportunity");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)[0]["errorCode"], "INVALID_FIELD");
  EXPECT_EQ(BodyOf(Query(
                "SELECT Id FROM Opportunity WHERE SystemModstamp >= 2026-01-01"))[0]["errorCode"],
            "MALFORMED_QUERY");
  EXPECT_EQ(sim_.Handle(Get(kBase + "/queryAll", token_)).status, 400);
  EXPECT_EQ(sim_.violations().entries().size(), 3u);
}

TEST_F(SalesforceSimTest, GetDeletedHonoursTheFifteenDayWindow) {
  const std::string a = Add("a");
  clock_.Advance(1h);
  ASSERT_OK(sim_.DeleteRecord(a));
  clock_.Advance(1h);
  token_ = sim_.IssueToken();
  const std::string url =
      kBase + "/sobjects/Opportunity/deleted/?start=" + UrlEncode(IsoSecondsZ(clock_.Now() - 3h)) +
      "&end=" + UrlEncode(IsoSecondsZ(clock_.Now()));
  auto resp = sim_.Handle(Get(url, token_));
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json body = BodyOf(resp);
  ASSERT_EQ(body["deletedRecords"].size(), 1u);
  EXPECT_EQ(body["deletedRecords"][0]["id"], a);
  EXPECT_TRUE(body.contains("latestDateCovered"));
  auto old = sim_.Handle(Get(kBase + "/sobjects/Opportunity/deleted/?start=" +
                                 UrlEncode(IsoSecondsZ(clock_.Now() - std::chrono::days(16))) +
                                 "&end=" + UrlEncode(IsoSecondsZ(clock_.Now())),
                             token_));
  EXPECT_EQ(old.status, 400);
  EXPECT_EQ(BodyOf(old)[0]["errorCode"], "INVALID_REPLICATION_DATE");
  EXPECT_EQ(sim_.Handle(Get(kBase + "/sobjects/Opportunity/deleted/", token_)).status, 400);
}

TEST_F(SalesforceSimTest, CompositeRetrieveReturnsNullForUnknownIds) {
  const std::string a = Add("a");
  Json body = BodyOf(sim_.Handle(
      Get(kBase + "/composite/sobjects/Opportunity?ids=" + a + ",006NOPE&fields=Id,Name", token_)));
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0]["Name"], "a");
  EXPECT_TRUE(body[1].is_null());
  EXPECT_EQ(
      sim_.Handle(Get(kBase + "/composite/sobjects/Opportunity?ids=" + a + "&fields=Nope", token_))
          .status,
      400);
}

Json UpdateBody(const std::vector<std::string>& ids, bool all_or_none = false) {
  Json records = Json::array();
  for (const auto& id : ids) {
    records.push_back({{"attributes", {{"type", "Opportunity"}}},
                       {"id", id},
                       {"StageName", "Closed Won"},
                       {"Amount", 99.5},
                       {"CloseDate", "2027-01-31"}});
  }
  return {{"allOrNone", all_or_none}, {"records", records}};
}

TEST_F(SalesforceSimTest, UpdateAppliesAndBumpsModstampWithPerRecordErrors) {
  const std::string a = Add("a");
  const std::string gone = Add("gone");
  ASSERT_OK(sim_.DeleteRecord(gone));
  clock_.Advance(5s);
  auto resp =
      sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", UpdateBody({a, gone}), token_));
  ASSERT_EQ(resp.status, 200) << resp.body;
  Json body = BodyOf(resp);
  EXPECT_EQ(body[0]["success"], true);
  EXPECT_EQ(body[1]["success"], false);
  EXPECT_EQ(body[1]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
  const SimRecord* r = sim_.records().Find(a);
  EXPECT_EQ(r->fields["StageName"], "Closed Won");
  EXPECT_EQ(r->modified_at, clock_.Now());
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(SalesforceSimTest, AllOrNoneRollsBack) {
  const std::string a = Add("a");
  Json body = BodyOf(sim_.Handle(
      WithJson("PATCH", kBase + "/composite/sobjects", UpdateBody({a, "006NOPE"}, true), token_)));
  EXPECT_EQ(body[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(sim_.records().Find(a)->fields["StageName"], "Prospecting");
}

TEST_F(SalesforceSimTest, UpdateValidation) {
  const std::string a = Add("a");
  std::vector<std::string> many(201, a);
  auto resp =
      sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", UpdateBody(many), token_));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(BodyOf(resp)[0]["errorCode"], "EXCEEDED_ID_LIMIT");

  Json no_type = UpdateBody({a});
  no_type["records"][0].erase("attributes");
  EXPECT_EQ(BodyOf(sim_.Handle(
                WithJson("PATCH", kBase + "/composite/sobjects", no_type, token_)))[0]["errorCode"],
            "INVALID_TYPE");

  Json no_id = UpdateBody({a});
  no_id["records"][0].erase("id");
  EXPECT_EQ(BodyOf(sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", no_id,
                                        token_)))[0]["errors"][0]["statusCode"],
            "MISSING_ARGUMENT");

  Json bad_amount = UpdateBody({a});
  bad_amount["records"][0]["Amount"] = "99.5";
  EXPECT_EQ(
      sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", bad_amount, token_)).status,
      400);

  Json bad_stage = UpdateBody({a});
  bad_stage["records"][0]["StageName"] = "Won";
  EXPECT_EQ(BodyOf(sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", bad_stage,
                                        token_)))[0]["errors"][0]["statusCode"],
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");

  Json unknown = UpdateBody({a});
  unknown["records"][0]["Foo__c"] = "x";
  EXPECT_EQ(BodyOf(sim_.Handle(
                WithJson("PATCH", kBase + "/composite/sobjects", unknown, token_)))[0]["errorCode"],
            "INVALID_FIELD");

  Json readonly = UpdateBody({a});
  readonly["records"][0]["SystemModstamp"] = "2026-01-01T00:00:00.000+0000";
  EXPECT_EQ(BodyOf(sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", readonly,
                                        token_)))[0]["errors"][0]["statusCode"],
            "INVALID_FIELD_FOR_INSERT_UPDATE");

  HttpRequest text = WithJson("PATCH", kBase + "/composite/sobjects", UpdateBody({a}), token_);
  text.headers[0].second = "text/plain";
  EXPECT_EQ(sim_.Handle(text).status, 415);
  EXPECT_EQ(sim_.violations().entries().size(), 8u) << sim_.violations().Describe();
}

TEST_F(SalesforceSimTest, FaultsRequestLimitServerErrorMalformedAndFailIds) {
  const std::string a = Add("a");
  sim_.faults().Add(FaultRule::Of(FaultKind::kRequestLimit, "", "/services/data"));
  sim_.faults().Add(FaultRule::Of(FaultKind::kServerError, "GET"));
  sim_.faults().Add(FaultRule::Of(FaultKind::kMalformedJson, "GET"));
  auto r1 = Query("SELECT Id FROM Opportunity");
  EXPECT_EQ(r1.status, 403);
  EXPECT_EQ(BodyOf(r1)[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
  auto r2 = Query("SELECT Id FROM Opportunity");
  EXPECT_EQ(r2.status, 503);
  EXPECT_EQ(r2.header("Retry-After"), "1");
  auto r3 = Query("SELECT Id FROM Opportunity");
  EXPECT_EQ(r3.status, 200);
  EXPECT_FALSE(ParseJsonBody(r3.body).has_value());
  EXPECT_EQ(Query("SELECT Id FROM Opportunity").status, 200);

  sim_.faults().Add(FaultRule::Of(FaultKind::kFailIds).Ids({a}));
  Json body = BodyOf(
      sim_.Handle(WithJson("PATCH", kBase + "/composite/sobjects", UpdateBody({a}), token_)));
  EXPECT_EQ(body[0]["errors"][0]["statusCode"], "UNABLE_TO_LOCK_ROW");
  EXPECT_TRUE(sim_.violations().empty()) << sim_.violations().Describe();
}

TEST_F(SalesforceSimTest, ExpireTokenFaultForcesReauthAndLimitsAreCounted) {
  sim_.faults().Add(FaultRule::Of(FaultKind::kExpireToken));
  EXPECT_EQ(Query("SELECT Id FROM Opportunity").status, 401);
  EXPECT_EQ(Query("SELECT Id FROM Opportunity").status, 401);  // the old token is gone
  token_ = sim_.IssueToken();
  auto ok = Query("SELECT Id FROM Opportunity");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("Sforce-Limit-Info"), "api-usage=1/5000000");
}

TEST_F(SalesforceSimTest, DailyLimitAnswers403) {
  SalesforceSimConfig config;
  config.daily_api_limit = 2;
  SalesforceSim small(clock_, random_, config);
  const std::string token = small.IssueToken();
  const std::string url = kBase + "/query?q=" + UrlEncode("SELECT Id FROM Opportunity");
  EXPECT_EQ(small.Handle(Get(url, token)).status, 200);
  EXPECT_EQ(small.Handle(Get(url, token)).status, 200);
  EXPECT_EQ(small.Handle(Get(url, token)).status, 403);
}

TEST_F(SalesforceSimTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(sim_.Handle(Get(kBase + "/sobjects/Account", token_)).status, 404);
  EXPECT_EQ(sim_.Handle(WithJson("POST", kBase + "/queryAll", Json::object(), token_)).status, 405);
  EXPECT_EQ(sim_.violations().entries().size(), 2u);
}

}  // namespace
}  // namespace dealsync::sim
