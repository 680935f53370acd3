// Dynamics365Sim: token endpoint, routing, reads (list, delta, by id,
// currencies) and rendering. Writes and $batch are in dynamics365_write.cc.
#include "tests/simulators/dynamics365_sim.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

constexpr const char* kApi = "/api/data/v9.2/";
constexpr const char* kFormatted = "@OData.Community.Display.V1.FormattedValue";
// The OData layer's generic code (bad query options, unknown properties, type errors).
constexpr const char* kODataError = "0x80060888";

const char* StateName(int64_t s) {
  return s == 1 ? "Won" : s == 2 ? "Lost" : "Open";
}

const char* SalesStageName(int64_t s) {
  static const char* kNames[] = {"Qualify", "Develop", "Propose", "Close"};
  return s >= 0 && s < 4 ? kNames[s] : "";
}

const char* StatusName(int64_t s) {
  switch (s) {
    case 1:
      return "In Progress";
    case 2:
      return "On Hold";
    case 3:
      return "Won";
    case 4:
      return "Canceled";
    case 5:
      return "Out-Sold";
    default:
      return "";
  }
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ')
      item.erase(item.begin());
    while (!item.empty() && item.back() == ' ')
      item.pop_back();
    out.push_back(item);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

// "12/01/2026 09:47:00" (the time half of a Dataverse delta token).
std::string TokenTime(Timestamp t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%m/%d/%Y %H:%M:%S", &tm);
  return buf;
}

}  // namespace

Dynamics365Sim::Dynamics365Sim(Clock& clock, Random& random, Dynamics365SimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {
  columns_ = {"opportunityid",
              "name",
              "statecode",
              "statuscode",
              "salesstage",
              "stepname",
              "estimatedvalue",
              "estimatedclosedate",
              "modifiedon",
              "createdon",
              "versionnumber",
              "_transactioncurrencyid_value",
              "_parentaccountid_value",
              "_ownerid_value",
              "_customerid_value",
              "description",
              "actualvalue",
              "actualclosedate"};
  for (const auto& c : config_.custom_columns)
    columns_.insert(c);
  int n = 1;
  for (const auto& iso : config_.currencies) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "c0ffee%02d-0000-4000-8000-%012d", n, n);
    currency_ids_[iso] = buf;
    ++n;
  }
}

std::string Dynamics365Sim::CurrencyId(const std::string& iso) const {
  auto it = currency_ids_.find(iso);
  return it == currency_ids_.end() ? "" : it->second;
}

std::string Dynamics365Sim::NewGuid() {
  char buf[48];
  const uint64_t n = next_guid_++;
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-8000-%012llx",
                static_cast<unsigned long long>(0x0d365000 + (n >> 20)),
                static_cast<unsigned long long>(n & 0xffff),
                static_cast<unsigned long long>((n >> 16) & 0xfff),
                static_cast<unsigned long long>(n));
  return buf;
}

std::string Dynamics365Sim::Etag(const SimRecord& r) const {
  return "W/\"" + std::to_string(r.fields.value("versionnumber", uint64_t{0})) + "\"";
}

void Dynamics365Sim::Touch(SimRecord& r) {
  r.modified_at = Now();
  r.fields["versionnumber"] = ++version_;
}

HttpResponse Dynamics365Sim::Error(const HttpRequest& request, const RequestTarget& target,
                                   int status, const std::string& code, const std::string& message,
                                   bool benign) {
  if (!benign)
    Violate(request, target, code, message);
  HttpResponse r = JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
  r.headers.emplace_back("OData-Version", "4.0");
  return r;
}

HttpResponse Dynamics365Sim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit:
      // Service protection: 429 with Retry-After (api-limits page).
      return JsonResponse(
          429,
          {{"error",
            {{"code", "0x80072322"},
             {"message",
              "Number of requests exceeded the limit of 6000 over time window of 300 seconds."}}}},
          {{"Retry-After", std::to_string(rule.retry_after_s)}});
    case FaultKind::kExpireToken: {
      HttpResponse r;
      r.status = 401;
      r.headers.emplace_back("WWW-Authenticate",
                             "Bearer error=invalid_token, error_description=\"The access token "
                             "expired\", authorization_uri=https://login.microsoftonline.com/" +
                                 config_.tenant_id + "/oauth2/authorize");
      return r;
    }
    default:
      return JsonResponse(
          rule.status,
          {{"error", {{"code", "0x80040216"}, {"message", "An unexpected error occurred."}}}});
  }
}

