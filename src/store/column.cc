#include "dealsync/store.h"

namespace dealsync {

std::string_view ColumnName(Column c) {
  switch (c) {
    case Column::kMeta: return "meta";
    case Column::kJournal: return "journal";
    case Column::kRecords: return "records";
    case Column::kLinks: return "links";
    case Column::kBase: return "base";
    case Column::kOutbox: return "outbox";
    case Column::kConflicts: return "conflicts";
    case Column::kCursors: return "cursors";
    case Column::kIndex: return "index";
  }
  return "unknown";
}

}  // namespace dealsync
