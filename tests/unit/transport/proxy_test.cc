// Proxy selection: NO_PROXY matching (curl's CURLOPT_NOPROXY semantics),
// proxy URL parsing, environment precedence and the CONNECT request.
#include "src/transport/proxy.h"

#include <gtest/gtest.h>

#include <map>

namespace dealsync {
namespace {

ParsedUrl Url(const std::string& url) {
  Result<ParsedUrl> parsed = ParseUrl(url);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : ParsedUrl{};
}

TEST(NoProxyTest, StarAloneMatchesEverything) {
  EXPECT_TRUE(NoProxyMatches("*", "login.salesforce.com", 443));
  EXPECT_TRUE(NoProxyMatches(" * ", "10.1.2.3", 443));
  EXPECT_TRUE(NoProxyMatches("example.com, *", "other.test", 443));
  // Not a glob: "*.example.com" is a name that matches nothing real.
  EXPECT_FALSE(NoProxyMatches("*.example.com", "www.example.com", 443));
}

TEST(NoProxyTest, NamesMatchThemselvesAndSubdomainsOnly) {
  EXPECT_TRUE(NoProxyMatches("ample.com", "ample.com", 443));
  EXPECT_TRUE(NoProxyMatches("ample.com", "www.ample.com", 443));
  EXPECT_TRUE(NoProxyMatches("ample.com", "a.b.ample.com", 8443));
  EXPECT_FALSE(NoProxyMatches("ample.com", "www.example.com", 443));
  EXPECT_FALSE(NoProxyMatches("ample.com", "ample.com.org", 443));
  EXPECT_FALSE(NoProxyMatches("www.ample.com", "ample.com", 443));
}

TEST(NoProxyTest, LeadingDotCaseAndTrailingDot) {
  EXPECT_TRUE(NoProxyMatches(".corp.example", "crm.corp.example", 443));
  EXPECT_TRUE(NoProxyMatches(".corp.example", "corp.example", 443));
  EXPECT_TRUE(NoProxyMatches("Corp.Example", "CRM.corp.example", 443));
  EXPECT_TRUE(NoProxyMatches("corp.example.", "crm.corp.example.", 443));
  EXPECT_FALSE(NoProxyMatches(".corp.example", "notcorp.example", 443));
}

TEST(NoProxyTest, ListSeparatorsAndEmptyEntries) {
  EXPECT_TRUE(NoProxyMatches("a.test,, b.test ,c.test", "b.test", 443));
  EXPECT_TRUE(NoProxyMatches("a.test c.test", "c.test", 443));
  EXPECT_FALSE(NoProxyMatches("", "a.test", 443));
  EXPECT_FALSE(NoProxyMatches(" , ", "a.test", 443));
}

TEST(NoProxyTest, PortsOnlyWhenTheEntryHasOne) {
  EXPECT_TRUE(NoProxyMatches("crm.test", "crm.test", 8443));
  EXPECT_TRUE(NoProxyMatches("crm.test:8443", "crm.test", 8443));
  EXPECT_FALSE(NoProxyMatches("crm.test:8443", "crm.test", 443));
  EXPECT_TRUE(NoProxyMatches("10.0.0.5:443", "10.0.0.5", 443));
  EXPECT_FALSE(NoProxyMatches("10.0.0.5:443", "10.0.0.5", 444));
  EXPECT_TRUE(NoProxyMatches("[::1]:8443", "::1", 8443));
  EXPECT_FALSE(NoProxyMatches("[::1]:8443", "::1", 443));
  EXPECT_FALSE(NoProxyMatches("crm.test:notaport", "crm.test", 443));
}

TEST(NoProxyTest, IpAddressesExactOrCidrNeverBySuffix) {
  EXPECT_TRUE(NoProxyMatches("127.0.0.1", "127.0.0.1", 443));
  EXPECT_FALSE(NoProxyMatches("127.0.0.1", "127.0.0.12", 443));
  EXPECT_FALSE(NoProxyMatches("0.0.1", "127.0.0.1", 443));  // no suffix match on addresses
  EXPECT_TRUE(NoProxyMatches("192.168.0.0/16", "192.168.44.7", 443));
  EXPECT_FALSE(NoProxyMatches("192.168.0.0/16", "192.169.0.1", 443));
  EXPECT_TRUE(NoProxyMatches("10.0.0.0/8", "10.255.0.1", 443));
  EXPECT_TRUE(NoProxyMatches("10.1.2.3/32", "10.1.2.3", 443));
  EXPECT_TRUE(NoProxyMatches("172.16.0.0/12", "172.31.255.255", 443));
  EXPECT_FALSE(NoProxyMatches("172.16.0.0/12", "172.32.0.0", 443));
  EXPECT_TRUE(NoProxyMatches("0.0.0.0/0", "8.8.8.8", 443));
  EXPECT_FALSE(NoProxyMatches("10.0.0.0/33", "10.0.0.1", 443));
  EXPECT_FALSE(NoProxyMatches("10.0.0.0/x", "10.0.0.1", 443));
  // IPv6, bare or in brackets; the origin's host may come either way too.
  EXPECT_TRUE(NoProxyMatches("::1", "::1", 443));
  EXPECT_TRUE(NoProxyMatches("::1", "[::1]", 443));
  EXPECT_TRUE(NoProxyMatches("[::1]", "::1", 443));
  EXPECT_TRUE(NoProxyMatches("fd00::/8", "fd12:3456::1", 443));
  EXPECT_FALSE(NoProxyMatches("fd00::/8", "fe80::1", 443));
  EXPECT_FALSE(NoProxyMatches("::1", "127.0.0.1", 443));  // families differ
  // A name never matches an address origin, nor an address a name.
  EXPECT_FALSE(NoProxyMatches("localhost", "127.0.0.1", 443));
  EXPECT_FALSE(NoProxyMatches("127.0.0.1", "localhost", 443));
  EXPECT_TRUE(NoProxyMatches("localhost", "localhost", 443));
}

TEST(ProxyUrlTest, Parses) {
  Result<ProxyEndpoint> p = ParseProxyUrl("http://Proxy.Corp.example:3128");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->host, "proxy.corp.example");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->Authority(), "proxy.corp.example:3128");

