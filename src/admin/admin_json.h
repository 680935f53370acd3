// JSON views of links and conflicts for the admin API, and the HTTP helpers
// the routes share (JSON bodies, JSON errors, Status -> HTTP status).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dealsync/http.h"
#include "dealsync/status.h"
#include "dealsync/sync_records.h"

namespace dealsync::admin {

nlohmann::json LinkToJson(const Link& link);
nlohmann::json ConflictToJson(const Conflict& conflict);

HttpResponse JsonResponse(int status, const nlohmann::json& body);
// {"error":{"code":code,"message":message}}
HttpResponse JsonError(int status, std::string_view code, std::string_view message);
// Maps a Status code to an HTTP status (kNotFound -> 404, kInvalidArgument -> 400, ...).
int HttpStatusFor(const Status& status);
HttpResponse ErrorFromStatus(const Status& status);
// 405 with an Allow header listing `allow` ("GET, POST").
HttpResponse MethodNotAllowed(std::string_view allow);
// 403 host_not_allowed when `request` names a Host outside `allowed_hosts`
// (DNS rebinding); nullopt when it may be served: the list is empty, or there
// is no Host at all (not a browser: HTTP/1.0 tools).
std::optional<HttpResponse> RefuseForeignHost(const HttpRequest& request,
                                              const std::vector<std::string>& allowed_hosts);

// A request target split into decoded path segments and the raw query.
struct Target {
  std::vector<std::string> segments;  // decoded path segments
  std::string query;                  // raw query (decoded by ParseQuery)
};
// Accepts origin-form ("/a/b?q") and absolute-form ("http://h/a/b?q") targets;
// nullopt on a malformed escape.
std::optional<Target> ParseTarget(std::string_view url);
// segments[begin, end) joined with '/'.
std::string JoinPath(const std::vector<std::string>& segments, size_t begin, size_t end);

// "%2F" -> "/", and '+' -> ' ' when `plus_is_space` (query components).
// nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// "a=1&b=x%20y" -> {a:1, b:"x y"}; nullopt on a malformed escape or a repeated key.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query);
// ParseQuery, rejecting any key outside `allowed` (a typo must not silently
// widen a filter): kInvalidArgument naming it.
Result<std::map<std::string, std::string>> QueryParams(
    std::string_view query, const std::vector<std::string_view>& allowed);

}  // namespace dealsync::admin
