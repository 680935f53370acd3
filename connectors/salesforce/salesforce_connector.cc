#include "connectors/salesforce/salesforce_connector.h"

#include <spdlog/spdlog.h>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"
#include "connectors/common/update_chunks.h"

namespace dealsync::connectors::salesforce {

using nlohmann::json;

namespace {

constexpr std::string_view kQueryContext = "salesforce query";

std::string TrimTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

std::optional<Timestamp> StampOf(const json& record) {
  const json* v = FindKey(record, "SystemModstamp");
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  auto t = ParseTimestamp(v->get<std::string>());
  return t.ok() ? std::optional<Timestamp>(*t) : std::nullopt;
}

}  // namespace

SalesforceConnector::SalesforceConnector(const ConnectorContext& context, Settings settings,
                                         RecordMapper mapper)
    : transport_(context.transport),
      clock_(context.clock),
      base_url_(TrimTrailingSlash(context.config.connection.base_url)),
      timeout_(context.config.connection.timeout),
      settings_(std::move(settings)),
      mapper_(std::move(mapper)) {
  window_settings_.overlap = settings_.overlap;
  window_settings_.max_keys = static_cast<size_t>(settings_.seen_limit);
  capabilities_.max_batch_size = kMaxCollectionSize;
  capabilities_.supports_deletes = settings_.query_all;
  capabilities_.returns_trace_ids = false;
  log_ = spdlog::default_logger()->clone("connector." + context.config.id);
}

std::string SalesforceConnector::DataUrl(std::string_view path) const {
  return base_url_ + "/services/data/" + settings_.api_version + std::string(path);
}

std::string SalesforceConnector::Resolve(const std::string& url) const {
  if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
    return url;
  }
  return base_url_ + (url.empty() || url.front() != '/' ? "/" : "") + url;
}

std::vector<std::string> SalesforceConnector::SelectFields(bool with_relationships) const {
  // Field API names from the mapping's pointers: "/Account/Name" -> Account.Name.
  std::vector<std::string> fields;
  for (const auto& name :
       {"id", "registration_id", "counterpart_id", "counterpart_source", "name", "account", "owner",
        "pipeline", "stage", "amount", "currency", "close_date", "modified_at", "deleted"}) {
    const FieldMapping* m = mapper_.Find(name);
    if (m == nullptr) {
      continue;
    }
    auto tokens = PointerTokens(m->pointer);
    if (tokens.empty() || (tokens.size() > 1 && !with_relationships)) {
      continue;
    }
    std::string field;
    for (const auto& t : tokens) {
      field += (field.empty() ? "" : ".") + t;
    }
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
      fields.push_back(field);
    }
  }
  return fields;
}

Awaitable<Result<HttpResponse>> SalesforceConnector::Send(std::string method, std::string url,
                                                          std::string body) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.timeout = timeout_;
  request.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
  }
  if (request.method == "GET" && request.url.find("/query") != std::string::npos) {
    request.headers.emplace_back("Sforce-Query-Options",
                                 "batchSize=" + std::to_string(settings_.page_size));
  }
  Result<HttpResponse> response = co_await transport_.Send(std::move(request));
  if (response.ok()) {
    if (auto info = response->header("Sforce-Limit-Info")) {
      if (auto usage = ParseLimitInfo(*info)) {
        if (usage->max > 0 && usage->used * 10 >= usage->max * 9 &&
            (!api_usage_ || api_usage_->used * 10 < api_usage_->max * 9)) {
          log_->warn("salesforce API usage at {}/{} requests", usage->used, usage->max);
        }
        api_usage_ = usage;
      }
    }
  }
  co_return response;
}

Result<std::string> SalesforceConnector::CursorAt(Timestamp since) const {
  PollCursor cursor;
  cursor.window = OverlapWindow::StartingAt(since);
  return cursor.Encode();
}

