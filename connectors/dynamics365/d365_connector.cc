#include "connectors/dynamics365/d365_connector.h"

#include <spdlog/spdlog.h>

#include "connectors/common/connector_util.h"
#include "connectors/common/json_util.h"
#include "connectors/common/overlap_window.h"
#include "dealsync/clock.h"

namespace dealsync::connectors::dynamics365 {

using nlohmann::json;

namespace {

constexpr std::string_view kReadContext = "dynamics365 read";

std::string TrimTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

}  // namespace

Dynamics365Connector::Dynamics365Connector(const ConnectorContext& context, Settings settings,
                                           StageMaps stages)
    : transport_(context.transport),
      clock_(context.clock),
      source_(context.config.id),
      base_url_(TrimTrailingSlash(context.config.connection.base_url)),
      timeout_(context.config.connection.timeout),
      settings_(std::move(settings)),
      stages_(std::move(stages)),
      default_currency_(context.config.currency),
      allow_reopen_(context.config.policy.stage.allow_reopen) {
  if (auto zone = TimeZone::Load(context.config.time_zone); zone.ok()) {
    zone_ = *zone;
  }
  capabilities_.max_batch_size = settings_.batch ? static_cast<size_t>(settings_.batch_size) : 1;
  capabilities_.supports_deletes = settings_.change_tracking;
  capabilities_.returns_trace_ids = false;
  log_ = spdlog::default_logger()->clone("connector." + context.config.id);
}

std::string Dynamics365Connector::ApiUrl(std::string_view path) const {
  return base_url_ + "/api/data/" + settings_.api_version + std::string(path);
}

Awaitable<Result<HttpResponse>> Dynamics365Connector::Get(std::string url, bool read_prefer) {
  HttpRequest request;
  request.method = "GET";
  request.url = std::move(url);
  request.timeout = timeout_;
  request.headers = {
      {"Accept", "application/json"}, {"OData-MaxVersion", "4.0"}, {"OData-Version", "4.0"}};
  if (read_prefer) {
    request.headers.emplace_back("Prefer", ReadPreferHeader(settings_));
  } else {
    request.headers.emplace_back(
        "Prefer", "odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"");
  }
  co_return co_await transport_.Send(std::move(request));
}

Awaitable<Result<HttpResponse>> Dynamics365Connector::SendJson(std::string method, std::string url,
                                                               std::string body,
                                                               HttpHeaders extra) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.timeout = timeout_;
  request.headers = {{"Accept", "application/json"},
                     {"OData-MaxVersion", "4.0"},
                     {"OData-Version", "4.0"},
                     {"Content-Type", "application/json; charset=utf-8"}};
  for (auto& h : extra) {
    request.headers.push_back(std::move(h));
  }
  request.body = std::move(body);
  co_return co_await transport_.Send(std::move(request));
}

std::optional<std::string> Dynamics365Connector::CurrencyIso(const std::string& id) const {
  auto it = iso_by_currency_id_.find(id);
  if (it == iso_by_currency_id_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> Dynamics365Connector::CurrencyIdOf(const std::string& iso) const {
  for (const auto& [id, code] : iso_by_currency_id_) {
    if (code == iso) {
      return id;
    }
  }
  return std::nullopt;
}

Awaitable<Status> Dynamics365Connector::EnsureCurrencies(std::string unknown_id) {
  if (currencies_loaded_ && (unknown_id.empty() || iso_by_currency_id_.count(unknown_id) != 0)) {
    co_return Status::Ok();
  }
  constexpr std::string_view kContext = "dynamics365 transactioncurrencies";
  Result<HttpResponse> response =
      co_await Get(ApiUrl("/transactioncurrencies?$select=" +
                          UrlEncode("transactioncurrencyid,isocurrencycode")),
                   false);
  if (!response.ok()) {
    co_return response.status().Annotate(kContext);
  }
  if (!response->ok()) {
    co_return ODataError(*response, kContext);
  }
  auto body = ParseJsonBody(response->body, kContext);
  if (!body.ok()) {
    co_return body.status();
  }
  const json* value = FindKey(*body, "value");
  if (value == nullptr || !value->is_array()) {
    co_return Unavailable(std::string(kContext) + ": response has no \"value\" array");
  }
  iso_by_currency_id_.clear();
  for (const json& c : *value) {
    auto id = StringOf(c.value("transactioncurrencyid", json()));
    auto iso = StringOf(c.value("isocurrencycode", json()));
    if (id && iso) {
      iso_by_currency_id_[*id] = *iso;
    }
  }
  currencies_loaded_ = true;
  co_return Status::Ok();
}

RowContext Dynamics365Connector::Context() const {
  RowContext ctx;
  ctx.source = source_;
  ctx.settings = &settings_;
  ctx.stages = &stages_;
  ctx.zone = &zone_;
  ctx.default_currency = default_currency_;
  ctx.currency_iso = [this](const std::string& id) { return CurrencyIso(id); };
  return ctx;
}

void Dynamics365Connector::TakeRow(const json& row, FetchPage& page) {
  if (IsDeletedEntity(row)) {
    auto deleted = ReadDeleted(row, source_, clock_.Now());
    if (deleted.ok()) {
      rows_.erase(deleted->native_id);
      changed_remotely_.erase(deleted->native_id);
      page.records.push_back(std::move(*deleted));
    } else {
      page.rejects.push_back({"", deleted.status().message(), row.dump()});
    }
    return;
  }
  auto opp = ReadRow(row, Context());
  if (!opp.ok()) {
    page.rejects.push_back({StringOf(row.value("opportunityid", json())).value_or(""),
                            opp.status().message(), row.dump()});
    return;
  }
  if (auto state = ReadRowState(row, settings_); state.ok()) {
    rows_[opp->native_id] = std::move(*state);
    changed_remotely_.erase(opp->native_id);
  }
  page.records.push_back(std::move(*opp));
}

Awaitable<Result<FetchPage>> Dynamics365Connector::FetchChanges(std::string cursor_text) {
  auto decoded = Cursor::Decode(cursor_text);
  if (!decoded.ok()) {
    co_return decoded.status();
  }
  Cursor cursor = std::move(*decoded);
  auto start_url = [&]() {
    if (settings_.change_tracking && !cursor.delta_link.empty()) {
      return cursor.delta_link;
    }
    std::optional<Timestamp> from;
    if (!settings_.change_tracking) {
      from = cursor.watermark ? *cursor.watermark - settings_.overlap : Timestamp{};
    }
    return ApiUrl("/opportunities" + InitialQuery(settings_, from));
  };
  auto refused = [](const Result<HttpResponse>& r) { return r.ok() && r->status == 400; };
  Result<HttpResponse> response = Unavailable("no request sent");
  if (!cursor.next_url.empty()) {
    response = co_await Get(cursor.next_url, true);
    if (refused(response)) {
      // The server no longer knows the paging position: start the read again
      // (from the delta link or the watermark); the engine drops repeats.
      log_->info("dynamics365 nextLink refused ({}); restarting the read",
                 ODataErrorCode(response->body));
      cursor.next_url.clear();
    }
  }
  if (cursor.next_url.empty()) {
    const bool from_delta = settings_.change_tracking && !cursor.delta_link.empty();
    response = co_await Get(start_url(), true);
    if (from_delta && refused(response)) {
      // An expired (0x80044352, past the org's change-tracking retention) or
      // otherwise unusable delta token: read everything again; the engine
      // drops the versions it already journaled.
      log_->warn("dynamics365 delta token refused ({}); starting a full read",
                 ODataErrorCode(response->body));
      cursor = Cursor{};
      response = co_await Get(start_url(), true);
    }
  }
  if (!response.ok()) {
    co_return response.status().Annotate(kReadContext);
  }
  if (!response->ok()) {
    Status error = ODataError(*response, kReadContext);
    if (settings_.change_tracking && error.code() == StatusCode::kInvalidArgument &&
        error.message().find("change tracking") != std::string::npos) {
      co_return FailedPrecondition(error.message() +
                                   " (enable Track changes on the opportunity table, or set "
                                   "dynamics365.change_tracking = false)");
    }
    co_return error;
  }
  auto body = ParseJsonBody(response->body, kReadContext);
  if (!body.ok()) {
    co_return body.status();
  }
  const json* value = FindKey(*body, "value");
  if (value == nullptr || !value->is_array()) {
    co_return Unavailable(std::string(kReadContext) + ": response has no \"value\" array");
  }
  // Resolve every currency of the page before reading rows (one reload at most).
  std::string unknown;
  for (const json& row : *value) {
    if (auto id = StringOf(row.value("_transactioncurrencyid_value", json()));
        id && !id->empty() && (!currencies_loaded_ || !CurrencyIso(*id))) {
      unknown = *id;
      break;
    }
  }
  if (!unknown.empty() || !currencies_loaded_) {
    DEALSYNC_CO_RETURN_IF_ERROR(co_await EnsureCurrencies(unknown));
  }
  FetchPage page;
  for (const json& row : *value) {
    TakeRow(row, page);
  }
  if (!settings_.change_tracking) {
    // A modifiedon beyond now + the skew allowance (a wrong clock, a bad data
    // import) must not move the filter past every later change.
    const Timestamp now = clock_.Now();
    const auto skew = OverlapSettings{}.clock_skew;
    for (const Opportunity& o : page.records) {
      if (o.modified_at > now + skew) {
        page.warnings.push_back(
            RecordWarning{o.native_id, FutureModifiedWarning(o.modified_at, now, skew)});
      } else if (!cursor.watermark || o.modified_at > *cursor.watermark) {
        cursor.watermark = o.modified_at;
      }
    }
  }
  const json* next = FindKey(*body, "@odata.nextLink");
  const json* delta = FindKey(*body, "@odata.deltaLink");
  if (next != nullptr && next->is_string() && !next->get<std::string>().empty()) {
    cursor.next_url = next->get<std::string>();
    page.has_more = true;
  } else {
    cursor.next_url.clear();
    if (settings_.change_tracking) {
      if (delta == nullptr || !delta->is_string() || delta->get<std::string>().empty()) {
        co_return Unavailable(std::string(kReadContext) +
                              ": the last page of a change-tracking read has no @odata.deltaLink");
      }
      cursor.delta_link = delta->get<std::string>();
    }
  }
  page.next_cursor = cursor.Encode();
  co_return page;
}

Result<std::string> Dynamics365Connector::CursorAt(Timestamp since) const {
  Cursor c;
  if (!settings_.change_tracking) {
    c.watermark = since;  // the next read starts at since - overlap
  }
  return c.Encode();
}

Awaitable<Result<std::optional<json>>> Dynamics365Connector::ReadRowById(const std::string& id) {
  constexpr std::string_view kContext = "dynamics365 read by id";
  std::string select;
  for (const auto& c : SelectColumns(settings_)) {
    select += (select.empty() ? "" : ",") + c;
  }
  Result<HttpResponse> response =
      co_await Get(ApiUrl("/opportunities(" + id + ")?$select=" + UrlEncode(select)), false);
  if (!response.ok()) {
    co_return response.status().Annotate(kContext);
  }
  if (response->status == 404) {
    co_return std::optional<json>();
  }
  if (!response->ok()) {
    co_return ODataError(*response, kContext);
  }
  auto body = ParseJsonBody(response->body, kContext);
  if (!body.ok()) {
    co_return body.status();
  }
  if (auto cid = StringOf(body->value("_transactioncurrencyid_value", json())); cid) {
    DEALSYNC_CO_RETURN_IF_ERROR(co_await EnsureCurrencies(*cid));
  }
  co_return std::optional<json>(std::move(*body));
}

Awaitable<Result<std::vector<Opportunity>>> Dynamics365Connector::FetchByIds(
    std::vector<std::string> ids) {
  std::vector<Opportunity> out;
  for (const std::string& id : ids) {
    auto row = co_await ReadRowById(id);
    if (!row.ok()) {
      co_return row.status();
    }
    if (!row->has_value()) {
      continue;  // deleted or never existed
    }
    FetchPage page;
    TakeRow(**row, page);
    if (!page.rejects.empty()) {
      co_return InvalidArgument("dynamics365 read by id: " + id + ": " +
                                page.rejects.front().message);
    }
    for (auto& r : page.records) {
      out.push_back(std::move(r));
    }
  }
  co_return out;
}

}  // namespace dealsync::connectors::dynamics365
