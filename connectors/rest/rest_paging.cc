#include "connectors/rest/rest_paging.h"

#include <algorithm>
#include <cctype>

#include "connectors/common/url_reference.h"

namespace dealsync::connectors::rest {
namespace {

using nlohmann::json;

void AppendQuery(std::string& url, std::string_view param, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += UrlEncode(param);
  url += '=';
  url += UrlEncode(value);
}

// A cursor or next URL from the body: a string or a number; null/""/absent end the pass.
Result<std::string> BodyToken(const RestOptions& options, const json& body) {
  const json* v = ResolvePointer(body, options.page_next_pointer);
  if (v == nullptr || v->is_null()) {
    return std::string();
  }
  if (v->is_string()) {
    return v->get<std::string>();
  }
  if (v->is_number_integer()) {
    return v->dump();
  }
  return InvalidArgument("list.page.next = \"" + options.page_next_pointer + "\" points at " +
                         JsonKind(*v) +
                         " in the list response, expected a string (or null on "
                         "the last page)");
}

}  // namespace

// ---- RestCursor ------------------------------------------------------------

std::string RestCursor::Encode() const {
  return json{{"v", 2}, {"w", window.ToJson()}, {"n", next}}.dump();
}

Result<RestCursor> RestCursor::Decode(std::string_view text, std::chrono::milliseconds overlap) {
  RestCursor c;
  if (text.empty()) {
    return c;
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&] { return DataLoss("rest cursor is corrupt: " + std::string(text.substr(0, 80))); };
  if (!j.is_object()) {
    return bad();
  }
  const int version = j.value("v", 0);
  if (version == 2) {
    const json* w = ResolvePointer(j, "/w");
    const json* n = ResolvePointer(j, "/n");
    if (!w || !n || !n->is_string()) {
      return bad();
    }
    auto window = OverlapWindow::FromJson(*w);
    if (!window.ok()) {
      return window.status().Annotate("rest cursor");
    }
    c.window = std::move(*window);
    c.next = n->get<std::string>();
    return c;
  }
  if (version != 1) {
    return bad();
  }
  // v1: {"w": watermark, "s": pass since, "m", "n", "r": [[id, ms], ...]}. The
  // pass in progress restarts from its own lower bound (repeats, no loss).
  const json* w = ResolvePointer(j, "/w");
  const json* s = ResolvePointer(j, "/s");
  const json* r = ResolvePointer(j, "/r");
  if (!w || !s || !r || !w->is_number_integer() || !s->is_number_integer() || !r->is_array()) {
    return bad();
  }
  const int64_t since = s->get<int64_t>() >= 0  ? s->get<int64_t>()
                        : w->get<int64_t>() < 0 ? 0
                                                : w->get<int64_t>() - overlap.count();
  c.window = OverlapWindow::StartingAt(TimestampFromEpochMs(std::max<int64_t>(0, since)));
  for (const json& p : *r) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_number_integer()) {
      return bad();
    }
    c.window.RememberWithoutHash(p[0].get<std::string>(), p[1].get<int64_t>());
  }
  return c;
}

// ---- URLs --------------------------------------------------------------------

std::string JoinUrl(std::string_view base_url, std::string_view path) {
  std::string out(base_url);
  while (!out.empty() && out.back() == '/') {
    out.pop_back();
  }
  if (path.empty() || path.front() != '/') {
    out += '/';
  }
  out += path;
  return out;
}

std::string UrlPathForMessages(std::string_view url) {
  std::string_view rest = url;
  if (auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    auto path_start = url.find('/', scheme_end + 3);
    rest = path_start == std::string_view::npos ? "/" : url.substr(path_start);
  }
  return std::string(rest.substr(0, rest.find('?')));
}

Result<std::string> ResolveNextUrl(std::string_view base_url, std::string_view request_url,
                                   std::string_view next) {
  std::string target = ResolveReference(request_url, next);
  const std::string origin = Origin(target);
  const std::string base_origin = Origin(base_url);
  if (origin != base_origin) {
    return FailedPrecondition(
        "refusing to follow a next-page URL on another origin (" +
        (origin.empty() ? "\"" + std::string(next.substr(0, 80)) + "\"" : origin) + " is not " +
        base_origin + "): credentials are only sent to connection.base_url's host");
  }
  return target;
}

