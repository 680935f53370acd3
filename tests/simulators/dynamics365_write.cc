// Dynamics365Sim: control-plane edits, PATCH (If-Match, reopen, currency
// binding), the WinOpportunity / LoseOpportunity actions and $batch.
#include <algorithm>
#include <regex>

#include "tests/simulators/dynamics365_sim.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

constexpr const char* kApi = "/api/data/v9.2/";
constexpr const char* kODataError = "0x80060888";
constexpr const char* kInvalidArgument = "0x80040203";
constexpr const char* kOutOfRange = "0x80044331";
// Money columns accept -922,337,203,685,477 .. 922,337,203,685,477.
constexpr double kMoneyLimit = 922337203685477.0;

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.pop_back();
  return s;
}

std::string LowerCopy(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string BoundaryParam(const std::string& content_type) {
  const std::string lower = LowerCopy(content_type);
  const size_t at = lower.find("boundary=");
  if (at == std::string::npos)
    return "";
  std::string b = content_type.substr(at + 9);
  b = b.substr(0, b.find(';'));
  b = Trim(b);
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"')
    b = b.substr(1, b.size() - 2);
  return b;
}

// Parts of a multipart body; nullopt when malformed (no closing delimiter).
std::optional<std::vector<std::string>> MultipartParts(const std::string& body,
                                                       const std::string& boundary) {
  const std::string delim = "--" + boundary;
  std::vector<std::string> parts;
  size_t pos = body.find(delim);
  if (pos != 0 && (pos == std::string::npos || body.compare(pos - 2, 2, "\r\n") != 0)) {
    return std::nullopt;
  }
  while (true) {
    pos += delim.size();
    if (body.compare(pos, 2, "--") == 0)
      return parts;
    if (body.compare(pos, 2, "\r\n") != 0)
      return std::nullopt;
    pos += 2;
    const size_t next = body.find("\r\n" + delim, pos);
    if (next == std::string::npos)
      return std::nullopt;
    parts.push_back(body.substr(pos, next - pos));
    pos = next + 2;
  }
}

// Splits "headers CRLF CRLF rest"; header names lower-cased.
std::pair<std::map<std::string, std::string>, std::string> SplitHead(const std::string& part) {
  std::map<std::string, std::string> headers;
  size_t pos = 0;
  while (pos < part.size()) {
    size_t end = part.find("\r\n", pos);
    if (end == std::string::npos)
      end = part.size();
    const std::string line = part.substr(pos, end - pos);
    pos = std::min(part.size(), end + 2);
    if (line.empty())
      break;
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      headers[LowerCopy(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
    }
  }
  return {headers, part.substr(pos)};
}

std::string Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 412:
      return "Precondition Failed";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    default:
      return "Error";
  }
}

std::string EmbeddedHttp(const HttpResponse& r, const std::string& content_id) {
  std::string out = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
  if (!content_id.empty())
    out += "Content-ID: " + content_id + "\r\n";
  out += "\r\nHTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
  for (const auto& [k, v] : r.headers)
    out += k + ": " + v + "\r\n";
  out += "\r\n" + r.body + "\r\n";
  return out;
}

bool IsDate(const Json& v) {
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  return v.is_string() && std::regex_match(v.get<std::string>(), kDate) &&
         ParseIsoDate(v.get<std::string>()).has_value();
}

}  // namespace

Status Dynamics365Sim::ApplyControl(SimRecord& r, const Json& native) {
  static const std::set<std::string> kSystem{"opportunityid", "modified_at", "visible_at",
                                             "created_at", "deleted"};
  for (const auto& [k, v] : native.items()) {
    if (kSystem.count(k) != 0)
      continue;
    if (k == "currency") {
      if (!v.is_string() || CurrencyId(v.get<std::string>()).empty()) {
        return InvalidArgument("currency must be one of the org's ISO codes");
      }
      r.fields["currency"] = v;
    } else if (k == "account" || k == "owner" || columns_.count(k) != 0) {
      r.fields[k] = v;
    } else {
      return InvalidArgument("unknown opportunity column " + k);
    }
  }
  return Status::Ok();
}

