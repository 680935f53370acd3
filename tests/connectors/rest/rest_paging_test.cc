// Sans-io pieces of the rest connector: URLs, Link headers, since formats, cursor.
#include "connectors/rest/rest_paging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rest_test_configs.h"
#include "support/test_support.h"

namespace dealsync::connectors::rest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(RestPagingTest, ParsesLinkHeaderNextAmongOthers) {
  EXPECT_EQ(ParseLinkNext("<https://a.test/x?page=2&per_page=50>; rel=\"next\""),
            "https://a.test/x?page=2&per_page=50");
  EXPECT_EQ(ParseLinkNext("<https://a.test/x?page=1>; rel=\"prev\", <https://a.test/x?page=3>; "
                          "rel=\"next\", <https://a.test/x?page=9>; rel=\"last\""),
            "https://a.test/x?page=3");
  EXPECT_EQ(ParseLinkNext("<https://a.test/x?page=3>; title=\"a,b\"; rel=\"next last\""),
            "https://a.test/x?page=3");
  EXPECT_EQ(ParseLinkNext("<https://a.test/x?page=3>; REL=next"), "https://a.test/x?page=3");
  EXPECT_EQ(ParseLinkNext("<https://a.test/x?page=1>; rel=\"prev\""), std::nullopt);
  EXPECT_EQ(ParseLinkNext("garbage"), std::nullopt);
  EXPECT_EQ(ParseLinkNext(""), std::nullopt);
}

TEST(RestPagingTest, ResolvesNextUrlsAndRefusesOtherOrigins) {
  EXPECT_EQ(*ResolveNextUrl("https://a.test/api", "/api/deals?p=2"),
            "https://a.test/api/deals?p=2");
  EXPECT_EQ(*ResolveNextUrl("https://a.test/api", "deals?p=2"), "https://a.test/api/deals?p=2");
  EXPECT_EQ(*ResolveNextUrl("https://a.test:8443/api", "https://A.test:8443/api/d?p=2"),
            "https://A.test:8443/api/d?p=2");
  auto other = ResolveNextUrl("https://a.test/api", "https://evil.test/api/d?p=2");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), HasSubstr("https://evil.test is not https://a.test"));
  EXPECT_FALSE(ResolveNextUrl("https://a.test:8443", "https://a.test/x").ok());
}

TEST(RestPagingTest, FormatsSinceInEachFormat) {
  const int64_t ms = 1763892000123;  // 2025-11-23T10:00:00.123Z
  EXPECT_EQ(FormatSince(ms, TimeFormat::kEpochMs), "1763892000123");
  EXPECT_EQ(FormatSince(ms, TimeFormat::kEpochS), "1763892000");
  EXPECT_EQ(FormatSince(ms, TimeFormat::kIso8601), "2025-11-23T10:00:00Z");
  EXPECT_EQ(FormatSince(0, TimeFormat::kIso8601), "1970-01-01T00:00:00Z");
}

TEST(RestPagingTest, ExpandsAndEncodesIds) {
  EXPECT_EQ(ExpandId("/deals/{id}", "nw 1/2"), "/deals/nw%201%2F2");
  EXPECT_EQ(ExpandId("/a/{id}/b/{id}", "7"), "/a/7/b/7");
}

TEST(RestPagingTest, CursorRoundTripsAndRejectsCorruption) {
  RestCursor c;
  c.window = OverlapWindow::StartingAt(TimestampFromEpochMs(3));
  c.window.BeginPass(TimestampFromEpochMs(100000));
  c.next = "tok";
  auto back = RestCursor::Decode(c.Encode(), std::chrono::seconds(60));
  ASSERT_OK(back);
  EXPECT_EQ(back->window.ToJson(), c.window.ToJson());
  EXPECT_TRUE(back->window.in_pass());
  EXPECT_EQ(EpochMs(back->window.since()), 3);
  EXPECT_EQ(back->next, "tok");
  auto bad = RestCursor::Decode("{\"v\":1,\"w\":\"x\"}", std::chrono::seconds(60));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(
      RestCursor::Decode("{\"v\":2,\"w\":{},\"n\":\"\"}", std::chrono::seconds(60)).status().code(),
      StatusCode::kDataLoss);
  EXPECT_FALSE(RestCursor::Decode("not json", std::chrono::seconds(60)).ok());
  ASSERT_OK(RestCursor::Decode("", std::chrono::seconds(60)));
}

