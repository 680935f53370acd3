#include "src/transport/oauth2.h"

#include <gmock/gmock.h>

#include "src/platform/fake_clock.h"
#include "src/transport/cert_gen.h"
#include "src/transport/jwt.h"

#include <nlohmann/json.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "client-secret-value";
constexpr const char* kRefresh = "refresh-token-value";

OAuth2Options Options(OAuth2Options::Flow flow) {
  OAuth2Options o;
  o.flow = flow;
  o.token_url = "https://login.example.com/oauth2/token";
  o.client_id = "my-client";
  o.refresh_margin = seconds(60);
  o.session_lifetime = seconds(7200);
  return o;
}

class OAuth2Test : public ::testing::Test {
 protected:
  OAuth2TokenSource Source(OAuth2Options::Flow flow, OAuth2Options::ClientAuth auth =
                                                         OAuth2Options::ClientAuth::kFormFields) {
    OAuth2Options o = Options(flow);
    o.client_auth = auth;
    return OAuth2TokenSource(o, {kSecret, kRefresh, ""}, transport, clock, redactor);
  }
  Result<std::string> Token(OAuth2TokenSource& s) { return *testing::RunAwaitable(Wrap(s)); }
  // RunAwaitable needs a default-constructible value: carry the Result in an optional.
  static Awaitable<std::optional<Result<std::string>>> Wrap(OAuth2TokenSource& s) {
    co_return co_await s.Token();
  }

  testing::ScriptedTransport transport;
  FakeClock clock;
  Redactor redactor;
};

TEST_F(OAuth2Test, ClientCredentialsFormPostAndCache) {
  auto source = Source(OAuth2Options::Flow::kClientCredentials);
  transport.Push(200, R"({"access_token":"tok-1","token_type":"Bearer","expires_in":3600})");
  Result<std::string> t = Token(source);
  ASSERT_OK(t);
  EXPECT_EQ(*t, "tok-1");
  ASSERT_EQ(transport.requests().size(), 1u);
  const HttpRequest& req = transport.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://login.example.com/oauth2/token");
  EXPECT_EQ(FindHeader(req.headers, "Content-Type").value_or(""),
            "application/x-www-form-urlencoded");
  EXPECT_EQ(req.body,
            "grant_type=client_credentials&client_id=my-client&client_secret=client-secret-value");
  clock.Advance(seconds(3000));
  ASSERT_OK(Token(source));
  EXPECT_EQ(transport.requests().size(), 1u) << "cached";
}

TEST_F(OAuth2Test, RefreshesBeforeExpiry) {
  auto source = Source(OAuth2Options::Flow::kClientCredentials);
  transport.Push(200, R"({"access_token":"tok-1","expires_in":3600})");
  transport.Push(200, R"({"access_token":"tok-2","expires_in":"3600"})");
  ASSERT_OK(Token(source));
  clock.Advance(seconds(3540));  // exactly expires_in - margin
  Result<std::string> t = Token(source);
  ASSERT_OK(t);
  EXPECT_EQ(*t, "tok-2");
  EXPECT_EQ(source.fetches(), 2u);
}

TEST_F(OAuth2Test, SalesforceSessionWithoutExpiresInUsesConfiguredLifetime) {
  auto source = Source(OAuth2Options::Flow::kRefreshToken);
  transport.Push(200, R"({"access_token":"00D!sf","instance_url":"https://na1.salesforce.com",
                         "id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer",
                         "issued_at":"1700000000000","signature":"abc="})");
  ASSERT_OK(Token(source));
  EXPECT_EQ(source.cache().instance_url(), "https://na1.salesforce.com");
  EXPECT_EQ(transport.requests()[0].body,
            "grant_type=refresh_token&refresh_token=refresh-token-value&client_id=my-client&"
            "client_secret=client-secret-value");
  clock.Advance(seconds(7200 - 61));
  ASSERT_OK(Token(source));
  EXPECT_EQ(source.fetches(), 1u);
  clock.Advance(seconds(1));
  transport.Push(200, R"({"access_token":"00D!sf2"})");
  ASSERT_OK(Token(source));
  EXPECT_EQ(source.fetches(), 2u);
}