Result<std::string> Dynamics365Sim::CreateRecord(const Json& native) {
  if (!native.is_object())
    return InvalidArgument("record must be a JSON object");
  SimRecord r;
  r.id = native.contains("opportunityid") ? native["opportunityid"].get<std::string>() : NewGuid();
  if (records().Find(r.id) != nullptr) {
    return Status(StatusCode::kAlreadyExists, "opportunity " + r.id + " exists");
  }
  r.fields = {
      {"statecode", 0}, {"statuscode", 1}, {"salesstage", 0}, {"currency", config_.base_currency}};
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(r, native));
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(r, native));
  r.fields["versionnumber"] = ++version_;
  const std::string id = r.id;
  records().Put(std::move(r));
  return id;
}

Status Dynamics365Sim::EditRecord(const std::string& id, const Json& patch) {
  SimRecord* r = records().Find(id);
  if (r == nullptr || r->deleted)
    return NotFound("no opportunity " + id);
  SimRecord copy = *r;
  DEALSYNC_RETURN_IF_ERROR(ApplyControl(copy, patch));
  Touch(copy);
  if (patch.contains("modified_at"))
    DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(copy, patch));
  copy.created_at = r->created_at;
  *r = std::move(copy);
  return Status::Ok();
}

Status Dynamics365Sim::DeleteRecord(const std::string& id) {
  DEALSYNC_RETURN_IF_ERROR(Simulator::DeleteRecord(id));
  records().Find(id)->fields["versionnumber"] = ++version_;
  return Status::Ok();
}

Json Dynamics365Sim::ControlView(const SimRecord& r) const {
  Json out = Render(r, {}, true);
  out["currency"] = r.fields.value("currency", config_.base_currency);
  out["account"] = r.fields.value("account", "");
  out["owner"] = r.fields.value("owner", "");
  out["deleted"] = r.deleted;
  return out;
}

