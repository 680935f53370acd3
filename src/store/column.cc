#include "dealsync/store.h"

namespace dealsync {

std::string_view ColumnName(Column c) {
  switch (c) {
    case Column::kMeta:
      return "meta";
    case Column::kJournal:
      return "journal";
    case Column::kRecords:
      return "records";
    case Column::kLinks:
      return "links";
    case Column::kBase:
      return "base";
    case Column::kOutbox:
      return "outbox";
    case Column::kConflicts:
      return "conflicts";
    case Column::kCursors:
      return "cursors";
    case Column::kIndex:
      return "index";
  }
  return "unknown";
}

Status Store::MultiGet(Column c, const std::vector<std::string>& keys,
                       std::vector<std::optional<std::string>>& out) {
  out.clear();
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    Result<std::optional<std::string>> v = Get(c, k);
    if (!v.ok()) {
      return v.status();
    }
    out.push_back(std::move(*v));
  }
  return Status::Ok();
}

}  // namespace dealsync
