#include "src/transport/url.h"

#include <gmock/gmock.h>

#include "tests/support/test_support.h"

namespace dealsync {
namespace {

TEST(Url, ParsesHostPortPathAndQuery) {
  Result<ParsedUrl> u = ParseUrl("HTTPS://Api.Example.com:8443/v3/deals?limit=10#frag");
  ASSERT_OK(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/v3/deals?limit=10");
  EXPECT_EQ(u->HostHeader(), "api.example.com:8443");
  EXPECT_EQ(u->Key(), "https://api.example.com:8443");
}

TEST(Url, DefaultsPortAndPath) {
  Result<ParsedUrl> u = ParseUrl("https://example.com?x=1");
  ASSERT_OK(u);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_EQ(u->HostHeader(), "example.com");
}

TEST(Url, Ipv6Literal) {
  Result<ParsedUrl> u = ParseUrl("https://[::1]:9000/x");
  ASSERT_OK(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_TRUE(u->ipv6_literal);
  EXPECT_EQ(u->HostHeader(), "[::1]:9000");
  EXPECT_TRUE(IsLoopbackHost(u->host));
}

TEST(Url, RejectsBadUrlsWithoutEchoingThem) {
  for (const char* bad :
       {"", "example.com/x", "ftp://x/", "https://user:pw@h/", "https://h:0/", "https://h:70000/",
        "https://[::1/", "https://[zz]/", "https://h/a b", "https://bad host/"}) {
    Result<ParsedUrl> u = ParseUrl(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
      EXPECT_THAT(u.status().message(), ::testing::Not(::testing::HasSubstr("pw@")));
    }
  }
}

TEST(Url, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.10.0.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("::2"));
}

TEST(Url, ResolvesRelativeAgainstBaseOrigin) {
  Result<std::string> r = ResolveUrl("https://crm.example.com:8443/api/v2", "/deals?x=1");
  ASSERT_OK(r);
  EXPECT_EQ(*r, "https://crm.example.com:8443/deals?x=1");
  Result<std::string> abs = ResolveUrl("https://a.example", "https://b.example/y");
  ASSERT_OK(abs);
  EXPECT_EQ(*abs, "https://b.example/y");
  EXPECT_FALSE(ResolveUrl("", "/deals").ok());
}

TEST(Url, RedactsSecretQueryValuesOnly) {
  EXPECT_EQ(RedactUrl("https://h/x?hapikey=abc123&limit=5&access_token=zz"),
            "https://h/x?hapikey=[redacted]&limit=5&access_token=[redacted]");
  EXPECT_EQ(RedactUrl("https://h/x?after=42"), "https://h/x?after=42");
  EXPECT_EQ(RedactUrl("https://h/x"), "https://h/x");
}

TEST(Url, Base64) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

}  // namespace
}  // namespace dealsync
