#include "src/daemon/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace dealsync {
namespace {

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JournalSink(JournalSender sender) : sender_(std::move(sender)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    sender_(JournalFieldsFor(static_cast<int>(msg.level),
                             std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                             std::string_view(msg.payload.data(), msg.payload.size())));
  }
  void flush_() override {}

 private:
  JournalSender sender_;
};

}  // namespace

std::optional<LogTarget> ParseLogTarget(std::string_view name) {
  if (name == "auto") {
    return LogTarget::kAuto;
  }
  if (name == "journal") {
    return LogTarget::kJournal;
  }
  if (name == "stderr") {
    return LogTarget::kStderr;
  }
  return std::nullopt;
}

bool StderrIsJournalStream() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr || *stream == '\0') {
    return false;
  }
  struct stat st {};
  if (::fstat(2, &st) != 0) {
    return false;
  }
  const std::string expected =
      std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
      std::to_string(static_cast<unsigned long long>(st.st_ino));
  return expected == stream;
}

JournalSender SdJournalSender() {
  return [](const std::vector<JournalField>& fields) {
    std::vector<std::string> lines;
    lines.reserve(fields.size());
    std::vector<struct iovec> iov;
    iov.reserve(fields.size());
    for (const JournalField& f : fields) {
      lines.push_back(f.name + "=" + f.value);
    }
    for (std::string& line : lines) {
      iov.push_back({line.data(), line.size()});
    }
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  };
}

std::shared_ptr<spdlog::sinks::sink> MakeJournalSink(JournalSender sender) {
  return std::make_shared<JournalSink>(std::move(sender));
}

LogTarget SetUpLogging(LogTarget target) {
  if (target == LogTarget::kAuto) {
    target = StderrIsJournalStream() ? LogTarget::kJournal : LogTarget::kStderr;
  }
  std::shared_ptr<spdlog::logger> logger;
  if (target == LogTarget::kJournal) {
    logger = std::make_shared<spdlog::logger>("dealsyncd", MakeJournalSink(SdJournalSender()));
  } else {
    logger = spdlog::stderr_logger_mt("dealsyncd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
  return target;
}

}  // namespace dealsync