Awaitable<Result<FetchPage>> SalesforceConnector::FetchChanges(std::string cursor_text) {
  auto decoded = PollCursor::Decode(cursor_text, settings_.overlap);
  if (!decoded.ok()) {
    co_return decoded.status();
  }
  PollCursor cursor = std::move(*decoded);
  const Timestamp now = clock_.Now();
  if (!cursor.window.in_pass()) {
    cursor.next_url.clear();  // a new pass always starts with a new query
    cursor.newest.reset();
    cursor.window.BeginPass(now);
  }
  Timestamp query_from = cursor.QueryFrom();
  Result<HttpResponse> response = Unavailable("no request sent");
  if (!cursor.next_url.empty()) {
    response = co_await Send("GET", Resolve(cursor.next_url), "");
    if (response.ok() && response->status == 400 &&
        ErrorCodeOf(*response) == "INVALID_QUERY_LOCATOR") {
      // The server dropped the query cursor (they expire after ~15 minutes of
      // inactivity). Re-query the pass from its lower bound; the window's
      // remembered versions make the restart lose nothing and repeat nothing.
      log_->info("salesforce query locator expired; re-querying the rest of the pass");
      cursor.next_url.clear();
      query_from = cursor.ResumeFrom(settings_.overlap);
    }
  }
  if (cursor.next_url.empty()) {
    std::string soql = BuildPollQuery(settings_.object, SelectFields(true), query_from);
    std::string path = settings_.query_all ? "/queryAll/?q=" : "/query/?q=";
    response = co_await Send("GET", DataUrl(path + UrlEncode(soql)), "");
  }
  if (!response.ok()) {
    co_return response.status().Annotate(kQueryContext);
  }
  if (!response->ok()) {
    co_return CallError(*response, kQueryContext);
  }
  auto body = ParseJsonBody(response->body, kQueryContext);
  if (!body.ok()) {
    co_return body.status();
  }
  co_return ReadPage(*body, now, cursor);
}

Result<FetchPage> SalesforceConnector::ReadPage(const json& body, Timestamp now,
                                                PollCursor& cursor) const {
  const json* records = FindKey(body, "records");
  if (records == nullptr || !records->is_array()) {
    return Unavailable("salesforce query: response has no \"records\" array");
  }
  FetchPage page;
  for (const json& record : *records) {
    const json* id_value = FindKey(record, "Id");
    std::optional<std::string> id = id_value ? StringOf(*id_value) : std::nullopt;
    std::optional<Timestamp> stamp = StampOf(record);
    if (!id || !stamp) {
      page.rejects.push_back(
          {id.value_or(""), "Id or SystemModstamp missing or unreadable", record.dump()});
      continue;
    }
    auto opp = mapper_.ToCanonical(record);
    if (opp.ok()) {
      if (const json* deleted = FindKey(record, "IsDeleted"); deleted && *deleted == true) {
        opp->deleted = true;  // even when [fields] does not map `deleted`
      }
    }
    const uint64_t hash = opp.ok() ? ContentHash(*opp) : HashText(record.dump());
    auto admission = cursor.window.Admit(*id, *stamp, hash, now, window_settings_);
    if (*stamp <= now + window_settings_.clock_skew &&
        (!cursor.newest || *stamp > *cursor.newest)) {
      cursor.newest = *stamp;
    }
    if (!admission.deliver) {
      continue;  // the same version again (overlap window)
    }
    if (admission.warning) {
      page.warnings.push_back(RecordWarning{*id, *admission.warning});
    }
    if (opp.ok()) {
      page.records.push_back(std::move(*opp));
    } else {
      page.rejects.push_back({*id, opp.status().message(), record.dump()});
    }
  }
  const json* done = FindKey(body, "done");
  const json* next = FindKey(body, "nextRecordsUrl");
  bool more = done != nullptr && *done == false && next != nullptr && next->is_string() &&
              !next->get<std::string>().empty();
  cursor.next_url = more ? next->get<std::string>() : "";
  if (!more) {
    cursor.window.FinishPass(window_settings_);
    cursor.newest.reset();
  }
  page.has_more = more;
  page.next_cursor = cursor.Encode();
  return page;
}

Awaitable<Result<std::vector<Opportunity>>> SalesforceConnector::FetchByIds(
    std::vector<std::string> ids) {
  std::vector<Opportunity> out;
  // sObject Collections GET takes plain field names only, so relationship fields
  // (Account.Name, Owner.Name) are not part of these reads.
  std::string fields;
  for (const auto& f : SelectFields(false)) {
    fields += (fields.empty() ? "" : ",") + f;
  }
  for (const char* always : {"Id", "IsDeleted", "SystemModstamp"}) {
    if (("," + fields + ",").find(std::string(",") + always + ",") == std::string::npos) {
      fields = std::string(always) + (fields.empty() ? "" : ",") + fields;
    }
  }
  for (auto chunk : Chunks(ids, kMaxCollectionSize)) {
    std::string id_list;
    for (const auto& id : chunk) {
      id_list += (id_list.empty() ? "" : ",") + UrlEncode(id);
    }
    std::string url = DataUrl("/composite/sobjects/" + settings_.object + "?ids=" + id_list +
                              "&fields=" + UrlEncode(fields));
    Result<HttpResponse> response = co_await Send("GET", std::move(url), "");
    constexpr std::string_view kContext = "salesforce fetch by ids";
    if (!response.ok()) {
      co_return response.status().Annotate(kContext);
    }
    if (!response->ok()) {
      co_return CallError(*response, kContext);
    }
    auto body = ParseJsonBody(response->body, kContext);
    if (!body.ok()) {
      co_return body.status();
    }
    if (!body->is_array()) {
      co_return Unavailable(std::string(kContext) + ": response is not a JSON array");
    }
    for (const json& record : *body) {
      if (record.is_null()) {
        continue;  // an id that does not exist (or was deleted)
      }
      auto opp = mapper_.ToCanonical(record);
      if (!opp.ok()) {
        co_return opp.status().Annotate(std::string(kContext) + ": record " +
                                        StringOf(record.value("Id", json())).value_or("?"));
      }
      out.push_back(std::move(*opp));
    }
  }
  co_return out;
}