void Dynamics365Sim::AddLimitHeaders(HttpResponse& response) {
  response.headers.emplace_back("x-ms-ratelimit-burst-remaining-xrm-requests", "5999");
  response.headers.emplace_back("x-ms-ratelimit-time-remaining-xrm-requests", "1200000.00");
}

HttpResponse Dynamics365Sim::Token(const HttpRequest& request, const RequestTarget& target) {
  // Entra ID v2.0 client credentials grant: form POST, client secret in the form.
  auto aad = [&](int status, const std::string& error, const std::string& description) {
    Violate(request, target, "token." + error, description);
    return JsonResponse(status, {{"error", error},
                                 {"error_description", description},
                                 {"error_codes", Json::array({70000})},
                                 {"timestamp", IsoSecondsZ(Now())},
                                 {"trace_id", RandomHex(8)},
                                 {"correlation_id", RandomHex(8)}});
  };
  if (request.method != "POST") {
    return aad(405, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.");
  }
  if (!HasFormContentType(request)) {
    return aad(400, "invalid_request",
               "AADSTS900144: The request body must contain the following parameter: "
               "'grant_type'.");
  }
  std::map<std::string, std::string> form;
  for (auto& [k, v] : ParseForm(request.body))
    form[k] = v;
  if (form["grant_type"] != "client_credentials") {
    return aad(
        400, "unsupported_grant_type",
        "AADSTS70003: The app requested an unsupported grant type '" + form["grant_type"] + "'.");
  }
  if (form["client_id"] != config_.client_id) {
    return aad(400, "unauthorized_client",
               "AADSTS700016: Application with identifier '" + form["client_id"] +
                   "' was not found in the directory.");
  }
  if (form["client_secret"] != config_.client_secret) {
    return aad(401, "invalid_client",
               "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
               "the request is the client secret value, not the client secret ID.");
  }
  if (form["scope"] != Scope()) {
    return aad(400, "invalid_scope",
               "AADSTS70011: The provided request must include a 'scope' input parameter. The "
               "provided value for the input parameter 'scope' is not valid: '" +
                   form["scope"] + "' (want '" + Scope() + "').");
  }
  const std::string token = "eyJ0eXAiOiJKV1Qi." + RandomHex(40);
  tokens_[token] = Now() + config_.token_lifetime;
  return JsonResponse(200, {{"token_type", "Bearer"},
                            {"expires_in", config_.token_lifetime.count()},
                            {"ext_expires_in", config_.token_lifetime.count()},
                            {"access_token", token}});
}

Result<Dynamics365Sim::Prefer> Dynamics365Sim::ParsePrefer(const HttpRequest& request) const {
  Prefer p;
  p.max_page_size = config_.max_page_size;
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    for (char& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "prefer")
      continue;
    for (const std::string& item : SplitList(value)) {
      if (item == "odata.track-changes") {
        p.track_changes = true;
      } else if (item.rfind("odata.maxpagesize=", 0) == 0) {
        auto n = ParseInt(item.substr(18));
        if (!n || *n < 1)
          return InvalidArgument("odata.maxpagesize must be a positive integer");
        p.max_page_size = static_cast<int>(std::min<int64_t>(*n, config_.max_page_size));
      } else if (item.rfind("odata.include-annotations=", 0) == 0) {
        std::string v = item.substr(26);
        if (v.size() < 2 || v.front() != '"' || v.back() != '"') {
          return InvalidArgument("odata.include-annotations wants a quoted value");
        }
        v = v.substr(1, v.size() - 2);
        p.formatted = v == "*" || v == "OData.Community.Display.V1.FormattedValue";
      } else if (item == "return=representation") {
        p.return_representation = true;
      } else if (item == "odata.continue-on-error") {
        p.continue_on_error = true;
      } else if (!item.empty()) {
        return InvalidArgument("unsupported preference " + item);
      }
    }
  }
  return p;
}

