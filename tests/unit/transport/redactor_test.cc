#include "src/transport/redactor.h"

#include <gmock/gmock.h>

#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Redactor, ReplacesRegisteredSecretsAndTheirEncodedForm) {
  Redactor r;
  r.AddSecret("s3cr3t/with+chars");
  EXPECT_EQ(r.Redact("key s3cr3t/with+chars here"), "key [redacted] here");
  EXPECT_EQ(r.Redact("q=s3cr3t%2Fwith%2Bchars"), "q=[redacted]");
}

TEST(Redactor, IgnoresTooShortSecrets) {
  Redactor r;
  r.AddSecret("ab");
  EXPECT_EQ(r.Redact("about cabs"), "about cabs");
}

TEST(Redactor, RedactsHeaderLines) {
  Redactor r;
  EXPECT_EQ(r.Redact("Authorization: Bearer abc.def\nAccept: */*"),
            "Authorization: [redacted]\nAccept: */*");
  EXPECT_EQ(r.Redact("x-api-key: k-123"), "x-api-key: [redacted]");
}

TEST(Redactor, RedactsJsonMembers) {
  Redactor r;
  EXPECT_EQ(r.Redact(R"({"access_token":"tok\"en","token_type":"Bearer","refresh_token": "rt"})"),
            R"({"access_token":"[redacted]","token_type":"Bearer","refresh_token": "[redacted]"})");
  EXPECT_EQ(r.Redact(R"({"client_secret": 12345})"), R"({"client_secret": [redacted]})");
}

TEST(Redactor, RedactsFormAndQueryFields) {
  Redactor r;
  EXPECT_EQ(
      r.Redact("grant_type=refresh_token&refresh_token=abc&client_secret=xyz&client_id=id"),
      "grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]&client_id=id");
  EXPECT_EQ(r.Redact("GET https://h/x?hapikey=zzz&a=1"), "GET https://h/x?hapikey=[redacted]&a=1");
}

TEST(Redactor, ExtraFieldNames) {
  Redactor r;
  r.AddSecretField("X-Partner-Key");
  EXPECT_EQ(r.Redact("x-partner-key: val"), "x-partner-key: [redacted]");
  EXPECT_EQ(r.Redact("my_x-partner-keys=1"), "my_x-partner-keys=1");  // not the same name
}

TEST(Redactor, SurvivesOddInput) {
  Redactor r;
  r.AddSecret("secretvalue");
  for (const std::string& s : {std::string("access_token"), std::string("\"access_token\":\""),
                               std::string("access_token=\\"), std::string(1 << 16, '"'),
                               std::string("password:"), std::string("\0secretvalue\0", 13)}) {
    EXPECT_THAT(r.Redact(s), Not(HasSubstr("secretvalue")));
  }
}

}  // namespace
}  // namespace dealsync
