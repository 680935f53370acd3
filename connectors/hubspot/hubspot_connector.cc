#include "connectors/hubspot/hubspot_connector.h"

#include <algorithm>
#include <map>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"
#include "connectors/common/update_chunks.h"

namespace dealsync::connectors::hubspot {

using nlohmann::json;

namespace {

constexpr std::string_view kSearchContext = "hubspot search";

std::string TrimTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

// hs_lastmodifieddate arrives as an ISO datetime (or epoch ms in older payloads).
std::optional<int64_t> ModifiedMs(const json& result) {
  const json* v = FindAt(result, json::json_pointer("/properties/hs_lastmodifieddate"));
  if (v == nullptr) {
    return std::nullopt;
  }
  auto text = StringOf(*v);
  if (!text) {
    return std::nullopt;
  }
  if (auto ms = ParseInt64(*text)) {
    return *ms;
  }
  auto t = ParseTimestamp(*text);
  return t.ok() ? std::optional<int64_t>(EpochMs(*t)) : std::nullopt;
}

std::string IdOf(const json& result) {
  const json* id = FindKey(result, "id");
  return id ? StringOf(*id).value_or("") : "";
}

}  // namespace

StatusCode CategoryCode(std::string_view category) {
  if (category == "OBJECT_NOT_FOUND") {
    return StatusCode::kNotFound;
  }
  if (category == "VALIDATION_ERROR" || category == "BAD_REQUEST" ||
      category == "PROPERTY_DOESNT_EXIST" || category == "INVALID_EMAIL") {
    return StatusCode::kInvalidArgument;
  }
  if (category == "CONFLICT") {
    return StatusCode::kAborted;
  }
  if (category == "RATE_LIMITS" || category == "RATE_LIMIT") {
    return StatusCode::kResourceExhausted;
  }
  if (category == "INVALID_AUTHENTICATION") {
    return StatusCode::kUnauthenticated;
  }
  if (category == "MISSING_SCOPES" || category == "FORBIDDEN") {
    return StatusCode::kPermissionDenied;
  }
  if (category == "RETRIABLE_ERROR" || category == "INTERNAL_ERROR") {
    return StatusCode::kUnavailable;
  }
  return StatusCode::kFailedPrecondition;
}

HubspotConnector::HubspotConnector(const ConnectorContext& context, Settings settings,
                                   RecordMapper mapper)
    : transport_(context.transport),
      clock_(context.clock),
      base_url_(TrimTrailingSlash(context.config.connection.base_url)),
      timeout_(context.config.connection.timeout),
      settings_(std::move(settings)),
      mapper_(std::move(mapper)) {
  window_settings_.overlap = settings_.lookback;
  capabilities_.max_batch_size = kMaxBatchInputs;
  capabilities_.supports_deletes = false;  // search never returns archived deals
  capabilities_.returns_trace_ids = true;
  properties_ = {"hs_object_id", "hs_lastmodifieddate", "pipeline", "dealstage"};
  for (const auto& name :
       {"registration_id", "counterpart_id", "name", "account", "owner", "pipeline", "stage",
        "amount", "currency", "close_date", "modified_at"}) {
    const FieldMapping* m = mapper_.Find(name);
    if (m == nullptr) {
      continue;
    }
    auto tokens = PointerTokens(m->pointer);
    if (tokens.size() == 2 && tokens[0] == "properties" &&
        std::find(properties_.begin(), properties_.end(), tokens[1]) == properties_.end()) {
      properties_.push_back(tokens[1]);
    }
  }
}

Awaitable<Result<json>> HubspotConnector::Post(std::string path, const json& body,
                                               std::string_view context, int* http_status) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_url_ + path;
  request.timeout = timeout_;
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = body.dump();
  Result<HttpResponse> response = co_await transport_.Send(std::move(request));
  if (!response.ok()) {
    co_return response.status().Annotate(context);
  }
  if (http_status != nullptr) {
    *http_status = response->status;
  }
  if (!response->ok()) {
    co_return ErrorFromResponse(*response, context);
  }
  co_return ParseJsonBody(response->body, context);
}