HttpResponse Dynamics365Sim::Patch(const HttpRequest& request, const RequestTarget& target,
                                   const std::string& id, const Prefer& p) {
  if (!HasJsonContentType(request)) {
    return Error(request, target, 415, kODataError,
                 "The content type '" +
                     std::string(FindHeader(request.headers, "Content-Type").value_or("")) +
                     "' is not supported; use application/json.");
  }
  auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object()) {
    return Error(request, target, 400, kODataError,
                 "The request body is not a valid JSON object: " + request.body.substr(0, 60));
  }
  std::vector<std::string> select;
  if (auto s = target.Param("$select")) {
    for (const auto& c : std::vector<std::string>{*s}) {
      size_t start = 0;
      while (start <= c.size()) {
        size_t comma = c.find(',', start);
        select.push_back(
            c.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
    }
  }
  if (std::string bad = CheckSelect(select); !bad.empty()) {
    return Error(request, target, 400, kODataError, bad);
  }
  SimRecord* r = records().Find(id);
  auto if_match = FindHeader(request.headers, "If-Match");
  if (!if_match) {
    // Dataverse would upsert; dealsync must never write without If-Match.
    Violate(request, target, "patch.without_if_match", "PATCH " + id + " without If-Match");
  }
  if (r == nullptr || r->deleted || r->visible_at > Now()) {
    return Error(request, target, 404, "0x80040217",
                 "opportunity With Id = " + id + " Does Not Exist", /*benign=*/true);
  }
  if (if_match && *if_match != "*" && std::string(*if_match) != Etag(*r)) {
    return Error(request, target, 412, "0x80060882",
                 "The version of the existing record doesn't match the RowVersion property "
                 "provided.",
                 /*benign=*/true);
  }
  const int64_t state = r->fields.value("statecode", int64_t{0});
  SimRecord copy = *r;
  bool reopen = false;
  for (const auto& [k, v] : body->items()) {
    if (k == "statecode") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 2) {
        return Error(request, target, 400, kOutOfRange,
                     "A validation error occurred. The value " + v.dump() +
                         " of 'statecode' on record of type 'opportunity' is outside the valid "
                         "range.");
      }
      if (v.get<int64_t>() != 0) {
        return Error(request, target, 400, kInvalidArgument,
                     std::string("This message can not be used to set the state of Opportunity "
                                 "to ") +
                         (v.get<int64_t>() == 1 ? "Won. In order to set state of Opportunity to "
                                                  "Won use the WinOpportunityRequest message "
                                                  "instead."
                                                : "Lost. In order to set state of Opportunity "
                                                  "to Lost use the LoseOpportunityRequest "
                                                  "message instead."));
      }
      reopen = state != 0;
      copy.fields["statecode"] = 0;
    } else if (k == "statuscode") {
      if (!v.is_number_integer() || (v.get<int64_t>() != 1 && v.get<int64_t>() != 2)) {
        return Error(request, target, 400, kInvalidArgument,
                     v.dump() + " is not a valid status code for state code OpportunityState.Open");
      }
      copy.fields["statuscode"] = v;
    } else if (k == "salesstage") {
      const auto& options = config_.salesstage_options;
      if (!v.is_number_integer() ||
          std::find(options.begin(), options.end(), v.get<int64_t>()) == options.end()) {
        return Error(request, target, 400, kOutOfRange,
                     "A validation error occurred. The value " + v.dump() +
                         " of 'salesstage' on record of type 'opportunity' is outside the valid "
                         "range.");
      }
      copy.fields[k] = v;
    } else if (k == "estimatedvalue") {
      if (!v.is_null() &&
          (!v.is_number() || v.get<double>() > kMoneyLimit || v.get<double>() < -kMoneyLimit)) {
        return Error(
            request, target, 400, kODataError,
            "Cannot convert the literal '" + v.dump() + "' to the expected type 'Edm.Decimal'.");
      }
      copy.fields[k] = v;
    } else if (k == "estimatedclosedate") {
      if (!v.is_null() && !IsDate(v)) {
        return Error(
            request, target, 400, kODataError,
            "Cannot convert the literal '" + v.dump() + "' to the expected type 'Edm.Date'.");
      }
      copy.fields[k] = v;
    } else if (k == "transactioncurrencyid@odata.bind") {
      static const std::regex kBind(R"(/?transactioncurrencies\(([0-9a-f-]{36})\))");
      std::smatch m;
      const std::string text = v.is_string() ? v.get<std::string>() : "";
      std::string iso;
      if (std::regex_match(text, m, kBind)) {
        for (const auto& [code, cid] : currency_ids_) {
          if (cid == m[1].str())
            iso = code;
        }
      }
      if (iso.empty()) {
        return Error(request, target, 400, "0x80040217",
                     "transactioncurrency With Id = " + text + " Does Not Exist");
      }
      copy.fields["currency"] = iso;
    } else if (k == "name" || k == "stepname" || k == "description" ||
               std::find(config_.custom_columns.begin(), config_.custom_columns.end(), k) !=
                   config_.custom_columns.end()) {
      if (!v.is_null() && !v.is_string()) {
        return Error(
            request, target, 400, kODataError,
            "Cannot convert the literal '" + v.dump() + "' to the expected type 'Edm.String'.");
      }
      copy.fields[k] = v;
    } else if (columns_.count(k) != 0 || k == "transactioncurrencyid" ||
               k == "_transactioncurrencyid_value") {
      return Error(request, target, 400, kODataError,
                   "The property '" + k +
                       "' cannot be set: it is read-only or a lookup that "
                       "must be written with @odata.bind.");
    } else {
      return Error(request, target, 400, kODataError,
                   "The property '" + k +
                       "' does not exist on type 'Microsoft.Dynamics.CRM.opportunity'. Make sure "
                       "to only use property names that are defined by the type.");
    }
  }
  if (state != 0 && !reopen) {
    return Error(request, target, 400, kInvalidArgument,
                 "The opportunity is closed and cannot be edited; reopen it first.");
  }
  if (reopen && !body->contains("statuscode"))
    copy.fields["statuscode"] = 1;
  Touch(copy);
  *r = std::move(copy);
  const std::string entity_id = public_base_url_ + kApi + "opportunities(" + id + ")";
  if (p.return_representation) {
    Json out = Render(*r, select, p.formatted);
    out["@odata.context"] = public_base_url_ + kApi + "$metadata#opportunities/$entity";
    return JsonResponse(200, out,
                        {{"OData-Version", "4.0"},
                         {"Preference-Applied", "return=representation"},
                         {"ETag", Etag(*r)}});
  }
  HttpResponse ok;
  ok.status = 204;
  ok.headers = {{"OData-Version", "4.0"}, {"OData-EntityId", entity_id}};
  return ok;
}

