// journald-native logging: priorities and structured fields per line, checked
// in the journal export format (no journald runs in the tests), and the
// $JOURNAL_STREAM detection.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "src/daemon/journal_fields.h"
#include "src/daemon/logging.h"

namespace dealsync {
namespace {

std::string Field(const std::vector<JournalField>& fields, const std::string& name) {
  for (const JournalField& f : fields) {
    if (f.name == name) {
      return f.value;
    }
  }
  return "<absent>";
}

TEST(JournalFieldsTest, PriorityFollowsSyslogLevels) {
  EXPECT_EQ(JournalPriority(spdlog::level::trace), 7);
  EXPECT_EQ(JournalPriority(spdlog::level::debug), 7);
  EXPECT_EQ(JournalPriority(spdlog::level::info), 6);
  EXPECT_EQ(JournalPriority(spdlog::level::warn), 4);
  EXPECT_EQ(JournalPriority(spdlog::level::err), 3);
  EXPECT_EQ(JournalPriority(spdlog::level::critical), 2);
}

TEST(JournalFieldsTest, ConnectorLoggerNamesSourceAndPartner) {
  auto f = JournalFieldsFor(spdlog::level::warn, "connector.northwind",
                            "record rejected: id=nw-291 reason=unknown stage \"Maybe\"");
  EXPECT_EQ(Field(f, "PRIORITY"), "4");
  EXPECT_EQ(Field(f, "SOURCE"), "northwind");
  EXPECT_EQ(Field(f, "PARTNER"), "northwind");
  EXPECT_EQ(Field(f, "DEAL"), "nw-291");
  EXPECT_EQ(Field(f, "MESSAGE"), "record rejected: id=nw-291 reason=unknown stage \"Maybe\"");
  EXPECT_EQ(Field(f, "SYSLOG_IDENTIFIER"), "dealsyncd");
  EXPECT_EQ(Field(f, "CONFLICT"), "<absent>");
}

TEST(JournalFieldsTest, VendorIsASourceButNotAPartner) {
  auto f = JournalFieldsFor(spdlog::level::info, "connector.vendor", "pushed: sent=3");
  EXPECT_EQ(Field(f, "SOURCE"), "vendor");
  EXPECT_EQ(Field(f, "PARTNER"), "<absent>");
}

TEST(JournalFieldsTest, DaemonLinesCarryIdsFromTheirText) {
  auto f = JournalFieldsFor(spdlog::level::info, "dealsyncd",
                            "admin: conflict globex/006A/77/close_date/9 resolved by kim");
  EXPECT_EQ(Field(f, "CONFLICT"), "globex/006A/77/close_date/9");
  EXPECT_EQ(Field(f, "PRIORITY"), "6");
  auto s = JournalFieldsFor(spdlog::level::err, "dealsyncd",
                            "source contoso: failed: credential \"contoso-client-secret\" missing");
  EXPECT_EQ(Field(s, "SOURCE"), "contoso");
  EXPECT_EQ(Field(s, "PARTNER"), "contoso");
  EXPECT_EQ(Field(s, "PRIORITY"), "3");
  auto l = JournalFieldsFor(spdlog::level::info, "dealsyncd",
                            "admin: link set by kim: partner=globex vendor_id=006A partner_id=77");
  EXPECT_EQ(Field(l, "PARTNER"), "globex");
  EXPECT_EQ(Field(l, "DEAL"), "006A");
  auto prose = JournalFieldsFor(spdlog::level::info, "dealsyncd", "a conflict record was held");
  EXPECT_EQ(Field(prose, "CONFLICT"), "<absent>");
}

TEST(JournalFieldsTest, ExportFormatIsLineBasedAndBinarySafe) {
  EXPECT_EQ(FormatJournalExport({{"MESSAGE", "hi"}, {"PRIORITY", "4"}}),
            "MESSAGE=hi\nPRIORITY=4\n\n");
  const std::string binary = FormatJournalExport({{"MESSAGE", "a\nb"}});
  EXPECT_EQ(binary, std::string("MESSAGE\n\x03\0\0\0\0\0\0\0a\nb\n\n", 21));
}

// A warning logged through the sink the daemon installs reaches the journal
// at priority 4 with its fields, and a cloned connector logger shares it.
TEST(JournalSinkTest, WarningGoesOutAtPriorityFour) {
  std::string exported;
  auto sink = MakeJournalSink(
      [&](const std::vector<JournalField>& fields) { exported += FormatJournalExport(fields); });
  auto logger = std::make_shared<spdlog::logger>("dealsyncd", sink);
  auto connector = logger->clone("connector.northwind");
  connector->warn("poll failed ({} in a row), next try in {}ms: {}", 2, 4000, "UNAVAILABLE: 503");
  logger->info("dealsyncd ready: {} sources", 3);
  EXPECT_NE(exported.find("MESSAGE=poll failed (2 in a row), next try in 4000ms: UNAVAILABLE: 503\n"
                          "PRIORITY=4\nSYSLOG_IDENTIFIER=dealsyncd\n"
                          "DEALSYNC_LOGGER=connector.northwind\nSOURCE=northwind\n"
                          "PARTNER=northwind\n\n"),
            std::string::npos)
      << exported;
  EXPECT_NE(exported.find("MESSAGE=dealsyncd ready: 3 sources\nPRIORITY=6\n"), std::string::npos)
      << exported;
}

TEST(LoggingTest, JournalStreamMustNameStderr) {
  struct stat st {};
  ASSERT_EQ(::fstat(2, &st), 0);
  const std::string mine = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
                           std::to_string(static_cast<unsigned long long>(st.st_ino));
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(StderrIsJournalStream());
  ::setenv("JOURNAL_STREAM", "1:2", 1);
  EXPECT_FALSE(StderrIsJournalStream());  // inherited from a parent, not our stderr
  ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
  EXPECT_TRUE(StderrIsJournalStream());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(ParseLogTarget("journal"), LogTarget::kJournal);
  EXPECT_EQ(ParseLogTarget("stderr"), LogTarget::kStderr);
  EXPECT_EQ(ParseLogTarget("auto"), LogTarget::kAuto);
  EXPECT_EQ(ParseLogTarget("syslog"), std::nullopt);
}

}  // namespace
}  // namespace dealsync