std::optional<std::string> ParseLinkNext(std::string_view header) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t open = header.find('<', pos);
    size_t close = header.find('>', open == std::string_view::npos ? pos : open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view target = header.substr(open + 1, close - open - 1);
    // Parameters run to the next ',' that starts another link (outside quotes).
    size_t end = close + 1;
    bool quoted = false;
    while (end < header.size() && (quoted || header[end] != ',')) {
      quoted = header[end] == '"' ? !quoted : quoted;
      ++end;
    }
    std::string params(header.substr(close + 1, end - close - 1));
    std::transform(params.begin(), params.end(), params.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t rel = params.find("rel=");
    if (rel != std::string::npos) {
      std::string value = params.substr(rel + 4);
      value = value.substr(0, value.find(';'));
      std::erase(value, '"');
      // rel may list several relation types separated by spaces ("next last").
      size_t start = 0;
      while (start < value.size()) {
        size_t space = value.find(' ', start);
        if (value.substr(start, space - start) == "next") {
          return std::string(target);
        }
        if (space == std::string::npos) {
          break;
        }
        start = space + 1;
      }
    }
    pos = end + 1;
  }
  return std::nullopt;
}

TemplateValues ListValues(const RestOptions& o, const RestCursor& cursor) {
  TemplateValues v;
  v.since = cursor.window.since();
  v.since_format = o.since_format;
  v.page_size = o.page_size;
  v.cursor = o.page_style == PageStyle::kCursor ? cursor.next : "";
  v.page = o.page_style == PageStyle::kPage && !cursor.next.empty()
               ? ParseInt64(cursor.next).value_or(o.page_start)
               : o.page_start;
  v.offset = o.page_style == PageStyle::kOffset && !cursor.next.empty()
                 ? ParseInt64(cursor.next).value_or(0)
                 : 0;
  return v;
}

HttpHeaders ExpandHeaders(const HeaderTemplates& headers, const TemplateValues& values) {
  HttpHeaders out;
  for (const auto& [name, value] : headers) {
    out.emplace_back(name, Expand(value, values, Escape::kNone));
  }
  return out;
}

RestRequest ListRequest(const RestOptions& o, std::string_view base_url, const RestCursor& cursor) {
  const TemplateValues values = ListValues(o, cursor);
  RestRequest request;
  request.method = o.list_method;
  request.headers = ExpandHeaders(o.list_headers, values);
  if (!o.list_body.empty()) {
    request.body = Expand(o.list_body, values, Escape::kJson);
  }
  const bool url_style =
      o.page_style == PageStyle::kLinkHeader || o.page_style == PageStyle::kNextUrl;
  if (url_style && !cursor.next.empty()) {
    request.url = cursor.next;  // already resolved and origin-checked
    return request;
  }
  std::string url = JoinUrl(base_url, Expand(o.list_path, values, Escape::kPath));
  for (const auto& [param, value] : o.extra_query) {
    AppendQuery(url, param, Expand(value, values, Escape::kNone));
  }
  if (!o.modified_since_param.empty()) {
    AppendQuery(url, o.modified_since_param, FormatInstant(*values.since, o.since_format));
  }
  if (!o.size_param.empty()) {
    AppendQuery(url, o.size_param, std::to_string(o.page_size));
  }
  if (!o.paging_in_template) {
    switch (o.page_style) {
      case PageStyle::kCursor:
        if (!cursor.next.empty()) {
          AppendQuery(url, o.page_param, cursor.next);
        }
        break;
      case PageStyle::kPage:
        AppendQuery(url, o.page_param, std::to_string(values.page));
        break;
      case PageStyle::kOffset:
        AppendQuery(url, o.page_param, std::to_string(values.offset));
        break;
      default:
        break;
    }
  }
  request.url = std::move(url);
  return request;
}

Result<json> SingleUpdateBody(const RestOptions& o, std::string_view id, const json& fields) {
  if (o.update_body.empty() && o.update_fields_at.empty()) {
    return fields;
  }
  TemplateValues values;
  values.id = std::string(id);
  json body = o.update_body.empty()
                  ? json::object()
                  : json::parse(Expand(o.update_body, values, Escape::kJson), nullptr,
                                /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return FailedPrecondition("update.body is not a JSON object once {id} is filled in");
  }
  json* at = &body;
  for (const std::string& token : PointerTokens(o.update_fields_at)) {
    if (!at->is_object()) {
      return FailedPrecondition("update.fields_at = \"" + o.update_fields_at +
                                "\" passes through " + JsonKind(*at) + " in update.body");
    }
    at = &(*at)[token];
  }
  if (at->is_null()) {
    *at = json::object();
  }
  if (!at->is_object()) {
    return FailedPrecondition("update.fields_at = \"" + o.update_fields_at + "\" points at " +
                              JsonKind(*at) + " in update.body, not an object");
  }
  for (const auto& [key, value] : fields.items()) {
    (*at)[key] = value;
  }
  return body;
}

