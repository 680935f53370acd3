#include "connectors/common/connector_util.h"

#include <gtest/gtest.h>

#include "connectors/common/json_util.h"
#include "support/test_support.h"

namespace dealsync::connectors {
namespace {

using nlohmann::json;

HttpResponse Response(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(CursorTest, RoundTripsAndRejectsCorruption) {
  json state = {{"wm", 1234}, {"seen", {{"a", 1}}}, {"next", "/q/01g-2000"}};
  auto back = DecodeCursor(EncodeCursor(state), "salesforce");
  ASSERT_OK(back);
  EXPECT_EQ(*back, state);
  auto empty = DecodeCursor("", "salesforce");
  ASSERT_OK(empty);
  EXPECT_EQ(*empty, json::object());
  EXPECT_EQ(DecodeCursor("{\"wm\":", "hubspot").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeCursor("[1]", "hubspot").status().code(), StatusCode::kDataLoss);
}

TEST(ChunksTest, SplitsIntoBoundedConsecutiveChunks) {
  std::vector<int> items(450);
  for (int i = 0; i < 450; ++i) {
    items[i] = i;
  }
  auto chunks = Chunks(items, 200);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 200u);
  EXPECT_EQ(chunks[2].size(), 50u);
  EXPECT_EQ(chunks[2].front(), 400);
  EXPECT_TRUE(Chunks(std::vector<int>{}, 100).empty());
}

TEST(JsonUtilTest, MalformedBodyIsRetryableWithContext) {
  auto doc = ParseJsonBody("{\"records\":[{\"Id\":", "salesforce query");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(doc.status().message().find("salesforce query: response is not valid JSON"),
            std::string::npos);
  EXPECT_FALSE(ParseJsonBody("", "x").ok());
  ASSERT_OK(ParseJsonBody("[]", "x"));
}

TEST(JsonUtilTest, FindAtNeverThrows) {
  json doc = json::parse(R"({"a":{"b":[1,{"c":"x"}]},"s":"str"})");
  EXPECT_EQ(*FindAt(doc, json::json_pointer("/a/b/1/c")), "x");
  EXPECT_EQ(FindAt(doc, json::json_pointer("/a/b/9")), nullptr);
  EXPECT_EQ(FindAt(doc, json::json_pointer("/a/b/x")), nullptr);
  EXPECT_EQ(FindAt(doc, json::json_pointer("/s/t")), nullptr);
  EXPECT_EQ(FindAt(doc, json::json_pointer("/missing")), nullptr);
  EXPECT_EQ(PointerTokens("/Account/Name"), (std::vector<std::string>{"Account", "Name"}));
  EXPECT_FALSE(ParsePointer("Account").ok());
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_EQ(ParseInt64("4x"), std::nullopt);
  EXPECT_EQ(ParseInt64(""), std::nullopt);
}

TEST(VendorErrorTest, EveryKnownShape) {
  auto sf = ParseVendorError(
      R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  EXPECT_EQ(sf.code, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(sf.message, "TotalRequests Limit exceeded.");
  auto hs = ParseVendorError(
      R"({"status":"error","message":"Property values were not valid","correlationId":"c-1","category":"VALIDATION_ERROR"})");
  EXPECT_EQ(hs.code, "VALIDATION_ERROR");
  EXPECT_EQ(hs.correlation_id, "c-1");
  auto rate = ParseVendorError(
      R"({"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c-2","policyName":"SECONDLY"})");
  EXPECT_EQ(rate.code, "RATE_LIMIT");
  auto rest = ParseVendorError(R"({"error":{"code":"not_found","message":"no deal nw-9"}})");
  EXPECT_EQ(rest.code, "not_found");
  EXPECT_EQ(rest.message, "no deal nw-9");
  auto oauth = ParseVendorError(R"({"error":"invalid_grant","error_description":"expired"})");
  EXPECT_EQ(oauth.code, "invalid_grant");
  EXPECT_EQ(oauth.message, "expired");
  auto garbage = ParseVendorError("<html>502 Bad Gateway</html>");
  EXPECT_TRUE(garbage.code.empty());
}

TEST(VendorErrorTest, ErrorFromResponseKeepsHttpCodeAndRetryAfter) {
  Status s = ErrorFromResponse(
      Response(
          429,
          R"({"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c-2"})",
          {{"Retry-After", "2"}}),
      "hubspot search");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(s.retry_after());
  EXPECT_EQ(*s.retry_after(), std::chrono::seconds(2));
  EXPECT_NE(s.message().find("hubspot search: HTTP 429 RATE_LIMIT: You have reached"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("correlationId c-2"), std::string::npos);
  Status plain = ErrorFromResponse(Response(503, "oops"), "x");
  EXPECT_EQ(plain.code(), StatusCode::kUnavailable);
}

TEST(DurationTest, ParsesUnitsAndRejectsGarbage) {
  EXPECT_EQ(*ParseDuration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(*ParseDuration("2h"), std::chrono::hours(2));
  EXPECT_EQ(*ParseDuration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*ParseDuration("90s"), std::chrono::seconds(90));
  EXPECT_FALSE(ParseDuration("5").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_FALSE(ParseDuration("5 minutes").ok());
}

TEST(OptionReaderTest, ValuesThenDefaultsThenErrors) {
  OptionTable table = {
      {"x.version", OptionSpec::Type::kString, false, "v59.0", {}, "API version"},
      {"x.page_size", OptionSpec::Type::kInt, false, "200", {}, "page size"},
      {"x.overlap", OptionSpec::Type::kDuration, false, "5m", {}, "overlap"},
      {"x.flag", OptionSpec::Type::kBool, false, "false", {}, "flag"},
      {"x.required", OptionSpec::Type::kString, true, std::nullopt, {}, "required"},
  };
  SourceConfig config;
  config.options["x.page_size"] = OptionValue{int64_t{50}, {}};
  config.options["x.overlap"] = OptionValue{std::chrono::milliseconds(1000), {}};
  config.options["x.flag"] = OptionValue{std::string("yes"), {}};
  OptionReader reader(config, table);
  EXPECT_EQ(*reader.String("x.version"), "v59.0");
  EXPECT_EQ(*reader.Int("x.page_size"), 50);
  EXPECT_EQ(*reader.Duration("x.overlap"), std::chrono::seconds(1));
  EXPECT_FALSE(reader.Bool("x.flag").ok());
  EXPECT_FALSE(reader.String("x.required").ok());
}

}  // namespace
}  // namespace dealsync::connectors
