// Updates: one request per record (PATCH/PUT/POST to a path with {id}) or
// batches of up to update.batch.max_size items with per-record results.
#include <algorithm>
#include <charconv>
#include <map>

#include "connectors/rest/rest_connector.h"

namespace dealsync::connectors::rest {
namespace {

using nlohmann::json;

// Codes that say the connection as a whole is unusable right now: the caller
// backs off or re-authenticates instead of recording per-record failures.
bool IsWholeCallFailure(const Status& s) {
  return s.code() == StatusCode::kUnauthenticated || s.code() == StatusCode::kPermissionDenied ||
         s.code() == StatusCode::kResourceExhausted;
}

std::string IdText(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// A batch result's error: a string, or an object/array shown as JSON.
std::string ErrorText(const json* v) {
  if (v == nullptr || v->is_null()) {
    return "no error message";
  }
  return v->is_string() ? v->get<std::string>() : v->dump();
}

// Whether one batch result says success: the boolean true, or (with
// update.batch.result_ok_value) that exact string. Absent is never success.
bool IsOk(const json* v, const RestOptions& o) {
  if (v == nullptr) {
    return false;
  }
  if (o.batch_result_ok_is_string) {
    return v->is_string() && v->get<std::string>() == o.batch_result_ok_value;
  }
  return v->is_boolean() && v->get<bool>();
}

}  // namespace

Awaitable<Result<std::vector<UpdateOutcome>>> RestConnector::Update(
    std::vector<RecordUpdate> updates) {
  if (options_.update_mode == UpdateMode::kBatch) {
    co_return co_await UpdateBatch(std::move(updates));
  }
  co_return co_await UpdateSingle(std::move(updates));
}

Awaitable<Result<std::vector<UpdateOutcome>>> RestConnector::UpdateSingle(
    std::vector<RecordUpdate> updates) {
  std::vector<UpdateOutcome> outcomes;
  for (const RecordUpdate& update : updates) {
    UpdateOutcome outcome{update.native_id, Status::Ok(), std::nullopt};
    auto patch = mapper_.ToNativePatch(update);
    if (!patch.ok()) {
      outcome.status = patch.status();
      outcomes.push_back(std::move(outcome));
      continue;
    }
    auto body = SingleUpdateBody(options_, update.native_id, *patch);
    if (!body.ok()) {
      outcome.status = body.status();
      outcomes.push_back(std::move(outcome));
      continue;
    }
    RestRequest request = UpdateRequest(update.native_id, body->dump());
    if (!options_.update_if_match.empty()) {
      auto tag = co_await VersionTag(update.native_id);
      if (!tag.ok()) {
        if (IsWholeCallFailure(tag.status()) || tag.status().IsRetryable()) {
          co_return tag.status();
        }
        outcome.status = tag.status();
        outcomes.push_back(std::move(outcome));
        continue;
      }
      request.headers.emplace_back("If-Match", std::move(*tag));
    }
    const std::string what =
        "update " + options_.update_method + " " + UrlPathForMessages(request.url);
    auto response = co_await Send(std::move(request));
    if (!response.ok()) {
      co_return response.status();  // no answer: the whole call is retried (updates are absolute)
    }
    if (!response->ok()) {
      Status s = ErrorFromResponse(*response, context_ + " " + what);
      if (IsWholeCallFailure(s)) {
        co_return s;
      }
      outcome.status = std::move(s);
    } else {
      // Many APIs answer with the updated record: take its modified_at when it maps.
      json body = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded() && response->body.find_first_not_of(" \t\r\n") != std::string::npos) {
        // A 2xx whose body is not JSON (a proxy's page, a cut-off reply) does not
        // say the record was written: not an acknowledgement, retried.
        outcome.status =
            Unavailable(context_ + " " + what + ": HTTP " + std::to_string(response->status) +
                        " but the body is not JSON; the update is not acknowledged");
        outcomes.push_back(std::move(outcome));
        continue;
      }
      if (const json* record =
              body.is_discarded() ? nullptr : ResolvePointer(body, options_.get_records);
          record != nullptr && record->is_object()) {
        if (auto mapped = mapper_.ToCanonical(*record); mapped.ok()) {
          outcome.modified_at = mapped->modified_at;
        }
      }
    }
    outcomes.push_back(std::move(outcome));
  }
  co_return outcomes;
}

Awaitable<Result<std::vector<UpdateOutcome>>> RestConnector::UpdateBatch(
    std::vector<RecordUpdate> updates) {
  std::vector<UpdateOutcome> outcomes;
  const size_t max = static_cast<size_t>(std::max<int64_t>(1, options_.batch_max_size));
  for (size_t start = 0; start < updates.size(); start += max) {
    std::vector<RecordUpdate> chunk(
        updates.begin() + static_cast<std::ptrdiff_t>(start),
        updates.begin() + static_cast<std::ptrdiff_t>(std::min(updates.size(), start + max)));
    auto chunk_outcomes = co_await SendBatch(chunk);
    if (!chunk_outcomes.ok()) {
      co_return chunk_outcomes.status();
    }
    for (auto& o : *chunk_outcomes) {
      outcomes.push_back(std::move(o));
    }
  }
  co_return outcomes;
}

Awaitable<Result<std::vector<UpdateOutcome>>> RestConnector::SendBatch(
    const std::vector<RecordUpdate>& chunk) {
  std::vector<UpdateOutcome> outcomes;
  json items = json::array();
  std::vector<size_t> sent;  // indexes into outcomes of the items sent
  for (const RecordUpdate& update : chunk) {
    outcomes.push_back(UpdateOutcome{update.native_id, Status::Ok(), std::nullopt});
    auto item = mapper_.ToNativePatch(update);
    if (!item.ok()) {
      outcomes.back().status = item.status();
      continue;
    }
    if (options_.batch_id_is_number) {
      int64_t number = 0;
      const std::string& id = update.native_id;
      auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
      if (ec != std::errc() || ptr != id.data() + id.size()) {
        outcomes.back().status = InvalidArgument(
            "id \"" + id + "\" is not a number, but update.batch.id_type = \"number\"");
        continue;
      }
      SetAtPointer(*item, options_.batch_id_field, number);
    } else {
      SetAtPointer(*item, options_.batch_id_field, update.native_id);
    }
    items.push_back(std::move(*item));
    sent.push_back(outcomes.size() - 1);
  }
  if (sent.empty()) {
    co_return outcomes;
  }
  json body = json::object();
  if (options_.batch_wrapper.empty()) {
    body = std::move(items);
  } else {
    SetAtPointer(body, options_.batch_wrapper, std::move(items));
  }
  RestRequest request = UpdateRequest("", body.dump());
  const std::string what =
      "batch update " + options_.update_method + " " + UrlPathForMessages(request.url);
  auto response = co_await Send(std::move(request));
  if (!response.ok()) {
    co_return response.status();
  }
  if (!response->ok()) {
    co_return ErrorFromResponse(*response, context_ + " " + what);
  }
  auto parsed = ParseBody(*response, what);
  if (!parsed.ok()) {
    co_return parsed.status();
  }
  const json* results = ResolvePointer(*parsed, options_.batch_results);
  if (results == nullptr || !results->is_array()) {
    co_return FailedPrecondition(context_ + " " + what + ": update.batch.results = \"" +
                                 options_.batch_results + "\" does not point at an array (it is " +
                                 (results ? JsonKind(*results) : std::string("absent")) +
                                 "); the outcome of each record is unknown");
  }
  std::map<std::string, const json*> by_id;
  if (!options_.batch_match_by_position) {
    for (const json& result : *results) {
      if (const json* id = ResolvePointer(result, options_.batch_result_id); id && !id->is_null()) {
        by_id.emplace(IdText(*id), &result);
      }
    }
  } else if (results->size() != sent.size()) {
    co_return FailedPrecondition(context_ + " " + what + ": " + std::to_string(results->size()) +
                                 " results for " + std::to_string(sent.size()) +
                                 " items, but update.batch.result_match = \"position\" pairs them "
                                 "one to one; the outcome of each record is unknown");
  }
  for (size_t n = 0; n < sent.size(); ++n) {
    UpdateOutcome& outcome = outcomes[sent[n]];
    const json* result = nullptr;
    if (options_.batch_match_by_position) {
      result = &(*results)[n];
    } else if (auto it = by_id.find(outcome.native_id); it != by_id.end()) {
      result = it->second;
    }
    if (result == nullptr) {
      outcome.status =
          Unavailable(context_ + " " + what + ": no result for id \"" + outcome.native_id +
                      "\" at update.batch.result_id = \"" + options_.batch_result_id + "\"");
      continue;
    }
    const json* indicator = ResolvePointer(*result, options_.batch_result_ok);
    if (indicator == nullptr) {
      outcome.status = FailedPrecondition(
          context_ + " " + what + ": the result for id \"" + outcome.native_id +
          "\" has nothing at update.batch.result_ok = \"" + options_.batch_result_ok +
          "\", so it does not say the record was written (" + Excerpt(*result) + ")");
      continue;
    }
    if (!IsOk(indicator, options_)) {
      // Record-level refusals (validation) need someone to act; a record that is
      // locked (being edited, in approval) is retried later.
      const std::string error = ErrorText(ResolvePointer(*result, options_.batch_result_error));
      outcome.status = error.find("lock") != std::string::npos
                           ? Aborted("rejected by the partner API: " + error)
                           : FailedPrecondition("rejected by the partner API: " + error);
    }
  }
  co_return outcomes;
}

Awaitable<Result<std::string>> RestConnector::VersionTag(const std::string& id) {
  RestRequest request = GetRequest(options_, config_.connection.base_url, id);
  const std::string what = "get GET " + UrlPathForMessages(request.url) + " (for update.if_match)";
  auto response = co_await Send(std::move(request));
  if (!response.ok()) {
    co_return response.status();
  }
  if (!response->ok()) {
    co_return ErrorFromResponse(*response, context_ + " " + what);
  }
  auto body = ParseBody(*response, what);
  if (!body.ok()) {
    co_return body.status();
  }
  const json* record = ResolvePointer(*body, options_.get_records);
  const json* tag = record ? ResolvePointer(*record, options_.update_if_match) : nullptr;
  if (tag == nullptr || tag->is_null() || tag->is_object() || tag->is_array()) {
    co_return FailedPrecondition(context_ + " " + what + ": update.if_match = \"" +
                                 options_.update_if_match +
                                 "\" matches no version tag in the record");
  }
  co_return tag->is_string() ? tag->get<std::string>() : tag->dump();
}

}  // namespace dealsync::connectors::rest