HttpResponse Dynamics365Sim::Close(const HttpRequest& request, const RequestTarget& target,
                                   bool won) {
  const std::string action = won ? "WinOpportunity" : "LoseOpportunity";
  if (!HasJsonContentType(request)) {
    return Error(request, target, 415, kODataError, "The content type is not supported.");
  }
  auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object()) {
    return Error(request, target, 400, kODataError, "The request body is not valid JSON.");
  }
  for (const auto& [k, v] : body->items()) {
    if (k != "Status" && k != "OpportunityClose") {
      return Error(request, target, 400, kODataError,
                   "'" + k + "' is not a valid parameter for the " + action + " action.");
    }
  }
  const Json status = body->value("Status", Json());
  const Json close = body->value("OpportunityClose", Json());
  if (!status.is_number_integer() || !close.is_object()) {
    return Error(request, target, 400, kODataError,
                 action +
                     " needs the parameters Status (Edm.Int32) and OpportunityClose "
                     "(Microsoft.Dynamics.CRM.opportunityclose).");
  }
  static const std::set<std::string> kCloseProps{"subject",       "opportunityid@odata.bind",
                                                 "actualrevenue", "actualend",
                                                 "description",   "@odata.type"};
  for (const auto& [k, v] : close.items()) {
    if (kCloseProps.count(k) == 0) {
      return Error(request, target, 400, kODataError,
                   "The property '" + k +
                       "' does not exist on type 'Microsoft.Dynamics.CRM.opportunityclose'.");
    }
  }
  static const std::regex kBind(R"(/?opportunities\(([0-9a-f-]{36})\))");
  std::smatch m;
  const std::string bind = close.value("opportunityid@odata.bind", "");
  if (!std::regex_match(bind, m, kBind)) {
    return Error(request, target, 400, kInvalidArgument,
                 "OpportunityClose needs opportunityid@odata.bind = \"/opportunities(<id>)\".");
  }
  const std::string id = m[1].str();
  SimRecord* r = records().Find(id);
  if (r == nullptr || r->deleted) {
    return Error(request, target, 404, "0x80040217",
                 "opportunity With Id = " + id + " Does Not Exist");
  }
  const int64_t code = status.get<int64_t>();
  const bool valid = won ? code == 3 : (code == 4 || code == 5);
  if (!valid) {
    return Error(request, target, 400, kInvalidArgument,
                 std::to_string(code) + " is not a valid status code for state code " +
                     (won ? "OpportunityState.Won" : "OpportunityState.Lost") +
                     " on opportunity with Id " + id + ".");
  }
  if (r->fields.value("statecode", int64_t{0}) != 0) {
    return Error(request, target, 400, kInvalidArgument,
                 "The opportunity is already closed; reopen it before closing it again.");
  }
  r->fields["statecode"] = won ? 1 : 2;
  r->fields["statuscode"] = code;
  r->fields["actualclosedate"] = IsoDate(Now());
  if (won)
    r->fields["actualvalue"] = r->fields.value("estimatedvalue", Json());
  Touch(*r);
  Json activity = close;
  activity["activityid"] = NewGuid();
  activity["action"] = action;
  activity["Status"] = code;
  closes_.push_back(activity);
  HttpResponse ok;
  ok.status = 204;
  ok.headers = {{"OData-Version", "4.0"}};
  return ok;
}

