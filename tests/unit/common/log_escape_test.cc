#include "src/common/log_escape.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

namespace dealsync {
namespace {

TEST(LogEscapeTest, EscapesEveryControlCharacter) {
  EXPECT_EQ(EscapeControlCharacters("plain id 006-42 Müller"), "plain id 006-42 Müller");
  EXPECT_EQ(EscapeControlCharacters("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(EscapeControlCharacters(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(EscapeControlCharacters("\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
  EXPECT_EQ(EscapeControlCharacters("next\xc2\x85line"), "next\\u0085line");  // NEL (C1)
  EXPECT_EQ(EscapeControlCharacters("\xc2\xa0"), "\xc2\xa0");                 // NBSP is text
  EXPECT_EQ(EscapeControlCharacters("trailing\xc2"), "trailing\xc2");
  EXPECT_FALSE(HasControlCharacters("ok"));
  EXPECT_TRUE(HasControlCharacters("a\nb"));
}

// A partner record id with a newline cannot forge a second log line, in the
// default logger and in loggers cloned from it (one per connector).
TEST(LogEscapeTest, EveryLoggerWritesOneLinePerEvent) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("dealsyncd-test", sink);
  logger->set_pattern("%l %n: %v");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  InstallLogEscaping();
  InstallLogEscaping();  // idempotent: no double escaping
  auto connector = spdlog::default_logger()->clone("connector.acme");

  const std::string id = "R1\ninfo connector.acme: page journaled: records=0";
  connector->warn("record rejected: id={} reason={}", id, "amount: value \"1e400\"");
  spdlog::info("admin: link set by {}", "ops\r\n");
  spdlog::set_default_logger(previous);

  const std::string text = out.str();
  EXPECT_EQ(text,
            "warning connector.acme: record rejected: id=R1\\ninfo connector.acme: page "
            "journaled: records=0 reason=amount: value \"1e400\"\n"
            "info dealsyncd-test: admin: link set by ops\\r\\n\n");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

}  // namespace
}  // namespace dealsync
