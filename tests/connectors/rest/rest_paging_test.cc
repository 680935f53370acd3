// Sans-io pieces of the rest connector: requests from templates, next links,
// end-of-paging signals, the cursor.
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

TEST(RestPagingTest, ResolvesNextUrlsAgainstTheRequestAndRefusesOtherOrigins) {
  const std::string base = "https://a.test/api";
  const std::string request = "https://a.test/api/v2/deals?limit=2";
  EXPECT_EQ(*ResolveNextUrl(base, request, "/api/deals?p=2"), "https://a.test/api/deals?p=2");
  EXPECT_EQ(*ResolveNextUrl(base, request, "?page=2"), "https://a.test/api/v2/deals?page=2");
  EXPECT_EQ(*ResolveNextUrl(base, request, "deals?p=2"), "https://a.test/api/v2/deals?p=2");
  EXPECT_EQ(*ResolveNextUrl(base, request, "../v3/deals"), "https://a.test/api/v3/deals");
  EXPECT_EQ(*ResolveNextUrl(base, request, "//a.test/x"), "https://a.test/x");
  // The scheme's default port written out is the same origin.
  EXPECT_EQ(*ResolveNextUrl(base, request, "https://A.test:443/api/d?p=2"),
            "https://A.test:443/api/d?p=2");
  auto other = ResolveNextUrl(base, request, "https://evil.test/api/d?p=2");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), HasSubstr("https://evil.test is not https://a.test"));
  EXPECT_FALSE(
      ResolveNextUrl("https://a.test:8443", "https://a.test:8443/x", "https://a.test/x").ok());
  EXPECT_FALSE(ResolveNextUrl(base, request, "//evil.test/x").ok());
  EXPECT_FALSE(ResolveNextUrl(base, request, "http://a.test/x").ok());
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
  auto url = [&](std::string_view base) { return ListRequest(*options, base, c).url; };
  EXPECT_EQ(url("https://nw.test/api/v2/"), "https://nw.test/api/v2/deals?updated_after=0&limit=2");
  c.next = "c 2";
  EXPECT_EQ(url("https://nw.test/api/v2"),
            "https://nw.test/api/v2/deals?updated_after=0&limit=2&cursor=c%202");

  options->page_style = PageStyle::kPage;
  options->page_param = "page";
  options->extra_query = {{"sort", "updated_at"}};
  c.next.clear();
  EXPECT_EQ(url("https://nw.test"),
            "https://nw.test/deals?sort=updated_at&updated_after=0&limit=2&page=1");
  options->page_style = PageStyle::kOffset;
  options->page_param = "offset";
  c.next = "40";
  EXPECT_EQ(url("https://nw.test"),
            "https://nw.test/deals?sort=updated_at&updated_after=0&limit=2&offset=40");
  options->page_style = PageStyle::kNextUrl;
  c.next = "https://nw.test/deals?after=zz";
  EXPECT_EQ(url("https://nw.test"), "https://nw.test/deals?after=zz");
}

// Shapes real partner APIs document, written as templates.
TEST(RestPagingTest, ExpandsRequestTemplates) {
  auto options = ParseRestOptions(testing::NorthwindConfig());
  ASSERT_OK(options);
  RestCursor c = RestCursor{OverlapWindow::StartingAt(TimestampFromEpochMs(1795428049123)), ""};
  c.window.BeginPass(TimestampFromEpochMs(1795428100000));

  // OData: $filter with an offset timestamp, a constant Prefer header.
  options->modified_since_param.clear();
  options->size_param.clear();
  options->page_style = PageStyle::kNextUrl;
  options->since_format = TimeFormat::kIso8601Offset;
  options->extra_query = {{"$filter", "modifiedon ge {since}"}};
  options->list_headers = {{"Prefer", "odata.maxpagesize=200"}};
  RestRequest odata = ListRequest(*options, "https://org.crm4.dynamics.test/api/data/v9.2", c);
  EXPECT_EQ(odata.url,
            "https://org.crm4.dynamics.test/api/data/v9.2/deals?%24filter=modifiedon%20ge%20"
            "2026-11-23T10%3A00%3A49%2B00%3A00");
  EXPECT_EQ(odata.headers, (HttpHeaders{{"Prefer", "odata.maxpagesize=200"}}));
  EXPECT_TRUE(odata.body.empty());

  // A modified-since HTTP date header (304 means nothing changed).
  options->extra_query.clear();
  options->since_format = TimeFormat::kRfc1123;
  options->list_headers = {{"If-Modified-Since", "{since}"}};
  EXPECT_EQ(ListRequest(*options, "https://z.test", c).headers,
            (HttpHeaders{{"If-Modified-Since", "Mon, 23 Nov 2026 10:00:49 GMT"}}));

  // JSON:API filter and page[number] in the query.
  options->list_headers.clear();
  options->since_format = TimeFormat::kIso8601;
  options->page_style = PageStyle::kPage;
  options->page_param = "page";
  options->extra_query = {{"filter[date_modified][gt]", "{since}"},
                          {"page[number]", "{page}"},
                          {"page[size]", "{page_size}"}};
  options->paging_in_template = true;
  c.next = "3";
  EXPECT_EQ(ListRequest(*options, "https://suite.test/Api/V8/module", c).url,
            "https://suite.test/Api/V8/module/deals?filter%5Bdate_modified%5D%5Bgt%5D="
            "2026-11-23T10%3A00%3A49Z&page%5Bnumber%5D=3&page%5Bsize%5D=2");

  // A POST search with the instant and the cursor inside the body.
  options->extra_query.clear();
  options->page_style = PageStyle::kCursor;
  options->list_method = "POST";
  options->since_format = TimeFormat::kEpochMs;
  options->list_body =
      R"({"filters":[{"propertyName":"lastmodified","operator":"GTE","value":"{since}"}],)"
      R"("after":"{cursor}","limit":{page_size}})";
  c.next = "ab\"c";
  RestRequest search = ListRequest(*options, "https://api.test", c);
  EXPECT_EQ(search.method, "POST");
  EXPECT_EQ(search.url, "https://api.test/deals");
  const json body = json::parse(search.body);
  EXPECT_EQ(body["filters"][0]["value"], "1795428049123");
  EXPECT_EQ(body["after"], "ab\"c");
  EXPECT_EQ(body["limit"], 2);
}