HttpResponse Dynamics365Sim::Serve(const HttpRequest& request, const RequestTarget& target) {
  if (target.path == TokenPath())
    return Token(request, target);
  if (target.path.rfind(kApi, 0) != 0) {
    return Error(request, target, 404, kODataError,
                 "Resource not found for the segment '" + target.path + "'.");
  }
  return Api(request, target, false);
}

HttpResponse Dynamics365Sim::Api(const HttpRequest& request, const RequestTarget& target,
                                 bool in_batch) {
  auto token = BearerToken(request);
  auto it = token ? tokens_.find(*token) : tokens_.end();
  if (it == tokens_.end() || it->second <= Now()) {
    if (it != tokens_.end())
      tokens_.erase(it);
    HttpResponse r;
    r.status = 401;
    r.headers.emplace_back("WWW-Authenticate",
                           "Bearer authorization_uri=https://login.microsoftonline.com/" +
                               config_.tenant_id +
                               "/oauth2/authorize, resource_id=" + public_base_url_);
    return r;
  }
  if (auto v = FindHeader(request.headers, "OData-Version"); v && *v != "4.0") {
    return Error(request, target, 400, kODataError,
                 "The value '" + std::string(*v) + "' of the OData-Version header is invalid.");
  }
  if (auto v = FindHeader(request.headers, "OData-MaxVersion"); v && *v != "4.0") {
    return Error(request, target, 400, kODataError,
                 "The value '" + std::string(*v) + "' of the OData-MaxVersion header is invalid.");
  }
  if (auto accept = FindHeader(request.headers, "Accept");
      accept && accept->find("application/json") == std::string_view::npos &&
      accept->find("*/*") == std::string_view::npos) {
    return Error(request, target, 406, kODataError,
                 "The requested media type '" + std::string(*accept) + "' is not supported.");
  }
  auto prefer = ParsePrefer(request);
  if (!prefer.ok())
    return Error(request, target, 400, kODataError, prefer.status().message());
  for (const auto& [name, value] : target.params) {
    static const std::set<std::string> kOptions{"$select", "$filter",    "$orderby",
                                                "$top",    "$skiptoken", "$deltatoken"};
    if (name.rfind("$", 0) == 0 ? kOptions.count(name) == 0 : true) {
      return Error(request, target, 400, kODataError,
                   "The query parameter " + name + " is not supported");
    }
  }
  const std::string rest = target.path.substr(std::string(kApi).size());
  if (rest == "$batch") {
    if (in_batch)
      return Error(request, target, 400, kODataError, "$batch inside $batch");
    if (request.method != "POST") {
      return Error(request, target, 405, kODataError, "The HTTP verb is not allowed for $batch.");
    }
    return Batch(request, target, *prefer);
  }
  if (rest == "opportunities") {
    if (request.method != "GET") {
      return Error(request, target, 405, kODataError,
                   "The HTTP verb " + request.method +
                       " is not supported here (creates are "
                       "not part of this simulator).");
    }
    return List(request, target, *prefer);
  }
  if (rest == "transactioncurrencies" && request.method == "GET") {
    return Currencies(request, target);
  }
  if (rest == "WinOpportunity" || rest == "LoseOpportunity") {
    if (request.method != "POST") {
      return Error(request, target, 405, kODataError, "Actions are invoked with POST.");
    }
    return Close(request, target, rest == "WinOpportunity");
  }
  const std::string prefix = "opportunities(";
  if (rest.rfind(prefix, 0) == 0 && rest.back() == ')') {
    const std::string id = rest.substr(prefix.size(), rest.size() - prefix.size() - 1);
    if (request.method == "GET")
      return Retrieve(request, target, id, *prefer);
    if (request.method == "PATCH")
      return Patch(request, target, id, *prefer);
    return Error(request, target, 405, kODataError,
                 "The HTTP verb " + request.method + " is not supported here.");
  }
  return Error(request, target, 404, kODataError,
               "Resource not found for the segment '" + rest + "'.");
}

