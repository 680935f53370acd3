// The connector transport stack with a ScriptedTransport underneath: auth
// placement, OAuth2 refresh-and-replay, retries, rate limiting, redaction.
#include "src/transport/connector_transport.h"

#include <gmock/gmock.h>

#include <map>

#include "src/platform/fake_clock.h"
#include "src/transport/cert_gen.h"
#include "src/transport/jwt.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kApiKey = "pk-live-0123456789";

class StackTest : public ::testing::Test {
 protected:
  StackTest() {
    connection.base_url = "https://crm.example.com/api/v2";
    connection.rate_limit = {100, milliseconds(1000)};
    connection.retry = {4, milliseconds(100), milliseconds(1000)};
    secrets_["api-key"] = kApiKey;
    secrets_["client-secret"] = "cs-abcdefgh";
    secrets_["refresh"] = "rt-abcdefgh";
  }

  SecretSource Secrets() {
    return [this](const CredentialRef& ref) -> Result<std::string> {
      auto it = secrets_.find(ref.name);
      if (it == secrets_.end()) {
        return NotFound("no credential " + ref.name);
      }
      return it->second;
    };
  }

  std::unique_ptr<ConnectorTransport> Make() {
    auto t =
        MakeConnectorTransportWithRedactor(connection, Secrets(), base, clock, random, &counters);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? std::move(t).value() : nullptr;
  }

  Result<HttpResponse> Send(HttpTransport& t, std::string url, std::string method = "GET") {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    return *testing::RunAwaitable(Wrap(t, std::move(r)));
  }
  static Awaitable<std::optional<Result<HttpResponse>>> Wrap(HttpTransport& t, HttpRequest r) {
    co_return co_await t.Send(std::move(r));
  }

  ConnectionConfig connection;
  testing::ScriptedTransport base;
  FakeClock clock;
  ScriptedRandom random{{100, 200}};  // the ceilings of the first two backoffs
  TransportCounters counters;
  std::map<std::string, std::string> secrets_;
};

CredentialRef Ref(std::string name) {
  CredentialRef r;
  r.name = std::move(name);
  return r;
}

TEST_F(StackTest, ResolvesRelativeUrlsAgainstTheBaseOrigin) {
  auto t = Make();
  base.Push(200, "{}");
  ASSERT_OK(Send(*t, "/api/v2/deals?limit=1"));
  EXPECT_EQ(base.requests()[0].url, "https://crm.example.com/api/v2/deals?limit=1");
  EXPECT_FALSE(FindHeader(base.requests()[0].headers, "Authorization").has_value());
}

TEST_F(StackTest, BearerToken) {
  connection.auth.type = AuthConfig::Type::kBearer;
  connection.auth.credential = Ref("api-key");
  auto t = Make();
  base.Push(200, "{}");
  ASSERT_OK(Send(*t, "/x"));
  EXPECT_EQ(FindHeader(base.requests()[0].headers, "Authorization").value_or(""),
            std::string("Bearer ") + kApiKey);
}

TEST_F(StackTest, ApiKeyHeaderAndQuery) {
  connection.auth.type = AuthConfig::Type::kApiKeyHeader;
  connection.auth.header = "X-Api-Key";
  connection.auth.credential = Ref("api-key");
  auto header = Make();
  base.Push(200, "{}");
  ASSERT_OK(Send(*header, "/x"));
  EXPECT_EQ(FindHeader(base.requests()[0].headers, "x-api-key").value_or(""), kApiKey);

  connection.auth.type = AuthConfig::Type::kApiKeyQuery;
  connection.auth.param = "hapikey";
  auto query = Make();
  base.Push(200, "{}");
  base.Push(200, "{}");
  ASSERT_OK(Send(*query, "/x"));
  ASSERT_OK(Send(*query, "/y?after=5"));
  EXPECT_EQ(base.requests()[1].url, std::string("https://crm.example.com/x?hapikey=") + kApiKey);
  EXPECT_EQ(base.requests()[2].url,
            std::string("https://crm.example.com/y?after=5&hapikey=") + kApiKey);
}

