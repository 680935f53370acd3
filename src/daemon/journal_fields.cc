#include "src/daemon/journal_fields.h"

#include <cstdint>

namespace dealsync {
namespace {

constexpr std::string_view kVendorId = "vendor";

bool IsValueEnd(char c) { return c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ';'; }

// The value after `key=` at a word start, without trailing punctuation.
std::string TokenValue(std::string_view message, std::string_view key) {
  const std::string needle = std::string(key) + "=";
  size_t at = 0;
  while ((at = message.find(needle, at)) != std::string_view::npos) {
    if (at == 0 || message[at - 1] == ' ' || message[at - 1] == '(' || message[at - 1] == '\t') {
      size_t begin = at + needle.size();
      size_t end = begin;
      while (end < message.size() && !IsValueEnd(message[end])) {
        ++end;
      }
      std::string value(message.substr(begin, end - begin));
      while (!value.empty() && (value.back() == ')' || value.back() == ':' || value.back() == '.')) {
        value.pop_back();
      }
      if (!value.empty()) {
        return value;
      }
    }
    at += needle.size();
  }
  return "";
}

// The word after `prefix` ("source northwind: ..." -> "northwind").
std::string WordAfter(std::string_view message, std::string_view prefix, bool at_start_only) {
  size_t at = message.find(prefix);
  while (at != std::string_view::npos) {
    if (!at_start_only || at == 0 || message.substr(0, at).ends_with(": ")) {
      size_t begin = at + prefix.size();
      size_t end = begin;
      while (end < message.size() && !IsValueEnd(message[end]) && message[end] != ':') {
        ++end;
      }
      if (end > begin) {
        return std::string(message.substr(begin, end - begin));
      }
    }
    at = message.find(prefix, at + 1);
  }
  return "";
}

}  // namespace

int JournalPriority(int spdlog_level) {
  switch (spdlog_level) {
    case 0:  // trace
    case 1:  // debug
      return 7;
    case 2:  // info
      return 6;
    case 3:  // warn
      return 4;
    case 4:  // error
      return 3;
    case 5:  // critical
      return 2;
    default:
      return 6;
  }
}

std::vector<JournalField> JournalFieldsFor(int spdlog_level, std::string_view logger,
                                           std::string_view message) {
  std::vector<JournalField> fields;
  fields.push_back({"MESSAGE", std::string(message)});
  fields.push_back({"PRIORITY", std::to_string(JournalPriority(spdlog_level))});
  fields.push_back({"SYSLOG_IDENTIFIER", "dealsyncd"});
  fields.push_back({"DEALSYNC_LOGGER", std::string(logger)});

  std::string source;
  if (logger.starts_with("connector.")) {
    source = std::string(logger.substr(10));
  }
  if (source.empty()) {
    source = TokenValue(message, "source");
  }
  if (source.empty()) {
    source = WordAfter(message, "source ", true);
  }
  std::string partner = TokenValue(message, "partner");
  if (partner.empty() && !source.empty() && source != kVendorId) {
    partner = source;
  }
  std::string deal;
  for (std::string_view key : {"deal", "record", "id", "vendor_id", "partner_id"}) {
    deal = TokenValue(message, key);
    if (!deal.empty()) {
      break;
    }
  }
  std::string conflict = TokenValue(message, "conflict");
  if (conflict.empty()) {
    // Conflict ids contain '/' ("northwind/006.../nw-291/close_date/586"),
    // which keeps prose such as "a conflict record" out.
    conflict = WordAfter(message, "conflict ", false);
    if (conflict.find('/') == std::string::npos) {
      conflict.clear();
    }
  }
  if (!source.empty()) {
    fields.push_back({"SOURCE", source});
  }
  if (!partner.empty()) {
    fields.push_back({"PARTNER", partner});
  }
  if (!deal.empty()) {
    fields.push_back({"DEAL", deal});
  }
  if (!conflict.empty()) {
    fields.push_back({"CONFLICT", conflict});
  }
  return fields;
}

std::string FormatJournalExport(const std::vector<JournalField>& fields) {
  std::string out;
  for (const JournalField& f : fields) {
    if (f.value.find('\n') == std::string::npos) {
      out += f.name + "=" + f.value + "\n";
      continue;
    }
    out += f.name + "\n";
    uint64_t size = f.value.size();
    for (int i = 0; i < 8; ++i) {
      out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
    }
    out += f.value + "\n";
  }
  out += "\n";
  return out;
}

}  // namespace dealsync