std::string Dynamics365Sim::CheckSelect(const std::vector<std::string>& select) const {
  for (const auto& c : select) {
    if (columns_.count(c) == 0) {
      return "Could not find a property named '" + c +
             "' on type 'Microsoft.Dynamics.CRM.opportunity'.";
    }
  }
  return "";
}

Json Dynamics365Sim::Render(const SimRecord& r, const std::vector<std::string>& select,
                            bool formatted) const {
  Json out = Json::object();
  out["@odata.etag"] = Etag(r);
  out["opportunityid"] = r.id;  // the primary key comes with every row, selected or not
  std::vector<std::string> cols = select;
  if (cols.empty())
    cols.assign(columns_.begin(), columns_.end());
  const Json& f = r.fields;
  auto set_lookup = [&](const std::string& col, const std::string& id, const std::string& name) {
    out[col] = id.empty() ? Json() : Json(id);
    if (formatted && !id.empty())
      out[col + kFormatted] = name;
  };
  for (const std::string& c : cols) {
    if (c == "opportunityid") {
      out[c] = r.id;
    } else if (c == "modifiedon") {
      out[c] = IsoSecondsZ(r.modified_at);
      if (formatted)
        out[c + kFormatted] = IsoSecondsZ(r.modified_at);
    } else if (c == "createdon") {
      out[c] = IsoSecondsZ(r.created_at);
    } else if (c == "_transactioncurrencyid_value") {
      const std::string iso = f.value("currency", config_.base_currency);
      set_lookup(c, CurrencyId(iso), iso);
    } else if (c == "_parentaccountid_value" || c == "_customerid_value") {
      const std::string name = f.value("account", "");
      set_lookup(c,
                 name.empty()
                     ? ""
                     : "acc0" + std::to_string(std::hash<std::string>{}(name) % 100000000) +
                           "-0000-4000-8000-000000000000",
                 name);
    } else if (c == "_ownerid_value") {
      const std::string name = f.value("owner", "");
      set_lookup(c,
                 name.empty() ? ""
                              : "0e0e" + std::to_string(std::hash<std::string>{}(name) % 10000) +
                                    "-0000-4000-8000-000000000000",
                 name);
    } else {
      out[c] = f.contains(c) ? f.at(c) : Json();
      if (formatted && !out[c].is_null()) {
        if (c == "statecode")
          out[c + kFormatted] = StateName(out[c].get<int64_t>());
        if (c == "statuscode")
          out[c + kFormatted] = StatusName(out[c].get<int64_t>());
        if (c == "salesstage")
          out[c + kFormatted] = SalesStageName(out[c].get<int64_t>());
        if (c == "estimatedvalue") {
          out[c + kFormatted] = f.value("currency", config_.base_currency) + " " + out[c].dump();
        }
      }
    }
  }
  return out;
}

std::string Dynamics365Sim::DeltaLink(const std::vector<std::string>& select,
                                      uint64_t version) const {
  std::string s;
  for (const auto& c : select)
    s += (s.empty() ? "" : ",") + c;
  return public_base_url_ + kApi + "opportunities?$select=" + s +
         "&$deltatoken=" + UrlEncode(std::to_string(version) + "!" + TokenTime(Now()));
}