TEST(RestPagingTest, VersionOneCursorsAreMigrated) {
  // Finished pass: the next starts at watermark - overlap; pairs are kept.
  auto done = RestCursor::Decode(R"({"v":1,"w":100001,"s":-1,"m":-1,"n":"","r":[["a",100001]]})",
                                 std::chrono::seconds(60));
  ASSERT_OK(done);
  EXPECT_EQ(EpochMs(done->window.since()), 100001 - 60000);
  EXPECT_EQ(done->window.remembered(), 1u);
  EXPECT_FALSE(done->window.in_pass());
  // A pass in progress restarts from its own lower bound.
  auto mid =
      RestCursor::Decode(R"({"v":1,"w":5,"s":3,"m":9,"n":"tok","r":[]})", std::chrono::seconds(60));
  ASSERT_OK(mid);
  EXPECT_EQ(EpochMs(mid->window.since()), 3);
  EXPECT_TRUE(mid->next.empty());
}

TEST(RestPagingTest, BuildsListUrlsForEachStyle) {
  auto options = ParseRestOptions(testing::NorthwindConfig());
  ASSERT_OK(options);
  RestCursor c;
  c.window.BeginPass(TimestampFromEpochMs(1000));
  EXPECT_EQ(ListUrl(*options, "https://nw.test/api/v2/", c),
            "https://nw.test/api/v2/deals?updated_after=0&limit=2");
  c.next = "c 2";
  EXPECT_EQ(ListUrl(*options, "https://nw.test/api/v2", c),
            "https://nw.test/api/v2/deals?updated_after=0&limit=2&cursor=c%202");

  options->page_style = PageStyle::kPage;
  options->page_param = "page";
  options->extra_query = {{"sort", "updated_at"}};
  c.next.clear();
  EXPECT_EQ(ListUrl(*options, "https://nw.test", c),
            "https://nw.test/deals?sort=updated_at&updated_after=0&limit=2&page=1");
  options->page_style = PageStyle::kOffset;
  options->page_param = "offset";
  c.next = "40";
  EXPECT_EQ(ListUrl(*options, "https://nw.test", c),
            "https://nw.test/deals?sort=updated_at&updated_after=0&limit=2&offset=40");
  options->page_style = PageStyle::kNextUrl;
  c.next = "https://nw.test/deals?after=zz";
  EXPECT_EQ(ListUrl(*options, "https://nw.test", c), "https://nw.test/deals?after=zz");
}

TEST(RestPagingTest, NextTokenRejectsNonStringCursorAndRepeats) {
  auto options = ParseRestOptions(testing::NorthwindConfig());
  ASSERT_OK(options);
  RestCursor c;
  auto bad = NextPageToken(*options, "https://nw.test", c,
                           json::parse(R"({"meta":{"next_cursor":{}}})"), {}, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "list.page.next = \"/meta/next_cursor\" points at an object in the list response, "
            "expected a string (or null on the last page)");
  c.next = "same";
  auto repeat = NextPageToken(*options, "https://nw.test", c,
                              json::parse(R"({"meta":{"next_cursor":"same"}})"), {}, 1);
  ASSERT_FALSE(repeat.ok());
  EXPECT_THAT(repeat.status().message(), HasSubstr("repeated the current page's next cursor"));
  auto number = NextPageToken(*options, "https://nw.test", c,
                              json::parse(R"({"meta":{"next_cursor":17}})"), {}, 1);
  ASSERT_OK(number);
  EXPECT_EQ(*number, "17");
}

}  // namespace
}  // namespace dealsync::connectors::rest