TEST_F(StackTest, BasicAuth) {
  connection.auth.type = AuthConfig::Type::kBasic;
  connection.auth.username = "Aladdin";
  connection.auth.credential = Ref("pw");
  secrets_["pw"] = "open sesame";
  auto t = Make();
  base.Push(200, "{}");
  ASSERT_OK(Send(*t, "/x"));
  EXPECT_EQ(FindHeader(base.requests()[0].headers, "Authorization").value_or(""),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST_F(StackTest, BasicAuthWithTheCredentialAsUserNameAndAnEmptyPassword) {
  connection.auth.type = AuthConfig::Type::kBasic;
  connection.auth.credential_is_username = true;
  connection.auth.credential = Ref("api-key");
  auto t = Make();
  base.Push(200, "{}");
  ASSERT_OK(Send(*t, "/x"));
  // base64("pk-live-0123456789:")
  EXPECT_EQ(FindHeader(base.requests()[0].headers, "Authorization").value_or(""),
            "Basic cGstbGl2ZS0wMTIzNDU2Nzg5Og==");
}

TEST_F(StackTest, TokenHeaderTemplatesCarryAStaticToken) {
  connection.auth.type = AuthConfig::Type::kBearer;
  connection.auth.credential = Ref("api-key");
  connection.auth.headers = {{"Authorization", "Token token={token}"},
                             {"X-Partner-Key", "{token}"}};
  auto t = Make();
  base.Push(200, "{}");
  ASSERT_OK(Send(*t, "/x"));
  const HttpHeaders& sent = base.requests()[0].headers;
  EXPECT_EQ(FindHeader(sent, "Authorization").value_or(""), std::string("Token token=") + kApiKey);
  EXPECT_EQ(FindHeader(sent, "X-Partner-Key").value_or(""), kApiKey);
}

TEST_F(StackTest, TokenHeaderTemplatesCarryOAuth2TokensThroughARefresh) {
  connection.auth.type = AuthConfig::Type::kOAuth2RefreshToken;
  connection.auth.token_url = "https://accounts.example.com/oauth/v2/token";
  connection.auth.client_id = "cid";
  connection.auth.credential = Ref("client-secret");
  connection.auth.refresh_token = Ref("refresh");
  connection.auth.headers = {{"Authorization", "Zoho-oauthtoken {token}"}};
  auto t = Make();
  base.Push(200, R"({"access_token":"tok-1","expires_in":3600})");
  base.Push(401, R"({"code":"INVALID_TOKEN","status":"error"})");
  base.Push(200, R"({"access_token":"tok-2","expires_in":3600})");
  base.Push(200, R"({"data":[]})");
  ASSERT_OK(Send(*t, "/crm/v6/Deals"));
  ASSERT_EQ(base.requests().size(), 4u);
  EXPECT_EQ(FindHeader(base.requests()[1].headers, "Authorization").value_or(""),
            "Zoho-oauthtoken tok-1");
  EXPECT_EQ(FindHeader(base.requests()[3].headers, "Authorization").value_or(""),
            "Zoho-oauthtoken tok-2");
}

TEST_F(StackTest, OAuth2RefreshesOnceOn401AndReplays) {
  connection.auth.type = AuthConfig::Type::kOAuth2RefreshToken;
  connection.auth.token_url = "https://login.example.com/token";
  connection.auth.client_id = "cid";
  connection.auth.credential = Ref("client-secret");
  connection.auth.refresh_token = Ref("refresh");
  auto t = Make();
  base.Push(200, R"({"access_token":"tok-1","expires_in":3600})");
  base.Push(401, R"([{"errorCode":"INVALID_SESSION_ID"}])");
  base.Push(200, R"({"access_token":"tok-2","expires_in":3600})");
  base.Push(200, R"({"ok":true})");
  Result<HttpResponse> r = Send(*t, "/deals");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(base.requests().size(), 4u);
  EXPECT_EQ(base.requests()[0].url, "https://login.example.com/token");
  EXPECT_EQ(FindHeader(base.requests()[1].headers, "Authorization").value_or(""), "Bearer tok-1");
  EXPECT_EQ(FindHeader(base.requests()[3].headers, "Authorization").value_or(""), "Bearer tok-2");
  EXPECT_EQ(counters.token_refreshes.load(), 2u);

  // A second 401 after the refresh is returned, not looped on.
  base.Push(401, "{}");
  base.Push(200, R"({"access_token":"tok-3","expires_in":3600})");
  base.Push(401, "{}");
  Result<HttpResponse> again = Send(*t, "/deals");
  ASSERT_OK(again);
  EXPECT_EQ(again->status, 401);
  EXPECT_EQ(base.remaining(), 0u);
}

TEST_F(StackTest, OAuth2RefreshFailureSurfacesUnauthenticatedWithoutSecrets) {
  connection.auth.type = AuthConfig::Type::kOAuth2ClientCredentials;
  connection.auth.token_url = "https://login.example.com/token";
  connection.auth.client_id = "cid";
  connection.auth.credential = Ref("client-secret");
  auto t = Make();
  base.Push(401, R"({"error":"invalid_client","error_description":"bad secret cs-abcdefgh"})");
  Result<HttpResponse> r = Send(*t, "/deals");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(r.status().message(), HasSubstr("invalid_client: bad secret [redacted]"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("cs-abcdefgh")));
}

TEST_F(StackTest, RetriesServerErrorsWithBackoffAndCounts) {
  auto t = Make();
  base.Push(503, "busy");
  base.Push(Result<HttpResponse>(Unavailable("connect: Connection refused")));
  base.Push(200, "{}");
  Result<HttpResponse> r = Send(*t, "/x");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(clock.sleeps(), (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
  EXPECT_EQ(counters.retries.load(), 2u);
  EXPECT_EQ(counters.api_calls.load(), 3u);
  EXPECT_EQ(counters.last_http_status.load(), 200);
}

TEST_F(StackTest, HonoursRetryAfterOn429) {
  auto t = Make();
  base.Push(429, "slow down", {{"Retry-After", "7"}});
  base.Push(200, "{}");
  ASSERT_OK(Send(*t, "/x"));
  // The retry waits the server's 7 s; the paused limiter then has nothing left to wait.
  EXPECT_EQ(clock.sleeps(), (std::vector<milliseconds>{milliseconds(7000)}));
}

TEST_F(StackTest, GivesUpAfterMaxAttemptsAndReturnsTheLastResponse) {
  auto t = Make();
  for (int i = 0; i < 4; ++i)
    base.Push(500, "oops");
  Result<HttpResponse> r = Send(*t, "/x");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(base.requests().size(), 4u);
  EXPECT_EQ(counters.failures_by_code[static_cast<size_t>(StatusCode::kUnavailable)].load(), 1u);
  EXPECT_EQ(counters.last_status_code.load(), static_cast<int>(StatusCode::kUnavailable));
}

TEST_F(StackTest, DoesNotRetryClientErrors) {
  auto t = Make();
  base.Push(400, "bad");
  Result<HttpResponse> r = Send(*t, "/x", "POST");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(base.requests().size(), 1u);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST_F(StackTest, RateLimitWaitsOnTheClock) {
  connection.rate_limit = {2, milliseconds(1000)};
  auto t = Make();
  for (int i = 0; i < 3; ++i)
    base.Push(200, "{}");
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(Send(*t, "/x"));
  EXPECT_EQ(clock.sleeps(), (std::vector<milliseconds>{milliseconds(500)}));
  EXPECT_EQ(counters.rate_limit_waits.load(), 1u);
  EXPECT_EQ(counters.rate_limit_wait_ms.load(), 500u);
}

TEST_F(StackTest, ErrorsAreRedacted) {
  connection.auth.type = AuthConfig::Type::kApiKeyQuery;
  connection.auth.param = "key";
  connection.auth.credential = Ref("api-key");
  connection.retry.max_attempts = 1;
  auto t = Make();
  base.PushHandler([](const HttpRequest& req) -> Result<HttpResponse> {
    return Unavailable("GET " + req.url + ": connect: Connection refused");
  });
  Result<HttpResponse> r = Send(*t, "/x");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), Not(HasSubstr(kApiKey)));
  EXPECT_THAT(r.status().message(), HasSubstr("connect: Connection refused"));
  EXPECT_THAT(t->redactor().Redact(std::string("log ") + kApiKey), Not(HasSubstr(kApiKey)));
}

TEST_F(StackTest, RejectsUnusableSettings) {
  connection.auth.type = AuthConfig::Type::kBearer;  // no credential
  auto missing = MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("connection.auth.credential"));

  connection.auth.credential = Ref("nope");
  auto unknown = MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);

  connection.auth = {};
  connection.base_url = "http://crm.example.com/";
  connection.allow_insecure_http = true;
  auto insecure = MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr);
  ASSERT_FALSE(insecure.ok());
  EXPECT_THAT(insecure.status().message(), HasSubstr("plain http://"));

  connection.base_url = "http://127.0.0.1:9999/";
  EXPECT_TRUE(MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr).ok());
  connection.allow_insecure_http = false;
  EXPECT_FALSE(MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr).ok());
}

