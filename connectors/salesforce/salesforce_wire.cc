#include "connectors/salesforce/salesforce_wire.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"

namespace dealsync::connectors::salesforce {

using nlohmann::json;

Result<PollCursor> PollCursor::Decode(std::string_view text, std::chrono::milliseconds overlap) {
  auto state = DecodeCursor(text, "salesforce");
  DEALSYNC_RETURN_IF_ERROR(state.status());
  PollCursor cursor;
  const json& s = *state;
  try {
    if (auto it = s.find("w"); it != s.end()) {
      auto window = OverlapWindow::FromJson(*it);
      if (!window.ok()) {
        return window.status().Annotate("salesforce cursor");
      }
      cursor.window = std::move(*window);
    } else if (auto wm = s.find("wm"); wm != s.end()) {
      // The older shape: a watermark and (Id -> SystemModstamp) pairs.
      cursor.window = OverlapWindow::StartingAt(
          std::max(Timestamp{}, TimestampFromEpochMs(wm->get<int64_t>()) - overlap));
      if (auto it = s.find("seen"); it != s.end()) {
        for (const auto& [id, stamp] : it->items()) {
          cursor.window.RememberWithoutHash(id, stamp.get<int64_t>());
        }
      }
    }
    if (auto it = s.find("next"); it != s.end()) {
      cursor.next_url = it->get<std::string>();
    }
    if (auto it = s.find("newest"); it != s.end()) {
      cursor.newest = TimestampFromEpochMs(it->get<int64_t>());
    }
  } catch (const json::exception& e) {
    return DataLoss(std::string("salesforce cursor has an unexpected shape: ") + e.what());
  }
  return cursor;
}

std::string PollCursor::Encode() const {
  json s = {{"w", window.ToJson()}};
  if (!next_url.empty()) {
    s["next"] = next_url;
  }
  if (newest) {
    s["newest"] = EpochMs(*newest);
  }
  return EncodeCursor(s);
}

Timestamp PollCursor::QueryFrom() const {
  return std::max(Timestamp{}, Timestamp(std::chrono::floor<std::chrono::seconds>(window.since())));
}

Timestamp PollCursor::ResumeFrom(std::chrono::milliseconds overlap) const {
  Timestamp from = window.since();
  if (newest && *newest - overlap > from) {
    from = *newest - overlap;
  }
  return std::max(Timestamp{}, Timestamp(std::chrono::floor<std::chrono::seconds>(from)));
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
