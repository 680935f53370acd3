// Loads the HTML report in headless Chromium and checks that it renders its
// sections with no console errors. Skipped only when Chromium is not installed
// (scripts/test.sh installs it, so CI runs it).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dealsync/report.h"
#include "tests/unit/report/report_fixture.h"

namespace dealsync {
namespace {

namespace fs = std::filesystem;
constexpr const char* kChromium = "/usr/bin/chromium";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct BrowserRun {
  int exit_code = -1;
  std::string dom;
  std::string log;
};

class ChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) {
      GTEST_SKIP() << kChromium << " is not installed (scripts/ensure-deps.sh --with-browser)";
    }
    char tmpl[] = "/tmp/dealsync-report-browser-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
  }

  // Renders `html` in a fresh profile; the DOM after load goes to stdout,
  // Chromium's log (including page console messages) to stderr.
  BrowserRun Load(const std::string& html) {
    const fs::path page = dir_ / "report.html";
    std::ofstream(page, std::ios::binary) << html;
    const fs::path dom = dir_ / "dom.html";
    const fs::path log = dir_ / "chromium.log";
    const std::string command =
        std::string("timeout 90 ") + kChromium +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --enable-logging=stderr --v=0 --log-level=0 --user-data-dir=" +
        (dir_ / "profile").string() + " --dump-dom file://" + page.string() + " >" + dom.string() +
        " 2>" + log.string();
    BrowserRun run;
    const int status = std::system(command.c_str());
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.dom = ReadFile(dom);
    run.log = ReadFile(log);
    return run;
  }

  static bool HasConsoleError(const std::string& log) {
    return log.find("Uncaught") != std::string::npos || log.find("CONSOLE") != std::string::npos;
  }

  fs::path dir_;
};

TEST_F(ChromiumTest, FixedReportLoadsWithAllSectionsAndNoConsoleErrors) {
  Result<Report> report = BuildReport(testing::MakeFixedReportInput(), ReportOptions{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  BrowserRun run = Load(RenderReportHtml(*report));
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_FALSE(HasConsoleError(run.log)) << run.log;
  for (const char* expected :
       {"id=\"summary\"", "id=\"held\"", "id=\"settled\"", "id=\"pipeline\"",
        "id=\"partner-northwind\"", "id=\"partner-contoso\"", "id=\"vendor-only\"", "<svg",
        "Needs your decision", "Joint pipeline review", "Stalled deals", "1 EUR = 1.08 USD"}) {
    EXPECT_NE(run.dom.find(expected), std::string::npos) << "DOM lacks " << expected;
  }
  // The hostile deal name stayed text: the parsed DOM has no <b> element from it.
  EXPECT_EQ(run.dom.find("<b>migration</b>"), std::string::npos);
}

// The check above can fail: a page that logs an error is caught.
TEST_F(ChromiumTest, ConsoleErrorsAreDetected) {
  BrowserRun run = Load(
      "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom');"
      "undefinedFunction();</script></body></html>");
  EXPECT_TRUE(HasConsoleError(run.log)) << run.log;
}

}  // namespace
}  // namespace dealsync