  p = ParseProxyUrl("proxy.corp.example:8080/");  // no scheme, as curl accepts
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->port, 8080);
  p = ParseProxyUrl("http://proxy.corp.example");  // curl's default proxy port
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->port, 1080);
  p = ParseProxyUrl("http://[fd00::7]:3128");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "fd00::7");
  EXPECT_EQ(p->Authority(), "[fd00::7]:3128");
}

TEST(ProxyUrlTest, DropsAndReportsUserInfo) {
  bool had_user_info = false;
  Result<ProxyEndpoint> p = ParseProxyUrl("http://alice:s3cret@proxy.test:3128", &had_user_info);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(had_user_info);
  EXPECT_EQ(p->Authority(), "proxy.test:3128");
}

TEST(ProxyUrlTest, RefusesWhatCannotWork) {
  for (const char* bad : {"https://proxy.test:3128", "socks5://proxy.test:1080",
                          "http://proxy.test:0", "http://proxy.test:65536", "http://proxy.test:",
                          "http://proxy.test:3128/path", "http://:3128", "http://[fd00::1:3128"}) {
    Result<ProxyEndpoint> p = ParseProxyUrl(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ProxyEnvironmentTest, LowerCaseWinsWhenBothAreSet) {
  std::map<std::string, std::string> env = {{"https_proxy", "http://lower.test:1"},
                                            {"HTTPS_PROXY", "http://upper.test:2"},
                                            {"NO_PROXY", "upper.only"}};
  auto getenv = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ProxyEnvironment read = ProxyEnvironment::Read(getenv);
  EXPECT_EQ(read.https_proxy, "http://lower.test:1");
  EXPECT_EQ(read.no_proxy, "upper.only");

  env["no_proxy"] = "lower.only";
  env.erase("https_proxy");
  read = ProxyEnvironment::Read(getenv);
  EXPECT_EQ(read.https_proxy, "http://upper.test:2");
  EXPECT_EQ(read.no_proxy, "lower.only");

  env["https_proxy"] = "";  // set but empty: as unset
  EXPECT_EQ(ProxyEnvironment::Read(getenv).https_proxy, "http://upper.test:2");
  env.clear();
  EXPECT_EQ(ProxyEnvironment::Read(getenv).https_proxy, "");
}

TEST(RouteTest, EnvironmentProxyUnlessNoProxyAndNeverWithCredentials) {
  ProxyOptions options;
  options.mode = ProxyOptions::Mode::kEnvironment;
  options.environment.https_proxy = "http://user:pw@proxy.test:3128";
  options.environment.no_proxy = ".internal.example,10.0.0.0/8";
  options.credentials = "alice:secret";  // ignored: not an explicit proxy

  Result<ProxyRoute> r = RouteFor(options, Url("https://login.salesforce.com/services"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->proxy.has_value());
  EXPECT_EQ(r->proxy->Authority(), "proxy.test:3128");
  EXPECT_EQ(r->proxy_authorization, "");  // neither the URL's user info nor the credential

  r = RouteFor(options, Url("https://crm.internal.example/api"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->proxy.has_value());
  r = RouteFor(options, Url("https://10.2.3.4:8443/api"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->proxy.has_value());
  // Plain http (loopback only) never goes through a proxy.
  r = RouteFor(options, Url("http://127.0.0.1:8080/"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->proxy.has_value());

  options.environment.https_proxy = "https://proxy.test:3128";
  r = RouteFor(options, Url("https://login.salesforce.com/"));
  EXPECT_FALSE(r.ok());
  options.environment.https_proxy = "";
  r = RouteFor(options, Url("https://login.salesforce.com/"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->proxy.has_value());
}

TEST(RouteTest, ExplicitProxyCarriesItsCredentialAndIgnoresNoProxy) {
  ProxyOptions options;
  options.mode = ProxyOptions::Mode::kExplicit;
  options.url = "http://proxy.corp.example:3128";
  options.credentials = "Aladdin:open sesame";
  options.environment.no_proxy = "*";
  Result<ProxyRoute> r = RouteFor(options, Url("https://crm.example/api"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->proxy.has_value());
  EXPECT_EQ(r->proxy->Authority(), "proxy.corp.example:3128");
  // RFC 7617's example credentials.
  EXPECT_EQ(r->proxy_authorization, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

  options.mode = ProxyOptions::Mode::kDirect;
  r = RouteFor(options, Url("https://crm.example/api"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->proxy.has_value());
  EXPECT_EQ(r->proxy_authorization, "");
}

TEST(ConnectRequestTest, AuthorityFormWithOptionalAuthorization) {
  EXPECT_EQ(ConnectRequest(Url("https://crm.example/api?q=1"), "dealsync/0.1", ""),
            "CONNECT crm.example:443 HTTP/1.1\r\nHost: crm.example:443\r\n"
            "User-Agent: dealsync/0.1\r\n\r\n");
  EXPECT_EQ(ConnectRequest(Url("https://[::1]:8443/"), "ua", "Basic eA=="),
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nUser-Agent: ua\r\n"
            "Proxy-Authorization: Basic eA==\r\n\r\n");
}

}  // namespace
}  // namespace dealsync
