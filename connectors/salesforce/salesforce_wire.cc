#include "connectors/salesforce/salesforce_wire.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"

namespace dealsync::connectors::salesforce {

using nlohmann::json;

Result<PollCursor> PollCursor::Decode(std::string_view text) {
  auto state = DecodeCursor(text, "salesforce");
  DEALSYNC_RETURN_IF_ERROR(state.status());
  PollCursor cursor;
  const json& s = *state;
  try {
    if (auto it = s.find("wm"); it != s.end()) {
      cursor.watermark = TimestampFromEpochMs(it->get<int64_t>());
    }
    if (auto it = s.find("seen"); it != s.end()) {
      for (const auto& [id, stamp] : it->items()) {
        cursor.seen[id] = stamp.get<int64_t>();
      }
    }
    if (auto it = s.find("next"); it != s.end()) {
      cursor.next_url = it->get<std::string>();
    }
  } catch (const json::exception& e) {
    return DataLoss(std::string("salesforce cursor has an unexpected shape: ") + e.what());
  }
  return cursor;
}

std::string PollCursor::Encode() const {
  json s = json::object();
  if (watermark) {
    s["wm"] = EpochMs(*watermark);
  }
  s["seen"] = json::object();
  for (const auto& [id, stamp] : seen) {
    s["seen"][id] = stamp;
  }
  if (!next_url.empty()) {
    s["next"] = next_url;
  }
  return EncodeCursor(s);
}

bool PollCursor::AlreadyDelivered(const std::string& id, Timestamp stamp) const {
  auto it = seen.find(id);
  return it != seen.end() && EpochMs(stamp) <= it->second;
}

void PollCursor::NoteDelivered(const std::string& id, Timestamp stamp) {
  int64_t& kept = seen[id];
  kept = std::max(kept, EpochMs(stamp));
  if (!watermark || stamp > *watermark) {
    watermark = stamp;
  }
}

void PollCursor::Prune(std::chrono::milliseconds overlap, size_t limit) {
  if (!watermark) {
    return;
  }
  const int64_t floor = EpochMs(QueryFrom(overlap));
  std::erase_if(seen, [&](const auto& entry) { return entry.second < floor; });
  if (seen.size() <= limit) {
    return;
  }
  // Keep the newest `limit` pairs, ordered by (stamp, id) so the bound is exact.
  std::vector<std::pair<int64_t, std::string>> by_age;
  by_age.reserve(seen.size());
  for (const auto& [id, stamp] : seen) {
    by_age.emplace_back(stamp, id);
  }
  std::sort(by_age.begin(), by_age.end());
  for (size_t i = 0; i + limit < by_age.size(); ++i) {
    seen.erase(by_age[i].second);
  }
}

Timestamp PollCursor::QueryFrom(std::chrono::milliseconds overlap) const {
  if (!watermark) {
    return Timestamp{};
  }
  auto from = std::chrono::floor<std::chrono::seconds>(*watermark - overlap);
  return std::max(Timestamp{}, Timestamp(from));
}

std::string SoqlDateTime(Timestamp t) {
  std::string iso = FormatTimestamp(std::chrono::floor<std::chrono::seconds>(t));
  // "2026-11-23T10:00:00.000Z" -> "2026-11-23T10:00:00Z"
  if (auto dot = iso.find('.'); dot != std::string::npos) {
    iso = iso.substr(0, dot) + "Z";
  }
  return iso;
}

std::string BuildPollQuery(std::string_view object, const std::vector<std::string>& fields,
                           Timestamp from) {
  std::string soql = "SELECT Id, IsDeleted, SystemModstamp";
  for (const auto& f : fields) {
    if (f != "Id" && f != "IsDeleted" && f != "SystemModstamp") {
      soql += ", " + f;
    }
  }
  soql += " FROM " + std::string(object) + " WHERE SystemModstamp >= " + SoqlDateTime(from) +
          " ORDER BY SystemModstamp ASC, Id ASC";
  return soql;
}

std::optional<ApiUsage> ParseLimitInfo(std::string_view header) {
  static const std::regex kUsage(R"(api-usage=(\d+)/(\d+))");
  std::cmatch m;
  if (!std::regex_search(header.begin(), header.end(), m, kUsage)) {
    return std::nullopt;
  }
  auto used = ParseInt64(m[1].str());
  auto max = ParseInt64(m[2].str());
  if (!used || !max) {
    return std::nullopt;
  }
  return ApiUsage{*used, *max};
}

StatusCode RecordErrorCode(std::string_view code) {
  if (code == "ENTITY_IS_DELETED" || code == "INVALID_CROSS_REFERENCE_KEY" || code == "NOT_FOUND" ||
      code == "INVALID_ID_FIELD") {
    return StatusCode::kNotFound;
  }
  if (code == "UNABLE_TO_LOCK_ROW" || code == "SERVER_UNAVAILABLE") {
    return StatusCode::kUnavailable;
  }
  if (code == "REQUEST_LIMIT_EXCEEDED") {
    return StatusCode::kResourceExhausted;
  }
  if (code == "ENTITY_IS_LOCKED") {
    return StatusCode::kFailedPrecondition;
  }
  if (code == "INSUFFICIENT_ACCESS_OR_READONLY" ||
      code == "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY") {
    return StatusCode::kPermissionDenied;
  }
  if (code == "ALL_OR_NONE_OPERATION_ROLLED_BACK") {
    return StatusCode::kAborted;
  }
  return StatusCode::kInvalidArgument;
}

std::string ErrorCodeOf(const HttpResponse& response) {
  return ParseVendorError(response.body).code;
}

Status CallError(const HttpResponse& response, std::string_view context) {
  Status base = ErrorFromResponse(response, context);
  const std::string code = ErrorCodeOf(response);
  StatusCode refined = base.code();
  if (code == "REQUEST_LIMIT_EXCEEDED") {
    refined = StatusCode::kResourceExhausted;
  } else if (code == "INVALID_SESSION_ID") {
    refined = StatusCode::kUnauthenticated;
  } else if (code == "INVALID_QUERY_LOCATOR") {
    refined = StatusCode::kAborted;
  } else if (code == "SERVER_UNAVAILABLE") {
    refined = StatusCode::kUnavailable;
  }
  Status out(refined, base.message());
  if (base.retry_after()) {
    out.WithRetryAfter(*base.retry_after());
  }
  return out;
}

}  // namespace dealsync::connectors::salesforce
