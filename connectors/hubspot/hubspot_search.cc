#include "connectors/hubspot/hubspot_search.h"

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"

namespace dealsync::connectors::hubspot {

using nlohmann::json;

Result<SearchCursor> SearchCursor::Decode(std::string_view text) {
  auto state = DecodeCursor(text, "hubspot");
  DEALSYNC_RETURN_IF_ERROR(state.status());
  SearchCursor c;
  const json& s = *state;
  try {
    c.mode = s.value("mode", std::string("range")) == "slice" ? Mode::kSlice : Mode::kRange;
    c.anchor_ms = s.value("anchor", int64_t{0});
    c.after = s.value("after", std::string());
    c.slice_ms = s.value("slice_ts", int64_t{0});
    c.slice_after_id = s.value("slice_id", std::string("0"));
    if (auto it = s.find("w"); it != s.end()) {
      auto window = OverlapWindow::FromJson(*it);
      if (!window.ok()) {
        return window.status().Annotate("hubspot cursor");
      }
      c.window = std::move(*window);
    } else {
      // Written before the shared window: the next pass starts at the anchor.
      c.window = OverlapWindow::StartingAt(TimestampFromEpochMs(c.anchor_ms));
    }
  } catch (const json::exception& e) {
    return DataLoss(std::string("hubspot cursor has an unexpected shape: ") + e.what());
  }
  return c;
}

std::string SearchCursor::Encode() const {
  json s = {{"mode", mode == Mode::kSlice ? "slice" : "range"}, {"anchor", anchor_ms}};
  if (!after.empty()) {
    s["after"] = after;
  }
  if (mode == Mode::kSlice) {
    s["slice_ts"] = slice_ms;
    s["slice_id"] = slice_after_id;
  }
  s["w"] = window.ToJson();
  return EncodeCursor(s);
}

json BuildSearchBody(const SearchCursor& cursor, const std::vector<std::string>& properties,
                     int64_t page_size, const std::vector<std::string>& pipelines) {
  auto filter = [](const char* name, const char* op, const std::string& value) {
    return json{{"propertyName", name}, {"operator", op}, {"value", value}};
  };
  json filters = json::array();
  json sorts = json::array();
  std::string after = "0";
  if (cursor.mode == SearchCursor::Mode::kSlice) {
    filters.push_back(filter("hs_lastmodifieddate", "EQ", std::to_string(cursor.slice_ms)));
    filters.push_back(filter("hs_object_id", "GT", cursor.slice_after_id));
    sorts.push_back({{"propertyName", "hs_object_id"}, {"direction", "ASCENDING"}});
  } else {
    filters.push_back(filter("hs_lastmodifieddate", "GTE", std::to_string(cursor.anchor_ms)));
    sorts.push_back({{"propertyName", "hs_lastmodifieddate"}, {"direction", "ASCENDING"}});
    if (!cursor.after.empty()) {
      after = cursor.after;
    }
  }
  if (!pipelines.empty()) {
    filters.push_back({{"propertyName", "pipeline"}, {"operator", "IN"}, {"values", pipelines}});
  }
  return json{{"filterGroups", json::array({{{"filters", filters}}})},
              {"sorts", sorts},
              {"properties", properties},
              {"limit", page_size},
              {"after", after}};
}

namespace {

void EnterSlice(SearchCursor& c, int64_t ts) {
  c.mode = SearchCursor::Mode::kSlice;
  c.slice_ms = ts;
  c.slice_after_id = "0";
  c.after.clear();
}

}  // namespace

void BeginPass(SearchCursor& c, Timestamp now) {
  if (c.window.in_pass()) {
    return;
  }
  c.mode = SearchCursor::Mode::kRange;
  c.after.clear();
  c.anchor_ms = EpochMs(c.window.BeginPass(now));
}

bool Advance(SearchCursor& c, const PageFacts& page, int64_t page_size,
             const OverlapSettings& settings) {
  const bool full = static_cast<int64_t>(page.count) >= page_size;
  if (c.mode == SearchCursor::Mode::kSlice) {
    if (page.count > 0) {
      c.slice_after_id = page.last_id;
    }
    if (full) {
      return true;  // more ids may share the timestamp
    }
    c.mode = SearchCursor::Mode::kRange;
    c.anchor_ms = c.slice_ms + 1;
    c.after.clear();
    return true;  // resume the range right after the sliced timestamp
  }
  if (full && page.first_ms && page.first_ms == page.last_ms) {
    EnterSlice(c, *page.first_ms);
    return true;
  }
  if (page.next_after) {
    auto offset = ParseInt64(*page.next_after);
    if (offset && *offset + page_size > kSearchResultCap) {
      // The next page would pass the 10,000-result cap: re-anchor.
      int64_t new_anchor = page.last_ms.value_or(c.anchor_ms);
      if (new_anchor <= c.anchor_ms) {
        EnterSlice(c, c.anchor_ms);  // cannot progress by timestamp
      } else {
        c.anchor_ms = new_anchor;
        c.after.clear();
      }
      return true;
    }
    c.after = *page.next_after;
    return true;
  }
  // The pass is complete; the window places the next one.
  c.after.clear();
  c.window.FinishPass(settings);
  c.anchor_ms = EpochMs(c.window.since());
  return false;
}

}  // namespace dealsync::connectors::hubspot
