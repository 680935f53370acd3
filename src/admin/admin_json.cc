#include "src/admin/admin_json.h"

#include <algorithm>

#include <cctype>

#include "dealsync/hex_digit.h"
#include "src/admin/host_check.h"

namespace dealsync::admin {

using nlohmann::json;

namespace {

json ChangeToJson(const FieldChange& change) {
  json j = {{"value", change.value}, {"journal_seq", change.journal_seq}};
  j["modified_at"] = FormatTimestamp(change.modified_at);
  if (!change.modified_by.empty()) {
    j["modified_by"] = change.modified_by;
  }
  return j;
}

}  // namespace

json LinkToJson(const Link& link) {
  return {{"id", link.id},
          {"partner", link.partner},
          {"vendor_id", link.vendor_id},
          {"partner_id", link.partner_id},
          {"key_kind", link.key_kind},
          {"key_value", link.key_value},
          {"created_at", FormatTimestamp(link.created_at)}};
}

json ConflictToJson(const Conflict& c) {
  json j = {{"id", c.id},
            {"link_id", c.link_id},
            {"partner", c.partner},
            {"field", std::string(FieldName(c.field))},
            {"deal_name", c.deal_name},
            {"account", c.account},
            {"vendor_id", c.vendor_id},
            {"partner_id", c.partner_id},
            {"base_value", c.base_value},
            {"vendor", ChangeToJson(c.vendor)},
            {"partner_change", ChangeToJson(c.partner_change)},
            {"rule", c.rule},
            {"outcome_value", c.outcome_value},
            {"explanation", c.explanation},
            {"flags", c.flags},
            {"status", std::string(ConflictStatusName(c.status))},
            {"detected_at", FormatTimestamp(c.detected_at)},
            {"value_at_stake_minor", c.value_at_stake_minor}};
  if (!c.resolved_by.empty()) {
    j["resolved_by"] = c.resolved_by;
  }
  if (c.resolved_at) {
    j["resolved_at"] = FormatTimestamp(*c.resolved_at);
  }
  return j;
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  // Replace invalid UTF-8 from remote data instead of throwing.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

HttpResponse JsonError(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorFromStatus(const Status& status) {
  std::string code(StatusCodeName(status.code()));
  for (char& ch : code) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return JsonError(HttpStatusFor(status), code, status.message());
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return std::nullopt;  // truncated escape
      }
      const int hi = HexDigitValue(s[i + 1]);
      const int lo = HexDigitValue(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    const size_t eq = part.find('=');
    auto key = PercentDecode(part.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
    if (!key || !value || !out.emplace(std::move(*key), std::move(*value)).second) {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<Target> ParseTarget(std::string_view url) {
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const size_t path = url.find('/', scheme + 3);
    url = path == std::string_view::npos ? std::string_view("/") : url.substr(path);
  }
  Target t;
  if (const size_t q = url.find('?'); q != std::string_view::npos) {
    t.query = std::string(url.substr(q + 1));
    url = url.substr(0, q);
  }
  while (!url.empty()) {
    const size_t slash = url.find('/');
    std::string_view seg = url.substr(0, slash);
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash + 1);
    if (seg.empty()) {
      continue;
    }
    auto decoded = PercentDecode(seg, false);
    if (!decoded) {
      return std::nullopt;
    }
    t.segments.push_back(std::move(*decoded));
  }
  return t;
}

std::string JoinPath(const std::vector<std::string>& segments, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) {
      out += '/';
    }
    out += segments[i];
  }
  return out;
}

HttpResponse MethodNotAllowed(std::string_view allow) {
  HttpResponse r = JsonError(405, "method_not_allowed", "allowed: " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

Result<std::map<std::string, std::string>> QueryParams(
    std::string_view query, const std::vector<std::string_view>& allowed) {
  auto params = ParseQuery(query);
  if (!params) {
    return InvalidArgument("malformed query string");
  }
  for (const auto& [key, value] : *params) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgument("unknown query parameter \"" + key + "\"");
    }
  }
  return std::move(*params);
}

std::optional<HttpResponse> RefuseForeignHost(const HttpRequest& request,
                                              const std::vector<std::string>& allowed_hosts) {
  if (allowed_hosts.empty()) {
    return std::nullopt;
  }
  auto host = FindHeader(request.headers, "Host");
  if (!host || HostAllowed(*host, allowed_hosts)) {
    return std::nullopt;
  }
  return JsonError(403, "host_not_allowed",
                   "Host \"" + std::string(host->substr(0, 100)) +
                       "\" is not a name of this server; add it to [admin] allowed_hosts");
}

}  // namespace dealsync::admin
