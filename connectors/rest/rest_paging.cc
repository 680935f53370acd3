#include "connectors/rest/rest_paging.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace dealsync::connectors::rest {
namespace {

using nlohmann::json;

// RFC 6901 token unescaping: ~1 -> '/', ~0 -> '~'.
std::string Unescape(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      out.push_back(token[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

std::vector<std::string> Tokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) {
    return tokens;
  }
  size_t pos = 1;
  while (true) {
    size_t slash = pointer.find('/', pos);
    tokens.push_back(Unescape(pointer.substr(pos, slash - pos)));
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  return tokens;
}

std::optional<size_t> ArrayIndex(const std::string& token) {
  size_t index = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (ec != std::errc() || ptr != token.data() + token.size() || token.empty()) {
    return std::nullopt;
  }
  return index;
}

void AppendQuery(std::string& url, std::string_view param, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += UrlEncode(param);
  url += '=';
  url += UrlEncode(value);
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
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

const json* ResolvePointer(const json& root, std::string_view pointer) {
  const json* node = &root;
  for (const std::string& token : Tokens(pointer)) {
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) {
        return nullptr;
      }
      node = &*it;
    } else if (node->is_array()) {
      auto index = ArrayIndex(token);
      if (!index || *index >= node->size()) {
        return nullptr;
      }
      node = &(*node)[*index];
    } else {
      return nullptr;
    }
  }
  return node;
}

void SetAtPointer(json& root, std::string_view pointer, json value) {
  json* node = &root;
  for (const std::string& token : Tokens(pointer)) {
    if (!node->is_object()) {
      *node = json::object();
    }
    node = &(*node)[token];
  }
  *node = std::move(value);
}

std::string JsonKind(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

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

std::string UrlOrigin(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return "";
  }
  auto path_start = url.find_first_of("/?#", scheme_end + 3);
  std::string origin(url.substr(0, path_start));
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return origin;
}

std::string UrlPathForMessages(std::string_view url) {
  std::string_view rest = url;
  if (auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    auto path_start = url.find('/', scheme_end + 3);
    rest = path_start == std::string_view::npos ? "/" : url.substr(path_start);
  }
  return std::string(rest.substr(0, rest.find('?')));
}

Result<std::string> ResolveNextUrl(std::string_view base_url, std::string_view next) {
  const std::string base_origin = UrlOrigin(base_url);
  if (next.find("://") != std::string_view::npos) {
    if (UrlOrigin(next) != base_origin) {
      return FailedPrecondition("refusing to follow a next-page URL on another origin (" +
                                UrlOrigin(next) + " is not " + base_origin +
                                "): credentials are only sent to connection.base_url's host");
    }
    return std::string(next);
  }
  if (!next.empty() && next.front() == '/') {
    return base_origin + std::string(next);
  }
  return JoinUrl(base_url, next);
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

std::string FormatSince(int64_t epoch_ms, TimeFormat format) {
  switch (format) {
    case TimeFormat::kEpochMs:
      return std::to_string(epoch_ms);
    case TimeFormat::kEpochS:
      return std::to_string(epoch_ms / 1000);
    case TimeFormat::kIso8601:
      break;
  }
  using namespace std::chrono;
  const sys_seconds t = floor<seconds>(sys_time<milliseconds>(milliseconds(epoch_ms)));
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string ExpandId(std::string_view path, std::string_view id) {
  std::string out(path);
  const std::string encoded = UrlEncode(id);
  for (size_t at = out.find("{id}"); at != std::string::npos; at = out.find("{id}", at)) {
    out.replace(at, 4, encoded);
    at += encoded.size();
  }
  return out;
}

std::string ListUrl(const RestOptions& o, std::string_view base_url, const RestCursor& cursor) {
  const bool url_style =
      o.page_style == PageStyle::kLinkHeader || o.page_style == PageStyle::kNextUrl;
  if (url_style && !cursor.next.empty()) {
    return cursor.next;  // already resolved and origin-checked
  }
  std::string url = JoinUrl(base_url, o.list_path);
  for (const auto& [param, value] : o.extra_query) {
    AppendQuery(url, param, value);
  }
  if (o.modified_since) {
    AppendQuery(url, o.modified_since->param,
                FormatSince(EpochMs(cursor.window.since()), o.modified_since->format));
  }
  if (!o.size_param.empty()) {
    AppendQuery(url, o.size_param, std::to_string(o.page_size));
  }
  switch (o.page_style) {
    case PageStyle::kCursor:
      if (!cursor.next.empty()) {
        AppendQuery(url, o.page_param, cursor.next);
      }
      break;
    case PageStyle::kPage:
      AppendQuery(url, o.page_param,
                  cursor.next.empty() ? std::to_string(o.page_start) : cursor.next);
      break;
    case PageStyle::kOffset:
      AppendQuery(url, o.page_param, cursor.next.empty() ? "0" : cursor.next);
      break;
    default:
      break;
  }
  return url;
}

Result<std::string> NextPageToken(const RestOptions& o, std::string_view base_url,
                                  const RestCursor& cursor, const json& body,
                                  const HttpHeaders& headers, size_t record_count) {
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
      const int64_t current =
          cursor.next.empty() ? o.page_start : ParseInt(cursor.next).value_or(o.page_start);
      return std::to_string(current + 1);
    }
    case PageStyle::kOffset: {
      if (record_count == 0)
        return std::string();
      const int64_t current = cursor.next.empty() ? 0 : ParseInt(cursor.next).value_or(0);
      return std::to_string(current + static_cast<int64_t>(record_count));
    }
    case PageStyle::kLinkHeader: {
      auto link = FindHeader(headers, "Link");
      auto target = link ? ParseLinkNext(*link) : std::nullopt;
      if (!target)
        return std::string();
      auto url = ResolveNextUrl(base_url, *target);
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
        return std::string();
      auto url = ResolveNextUrl(base_url, *token);
      if (!url.ok())
        return url.status();
      next = std::move(*url);
      break;
    }
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