HttpResponse Dynamics365Sim::List(const HttpRequest& request, const RequestTarget& target,
                                  const Prefer& p) {
  if (auto skip = target.Param("$skiptoken")) {
    const size_t dash = skip->rfind('-');
    auto offset = dash == std::string::npos ? std::nullopt : ParseInt(skip->substr(dash + 1));
    const std::string sid = dash == std::string::npos ? "" : skip->substr(0, dash);
    if (!offset || snapshots_.count(sid) == 0) {
      return Error(request, target, 400, kODataError, "The $skiptoken is invalid.");
    }
    if (snapshots_[sid].track != p.track_changes) {
      return Error(request, target, 400, kODataError,
                   "The nextLink must be requested with the same Prefer headers.");
    }
    return Page(sid, static_cast<size_t>(*offset), p);
  }
  std::vector<std::string> select;
  if (auto s = target.Param("$select"))
    select = SplitList(*s);
  if (std::string bad = CheckSelect(select); !bad.empty()) {
    return Error(request, target, 400, kODataError, bad);
  }
  if (select.empty()) {
    // Legal in Dataverse, but it returns every column: dealsync always selects.
    Violate(request, target, "query.no_select", "a read without $select");
  }
  const auto filter = target.Param("$filter");
  const auto orderby = target.Param("$orderby");
  const auto delta = target.Param("$deltatoken");
  Snapshot snap;
  snap.select = select;
  snap.track = p.track_changes;
  if (p.track_changes) {
    if (!config_.change_tracking_enabled) {
      return Error(request, target, 400, kODataError,
                   "The entity opportunity is not enabled for change tracking.");
    }
    if (filter || orderby || target.Param("$top")) {
      return Error(request, target, 400, kODataError,
                   "Change tracking does not support the $filter, $orderby or $top query "
                   "options.");
    }
  } else if (delta) {
    return Error(request, target, 400, kODataError,
                 "A $deltatoken needs the odata.track-changes preference.");
  }
  std::vector<const SimRecord*> rows;
  if (delta) {
    const size_t bang = delta->find('!');
    auto v = ParseInt(delta->substr(0, bang));
    if (bang == std::string::npos || !v) {
      return Error(request, target, 400, kODataError, "The $deltatoken is invalid.");
    }
    if (static_cast<uint64_t>(*v) < min_valid_version_) {
      // An expired token: the client has to start over with a full read.
      return Error(request, target, 400, "0x80044352",
                   "Version stamp associated with the client has expired. Please perform a "
                   "full sync.",
                   /*benign=*/true);
    }
    snap.delta = true;
    for (SimRecord* r : records().All()) {
      if (r->visible_at > Now() ||
          r->fields.value("versionnumber", uint64_t{0}) <= static_cast<uint64_t>(*v)) {
        continue;
      }
      snap.ids.push_back(r->id);
      if (r->deleted)
        snap.deleted.insert(r->id);
    }
  } else {
    std::optional<Timestamp> from;
    bool strict = false;
    if (filter) {
      // Supported: "modifiedon ge|gt <DateTimeOffset>".
      const std::string f = *filter;
      const bool ge = f.rfind("modifiedon ge ", 0) == 0;
      const bool gt = f.rfind("modifiedon gt ", 0) == 0;
      from = (ge || gt) ? ParseIsoDateTime(f.substr(14)) : std::nullopt;
      if (!from) {
        return Error(request, target, 400, kODataError,
                     "Syntax error at position 0 in '" + f +
                         "' (supported: modifiedon ge "
                         "<date-time>).");
      }
      strict = gt;
    }
    for (const SimRecord* r : records().Visible(Now())) {
      if (r->deleted)
        continue;
      if (from && (strict ? r->modified_at <= *from : r->modified_at < *from))
        continue;
      rows.push_back(r);
    }
    if (orderby) {
      for (const std::string& term : SplitList(*orderby)) {
        const std::string col = term.substr(0, term.find(' '));
        const std::string dir =
            term.find(' ') == std::string::npos ? "asc" : term.substr(term.find(' ') + 1);
        if ((col != "modifiedon" && col != "opportunityid") || (dir != "asc" && dir != "desc")) {
          return Error(request, target, 400, kODataError,
                       "The $orderby term '" + term + "' is not supported.");
        }
      }
      std::stable_sort(rows.begin(), rows.end(), [](const SimRecord* a, const SimRecord* b) {
        return a->modified_at != b->modified_at ? a->modified_at < b->modified_at : a->id < b->id;
      });
    }
    for (const SimRecord* r : rows)
      snap.ids.push_back(r->id);
  }
  snap.next_token_version = version_;
  const std::string sid = "s" + std::to_string(next_snapshot_++);
  snapshots_[sid] = std::move(snap);
  return Page(sid, 0, p);
}