TEST_F(OAuth2Test, BasicClientAuthentication) {
  auto source = Source(OAuth2Options::Flow::kClientCredentials, OAuth2Options::ClientAuth::kBasic);
  transport.Push(200, R"({"access_token":"t","expires_in":60})");
  ASSERT_OK(Token(source));
  const HttpRequest& req = transport.requests()[0];
  EXPECT_EQ(req.body, "grant_type=client_credentials");
  // base64("my-client:client-secret-value")
  EXPECT_EQ(FindHeader(req.headers, "Authorization").value_or(""),
            "Basic bXktY2xpZW50OmNsaWVudC1zZWNyZXQtdmFsdWU=");
}

TEST_F(OAuth2Test, InvalidateForcesAFetch) {
  auto source = Source(OAuth2Options::Flow::kClientCredentials);
  transport.Push(200, R"({"access_token":"tok-1","expires_in":3600})");
  transport.Push(200, R"({"access_token":"tok-2","expires_in":3600})");
  ASSERT_OK(Token(source));
  source.Invalidate("some-other-token");
  EXPECT_EQ(*Token(source), "tok-1");
  source.Invalidate("tok-1");
  EXPECT_EQ(*Token(source), "tok-2");
}

TEST_F(OAuth2Test, FailureIsUnauthenticatedWithDescriptionAndNoSecret) {
  auto source = Source(OAuth2Options::Flow::kRefreshToken);
  transport.Push(
      400,
      R"json({"error":"invalid_grant","error_description":"expired access/refresh token (refresh-token-value)"})json");
  Result<std::string> t = Token(source);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(t.status().message(), HasSubstr("invalid_grant: expired access/refresh token"));
  EXPECT_THAT(t.status().message(), HasSubstr("login.example.com/oauth2/token"));
  EXPECT_THAT(t.status().message(), Not(HasSubstr(kRefresh)));
  EXPECT_THAT(t.status().message(), Not(HasSubstr(kSecret)));
}

TEST_F(OAuth2Test, ServerErrorsAndJunkBodies) {
  auto source = Source(OAuth2Options::Flow::kClientCredentials);
  transport.Push(503, "down");
  transport.Push(200, "<html>");
  transport.Push(200, R"({"token_type":"Bearer"})");
  EXPECT_EQ(Token(source).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Token(source).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Token(source).status().code(), StatusCode::kInvalidArgument);
  transport.Push(
      Result<HttpResponse>(Unavailable("connect: refused client_secret=client-secret-value")));
  Result<std::string> t = Token(source);
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(t.status().message(), Not(HasSubstr(kSecret)));
}

// Yields to the executor before answering, so concurrent callers interleave.
class YieldingTransport final : public HttpTransport {
 public:
  explicit YieldingTransport(HttpTransport& next) : next_(next) {}
  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override {
    co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                               boost::asio::use_awaitable);
    co_return co_await next_.Send(std::move(request));
  }

 private:
  HttpTransport& next_;
};

TEST_F(OAuth2Test, ConcurrentCallersShareOneFetch) {
  YieldingTransport yielding(transport);
  OAuth2TokenSource source(Options(OAuth2Options::Flow::kRefreshToken), {kSecret, kRefresh, ""},
                           yielding, clock, redactor);
  transport.Push(200, R"({"access_token":"tok-1","expires_in":3600,"refresh_token":"rotated-1"})");
  boost::asio::io_context io;
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    boost::asio::co_spawn(
        io,
        [&]() -> Awaitable<void> {
          Result<std::string> t = co_await source.Token();
          tokens.push_back(t.ok() ? *t : t.status().ToString());
        },
        [](std::exception_ptr e) {
          if (e)
            std::rethrow_exception(e);
        });
  }
  io.run();
  EXPECT_EQ(tokens, (std::vector<std::string>{"tok-1", "tok-1", "tok-1"}));
  EXPECT_EQ(source.fetches(), 1u);
  EXPECT_EQ(source.cache().secrets().refresh_token, "rotated-1");
}

std::string PercentDecoded(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// The form fields of a token request body, decoded.
std::map<std::string, std::string> FormFields(const std::string& body) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= body.size()) {
    const size_t end = std::min(body.find('&', start), body.size());
    const std::string pair = body.substr(start, end - start);
    const size_t eq = pair.find('=');
    fields[PercentDecoded(pair.substr(0, eq))] =
        eq == std::string::npos ? "" : PercentDecoded(pair.substr(eq + 1));
    start = end + 1;
  }
  return fields;
}

class JwtBearerTest : public OAuth2Test {
 protected:
  static void SetUpTestSuite() {
    Result<SigningPair> pair = GenerateRsaSigningPair();
    ASSERT_OK(pair);
    pair_ = new SigningPair(*pair);
  }
  static void TearDownTestSuite() { delete pair_; }