Result<std::string> HubspotConnector::CursorAt(Timestamp since) const {
  SearchCursor cursor;
  cursor.window = OverlapWindow::StartingAt(since);
  cursor.anchor_ms = EpochMs(cursor.window.since());
  return cursor.Encode();
}

Awaitable<Result<FetchPage>> HubspotConnector::FetchChanges(std::string cursor_text) {
  auto decoded = SearchCursor::Decode(cursor_text);
  if (!decoded.ok()) {
    co_return decoded.status();
  }
  SearchCursor cursor = std::move(*decoded);
  const Timestamp now = clock_.Now();
  BeginPass(cursor, now);
  json request = BuildSearchBody(cursor, properties_, settings_.page_size, settings_.pipelines);
  Result<json> body =
      co_await Post("/crm/v3/objects/deals/search", request, kSearchContext, nullptr);
  if (!body.ok()) {
    co_return body.status();
  }
  const json* results = FindKey(*body, "results");
  if (results == nullptr || !results->is_array()) {
    co_return Unavailable("hubspot search: response has no \"results\" array");
  }
  FetchPage page;
  PageFacts facts;
  facts.count = results->size();
  for (const json& result : *results) {
    std::string id = IdOf(result);
    std::optional<int64_t> ms = ModifiedMs(result);
    if (ms) {
      if (!facts.first_ms) {
        facts.first_ms = ms;
      }
      facts.last_ms = ms;
      facts.max_ms = std::max(facts.max_ms.value_or(*ms), *ms);
    }
    if (!id.empty()) {
      facts.last_id = id;
    }
    auto opp = mapper_.ToCanonical(result);
    const Timestamp modified = opp.ok() ? opp->modified_at : TimestampFromEpochMs(ms.value_or(0));
    const uint64_t hash = opp.ok() ? ContentHash(*opp) : HashText(result.dump());
    auto admission = id.empty() ? OverlapWindow::Admission{}
                                : cursor.window.Admit(id, modified, hash, now, window_settings_);
    if (!admission.deliver) {
      continue;  // the same version again (overlap window or re-anchor)
    }
    if (admission.warning) {
      page.warnings.push_back(RecordWarning{id, *admission.warning});
    }
    if (opp.ok()) {
      page.records.push_back(std::move(*opp));
    } else {
      page.rejects.push_back({id, opp.status().message(), result.dump()});
    }
  }
  if (const json* after = FindAt(*body, json::json_pointer("/paging/next/after"))) {
    facts.next_after = StringOf(*after);
  }
  page.has_more = Advance(cursor, facts, settings_.page_size, window_settings_);
  page.next_cursor = cursor.Encode();
  co_return page;
}

Awaitable<Result<std::vector<Opportunity>>> HubspotConnector::FetchByIds(
    std::vector<std::string> ids) {
  constexpr std::string_view kContext = "hubspot batch read";
  std::vector<Opportunity> out;
  for (auto chunk : Chunks(ids, kMaxBatchInputs)) {
    json inputs = json::array();
    for (const auto& id : chunk) {
      inputs.push_back({{"id", id}});
    }
    json request = {
        {"properties", properties_}, {"propertiesWithHistory", json::array()}, {"inputs", inputs}};
    Result<json> body =
        co_await Post("/crm/v3/objects/deals/batch/read", request, kContext, nullptr);
    if (!body.ok()) {
      co_return body.status();
    }
    const json* results = FindKey(*body, "results");
    if (results == nullptr || !results->is_array()) {
      co_return Unavailable(std::string(kContext) + ": response has no \"results\" array");
    }
    // Ids that do not exist come back as 207 errors (OBJECT_NOT_FOUND): skipped.
    for (const json& result : *results) {
      auto opp = mapper_.ToCanonical(result);
      if (!opp.ok()) {
        co_return opp.status().Annotate(std::string(kContext) + ": deal " + IdOf(result));
      }
      out.push_back(std::move(*opp));
    }
  }
  co_return out;
}

Awaitable<Result<std::vector<UpdateOutcome>>> HubspotConnector::Update(
    std::vector<RecordUpdate> updates) {
  co_return co_await UpdateInChunks(
      std::move(updates), kMaxBatchInputs,
      [this](std::span<const RecordUpdate> chunk, Status& call_error) {
        return UpdateChunk(chunk, call_error);
      });
}

