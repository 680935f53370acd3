// Rendering: golden files for CSV and JSON, HTML escaping, CSV quoting and
// formula-injection guards.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dealsync/report.h"
#include "src/report/escape.h"
#include "tests/support/test_support.h"
#include "tests/unit/report/report_fixture.h"

namespace dealsync {
namespace {

using report_internal::CsvPlain;
using report_internal::CsvText;
using report_internal::HtmlEscape;

Report FixedReport(std::string partner = "") {
  Result<Report> r =
      BuildReport(testing::MakeFixedReportInput(), ReportOptions{std::move(partner)});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Report{};
}

std::string GoldenPath(const std::string& name) {
  return std::string(DEALSYNC_REPORT_GOLDEN_DIR) + "/" + name;
}

// Compares `actual` with the golden file; DEALSYNC_UPDATE_GOLDEN=1 rewrites it.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = GoldenPath(name);
  if (const char* update = std::getenv("DEALSYNC_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << path
                  << " (run with DEALSYNC_UPDATE_GOLDEN=1 and review the diff)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "differs from " << path;
}

TEST(ReportGolden, ConflictsCsv) {
  ExpectGolden("conflicts_all.csv", RenderConflictsCsv(FixedReport()));
}
TEST(ReportGolden, PipelineCsv) {
  ExpectGolden("pipeline_all.csv", RenderPipelineCsv(FixedReport()));
}
TEST(ReportGolden, AllPartnersJson) {
  ExpectGolden("report_all.json", RenderReportJson(FixedReport()));
}
TEST(ReportGolden, OnePartnerJson) {
  ExpectGolden("report_contoso.json", RenderReportJson(FixedReport("contoso")));
}

TEST(ReportEscaping, HtmlEscapesMarkupQuotesAndControlCharacters) {
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(HtmlEscape(std::string("a\x01"
                                   "b")),
            "a&#xFFFD;b");
}

TEST(ReportEscaping, HtmlReportNeverEmitsCrmTextRaw) {
  const std::string html = RenderReportHtml(FixedReport());
  EXPECT_EQ(html.find("<b>migration</b>"), std::string::npos);
  EXPECT_NE(html.find("Stark &lt;b&gt;migration&lt;/b&gt; &amp; co"), std::string::npos);
  EXPECT_NE(html.find("Contoso &amp; Partners &lt;EU&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://evil.example\""), std::string::npos);  // only escaped quotes
  EXPECT_EQ(html.find("src="), std::string::npos);                   // no external assets
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
}

TEST(ReportEscaping, CsvQuotesPerRfc4180) {
  EXPECT_EQ(CsvPlain("plain"), "plain");
  EXPECT_EQ(CsvPlain("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvPlain("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvPlain("two\nlines"), "\"two\nlines\"");
}

TEST(ReportEscaping, CsvGuardsAgainstFormulaInjection) {
  EXPECT_EQ(CsvText("=1+1"), "'=1+1");
  EXPECT_EQ(CsvText("+49 30 1234"), "'+49 30 1234");
  EXPECT_EQ(CsvText("-2"), "'-2");
  EXPECT_EQ(CsvText("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvText("\tcmd"), "'\tcmd");
  EXPECT_EQ(CsvText("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
  EXPECT_EQ(CsvText("Acme = good"), "Acme = good");
}

// A strict RFC 4180 reader for the checks below: records of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      records.back().push_back(std::move(field));
      field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      records.back().push_back(std::move(field));
      field.clear();
      records.emplace_back();
      ++i;
    } else {
      field += ch;
    }
  }
  records.pop_back();  // after the final CRLF
  return records;
}

TEST(ReportEscaping, CsvReportKeepsNumbersNumericAndTextInert) {
  const std::string pipeline = RenderPipelineCsv(FixedReport());
  EXPECT_NE(pipeline.find(",75930.00,42026.00,"), std::string::npos);
  const std::string conflicts = RenderConflictsCsv(FixedReport());
  ASSERT_EQ(conflicts.substr(conflicts.size() - 2), "\r\n");
  const auto records = ParseCsv(conflicts);
  ASSERT_EQ(records.size(), 5u);  // header + 4 conflicts
  for (const auto& record : records) {
    EXPECT_EQ(record.size(), records[0].size());
    for (const std::string& cell : record) {
      ASSERT_FALSE(!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '@')) << cell;
    }
  }
  EXPECT_EQ(records[1][4], "Acme rollout");
  EXPECT_EQ(records[1][11], "50000.00");                  // vendor_value, a number
  EXPECT_EQ(records[1][12], "USD");                       // vendor_currency
  EXPECT_EQ(records[1][16], "EUR");                       // partner_currency
  EXPECT_EQ(records[4][5], "Stark \"Industries\"");       // quotes survive the round trip
  EXPECT_EQ(records[1][24], "2026-11-21T10:05:00.000Z");  // detected_at, ISO 8601
}

}  // namespace
}  // namespace dealsync