TEST_F(StackTest, JwtBearerDefaultsTheAudienceToTheTokenUrlsOriginAndSendsTheSession) {
  Result<SigningPair> pair = GenerateRsaSigningPair();
  ASSERT_OK(pair);
  secrets_["jwt-key"] = pair->private_key_pem;
  connection.auth.type = AuthConfig::Type::kOAuth2JwtBearer;
  connection.auth.token_url = "https://test.salesforce.com/services/oauth2/token";
  connection.auth.client_id = "3MVG9-app";
  connection.auth.subject = "dealsync@acme.example";
  connection.auth.credential = Ref("jwt-key");
  auto t = Make();
  ASSERT_NE(t, nullptr);
  base.Push(200, R"({"access_token":"00D!s","instance_url":"https://acme.my.salesforce.com"})");
  base.Push(200, "{}");
  Result<HttpResponse> r = Send(*t, "query");
  ASSERT_OK(r);
  ASSERT_EQ(base.requests().size(), 2u);
  const std::string& form = base.requests()[0].body;
  const std::string assertion = form.substr(form.find("assertion=") + 10);
  Result<JwtParts> parts = VerifyJwtRs256(assertion, pair->certificate_pem);
  ASSERT_OK(parts);
  EXPECT_THAT(parts->claims_json, HasSubstr(R"("aud":"https://test.salesforce.com")"));
  EXPECT_EQ(FindHeader(base.requests()[1].headers, "Authorization").value_or(""), "Bearer 00D!s");
}

TEST_F(StackTest, JwtBearerWithAKeyThatCannotSignFailsAtConstructionNamingTheCredential) {
  secrets_["jwt-key"] = "-----BEGIN CERTIFICATE-----\nnot a key\n-----END CERTIFICATE-----\n";
  connection.auth.type = AuthConfig::Type::kOAuth2JwtBearer;
  connection.auth.token_url = "https://login.salesforce.com/services/oauth2/token";
  connection.auth.client_id = "3MVG9-app";
  connection.auth.subject = "dealsync@acme.example";
  connection.auth.credential = Ref("jwt-key");
  auto t = MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("connection.auth.credential (credential:jwt-key)"));
  EXPECT_THAT(t.status().message(), HasSubstr("not a PEM private key"));
  EXPECT_THAT(t.status().message(), Not(HasSubstr("not a key")));
  EXPECT_TRUE(base.requests().empty());
  connection.auth.subject.clear();
  t = MakeConnectorTransport(connection, Secrets(), base, clock, random, nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("connection.auth.subject"));
}

}  // namespace
}  // namespace dealsync