Awaitable<Result<std::vector<UpdateOutcome>>> SalesforceConnector::Update(
    std::vector<RecordUpdate> updates) {
  co_return co_await UpdateInChunks(
      std::move(updates), kMaxCollectionSize,
      [this](std::span<const RecordUpdate> chunk, Status& call_error) {
        return UpdateChunk(chunk, call_error);
      });
}

Awaitable<std::vector<UpdateOutcome>> SalesforceConnector::UpdateChunk(
    std::span<const RecordUpdate> chunk, Status& call_error) {
  constexpr std::string_view kContext = "salesforce update";
  std::vector<UpdateOutcome> outcomes(chunk.size());
  std::vector<size_t> sent;  // index in chunk of each record in the body
  json records = json::array();
  for (size_t i = 0; i < chunk.size(); ++i) {
    outcomes[i].native_id = chunk[i].native_id;
    auto patch = mapper_.ToNativePatch(chunk[i]);
    if (!patch.ok()) {
      outcomes[i].status = patch.status();
      continue;
    }
    json record = {{"attributes", {{"type", settings_.object}}}, {"id", chunk[i].native_id}};
    record.update(*patch);
    records.push_back(std::move(record));
    sent.push_back(i);
  }
  if (sent.empty()) {
    co_return outcomes;
  }
  json body = {{"allOrNone", false}, {"records", std::move(records)}};
  Result<HttpResponse> response =
      co_await Send("PATCH", DataUrl("/composite/sobjects"), body.dump());
  Status failure;
  if (!response.ok()) {
    failure = response.status().Annotate(kContext);
  } else if (!response->ok()) {
    failure = CallError(*response, kContext);
  } else if (auto results = ParseJsonBody(response->body, kContext); !results.ok()) {
    failure = results.status();
  } else if (!results->is_array() || results->size() != sent.size()) {
    failure = Unavailable(std::string(kContext) + ": expected " + std::to_string(sent.size()) +
                          " save results, got " + Excerpt(*results));
  } else {
    // Save results come back in request order.
    for (size_t k = 0; k < sent.size(); ++k) {
      const json& result = (*results)[k];
      UpdateOutcome& outcome = outcomes[sent[k]];
      const json* ok = FindKey(result, "success");
      if (ok == nullptr || !ok->is_boolean()) {
        outcome.status = Unavailable(std::string(kContext) + ": " + outcome.native_id +
                                     ": the save result does not say whether it was saved (" +
                                     Excerpt(result) + "); not acknowledged");
        continue;
      }
      if (*ok == true) {
        // A successful save result carries the record's id; one naming another
        // record is not an acknowledgement of this one.
        const json* id = FindKey(result, "id");
        outcome.status = id != nullptr && *id == outcome.native_id
                             ? Status::Ok()
                             : Unavailable(std::string(kContext) + ": " + outcome.native_id +
                                           ": the save result names another record (" +
                                           Excerpt(result) + "); not acknowledged");
        continue;
      }
      std::string code = "UNKNOWN_ERROR";
      std::string message;
      if (const json* errors = FindKey(result, "errors"); errors && errors->is_array()) {
        for (const json& e : *errors) {
          if (code == "UNKNOWN_ERROR") {
            code = StringOf(e.value("statusCode", json())).value_or(code);
          }
          message +=
              (message.empty() ? "" : "; ") + StringOf(e.value("message", json())).value_or("");
        }
      }
      outcome.status =
          Status(RecordErrorCode(code), std::string(kContext) + ": " + outcome.native_id + ": " +
                                            code + (message.empty() ? "" : ": " + message));
    }
  }
  if (!failure.ok()) {
    call_error = failure;
    for (size_t index : sent) {
      outcomes[index].status = failure;
    }
  }
  co_return outcomes;
}

}  // namespace dealsync::connectors::salesforce
