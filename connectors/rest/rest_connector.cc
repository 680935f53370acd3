#include "connectors/rest/rest_connector.h"

#include <algorithm>

namespace dealsync::connectors::rest {
namespace {

using nlohmann::json;

std::string Excerpt(std::string_view body) {
  constexpr size_t kMax = 80;
  std::string out(body.substr(0, kMax));
  std::replace(out.begin(), out.end(), '\n', ' ');
  return body.size() > kMax ? out + "..." : out;
}

// The member names of an object, to help a partner find the right pointer.
std::string Members(const json& value) {
  if (!value.is_object()) {
    return "the body is " + JsonKind(value);
  }
  std::string names;
  for (const auto& [key, member] : value.items()) {
    names += (names.empty() ? "" : ", ") + key;
  }
  return "top-level members: " + (names.empty() ? std::string("none") : names);
}

}  // namespace

Result<std::unique_ptr<RestConnector>> RestConnector::Create(const ConnectorContext& context) {
  auto options = ParseRestOptions(context.config);
  if (!options.ok()) {
    return options.status();
  }
  auto mapper = RecordMapper::Create(context.config, FieldMap{});
  if (!mapper.ok()) {
    return mapper.status();
  }
  return std::unique_ptr<RestConnector>(
      new RestConnector(context, std::move(*options), std::move(*mapper)));
}

RestConnector::RestConnector(const ConnectorContext& context, RestOptions options,
                             RecordMapper mapper)
    : config_(context.config),
      transport_(context.transport),
      clock_(context.clock),
      options_(std::move(options)),
      mapper_(std::move(mapper)),
      context_("rest " + context.config.id) {
  capabilities_.max_batch_size =
      options_.update_mode == UpdateMode::kBatch ? static_cast<size_t>(options_.batch_max_size) : 1;
  capabilities_.supports_deletes = config_.fields.contains("deleted");
  window_settings_.overlap = options_.overlap;
}

Result<std::string> RestConnector::CursorAt(Timestamp since) const {
  RestCursor cursor;
  cursor.window = OverlapWindow::StartingAt(since);
  return cursor.Encode();
}

Awaitable<Result<HttpResponse>> RestConnector::Send(RestRequest rest) {
  HttpRequest request;
  request.method = std::move(rest.method);
  request.url = std::move(rest.url);
  request.timeout = config_.connection.timeout;
  request.headers.emplace_back("Accept", "application/json");
  if (!rest.body.empty()) {
    request.headers.emplace_back("Content-Type", std::move(rest.content_type));
    request.body = std::move(rest.body);
  }
  // The file's own headers win over the defaults above (e.g. a JSON:API Accept).
  for (auto& header : rest.headers) {
    std::erase_if(request.headers,
                  [&](const auto& h) { return EqualsIgnoreCase(h.first, header.first); });
    request.headers.push_back(std::move(header));
  }
  const std::string what = request.method + " " + UrlPathForMessages(request.url);
  auto response = co_await transport_.Send(std::move(request));
  if (!response.ok()) {
    co_return response.status().Annotate(context_ + " " + what);
  }
  co_return response;
}

RestRequest RestConnector::UpdateRequest(std::string_view id, std::string body) const {
  TemplateValues values;
  values.id = std::string(id);
  RestRequest request;
  request.method = options_.update_method;
  request.url =
      JoinUrl(config_.connection.base_url, Expand(options_.update_path, values, Escape::kPath));
  request.headers = ExpandHeaders(options_.update_headers, values);
  request.content_type = options_.update_content_type;
  request.body = std::move(body);
  return request;
}

Result<json> RestConnector::ParseBody(const HttpResponse& response, std::string_view what) const {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    auto type = response.header("Content-Type");
    // Proxies and overloaded servers answer HTML or cut bodies short: retryable.
    return Unavailable(context_ + " " + std::string(what) + ": the response is not JSON (" +
                       (type ? "Content-Type " + std::string(*type) : "no Content-Type") + "): \"" +
                       Excerpt(response.body) + "\"");
  }
  return body;
}

std::string RestConnector::NativeId(const json& native) const {
  const FieldMapping* id = mapper_.Find("id");
  const json* v = id ? ResolvePointer(native, id->pointer) : nullptr;
  if (v == nullptr || v->is_null()) {
    return "";
  }
  return v->is_string() ? v->get<std::string>() : v->dump();
}

