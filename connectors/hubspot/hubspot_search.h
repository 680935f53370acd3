// The HubSpot deals search strategy, sans-io: the cursor, the request body for
// the next page, and how a page moves the cursor.
//
// Search returns at most 10,000 results per query (after + limit <= 10,000,
// else 400) and sorts on one property only. So:
//  - range mode: hs_lastmodifieddate GTE anchor, sorted ascending, paged with
//    `after`. Before the next page would pass 10,000 the query is re-anchored
//    on the last timestamp seen (repeats at that timestamp, loses nothing).
//  - slice mode: when a full page shares one timestamp T, offset paging cannot
//    be trusted to move past T (ties have no defined order, and a re-anchor on
//    T would loop), so T is read by hs_lastmodifieddate EQ T AND hs_object_id
//    GT <last id>, sorted by hs_object_id, re-anchored on the id every page (no
//    `after`, no cap). Afterwards range mode resumes at T + 1 ms.
// Termination: every page either strictly raises `after` (bounded by 10,000),
// the anchor, or the slice id, or ends the pass. No record is skipped: every
// move starts at or below the first record not yet delivered.
// Passes are delimited by the shared OverlapWindow (connectors/common): a pass
// starts at the window's lower bound, and when it ends the next one starts at
// (time the pass began, or the newest admissible timestamp - lookback).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/common/overlap_window.h"
#include "dealsync/status.h"

namespace dealsync::connectors::hubspot {

inline constexpr int64_t kSearchResultCap = 10000;

struct SearchCursor {
  enum class Mode { kRange, kSlice };
  Mode mode = Mode::kRange;
  int64_t anchor_ms = 0;             // range: GTE anchor
  std::string after;                 // range: paging token within the anchored query
  int64_t slice_ms = 0;              // slice: EQ timestamp
  std::string slice_after_id = "0";  // slice: hs_object_id GT
  OverlapWindow window;              // passes, de-duplication, future stamps

  static Result<SearchCursor> Decode(std::string_view text);
  std::string Encode() const;
};

// What the connector learned from one page of results.
struct PageFacts {
  size_t count = 0;
  std::optional<int64_t> first_ms;  // hs_lastmodifieddate of the first / last result
  std::optional<int64_t> last_ms;
  std::optional<int64_t> max_ms;
  std::string last_id;                    // id of the last result
  std::optional<std::string> next_after;  // paging.next.after
};

// The POST /crm/v3/objects/deals/search body for the cursor's next page.
nlohmann::json BuildSearchBody(const SearchCursor& cursor,
                               const std::vector<std::string>& properties, int64_t page_size,
                               const std::vector<std::string>& pipelines);

// Starts a pass at `now` unless one is in progress (range mode at the window's
// lower bound).
void BeginPass(SearchCursor& cursor, Timestamp now);
// Moves the cursor past a page; returns true when another page should be read
// now. At the end of a pass the window closes it (settings.overlap = lookback).
bool Advance(SearchCursor& cursor, const PageFacts& page, int64_t page_size,
             const OverlapSettings& settings);

}  // namespace dealsync::connectors::hubspot
