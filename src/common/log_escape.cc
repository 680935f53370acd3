#include "src/common/log_escape.h"

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace dealsync {

namespace {

// The length of the control sequence starting at text[i], or 0: a C0 control
// or DEL (one byte), or a C1 control (U+0080..U+009F, two UTF-8 bytes).
size_t ControlLength(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20 || c == 0x7f) {
    return 1;
  }
  if (c == 0xc2 && i + 1 < text.size()) {
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9f) {
      return 2;
    }
  }
  return 0;
}

// Forwards to `inner`, with the message text escaped when it needs it.
class EscapingSink final : public spdlog::sinks::sink {
 public:
  explicit EscapingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

  void log(const spdlog::details::log_msg& msg) override {
    if (!inner_->should_log(msg.level)) {
      return;
    }
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!HasControlCharacters(payload)) {
      inner_->log(msg);
      return;
    }
    const std::string escaped = EscapeControlCharacters(payload);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    inner_->log(copy);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

void Wrap(const std::shared_ptr<spdlog::logger>& logger) {
  if (!logger) {
    return;
  }
  for (std::shared_ptr<spdlog::sinks::sink>& sink : logger->sinks()) {
    if (dynamic_cast<EscapingSink*>(sink.get()) == nullptr) {
      sink = std::make_shared<EscapingSink>(sink);
    }
  }
}

}  // namespace

bool HasControlCharacters(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (ControlLength(text, i) > 0) {
      return true;
    }
  }
  return false;
}

std::string EscapeControlCharacters(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t n = ControlLength(text, i);
    if (n == 0) {
      out += text[i];
      continue;
    }
    const auto c = static_cast<unsigned char>(n == 2 ? text[i + 1] : text[i]);
    if (n == 2) {
      out += "\\u00";  // U+0080..U+009F
      ++i;
    } else if (c == '\n') {
      out += "\\n";
      continue;
    } else if (c == '\r') {
      out += "\\r";
      continue;
    } else if (c == '\t') {
      out += "\\t";
      continue;
    } else {
      out += "\\x";
    }
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

void InstallLogEscaping() {
  spdlog::apply_all(Wrap);
  Wrap(spdlog::default_logger());
}

}  // namespace dealsync