RestRequest GetRequest(const RestOptions& o, std::string_view base_url, std::string_view id) {
  TemplateValues values;
  values.id = std::string(id);
  RestRequest request;
  request.method = "GET";
  request.url = JoinUrl(base_url, Expand(o.get_path, values, Escape::kPath));
  request.headers = ExpandHeaders(o.get_headers, values);
  return request;
}

namespace {

// list.page.more: false ends the pass. nullopt when not configured.
Result<std::optional<bool>> MoreFlag(const RestOptions& o, const json& body) {
  if (o.page_more_pointer.empty()) {
    return std::optional<bool>();
  }
  const json* v = ResolvePointer(body, o.page_more_pointer);
  if (v == nullptr || !v->is_boolean()) {
    return FailedPrecondition("list.page.more = \"" + o.page_more_pointer + "\" points at " +
                              (v ? JsonKind(*v) : std::string("nothing")) +
                              " in the list response, expected true or false");
  }
  return std::optional<bool>(v->get<bool>());
}

// list.page.total_pages: whether `page` is the last. nullopt when not configured.
Result<std::optional<bool>> LastByTotal(const RestOptions& o, const json& body, int64_t page) {
  if (o.page_total_pages_pointer.empty()) {
    return std::optional<bool>();
  }
  const json* v = ResolvePointer(body, o.page_total_pages_pointer);
  if (v == nullptr || !v->is_number_integer()) {
    return FailedPrecondition("list.page.total_pages = \"" + o.page_total_pages_pointer +
                              "\" points at " + (v ? JsonKind(*v) : std::string("nothing")) +
                              " in the list response, expected the number of pages");
  }
  return std::optional<bool>(page >= v->get<int64_t>());
}

}  // namespace

Result<std::string> NextPageToken(const RestOptions& o, std::string_view base_url,
                                  std::string_view request_url, const RestCursor& cursor,
                                  const json& body, const HttpHeaders& headers,
                                  size_t record_count) {
  if (o.page_style == PageStyle::kNone) {
    return std::string();
  }
  auto more = MoreFlag(o, body);
  if (!more.ok()) {
    return more.status();
  }
  if (*more == false) {
    return std::string();
  }
  std::string next;
  switch (o.page_style) {
    case PageStyle::kNone:
      return std::string();
    case PageStyle::kCursor: {
      auto token = BodyToken(o, body);
      if (!token.ok())
        return token.status();
      next = std::move(*token);
      break;
    }
    case PageStyle::kPage: {
      // An empty page ends the pass: a short page may only mean the server caps
      // the page size below ours, so it is not taken as the end.
      if (record_count == 0)
        return std::string();
      const int64_t current = ListValues(o, cursor).page;
      auto last = LastByTotal(o, body, current);
      if (!last.ok())
        return last.status();
      if (*last == true)
        return std::string();
      next = std::to_string(current + 1);
      break;
    }
    case PageStyle::kOffset: {
      if (record_count == 0)
        return std::string();
      next = std::to_string(ListValues(o, cursor).offset + static_cast<int64_t>(record_count));
      break;
    }
    case PageStyle::kLinkHeader: {
      auto link = FindHeader(headers, "Link");
      auto target = link ? ParseLinkNext(*link) : std::nullopt;
      if (!target)
        break;
      auto url = ResolveNextUrl(base_url, request_url, *target);
      if (!url.ok())
        return url.status();
      next = std::move(*url);
      break;
    }
    case PageStyle::kNextUrl: {
      auto token = BodyToken(o, body);
      if (!token.ok())
        return token.status();
      if (token->empty())
        break;
      auto url = ResolveNextUrl(base_url, request_url, *token);
      if (!url.ok())
        return url.status();
      next = std::move(*url);
      break;
    }
  }
  if (next.empty() && *more == true) {
    return FailedPrecondition("the list response says more pages follow (list.page.more = \"" +
                              o.page_more_pointer + "\" is true) but gives no next " +
                              std::string(PageStyleName(o.page_style)) +
                              ": check list.page.next / list.page.style");
  }
  if (!next.empty() && next == cursor.next) {
    // Following it would loop forever.
    return FailedPrecondition("the list response repeated the current page's next " +
                              std::string(PageStyleName(o.page_style)) + " \"" +
                              UrlPathForMessages(next) + "\": the API does not advance");
  }
  return next;
}

}  // namespace dealsync::connectors::rest