Awaitable<std::vector<UpdateOutcome>> HubspotConnector::UpdateChunk(
    std::span<const RecordUpdate> chunk, Status& call_error) {
  constexpr std::string_view kContext = "hubspot batch update";
  std::vector<UpdateOutcome> outcomes(chunk.size());
  std::vector<size_t> sent;
  json inputs = json::array();
  for (size_t i = 0; i < chunk.size(); ++i) {
    outcomes[i].native_id = chunk[i].native_id;
    auto patch = mapper_.ToNativePatch(chunk[i]);
    if (!patch.ok()) {
      outcomes[i].status = patch.status();
      continue;
    }
    json properties = json::object();
    Status shape;
    for (const auto& [key, value] : patch->items()) {
      if (key != "properties" || !value.is_object()) {
        shape = FailedPrecondition("hubspot: only /properties/<name> fields can be written, not /" +
                                   key);
        break;
      }
      for (const auto& [name, v] : value.items()) {
        properties[name] = v.is_string() ? v.get<std::string>() : v.dump();  // all strings
      }
    }
    if (!shape.ok()) {
      outcomes[i].status = shape;
      continue;
    }
    json input = {{"id", chunk[i].native_id}, {"properties", properties}};
    if (!chunk[i].trace_id.empty()) {
      input["objectWriteTraceId"] = chunk[i].trace_id;
    }
    inputs.push_back(std::move(input));
    sent.push_back(i);
  }
  if (sent.empty()) {
    co_return outcomes;
  }
  int http_status = 0;
  json request = {{"inputs", std::move(inputs)}};
  Result<json> body =
      co_await Post("/crm/v3/objects/deals/batch/update", request, kContext, &http_status);
  Status failure = body.status();
  if (body.ok()) {
    std::map<std::string, Timestamp> updated;  // id -> updatedAt
    if (const json* results = FindKey(*body, "results"); results && results->is_array()) {
      for (const json& r : *results) {
        Timestamp at{};
        if (auto ms = ModifiedMs(r)) {
          at = TimestampFromEpochMs(*ms);
        } else if (const json* u = FindKey(r, "updatedAt"); u && u->is_string()) {
          at = ParseTimestamp(u->get<std::string>()).ok() ? *ParseTimestamp(u->get<std::string>())
                                                          : Timestamp{};
        }
        updated[IdOf(r)] = at;
      }
    }
    std::map<std::string, Status> failed;  // id -> error, from errors[].context.ids
    std::optional<Status> unattributed;
    if (const json* errors = FindKey(*body, "errors"); errors && errors->is_array()) {
      for (const json& e : *errors) {
        VendorError v = ParseVendorError(e.dump());
        Status status(CategoryCode(v.code),
                      std::string(kContext) + ": " + v.code + ": " + v.message);
        const json* ids = FindAt(e, json::json_pointer("/context/ids"));
        if (ids == nullptr || !ids->is_array() || ids->empty()) {
          unattributed = status;
          continue;
        }
        for (const json& id : *ids) {
          failed[StringOf(id).value_or("")] = status;
        }
      }
    }
    for (size_t index : sent) {
      UpdateOutcome& outcome = outcomes[index];
      if (auto f = failed.find(outcome.native_id); f != failed.end()) {
        outcome.status = f->second;
      } else if (auto u = updated.find(outcome.native_id); u != updated.end()) {
        outcome.status = Status::Ok();
        if (u->second != Timestamp{}) {
          outcome.modified_at = u->second;
        }
      } else if (unattributed) {
        outcome.status = *unattributed;
      } else {
        outcome.status =
            Unavailable(std::string(kContext) + ": HTTP " + std::to_string(http_status) +
                        " reported no result for " + outcome.native_id);
      }
    }
    co_return outcomes;
  }
  call_error = failure;
  for (size_t index : sent) {
    outcomes[index].status = failure;
  }
  co_return outcomes;
}

}  // namespace dealsync::connectors::hubspot
