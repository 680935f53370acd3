// Admin routes for the outbox's dead letters and for rewinding a source:
//   GET    /api/v1/deadletters?target=T
//   POST   /api/v1/deadletters/{target}/{record}/retry
//   DELETE /api/v1/deadletters/{target}/{record}?by=NAME
//   POST   /api/v1/sources/{id}/rewind   {"to":"2026-11-01" | "2026-11-01T00:00:00Z","by":NAME}
// Dead letters hold business data, so reads need the token as well as mutations.
#include <nlohmann/json.hpp>

#include "dealsync/day_or_time.h"
#include "src/admin/admin_api.h"
#include "src/admin/admin_json.h"

namespace dealsync {

using admin::ErrorFromStatus;
using admin::JoinPath;
using admin::JsonError;
using admin::JsonResponse;
using nlohmann::json;

namespace {

json UpdateValues(const RecordUpdate& u) {
  json v = json::object();
  if (u.stage) {
    v["stage"] = std::string(StageName(*u.stage));
  }
  if (u.amount) {
    v["amount"] = FormatMoney(*u.amount);
  }
  if (u.close_date) {
    v["close_date"] = FormatDate(*u.close_date);
  }
  return v;
}

std::string TimeOrEmpty(Timestamp t) {
  return t == Timestamp{} ? std::string() : FormatTimestamp(t);
}

json DeadLetterToJson(const OutboxEntry& e) {
  json history = json::array();
  for (const PushAttempt& a : e.history) {
    history.push_back({{"at", FormatTimestamp(a.at)}, {"error", a.error}});
  }
  return {{"id", e.target + "/" + e.update.native_id},
          {"target", e.target},
          {"native_id", e.update.native_id},
          {"link_id", e.link_id},
          {"values", UpdateValues(e.update)},
          {"trace_id", e.update.trace_id},
          {"reason_queued", e.reason},
          {"attempts", e.attempts},
          {"first_failed_at", TimeOrEmpty(e.first_failed_at)},
          {"last_error", e.last_error},
          {"history", history}};
}

}  // namespace

HttpResponse AdminApi::DeadLetters(const HttpRequest& request, const std::vector<std::string>& seg,
                                   std::string_view query) {
  if (auto rejected = RejectUnauthorized(request)) {
    return *rejected;
  }
  auto params = admin::ParseQuery(query);
  if (!params) {
    return JsonError(400, "invalid_argument", "malformed query string");
  }
  if (seg.size() == 3) {
    if (request.method != "GET") {
      return admin::MethodNotAllowed("GET");
    }
    for (const auto& [key, value] : *params) {
      if (key != "target") {
        return JsonError(400, "invalid_argument", "unknown query parameter \"" + key + "\"");
      }
    }
    auto dead = backend_.ListDeadLetters((*params)["target"]);
    if (!dead.ok()) {
      return ErrorFromStatus(dead.status());
    }
    json out = json::array();
    for (const OutboxEntry& e : *dead) {
      out.push_back(DeadLetterToJson(e));
    }
    return JsonResponse(200, {{"dead_letters", out}});
  }
  // {target}/{record...}[/retry]: the record id may contain '/', the target not.
  const bool retry = seg.size() >= 6 && seg.back() == "retry";
  if (seg.size() < 5) {
    return JsonError(404, "not_found", "expected /api/v1/deadletters/{target}/{record}");
  }
  const std::string& target = seg[3];
  const std::string record = JoinPath(seg, 4, retry ? seg.size() - 1 : seg.size());
  if (retry) {
    if (request.method != "POST") {
      return admin::MethodNotAllowed("POST");
    }
    const std::string by = (*params)["by"].empty() ? "admin" : (*params)["by"];
    Status s = backend_.RetryDeadLetter(target, record, by);
    if (!s.ok()) {
      return ErrorFromStatus(s);
    }
    return JsonResponse(200, {{"status", "queued"}, {"id", target + "/" + record}});
  }
  if (request.method != "DELETE") {
    return admin::MethodNotAllowed("DELETE");
  }
  const std::string by = (*params)["by"];
  if (by.empty()) {
    return JsonError(400, "invalid_argument", "?by=NAME is required to discard a dead letter");
  }
  Status s = backend_.DiscardDeadLetter(target, record, by);
  if (!s.ok()) {
    return ErrorFromStatus(s);
  }
  return JsonResponse(200, {{"status", "discarded"}, {"id", target + "/" + record}});
}

HttpResponse AdminApi::SourceRewind(const HttpRequest& request, std::string_view source) {
  if (request.method != "POST") {
    return admin::MethodNotAllowed("POST");
  }
  if (auto rejected = RejectUnauthorized(request)) {
    return *rejected;
  }
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("to") || !body["to"].is_string() ||
      !body.contains("by") || !body["by"].is_string() || body["by"].get<std::string>().empty()) {
    return JsonError(400, "invalid_argument",
                     "expected {\"to\": \"2026-11-01\" or an ISO timestamp, \"by\": NAME}");
  }
  Result<Timestamp> since = ParseDayOrTimestamp(body["to"].get<std::string>());
  if (!since.ok()) {
    return ErrorFromStatus(since.status());
  }
  Status s = backend_.RewindSource(source, *since, body["by"].get<std::string>());
  if (!s.ok()) {
    return ErrorFromStatus(s);
  }
  return JsonResponse(
      200,
      {{"status", "rewound"}, {"source", std::string(source)}, {"since", FormatTimestamp(*since)}});
}

}  // namespace dealsync
