// Journal fields for one log line: the systemd journal's native, structured
// form of what dealsyncd logs. Pure (no I/O), so the mapping is unit-tested.
//
//   MESSAGE=<line>            the text as stderr would show it (no timestamp)
//   PRIORITY=<0..7>           syslog level: trace/debug 7, info 6, warn 4,
//                             error 3, critical 2 (`journalctl -p warning`)
//   SYSLOG_IDENTIFIER=dealsyncd
//   DEALSYNC_LOGGER=<name>    "dealsyncd" or "connector.<source id>"
//   SOURCE=<id>               the source the line is about: the logger
//                             "connector.<id>", a "source <id>:" prefix or a
//                             source=<id> token
//   PARTNER=<id>              a partner=<id> token, else SOURCE unless it is
//                             the vendor (`journalctl PARTNER=northwind`)
//   DEAL=<id>                 deal=, record=, id=, vendor_id= or partner_id= token
//   CONFLICT=<id>             conflict=<id> or "conflict <id>"
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dealsync {

struct JournalField {
  std::string name;
  std::string value;
  bool operator==(const JournalField&) const = default;
};

// spdlog's level numbering: 0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 critical.
int JournalPriority(int spdlog_level);

std::vector<JournalField> JournalFieldsFor(int spdlog_level, std::string_view logger,
                                           std::string_view message);

// The journal export format (systemd.io/JOURNAL_EXPORT_FORMATS): one NAME=value
// line per field, a blank line after the entry. Values with a newline use the
// binary form (NAME\n, 64-bit little-endian length, data).
std::string FormatJournalExport(const std::vector<JournalField>& fields);

}  // namespace dealsync