HttpResponse Dynamics365Sim::Batch(const HttpRequest& request, const RequestTarget& target,
                                   const Prefer& p) {
  const std::string content_type(FindHeader(request.headers, "Content-Type").value_or(""));
  const std::string boundary = BoundaryParam(content_type);
  if (LowerCopy(content_type).rfind("multipart/mixed", 0) != 0 || boundary.empty()) {
    return Error(request, target, 400, kODataError,
                 "The content type '" + content_type +
                     "' is not valid for $batch: use multipart/mixed with a boundary.");
  }
  auto parts = MultipartParts(request.body, boundary);
  if (!parts) {
    return Error(request, target, 400, kODataError,
                 "The $batch body is not a well-formed multipart/mixed message.");
  }
  const std::string out_boundary = "batchresponse_" + RandomHex(8);
  std::string out;
  int item = 0;
  for (const std::string& part : *parts) {
    auto [head, rest] = SplitHead(part);
    const std::string type = head["content-type"];
    const bool change_set = LowerCopy(type).rfind("multipart/mixed", 0) == 0;
    std::vector<std::string> ops;
    if (change_set) {
      auto inner = MultipartParts(rest, BoundaryParam(type));
      if (!inner || inner->empty()) {
        return Error(request, target, 400, kODataError, "A change set is malformed or empty.");
      }
      ops = *inner;
    } else {
      ops.push_back(part);
    }
    // Parse every operation before running any.
    std::vector<std::pair<HttpRequest, std::string>> requests;
    for (const std::string& op : ops) {
      auto [mime, http] = SplitHead(op);
      if (LowerCopy(mime["content-type"]) != "application/http" ||
          LowerCopy(mime["content-transfer-encoding"]) != "binary") {
        return Error(request, target, 400, kODataError,
                     "Each $batch part needs Content-Type: application/http and "
                     "Content-Transfer-Encoding: binary.");
      }
      if (change_set && mime["content-id"].empty()) {
        return Error(request, target, 400, kODataError,
                     "Each request in a change set needs a Content-ID.");
      }
      const size_t eol = http.find("\r\n");
      const std::string line = http.substr(0, eol);
      static const std::regex kLine(R"((GET|POST|PATCH|PUT|DELETE) (\S+) HTTP/1\.1)");
      std::smatch m;
      if (!std::regex_match(line, m, kLine)) {
        return Error(request, target, 400, kODataError,
                     "Invalid request line in $batch: '" + line + "'.");
      }
      if (change_set && m[1].str() == "GET") {
        return Error(request, target, 400, kODataError, "GET is not allowed inside a change set.");
      }
      HttpRequest inner;
      inner.method = m[1].str();
      inner.url = m[2].str();
      if (inner.url.rfind(public_base_url_, 0) == 0)
        inner.url = inner.url.substr(public_base_url_.size());
      if (inner.url.rfind("https://", 0) == 0) {
        return Error(request, target, 400, kODataError,
                     "The URL " + inner.url + " is not on this org.");
      }
      auto [headers, inner_body] = SplitHead(eol == std::string::npos ? "" : http.substr(eol + 2));
      for (const auto& [k, v] : headers)
        inner.headers.emplace_back(k, v);
      for (const char* h : {"Authorization", "OData-Version", "OData-MaxVersion"}) {
        if (auto v = FindHeader(request.headers, h))
          inner.headers.emplace_back(h, std::string(*v));
      }
      while (!inner_body.empty() && (inner_body.back() == '\n' || inner_body.back() == '\r')) {
        inner_body.pop_back();
      }
      inner.body = inner_body;
      requests.emplace_back(std::move(inner), mime["content-id"]);
    }
    // Run; a change set is all or nothing.
    RecordStore saved = records();
    const uint64_t saved_version = version_;
    const size_t saved_closes = closes_.size();
    std::vector<std::pair<HttpResponse, std::string>> responses;
    bool failed = false;
    for (auto& [inner, content_id] : requests) {
      const RequestTarget t = RequestTarget::Parse(inner.url);
      HttpResponse r = t.path.rfind(kApi, 0) == 0
                           ? Api(inner, t, true)
                           : Error(inner, t, 404, kODataError, "Resource not found.");
      responses.emplace_back(r, content_id);
      if (!r.ok() && change_set) {
        failed = true;
        break;
      }
    }
    ++item;
    out += "--" + out_boundary + "\r\n";
    if (failed) {
      records() = saved;
      version_ = saved_version;
      closes_.resize(saved_closes);
      out += EmbeddedHttp(responses.back().first, responses.back().second);
      if (!p.continue_on_error)
        break;
      continue;
    }
    if (change_set) {
      const std::string cs = "changesetresponse_" + RandomHex(8);
      out += "Content-Type: multipart/mixed; boundary=" + cs + "\r\n\r\n";
      for (auto& [r, content_id] : responses)
        out += "--" + cs + "\r\n" + EmbeddedHttp(r, content_id);
      out += "--" + cs + "--\r\n";
    } else {
      out += EmbeddedHttp(responses.back().first, "");
      if (!responses.back().first.ok() && !p.continue_on_error)
        break;
    }
  }
  out += "--" + out_boundary + "--\r\n";
  HttpResponse r;
  r.status = 200;
  r.headers = {{"OData-Version", "4.0"},
               {"Content-Type", "multipart/mixed; boundary=" + out_boundary}};
  if (p.continue_on_error)
    r.headers.emplace_back("Preference-Applied", "odata.continue-on-error");
  r.body = std::move(out);
  (void)item;
  return r;
}

}  // namespace dealsync::sim
