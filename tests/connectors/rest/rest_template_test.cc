#include "connectors/rest/rest_template.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace dealsync::connectors::rest {
namespace {

const Timestamp kT = TimestampFromEpochMs(1795428049123);  // 2026-11-23T10:00:49.123Z

TEST(RestTemplateTest, FormatsTheInstantEveryWay) {
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kIso8601), "2026-11-23T10:00:49Z");
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kIso8601Millis), "2026-11-23T10:00:49.123Z");
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kIso8601Offset), "2026-11-23T10:00:49+00:00");
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kEpochS), "1795428049");
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kEpochMs), "1795428049123");
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kRfc1123), "Mon, 23 Nov 2026 10:00:49 GMT");
  EXPECT_EQ(FormatInstant(kT, TimeFormat::kSqlDateTime), "2026-11-23 10:00:49");
  EXPECT_EQ(FormatInstant(Timestamp{}, TimeFormat::kRfc1123), "Thu, 01 Jan 1970 00:00:00 GMT");
  for (std::string_view name : {"iso8601", "iso8601_ms", "iso8601_offset", "epoch_s", "epoch_ms",
                                "rfc1123", "sql_datetime"}) {
    auto f = ParseTimeFormat(name);
    ASSERT_TRUE(f.has_value()) << name;
    EXPECT_EQ(TimeFormatName(*f), name);
  }
  EXPECT_FALSE(ParseTimeFormat("iso").has_value());
}

TEST(RestTemplateTest, ExpandsPlaceholdersAndKeepsJsonBraces) {
  TemplateValues v;
  v.since = kT;
  v.since_format = TimeFormat::kIso8601Offset;
  v.cursor = "a\"b";
  v.page = 3;
  v.offset = 40;
  v.page_size = 20;
  v.id = "7 8/9";
  EXPECT_EQ(Expand("modifiedon ge {since}", v, Escape::kNone),
            "modifiedon ge 2026-11-23T10:00:49+00:00");
  EXPECT_EQ(Expand("/deals/{id}", v, Escape::kPath), "/deals/7%208%2F9");
  EXPECT_EQ(Expand("p={page}&o={offset}&n={page_size}", v, Escape::kNone), "p=3&o=40&n=20");
  const std::string body = R"({"filter":{"gte":"{since}"},"after":"{cursor}","limit":{page_size}})";
  auto parsed = nlohmann::json::parse(Expand(body, v, Escape::kJson));
  EXPECT_EQ(parsed["filter"]["gte"], "2026-11-23T10:00:49+00:00");
  EXPECT_EQ(parsed["after"], "a\"b");
  EXPECT_EQ(parsed["limit"], 20);
}

TEST(RestTemplateTest, ReportsUnknownPlaceholders) {
  EXPECT_EQ(Placeholders("{since} {page} {} {A} {since}"),
            (std::set<std::string>{"page", "since"}));
  EXPECT_EQ(CheckPlaceholders("x={since}", {"since"}), "");
  EXPECT_EQ(CheckPlaceholders("x={modified}", {"cursor", "since"}),
            "unknown placeholder {modified} (known here: {cursor}, {since})");
  EXPECT_EQ(CheckPlaceholders("{id}", {}), "unknown placeholder {id} (known here: none)");
}

}  // namespace
}  // namespace dealsync::connectors::rest