  OAuth2TokenSource JwtSource() {
    OAuth2Options o = Options(OAuth2Options::Flow::kJwtBearer);
    o.subject = "integration@acme.example";
    o.audience = "https://login.salesforce.com";
    OAuth2Secrets secrets;
    secrets.private_key_pem = pair_->private_key_pem;
    return OAuth2TokenSource(o, secrets, transport, clock, redactor);
  }
  // The claims of the assertion in request `i`, checked against the certificate.
  nlohmann::json Claims(size_t i) {
    const std::map<std::string, std::string> form = FormFields(transport.requests().at(i).body);
    Result<JwtParts> parts = VerifyJwtRs256(form.at("assertion"), pair_->certificate_pem);
    EXPECT_OK(parts);
    return parts.ok() ? nlohmann::json::parse(parts->claims_json) : nlohmann::json();
  }
  int64_t NowSeconds() const {
    return std::chrono::duration_cast<seconds>(clock.Now().time_since_epoch()).count();
  }

  static SigningPair* pair_;
};
SigningPair* JwtBearerTest::pair_ = nullptr;

TEST_F(JwtBearerTest, PostsAnRs256AssertionWithTheSalesforceClaimsAndNoClientSecret) {
  auto source = JwtSource();
  transport.Push(
      200,
      R"({"access_token":"00D!jwt","scope":"api","instance_url":"https://na1.salesforce.com","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer"})");
  Result<std::string> t = Token(source);
  ASSERT_OK(t);
  EXPECT_EQ(*t, "00D!jwt");
  EXPECT_EQ(source.cache().instance_url(), "https://na1.salesforce.com");
  const HttpRequest& req = transport.requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(FindHeader(req.headers, "Content-Type").value_or(""),
            "application/x-www-form-urlencoded");
  EXPECT_FALSE(FindHeader(req.headers, "Authorization").has_value());
  const auto form = FormFields(req.body);
  EXPECT_EQ(form.size(), 2u) << req.body;
  EXPECT_EQ(form.at("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
  const nlohmann::json claims = Claims(0);
  EXPECT_EQ(claims, (nlohmann::json{{"iss", "my-client"},
                                    {"sub", "integration@acme.example"},
                                    {"aud", "https://login.salesforce.com"},
                                    {"exp", NowSeconds() + 120}}));
}

TEST_F(JwtBearerTest, EveryFetchSignsAFreshAssertion) {
  auto source = JwtSource();
  transport.Push(200, R"({"access_token":"a1"})");
  transport.Push(200, R"({"access_token":"a2"})");
  ASSERT_OK(Token(source));
  const int64_t first_exp = Claims(0)["exp"];
  clock.Advance(seconds(7200));  // the session lifetime: the next call fetches
  ASSERT_OK(Token(source));
  ASSERT_EQ(transport.requests().size(), 2u);
  EXPECT_EQ(Claims(1)["exp"].get<int64_t>(), first_exp + 7200);
}

TEST_F(JwtBearerTest, SalesforceRefusalIsUnauthenticatedAndNeverShowsTheAssertionOrKey) {
  auto source = JwtSource();
  transport.Push(400, R"({"error":"invalid_grant","error_description":"audience is invalid"})");
  Result<std::string> t = Token(source);
  ASSERT_EQ(t.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(t.status().message(), HasSubstr("invalid_grant: audience is invalid"));
  const std::string assertion = FormFields(transport.requests().at(0).body).at("assertion");
  EXPECT_EQ(redactor.Redact("assertion=" + assertion), "assertion=[redacted]");
  const std::string key_line = pair_->private_key_pem.substr(28, 40);
  EXPECT_THAT(redactor.Redact(pair_->private_key_pem), Not(HasSubstr(key_line)));
}

TEST_F(JwtBearerTest, AKeyThatCannotSignFailsTheFetchWithoutSendingAnything) {
  OAuth2Options o = Options(OAuth2Options::Flow::kJwtBearer);
  o.subject = "u";
  o.audience = "https://login.salesforce.com";
  OAuth2Secrets secrets;
  secrets.private_key_pem = "not a key";
  OAuth2TokenSource source(o, secrets, transport, clock, redactor);
  Result<std::string> t = Token(source);
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport.requests().empty());
}

}  // namespace
}  // namespace dealsync
