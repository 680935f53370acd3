// ValidateRestConfig: semantic checks with the key and a message saying what to change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/rest/rest_options.h"
#include "rest_test_configs.h"

namespace dealsync::connectors::rest {
namespace {

using dealsync::testing::ContosoConfig;
using dealsync::testing::NorthwindConfig;
using dealsync::testing::Opt;

std::vector<std::string> Errors(const SourceConfig& config) {
  std::vector<ConfigError> errors;
  ValidateRestConfig(config, errors);
  std::vector<std::string> out;
  for (const auto& e : errors) {
    out.push_back(e.key_path + ": " + e.message);
  }
  return out;
}

TEST(RestValidateTest, ExamplesAreValid) {
  EXPECT_THAT(Errors(NorthwindConfig()), ::testing::IsEmpty());
  EXPECT_THAT(Errors(ContosoConfig()), ::testing::IsEmpty());
}

TEST(RestValidateTest, OptionTableDocumentsEveryKeyItReads) {
  for (const auto& spec : RestOptionTable()) {
    EXPECT_FALSE(spec.description.empty()) << spec.key;
    if (spec.type == OptionSpec::Type::kEnum) {
      EXPECT_FALSE(spec.choices.empty()) << spec.key;
    }
  }
}

TEST(RestValidateTest, CursorStyleNeedsNextPointer) {
  SourceConfig c = NorthwindConfig();
  c.options.erase("list.page.next");
  c.options["list.page.style"].where = {"nw.toml", 12, 9};
  std::vector<ConfigError> errors;
  ValidateRestConfig(c, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].where.line, 12);
  EXPECT_EQ(errors[0].key_path, "list.page");
  EXPECT_EQ(errors[0].message,
            "list.page.next is required when list.page.style = \"cursor\": set it to the JSON "
            "pointer of the next cursor in a list response, e.g. next = \"/meta/next_cursor\"");
}

TEST(RestValidateTest, PathsNeedIdPlaceholdersAndLeadingSlash) {
  SourceConfig c = NorthwindConfig();
  c.options["get.path"] = Opt("/deals");
  c.options["update.path"] = Opt("deals");
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre(
                  "update.path: \"deals\" must start with \"/\" (it is appended to "
                  "connection.base_url): write \"/deals\"",
                  "get.path: \"/deals\" has no {id} placeholder: write the path of one record, "
                  "e.g. \"/deals/{id}\"",
                  "update.path: \"deals\" has no {id} placeholder, which update.mode = \"single\" "
                  "needs (in the path, or in update.body): write e.g. \"deals/{id}\", or set "
                  "update.mode = \"batch\""));
}

TEST(RestValidateTest, BadPointerSyntax) {
  SourceConfig c = NorthwindConfig();
  c.options["list.records"] = Opt("data");
  EXPECT_THAT(Errors(c), ::testing::ElementsAre(
                             "list.records: \"data\" is not a JSON pointer: write \"/data\" (RFC "
                             "6901: \"\" for the whole body, \"/a/b\" for a nested member)"));
}

TEST(RestValidateTest, FormatWithoutParam) {
  SourceConfig c = NorthwindConfig();
  c.options.erase("list.modified_since.param");
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre(
                  "list.modified_since: the format is set but {since} is never sent: name the "
                  "query parameter (modified_since = { param = \"updated_after\", format = "
                  "\"epoch_ms\" }) or place {since} in list.query, list.headers or list.body"));
}

TEST(RestValidateTest, TemplatesNameOnlyTheirPlaceholders) {
  SourceConfig c = NorthwindConfig();
  c.options["list.query"] = Opt(std::vector<std::string>{"$filter=modifiedon ge {modified}"});
  c.options["list.headers"] = Opt(std::vector<std::string>{"X-Record: {id}"});
  c.options["get.path"] = Opt("/deals/{id}/{page}");
  c.options["update.path"] = Opt("/deals/{deal_id}");
  EXPECT_THAT(
      Errors(c),
      ::testing::ElementsAre(
          "update.path: \"/deals/{deal_id}\" has no {id} placeholder, which update.mode = "
          "\"single\" needs (in the path, or in update.body): write e.g. "
          "\"/deals/{deal_id}/{id}\", or set update.mode = \"batch\"",
          "list.query: unknown placeholder {modified} (known here: {cursor}, {offset}, {page}, "
          "{page_size}, {since})",
          "list.headers: unknown placeholder {id} (known here: {cursor}, {offset}, {page}, "
          "{page_size}, {since})",
          "get.path: unknown placeholder {page} (known here: {id})",
          "update.path: unknown placeholder {deal_id} (known here: {id})"));
}