TEST(RestPagingTest, EndsPagingOnEveryDocumentedSignal) {
  auto options = ParseRestOptions(testing::NorthwindConfig());
  ASSERT_OK(options);
  RestCursor c;
  const std::string base = "https://nw.test";
  const std::string request = "https://nw.test/deals";
  auto next = [&](const char* body, size_t count, HttpHeaders headers = {}) {
    return NextPageToken(*options, base, request, c, json::parse(body), headers, count);
  };
  // A boolean flag: false ends even with a cursor present; true needs one.
  options->page_more_pointer = "/info/more_records";
  EXPECT_EQ(*next(R"({"info":{"more_records":false},"meta":{"next_cursor":"x"}})", 2), "");
  EXPECT_EQ(*next(R"({"info":{"more_records":true},"meta":{"next_cursor":"x"}})", 2), "x");
  auto contradiction = next(R"({"info":{"more_records":true},"meta":{"next_cursor":null}})", 2);
  ASSERT_FALSE(contradiction.ok());
  EXPECT_THAT(contradiction.status().message(), HasSubstr("says more pages follow"));
  auto missing = next(R"({"info":{}})", 2);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(),
              HasSubstr("list.page.more = \"/info/more_records\" points at nothing"));
  options->page_more_pointer.clear();
  // A null / absent cursor.
  EXPECT_EQ(*next(R"({"meta":{"next_cursor":null}})", 2), "");
  EXPECT_EQ(*next(R"({"meta":{}})", 2), "");
  // A total page count, and an empty page.
  options->page_style = PageStyle::kPage;
  options->page_total_pages_pointer = "/meta/total_pages";
  c.next = "2";
  EXPECT_EQ(*next(R"({"meta":{"total_pages":3}})", 2), "3");
  c.next = "3";
  EXPECT_EQ(*next(R"({"meta":{"total_pages":3}})", 2), "");
  EXPECT_EQ(*next(R"({"meta":{"total_pages":9}})", 0), "");
  // No next link.
  options->page_style = PageStyle::kLinkHeader;
  c.next.clear();
  EXPECT_EQ(*next("{}", 2, {{"Link", "<https://nw.test/deals?page=1>; rel=\"prev\""}}), "");
  EXPECT_EQ(*next("{}", 2, {{"Link", "<?page=2>; rel=\"next\""}}), "https://nw.test/deals?page=2");
}

TEST(RestPagingTest, NextTokenRejectsNonStringCursorAndRepeats) {
  auto options = ParseRestOptions(testing::NorthwindConfig());
  ASSERT_OK(options);
  RestCursor c;
  auto bad = NextPageToken(*options, "https://nw.test", "https://nw.test/deals", c,
                           json::parse(R"({"meta":{"next_cursor":{}}})"), {}, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "list.page.next = \"/meta/next_cursor\" points at an object in the list response, "
            "expected a string (or null on the last page)");
  c.next = "same";
  auto repeat = NextPageToken(*options, "https://nw.test", "https://nw.test/deals", c,
                              json::parse(R"({"meta":{"next_cursor":"same"}})"), {}, 1);
  ASSERT_FALSE(repeat.ok());
  EXPECT_THAT(repeat.status().message(), HasSubstr("repeated the current page's next cursor"));
  auto number = NextPageToken(*options, "https://nw.test", "https://nw.test/deals", c,
                              json::parse(R"({"meta":{"next_cursor":17}})"), {}, 1);
  ASSERT_OK(number);
  EXPECT_EQ(*number, "17");
}

}  // namespace
}  // namespace dealsync::connectors::rest
