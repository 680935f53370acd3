// Deliberately wrong partner files (testdata/bad/*.toml), each dropped into a
// config directory as partners.d/acme.toml:
//  - config-time mistakes: LoadConfig with a registry holding the rest
//    connector reports them, located, with what to change;
//  - run-time mistakes (the file is valid, the API's answers show the error):
//    the partner check against a ScriptedTransport names field, pointer, value.
// Also: the shipped example files load cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <sstream>

#include "connectors/common/connector_util.h"
#include "connectors/common/partner_check.h"
#include "connectors/rest/rest_options.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "rest_test_configs.h"
#include "src/platform/fake_clock.h"
#include "support/test_support.h"

namespace dealsync {
void RegisterRestConnector(ConnectorRegistry& registry);
}

namespace dealsync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

const fs::path kTestData = DEALSYNC_REST_TESTDATA;

const ConnectorRegistry& RestRegistry() {
  static ConnectorRegistry* registry = [] {
    auto* r = new ConnectorRegistry();
    RegisterRestConnector(*r);
    return r;
  }();
  return *registry;
}

// A temporary config directory: testdata/base plus one partner file.
class PartnerDir {
 public:
  PartnerDir() {
    std::string tmpl = (fs::temp_directory_path() / "dealsync-rest-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
    fs::copy(kTestData / "base", path_, fs::copy_options::recursive);
    fs::create_directories(path_ / "partners.d");
  }
  ~PartnerDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void AddPartner(const fs::path& file, const std::string& as = "acme.toml") {
    fs::copy_file(file, path_ / "partners.d" / as);
  }
  ConfigLoadResult Load() const { return LoadConfig(path_.string(), RestRegistry()); }
  std::vector<std::string> Errors() const {
    std::vector<std::string> out;
    for (const ConfigError& e : Load().errors) {
      std::string text = e.ToString();
      const std::string prefix = path_.string() + "/";
      if (text.rfind(prefix, 0) == 0) {
        text = text.substr(prefix.size());
      }
      out.push_back(text);
    }
    return out;
  }

 private:
  fs::path path_;
};

TEST(RestPartnerFilesTest, ShippedExamplesLoadCleanly) {
  PartnerDir dir;
  const fs::path shipped = fs::path(DEALSYNC_SOURCE_DIR) / "config" / "partners.d";
  dir.AddPartner(shipped / "northwind.toml", "northwind.toml");
  dir.AddPartner(shipped / "contoso.toml", "contoso.toml");
  EXPECT_THAT(dir.Errors(), ::testing::IsEmpty());
  ConfigLoadResult loaded = dir.Load();
  ASSERT_TRUE(loaded.config.has_value());
  const SourceConfig* nw = loaded.config->FindSource("northwind");
  ASSERT_NE(nw, nullptr);
  EXPECT_EQ(std::get<std::string>(nw->options.at("list.page.style").value), "cursor");
  const SourceConfig* contoso = loaded.config->FindSource("contoso");
  ASSERT_NE(contoso, nullptr);
  EXPECT_EQ(std::get<int64_t>(contoso->options.at("update.batch.max_size").value), 25);
}

// docs/partners.md carries the option reference generated from the table.
TEST(RestPartnerFilesTest, PartnerGuideCarriesTheGeneratedOptionReference) {
  std::ifstream in(fs::path(DEALSYNC_SOURCE_DIR) / "docs" / "partners.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string begin = "<!-- rest-options:begin -->\n";
  const std::string end = "<!-- rest-options:end -->";
  const size_t from = doc.find(begin);
  const size_t to = doc.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/partners.md has no " << begin;
  ASSERT_NE(to, std::string::npos);
  const std::string expected = connectors::OptionTableMarkdown(connectors::rest::RestOptionTable());
  EXPECT_EQ(doc.substr(from + begin.size(), to - from - begin.size()), expected)
      << "regenerate the block between the markers in docs/partners.md with:\n"
      << expected;
}

// The Zoho CRM, Pipedrive and SuiteCRM examples of config/examples/partners.
TEST(RestPartnerFilesTest, VendorExamplesLoadCleanly) {
  PartnerDir dir;
  const fs::path examples = fs::path(DEALSYNC_SOURCE_DIR) / "config" / "examples" / "partners";
  for (const char* name : {"zoho-crm.toml", "pipedrive.toml", "suitecrm.toml"}) {
    dir.AddPartner(examples / name, name);
  }
  EXPECT_THAT(dir.Errors(), ::testing::IsEmpty());
  ConfigLoadResult loaded = dir.Load();
  ASSERT_TRUE(loaded.config.has_value());
  const SourceConfig* zoho = loaded.config->FindSource("zoho-partner");
  ASSERT_NE(zoho, nullptr);
  EXPECT_EQ(zoho->connection.auth.headers, (std::vector<std::pair<std::string, std::string>>{
                                               {"Authorization", "Zoho-oauthtoken {token}"}}));
  const SourceConfig* pipedrive = loaded.config->FindSource("pipedrive-partner");
  ASSERT_NE(pipedrive, nullptr);
  EXPECT_EQ(pipedrive->statuses.at("won"), Stage::kClosedWon);
  EXPECT_FALSE(pipedrive->statuses.at("open").has_value());
  const SourceConfig* suite = loaded.config->FindSource("suitecrm-partner");
  ASSERT_NE(suite, nullptr);
  EXPECT_EQ(suite->currencies.at("-99"), "EUR");
}

struct ConfigCase {
  const char* file;
  std::vector<std::string> errors;
};
void PrintTo(const ConfigCase& c, std::ostream* os) {
  *os << c.file;
}

class BadPartnerConfigTest : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(BadPartnerConfigTest, ReportsLocatedErrorSayingWhatToChange) {
  PartnerDir dir;
  dir.AddPartner(kTestData / "bad" / (std::string(GetParam().file) + ".toml"));
  EXPECT_EQ(dir.Errors(), GetParam().errors);
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadPartnerConfigTest,
    ::testing::Values(
        ConfigCase{"wrong_pointer_syntax",
                   {"partners.d/acme.toml:14:11: list.records: invalid JSON pointer \"data\" "
                    "(expected \"\" or a path starting with \"/\")"}},
        ConfigCase{"unknown_page_style",
                   {"partners.d/acme.toml:17:18: list.page.style: invalid value \"cursors\" "
                    "(expected one of: none, cursor, page, offset, link_header, next_url)"}},
        ConfigCase{"cursor_without_next",
                   {"partners.d/acme.toml:17:18: list.page: list.page.next is required when "
                    "list.page.style = \"cursor\": set it to the JSON pointer of the next cursor "
                    "in a list response, e.g. next = \"/meta/next_cursor\""}},
        ConfigCase{"get_path_without_id",
                   {"partners.d/acme.toml:20:8: get.path: \"/deals\" has no {id} placeholder: "
                    "write the path of one record, e.g. \"/deals/{id}\""}},
        ConfigCase{"update_path_without_id",
                   {"partners.d/acme.toml:23:8: update.path: \"/deals\" has no {id} placeholder, "
                    "which update.mode = \"single\" needs (in the path, or in update.body): "
                    "write e.g. \"/deals/{id}\", or set update.mode = \"batch\""}},
        ConfigCase{
            "missing_auth",
            {"partners.d/acme.toml: connection.auth: missing: the rest connector sends every "
             "request authenticated; add e.g. auth = { type = \"api_key\", header = \"X-Api-Key\", "
             "credential = \"<name>\" } (or type bearer, basic, oauth2_client_credentials)"}},
        ConfigCase{
            "wrong_date_format_name",
            {"partners.d/acme.toml:31:54: fields.close_date.format: invalid value \"epoch_millis\" "
             "(expected one of: iso_date, iso_datetime, epoch_ms, epoch_s)"}},
        ConfigCase{"unmapped_canonical_stage",
                   {"partners.d/acme.toml:34:1: stages: canonical stage \"solution\" is not mapped "
                    "(add solution = [\"<native value>\", ...])"}},
        ConfigCase{"since_format_without_param",
                   {"partners.d/acme.toml:16:29: list.modified_since: the format is set but "
                    "{since} is never sent: name the query parameter (modified_since = { param = "
                    "\"updated_after\", format = \"epoch_ms\" }) or place {since} in list.query, "
                    "list.headers or list.body"}},
        ConfigCase{"batch_without_id_field",
                   {"partners.d/acme.toml:23:8: update.batch: update.batch.id_field is required "
                    "when update.mode = \"batch\": the JSON pointer where the record id goes "
                    "inside one item, e.g. id_field = \"/id\""}},
        ConfigCase{"unknown_option",
                   {"partners.d/acme.toml:15:1: list.pagesize: unknown key \"pagesize\" (did you "
                    "mean \"page_size\"?)"}},
        ConfigCase{
            "missing_id_field",
            {"partners.d/acme.toml: fields.id: not mapped: the rest connector has no default field "
             "map; add id = \"/id\" (the JSON pointer of the record id) under [fields]"}},
        ConfigCase{"unknown_since_format",
                   {"partners.d/acme.toml:16:54: list.modified_since.format: invalid value "
                    "\"unix\" (expected one of: iso8601, iso8601_ms, iso8601_offset, epoch_s, "
                    "epoch_ms, rfc1123, sql_datetime)"}}),
    [](const auto& info) { return std::string(info.param.file); });

// ---- run-time mistakes -------------------------------------------------------

json Deal(const std::string& id, const std::string& status) {
  return json{{"id", id},
              {"title", "Deal " + id},
              {"status", status},
              {"value", "1234.50"},
              {"currency", "EUR"},
              {"expected_close", 1764547200000},
              {"updated_at", 1763892000000}};
}

// The API every run-time case talks to: northwind's shape.
std::string FirstPage() {
  return json{{"data", {Deal("nw-1", "Qualified"), Deal("nw-2", "BANT ok")}},
              {"meta", {{"next_cursor", nullptr}}}}
      .dump();
}

struct RunCase {
  const char* file;
  std::function<void(ScriptedTransport&)> script;
  int exit_code;
  std::vector<std::string> lines;  // each must appear in the report, as a whole line
};
void PrintTo(const RunCase& c, std::ostream* os) {
  *os << c.file;
}

void ListThenGet(ScriptedTransport& t) {
  t.Push(200, FirstPage());
  t.Push(200, Deal("nw-1", "Qualified").dump());
}

class BadPartnerRunTest : public ::testing::TestWithParam<RunCase> {};

TEST_P(BadPartnerRunTest, PartnerCheckNamesTheMistake) {
  PartnerDir dir;
  dir.AddPartner(kTestData / "bad" / (std::string(GetParam().file) + ".toml"));
  ConfigLoadResult loaded = dir.Load();
  ASSERT_THAT(loaded.errors, ::testing::IsEmpty()) << loaded.errors[0].ToString();
  const SourceConfig* acme = loaded.config->FindSource("acme");
  ASSERT_NE(acme, nullptr);
  ScriptedTransport transport;
  GetParam().script(transport);
  FakeClock clock;
  PartnerCheckResult result =
      RunAwaitable(RunPartnerCheck(*acme, RestRegistry(), transport, clock));
  EXPECT_EQ(result.exit_code, GetParam().exit_code) << result.report;
  std::vector<std::string> lines;
  std::istringstream in(result.report);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  for (const std::string& expected : GetParam().lines) {
    EXPECT_THAT(lines, ::testing::Contains(expected)) << result.report;
  }
  for (const HttpRequest& r : transport.requests()) {
    EXPECT_EQ(r.method, "GET") << "partner check must not write";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadPartnerRunTest,
    ::testing::Values(
        RunCase{"runtime_records_pointer_missing",
                [](ScriptedTransport& t) { t.Push(200, FirstPage()); },
                kPartnerCheckFailed,
                {"FAILED: list page 1: FAILED_PRECONDITION: rest acme list GET /api/deals: "
                 "list.records = \"/deals\" matches nothing in the response (top-level members: "
                 "data, meta)",
                 "  what to change: change the key named above in the partner file"}},
        RunCase{"runtime_records_not_array",
                [](ScriptedTransport& t) { t.Push(200, FirstPage()); },
                kPartnerCheckFailed,
                {"FAILED: list page 1: FAILED_PRECONDITION: rest acme list GET /api/deals: "
                 "list.records = \"/meta\" points at an object, not an array (top-level members: "
                 "data, meta)"}},
        RunCase{"runtime_unmapped_stage_value",
                ListThenGet,
                kPartnerCheckFailed,
                {"REJECTED record nw-2: record #1 of the page: stage: value \"BANT ok\" at "
                 "/status is not in [stages] (known: New lead, Qualified, Discovery, Demo, "
                 "Quote sent, Negotiating, Won, Lost, No decision)",
                 "  what to change: add this value to the list of the canonical stage it means "
                 "under [stages] (or fix [fields].stage if the pointer is wrong)",
                 "read back by id: nw-1 ok"}},
        RunCase{"runtime_wrong_date_format",
                [](ScriptedTransport& t) { t.Push(200, FirstPage()); },
                kPartnerCheckFailed,
                {"REJECTED record nw-1: record #0 of the page: modified_at: value 1763892000000 "
                 "at /updated_at: missing",
                 "  what to change: fix [fields].modified_at: the format must match the value: "
                 "iso_date (\"2026-12-01\"), iso_datetime (\"2026-12-01T10:00:00Z\"), epoch_ms or "
                 "epoch_s"}},
        RunCase{"runtime_wrong_amount_format",
                [](ScriptedTransport& t) { t.Push(200, FirstPage()); },
                kPartnerCheckFailed,
                {"REJECTED record nw-1: record #0 of the page: amount: value \"1234.50\" at "
                 "/value is not an integer count of minor units"}},
        RunCase{"runtime_wrong_id_pointer",
                [](ScriptedTransport& t) { t.Push(200, FirstPage()); },
                kPartnerCheckFailed,
                {"REJECTED record (no id): record #0 of the page: id: missing or not a string at "
                 "/deal_id",
                 "  what to change: set [fields].id to the JSON pointer of the record's id (see "
                 "the record above)"}},
        RunCase{"runtime_non_json",
                [](ScriptedTransport& t) {
                  t.Push(200, "<!doctype html><title>Acme CRM</title>",
                         {{"Content-Type", "text/html; charset=utf-8"}});
                },
                kPartnerCheckFailed,
                {"FAILED: list page 1: UNAVAILABLE: rest acme list GET /api/ui/deals: the response "
                 "is not JSON (Content-Type text/html; charset=utf-8): \"<!doctype "
                 "html><title>Acme CRM</title>\"",
                 "  what to change: connection.base_url = \"https://acme.test/api\" and list.path "
                 "must point at the JSON API, not a web page"}},
        RunCase{"runtime_unreachable_url",
                [](ScriptedTransport& t) {
                  t.Push(Result<HttpResponse>(
                      Unavailable("GET https://acme.invalid/api/deals: resolve: Host not found")));
                },
                kPartnerCheckFailed,
                {"FAILED: list page 1: UNAVAILABLE: rest acme GET /api/deals: GET "
                 "https://acme.invalid/api/deals: resolve: Host not found",
                 "  what to change: could not reach connection.base_url = "
                 "\"https://acme.invalid/api\": check the host name and port, and that this "
                 "machine can reach it (DNS, proxy, firewall, TLS certificate: "
                 "connection.ca_file)"}},
        RunCase{"runtime_wrong_auth_header",
                [](ScriptedTransport& t) {
                  t.Push(401, R"({"error":{"code":"unauthorized","message":"missing X-Api-Key"}})");
                },
                kPartnerCheckFailed,
                {"FAILED: list page 1: UNAUTHENTICATED: rest acme list GET /api/deals: HTTP 401 "
                 "unauthorized: missing X-Api-Key",
                 "  what to change: the API refused the credentials: check [connection].auth "
                 "(type = \"api_key\", header/param names) and that the credential env:ACME_KEY "
                 "holds a current key"}},
        RunCase{"runtime_wrong_get_path",
                [](ScriptedTransport& t) {
                  t.Push(200, FirstPage());
                  t.Push(404, R"({"error":{"code":"not_found","message":"no route"}})");
                },
                kPartnerCheckFailed,
                {"FAILED: reading record nw-1 by id: not found: get.path = \"/deal/{id}\" does "
                 "not address the listed records"}}),
    [](const auto& info) { return std::string(info.param.file); });

TEST(RestPartnerCheckTest, PagingThatDoesNotEndWithinMaxPagesFails) {
  PartnerDir dir;
  dir.AddPartner(fs::path(DEALSYNC_SOURCE_DIR) / "config" / "partners.d" / "northwind.toml",
                 "northwind.toml");
  ConfigLoadResult loaded = dir.Load();
  ASSERT_THAT(loaded.errors, ::testing::IsEmpty());
  ScriptedTransport transport;
  for (int page = 1; page <= 3; ++page) {
    transport.Push(200, json{{"data", {Deal("nw-" + std::to_string(page), "Qualified")}},
                             {"meta", {{"next_cursor", "c" + std::to_string(page + 1)}}}}
                            .dump());
  }
  FakeClock clock;
  PartnerCheckOptions options;
  options.max_pages = 3;
  PartnerCheckResult result = RunAwaitable(RunPartnerCheck(
      *loaded.config->FindSource("northwind"), RestRegistry(), transport, clock, options));
  EXPECT_EQ(result.exit_code, kPartnerCheckFailed) << result.report;
  EXPECT_THAT(result.report,
              HasSubstr("FAILED: paging did not end within 3 pages (--max-pages): check "
                        "list.page.* and that the API reports its last page\n"));
}

TEST(RestPartnerCheckTest, GoodFileShowsTheMappingAndChangesNothing) {
  PartnerDir dir;
  dir.AddPartner(fs::path(DEALSYNC_SOURCE_DIR) / "config" / "partners.d" / "northwind.toml",
                 "northwind.toml");
  ConfigLoadResult loaded = dir.Load();
  ASSERT_THAT(loaded.errors, ::testing::IsEmpty());
  ScriptedTransport transport;
  transport.Push(200, FirstPage());
  transport.Push(200, Deal("nw-1", "Qualified").dump());
  FakeClock clock;
  PartnerCheckOptions options;
  options.sample_size = 1;
  PartnerCheckResult result = RunAwaitable(RunPartnerCheck(
      *loaded.config->FindSource("northwind"), RestRegistry(), transport, clock, options));
  EXPECT_EQ(result.exit_code, kPartnerCheckOk) << result.report;
  EXPECT_THAT(result.report, HasSubstr("list: 2 records on 1 page (2 mapped, 0 rejected)\n"));
  EXPECT_THAT(result.report,
              HasSubstr("  stage           /status = \"Qualified\"  ->  qualified\n"));
  EXPECT_THAT(result.report,
              HasSubstr("  amount          /value = \"1234.50\"  ->  1234.50 EUR\n"));
  EXPECT_THAT(result.report,
              HasSubstr("  close_date      /expected_close = 1764547200000  ->  2025-12-01\n"));
  EXPECT_THAT(result.report, HasSubstr("  update body (not sent): "));
  EXPECT_THAT(result.report, HasSubstr("OK: the partner file works; nothing was changed\n"));
  EXPECT_EQ(transport.requests().size(), 2u);
  EXPECT_EQ(transport.requests()[0].url,
            "https://crm.northwind.example/api/v2/deals?updated_after=0&limit=100");
}

}  // namespace
}  // namespace dealsync::testing