void RestConnector::MapRecord(const json& native, size_t index, Timestamp now, RestCursor& cursor,
                              FetchPage& page) const {
  auto record = mapper_.ToCanonical(native);
  if (!record.ok()) {
    page.rejects.push_back(RecordReject{
        NativeId(native),
        "record #" + std::to_string(index) + " of the page: " + record.status().message(),
        native.dump()});
    return;
  }
  Opportunity& o = *record;
  if (o.native_id.empty()) {
    const FieldMapping* id = mapper_.Find("id");
    page.rejects.push_back(RecordReject{"",
                                        "record #" + std::to_string(index) + " has no id at " +
                                            (id ? id->pointer : std::string("fields.id")),
                                        native.dump()});
    return;
  }
  auto admission =
      cursor.window.Admit(o.native_id, o.modified_at, ContentHash(o), now, window_settings_);
  if (!admission.deliver) {
    return;  // delivered before with the same modified_at and values (overlap window)
  }
  if (admission.warning) {
    page.warnings.push_back(RecordWarning{o.native_id, *admission.warning});
  }
  o.source = config_.id;
  if (o.native_payload.empty()) {
    o.native_payload = native.dump();
  }
  page.records.push_back(std::move(o));
}

Awaitable<Result<FetchPage>> RestConnector::FetchChanges(std::string cursor_text) {
  auto decoded = RestCursor::Decode(cursor_text, options_.overlap);
  if (!decoded.ok()) {
    co_return decoded.status();
  }
  RestCursor cursor = std::move(*decoded);
  const Timestamp now = clock_.Now();
  if (!cursor.window.in_pass()) {
    cursor.window.BeginPass(now);
    cursor.next.clear();
  }
  const std::string& base = config_.connection.base_url;
  RestRequest request = ListRequest(options_, base, cursor);
  const std::string url = request.url;
  const std::string what = "list " + request.method + " " + UrlPathForMessages(url);

  auto response = co_await Send(std::move(request));
  if (!response.ok()) {
    co_return response.status();
  }
  if (response->status == 304 || response->status == 204) {
    // 304 Not Modified (to If-Modified-Since): nothing changed since {since};
    // 204 No Content: no (more) records. Either way the pass is complete.
    FetchPage page;
    cursor.window.FinishPass(window_settings_);
    cursor.next.clear();
    page.has_more = false;
    page.next_cursor = cursor.Encode();
    co_return page;
  }
  if (!response->ok()) {
    co_return ErrorFromResponse(*response, context_ + " " + what);
  }
  auto body = ParseBody(*response, what);
  if (!body.ok()) {
    co_return body.status();
  }
  const json* records = ResolvePointer(*body, options_.records_pointer);
  if (records == nullptr) {
    co_return FailedPrecondition(context_ + " " + what + ": list.records = \"" +
                                 options_.records_pointer + "\" matches nothing in the response (" +
                                 Members(*body) + ")");
  }
  if (!records->is_array()) {
    co_return FailedPrecondition(context_ + " " + what + ": list.records = \"" +
                                 options_.records_pointer + "\" points at " + JsonKind(*records) +
                                 ", not an array (" + Members(*body) + ")");
  }

  FetchPage page;
  for (size_t i = 0; i < records->size(); ++i) {
    MapRecord((*records)[i], i, now, cursor, page);
  }
  auto next = NextPageToken(options_, base, url, cursor, *body, response->headers, records->size());
  if (!next.ok()) {
    co_return next.status().Annotate(context_ + " " + what);
  }
  if (next->empty()) {
    cursor.window.FinishPass(window_settings_);
    cursor.next.clear();
    page.has_more = false;
  } else {
    cursor.next = std::move(*next);
    page.has_more = true;
  }
  page.next_cursor = cursor.Encode();
  co_return page;
}

Awaitable<Result<std::vector<Opportunity>>> RestConnector::FetchByIds(
    std::vector<std::string> ids) {
  std::vector<Opportunity> found;
  for (const std::string& id : ids) {
    RestRequest request = GetRequest(options_, config_.connection.base_url, id);
    const std::string what = "get GET " + UrlPathForMessages(request.url);
    auto response = co_await Send(std::move(request));
    if (!response.ok()) {
      co_return response.status();
    }
    if (response->status == 404) {
      continue;  // gone: the caller sees it missing from the result
    }
    if (!response->ok()) {
      co_return ErrorFromResponse(*response, context_ + " " + what);
    }
    auto body = ParseBody(*response, what);
    if (!body.ok()) {
      co_return body.status();
    }
    const json* native = ResolvePointer(*body, options_.get_records);
    if (native == nullptr || !native->is_object()) {
      co_return FailedPrecondition(context_ + " " + what + ": get.records = \"" +
                                   options_.get_records + "\" does not point at a record (" +
                                   Members(*body) + ")");
    }
    auto record = mapper_.ToCanonical(*native);
    if (!record.ok()) {
      co_return record.status().Annotate(context_ + " record " + id);
    }
    record->source = config_.id;
    if (record->native_payload.empty()) {
      record->native_payload = native->dump();
    }
    found.push_back(std::move(*record));
  }
  co_return found;
}

}  // namespace dealsync::connectors::rest