HttpResponse Dynamics365Sim::Page(const std::string& sid, size_t offset, const Prefer& p) {
  Snapshot& snap = snapshots_[sid];
  Json value = Json::array();
  const size_t end = std::min(snap.ids.size(), offset + static_cast<size_t>(p.max_page_size));
  for (size_t i = offset; i < end; ++i) {
    const SimRecord* r = records().Find(snap.ids[i]);
    if (r == nullptr || snap.deleted.count(snap.ids[i]) != 0 || r->deleted) {
      value.push_back(
          {{"@odata.context", public_base_url_ + kApi + "$metadata#opportunities/$deletedEntity"},
           {"id", snap.ids[i]},
           {"reason", "deleted"}});
      continue;
    }
    value.push_back(Render(*r, snap.select, p.formatted));
  }
  std::string cols;
  for (const auto& c : snap.select)
    cols += (cols.empty() ? "" : ",") + c;
  Json body = {{"@odata.context", public_base_url_ + kApi + "$metadata#opportunities(" + cols +
                                      ")" + (snap.delta ? "/$delta" : "")},
               {"value", value}};
  HttpHeaders headers = {{"OData-Version", "4.0"}};
  std::string applied = "odata.maxpagesize=" + std::to_string(p.max_page_size);
  if (snap.track)
    applied = "odata.track-changes," + applied;
  if (p.formatted)
    applied += ",odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"";
  headers.emplace_back("Preference-Applied", applied);
  if (end < snap.ids.size()) {
    body["@odata.nextLink"] = public_base_url_ + kApi + "opportunities?$select=" + cols +
                              "&$skiptoken=" + sid + "-" + std::to_string(end);
  } else {
    if (snap.track)
      body["@odata.deltaLink"] = DeltaLink(snap.select, snap.next_token_version);
    snapshots_.erase(sid);
  }
  HttpResponse r = JsonResponse(200, body, headers);
  r.headers.back().second = "application/json; odata.metadata=minimal";
  return r;
}

HttpResponse Dynamics365Sim::Retrieve(const HttpRequest& request, const RequestTarget& target,
                                      const std::string& id, const Prefer& p) {
  std::vector<std::string> select;
  if (auto s = target.Param("$select"))
    select = SplitList(*s);
  if (std::string bad = CheckSelect(select); !bad.empty()) {
    return Error(request, target, 400, kODataError, bad);
  }
  const SimRecord* r = records().Find(id);
  if (r == nullptr || r->deleted || r->visible_at > Now()) {
    return Error(request, target, 404, "0x80040217",
                 "opportunity With Id = " + id + " Does Not Exist", /*benign=*/true);
  }
  Json body = Render(*r, select, p.formatted);
  body["@odata.context"] = public_base_url_ + kApi + "$metadata#opportunities/$entity";
  return JsonResponse(200, body, {{"OData-Version", "4.0"}, {"ETag", Etag(*r)}});
}

HttpResponse Dynamics365Sim::Currencies(const HttpRequest& request, const RequestTarget& target) {
  if (auto s = target.Param("$select")) {
    for (const auto& c : SplitList(*s)) {
      if (c != "transactioncurrencyid" && c != "isocurrencycode" && c != "currencyname") {
        return Error(request, target, 400, kODataError,
                     "Could not find a property named '" + c +
                         "' on type 'Microsoft.Dynamics.CRM.transactioncurrency'.");
      }
    }
  }
  Json value = Json::array();
  for (const auto& [iso, id] : currency_ids_) {
    value.push_back({{"@odata.etag", "W/\"1\""},
                     {"transactioncurrencyid", id},
                     {"isocurrencycode", iso},
                     {"currencyname", iso}});
  }
  return JsonResponse(
      200,
      {{"@odata.context", public_base_url_ + kApi + "$metadata#transactioncurrencies"},
       {"value", value}},
      {{"OData-Version", "4.0"}});
}

}  // namespace dealsync::sim
