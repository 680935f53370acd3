#include "connectors/common/url_reference.h"

#include <gtest/gtest.h>

namespace dealsync::connectors {
namespace {

TEST(UrlReferenceTest, Rfc3986NormalExamples) {
  // RFC 3986 section 5.4.1.
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},
      {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const auto& [ref, want] : cases) {
    EXPECT_EQ(ResolveReference(base, ref), want) << ref;
  }
}

TEST(UrlReferenceTest, Rfc3986AbnormalExamples) {
  // RFC 3986 section 5.4.2 (strict parser).
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"http:g", "http:g"},
  };
  for (const auto& [ref, want] : cases) {
    EXPECT_EQ(ResolveReference(base, ref), want) << ref;
  }
}

TEST(UrlReferenceTest, NextLinksOfPartnerApis) {
  const std::string list = "https://crm.test:8443/api/v2/deals?limit=2";
  EXPECT_EQ(ResolveReference(list, "?page=2"), "https://crm.test:8443/api/v2/deals?page=2");
  EXPECT_EQ(ResolveReference(list, "../v3/deals?c=x"), "https://crm.test:8443/api/v3/deals?c=x");
  EXPECT_EQ(ResolveReference(list, "//crm.test:8443/x"), "https://crm.test:8443/x");
  EXPECT_EQ(ResolveReference(list, "/Api/V8/module/Opportunities?page%5Bnumber%5D=2"),
            "https://crm.test:8443/Api/V8/module/Opportunities?page%5Bnumber%5D=2");
}

TEST(UrlReferenceTest, OriginsNormaliseCaseAndDefaultPorts) {
  EXPECT_EQ(Origin("HTTPS://Crm.Test:443/a?b"), "https://crm.test");
  EXPECT_EQ(Origin("https://crm.test/a"), "https://crm.test");
  EXPECT_EQ(Origin("http://crm.test:80"), "http://crm.test");
  EXPECT_EQ(Origin("https://crm.test:8443/a"), "https://crm.test:8443");
  EXPECT_EQ(Origin("https://user:pw@crm.test/a"), "https://crm.test");
  EXPECT_EQ(Origin("https://[::1]:8443/a"), "https://[::1]:8443");
  EXPECT_NE(Origin("https://crm.test.evil/a"), Origin("https://crm.test/a"));
  EXPECT_EQ(Origin("/relative"), "");
}

}  // namespace
}  // namespace dealsync::connectors
