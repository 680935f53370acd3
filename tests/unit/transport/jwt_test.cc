#include "src/transport/jwt.h"

#include <gmock/gmock.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "src/transport/cert_gen.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// RFC 4648 section 10 test vectors, in the URL-safe alphabet without padding.
TEST(Base64UrlTest, Rfc4648VectorsWithoutPadding) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    Result<std::string> decoded = Base64UrlDecode(encoded);
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64UrlTest, UsesTheUrlSafeAlphabetAndAcceptsPadding) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  ASSERT_OK(Base64UrlDecode("Zm8="));
  EXPECT_EQ(*Base64UrlDecode("Zm8="), "fo");
  EXPECT_FALSE(Base64UrlDecode("+/8").ok()) << "the standard alphabet is not base64url";
  EXPECT_FALSE(Base64UrlDecode("Z").ok()) << "no length is 1 mod 4";
}

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<SigningPair> a = GenerateRsaSigningPair();
    Result<SigningPair> b = GenerateRsaSigningPair();
    ASSERT_TRUE(a.ok() && b.ok());
    pair_ = new SigningPair(*a);
    other_ = new SigningPair(*b);
  }
  static void TearDownTestSuite() {
    delete pair_;
    delete other_;
  }
  static SigningPair* pair_;
  static SigningPair* other_;
};
SigningPair* JwtTest::pair_ = nullptr;
SigningPair* JwtTest::other_ = nullptr;

TEST_F(JwtTest, SignedTokenVerifiesAgainstTheCertificateAndKeepsItsParts) {
  const std::string claims = R"({"iss":"client","sub":"user@example.com","exp":1790000120})";
  Result<std::string> token = SignJwtRs256(claims, pair_->private_key_pem);
  ASSERT_OK(token);
  EXPECT_EQ(std::count(token->begin(), token->end(), '.'), 2);
  EXPECT_EQ(token->substr(0, token->find('.')), Base64UrlEncode(R"({"alg":"RS256"})"));
  Result<JwtParts> parts = VerifyJwtRs256(*token, pair_->certificate_pem);
  ASSERT_OK(parts);
  EXPECT_EQ(parts->claims_json, claims);
  // 2048-bit RSA: a 256-byte signature, 342 base64url characters.
  EXPECT_EQ(token->size() - token->rfind('.') - 1, 342u);
}

TEST_F(JwtTest, ChangedClaimsOrAnotherKeyDoNotVerify) {
  Result<std::string> token = SignJwtRs256(R"({"sub":"a"})", pair_->private_key_pem);
  ASSERT_OK(token);
  const size_t first = token->find('.');
  const size_t second = token->find('.', first + 1);
  const std::string forged =
      token->substr(0, first + 1) + Base64UrlEncode(R"({"sub":"b"})") + token->substr(second);
  EXPECT_EQ(VerifyJwtRs256(forged, pair_->certificate_pem).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyJwtRs256(*token, other_->certificate_pem).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(JwtTest, MalformedTokensAreInvalidArguments) {
  const std::string none_header =
      Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(R"({"sub":"a"})") + ".";
  for (const std::string& token : {std::string(""), std::string("a.b"), std::string("a.b.c.d"),
                                   std::string("***.e30.e30"), none_header}) {
    EXPECT_EQ(VerifyJwtRs256(token, pair_->certificate_pem).status().code(),
              StatusCode::kInvalidArgument)
        << token;
  }
}

TEST_F(JwtTest, AKeyThatCannotSignIsNamedWithoutBeingEchoed) {
  const std::string not_a_key =
      "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n";
  Result<std::string> token = SignJwtRs256("{}", not_a_key);
  ASSERT_EQ(token.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(token.status().message(), Not(HasSubstr("c2VjcmV0")));
  // An EC key (the TLS keys the test PKI makes) is not an RS256 key.
  const std::string dir = ::testing::TempDir() + "/jwt-ec";
  ASSERT_OK(WriteTestPki(dir));
  std::ifstream in(dir + "/server.key");
  std::stringstream ec_key;
  ec_key << in.rdbuf();
  token = SignJwtRs256("{}", ec_key.str());
  ASSERT_EQ(token.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(token.status().message(), HasSubstr("RSA"));
}

}  // namespace
}  // namespace dealsync