TEST(RestValidateTest, BodiesAreJsonAndGoWithTheirMethods) {
  SourceConfig c = NorthwindConfig();
  c.options["list.body"] = Opt(R"({"since": {since}})");
  c.options["update.body"] = Opt(R"({"deal": "{id}")");
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre(
                  "list.body: a body is only sent with list.method = \"POST\" (a GET request has "
                  "none): set method = \"POST\" under [list], or remove body",
                  "update.body: update.body is not a JSON object once {id} is filled in (write "
                  "update.body as a JSON object, e.g. {\"data\": {\"type\": \"Opportunities\", "
                  "\"id\": \"{id}\"}}, \"{id}\" inside quotes)"));
  c.options["list.method"] = Opt("POST");
  c.options["list.modified_since.format"] = Opt("iso8601");
  c.options["update.body"] = Opt(R"({"deal": 1})");
  c.options["update.fields_at"] = Opt("/deal");
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre(
                  "list.body: is not JSON once its placeholders are filled in (\"{\"since\": "
                  "1970-01-01T00:00:00Z}\"): string placeholders go inside quotes (\"{since}\"), "
                  "numbers bare ({page_size})",
                  "update.body: update.fields_at = \"/deal\" points at a number in update.body, "
                  "not an object (write update.body as a JSON object, e.g. {\"data\": {\"type\": "
                  "\"Opportunities\", \"id\": \"{id}\"}}, \"{id}\" inside quotes)"));
}

TEST(RestValidateTest, BatchNeedsIdFieldAndSaneSize) {
  SourceConfig c = ContosoConfig();
  c.options.erase("update.batch.id_field");
  c.options["update.batch.max_size"] = Opt(int64_t{0});
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre(
                  "update.batch: update.batch.id_field is required when update.mode = \"batch\": "
                  "the JSON pointer where the record id goes inside one item, e.g. id_field = "
                  "\"/id\"",
                  "update.batch.max_size: 0 is out of range: use 1..1000 (the API's limit)"));
}

TEST(RestValidateTest, MissingAuthAndFields) {
  SourceConfig c = NorthwindConfig();
  c.connection.auth = AuthConfig{};
  c.fields.erase("id");
  c.fields.erase("modified_at");
  auto errors = Errors(c);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0],
            "connection.auth: missing: the rest connector sends every request authenticated; add "
            "e.g. auth = { type = \"api_key\", header = \"X-Api-Key\", credential = \"<name>\" } "
            "(or type bearer, basic, oauth2_client_credentials)");
  EXPECT_EQ(errors[1],
            "fields.id: not mapped: the rest connector has no default field map; add id = \"/id\" "
            "(the JSON pointer of the record id) under [fields]");
  EXPECT_THAT(errors[2], ::testing::StartsWith("fields.modified_at: not mapped"));
}

TEST(RestValidateTest, PageSizeRange) {
  SourceConfig c = NorthwindConfig();
  c.options["list.page_size"] = Opt(int64_t{0});
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre(
                  "list.page_size: 0 is out of range: use 1..10000 (what the API allows)"));
}

TEST(RestValidateTest, BadQueryParamAndUnknownStyleAreReportedAtTheirKey) {
  SourceConfig c = NorthwindConfig();
  c.options["list.sort"] = Opt("updated_at");
  EXPECT_THAT(Errors(c),
              ::testing::ElementsAre("list.query: \"updated_at\" is not of the form param=value"));
  SourceConfig s = NorthwindConfig();
  s.options["list.page.style"] = Opt("cursors");
  EXPECT_THAT(Errors(s),
              ::testing::ElementsAre("list.page.style: unknown pagination style \"cursors\""));
}

}  // namespace
}  // namespace dealsync::connectors::rest
