#include "tests/simulators/salesforce_sim.h"

#include <algorithm>
#include <regex>

#include "src/transport/jwt.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

// Fields a client may not write through the API.
const std::set<std::string> kReadOnly{
    "Id", "IsDeleted", "SystemModstamp", "CreatedDate", "LastModifiedDate", "Account", "Owner"};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Json SaveError(const std::string& code, const std::string& message,
               std::vector<std::string> fields = {}) {
  return {{"statusCode", code}, {"message", message}, {"fields", fields}};
}

}  // namespace

SalesforceSim::SalesforceSim(Clock& clock, Random& random, SalesforceSimConfig config)
    : Simulator(clock, random), config_(std::move(config)) {
  catalog_ = {{"Id", SoqlType::kId},
              {"IsDeleted", SoqlType::kBool},
              {"SystemModstamp", SoqlType::kDateTime},
              {"CreatedDate", SoqlType::kDateTime},
              {"LastModifiedDate", SoqlType::kDateTime},
              {"Name", SoqlType::kString},
              {"Account.Name", SoqlType::kString},
              {"Owner.Name", SoqlType::kString},
              {"StageName", SoqlType::kString},
              {"Amount", SoqlType::kCurrency},
              {"CurrencyIsoCode", SoqlType::kString},
              {"CloseDate", SoqlType::kDate}};
  for (const auto& f : config_.custom_fields) {
    catalog_[f] = SoqlType::kString;
  }
}

std::string SalesforceSim::IssueToken() {
  std::string token = "00DSIM0000000001!" + RandomHex(48);
  tokens_[token] = Now() + config_.token_lifetime;
  return token;
}

std::string SalesforceSim::RecordUrl(const std::string& id) const {
  return "/services/data/" + api_version_ + "/sobjects/Opportunity/" + id;
}

std::string SalesforceSim::EndpointLabel(const HttpRequest& request, const RequestTarget& t) const {
  static const std::regex kLocator("/query(All)?/[^/]+$");
  static const std::regex kVersion("/v[0-9]+\\.[0-9]/");
  std::string path = std::regex_replace(t.path, kVersion, "/vNN.N/");
  path = std::regex_replace(path, kLocator, "/query/{locator}");
  return request.method + " " + path;
}

HttpResponse SalesforceSim::Error(const HttpRequest& request, const RequestTarget& target,
                                  int status, const std::string& code, const std::string& message,
                                  bool benign) {
  if (!benign) {
    Violate(request, target, code, message);
  }
  return JsonResponse(status, Json::array({{{"message", message}, {"errorCode", code}}}));
}

HttpResponse SalesforceSim::FaultResponse(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kRateLimit:
    case FaultKind::kRequestLimit:
      // Salesforce has no 429 for the REST API: quota exhaustion is this 403.
      return JsonResponse(403, Json::array({{{"message", "TotalRequests Limit exceeded."},
                                             {"errorCode", "REQUEST_LIMIT_EXCEEDED"}}}));
    case FaultKind::kExpireToken:
      return JsonResponse(401, Json::array({{{"message", "Session expired or invalid"},
                                             {"errorCode", "INVALID_SESSION_ID"}}}));
    default: {
      HttpHeaders headers;
      if (rule.retry_after_s > 0 && rule.status == 503) {
        headers.emplace_back("Retry-After", std::to_string(rule.retry_after_s));
      }
      return JsonResponse(rule.status,
                          Json::array({{{"message", "Service temporarily unavailable"},
                                        {"errorCode", "SERVER_UNAVAILABLE"}}}),
                          std::move(headers));
    }
  }
}

void SalesforceSim::AddLimitHeaders(HttpResponse& response) {
  response.headers.emplace_back(
      "Sforce-Limit-Info",
      "api-usage=" + std::to_string(api_usage_) + "/" + std::to_string(config_.daily_api_limit));
}

HttpResponse SalesforceSim::Serve(const HttpRequest& request, const RequestTarget& target) {
  if (target.path == "/services/oauth2/token") {
    return Token(request, target);
  }
  static const std::regex kData("^/services/data/(v[0-9]{2}\\.[0-9])(/.*)$");
  std::smatch m;
  if (!std::regex_match(target.path, m, kData)) {
    return Error(request, target, 404, "NOT_FOUND", "The requested resource does not exist");
  }
  api_version_ = m[1];
  const std::string rest = m[2];
  // Authentication comes before everything else, as on the real API.
  auto token = BearerToken(request);
  if (!token) {
    if (auto auth = FindHeader(request.headers, "Authorization");
        auth && auth->substr(0, 6) == "OAuth ") {
      token = std::string(auth->substr(6));
    }
  }
  if (!token) {
    return Error(request, target, 401, "INVALID_SESSION_ID", "Session expired or invalid");
  }
  auto it = tokens_.find(*token);
  if (it == tokens_.end() || it->second <= Now()) {
    // An expired or revoked session is normal life for a client: re-authenticate.
    const bool known = it != tokens_.end();
    return Error(request, target, 401, "INVALID_SESSION_ID", "Session expired or invalid", known);
  }
  // Sessions time out after inactivity, as Salesforce's session timeout does.
  it->second = Now() + config_.token_lifetime;
  if (api_usage_ >= config_.daily_api_limit) {
    return Error(request, target, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.",
                 true);
  }
  ++api_usage_;
  const auto method_not_allowed = [&](const char* allowed) {
    return Error(request, target, 405, "METHOD_NOT_ALLOWED",
                 "HTTP Method '" + request.method + "' not allowed. Allowed are " + allowed);
  };
  // Salesforce's own examples write the query resources with a trailing slash
  // ("/queryAll/?q=..."); both spellings are the same resource.
  if (rest == "/query" || rest == "/queryAll" || rest == "/query/" || rest == "/queryAll/") {
    return request.method == "GET" ? Query(request, target, rest.rfind("/queryAll", 0) == 0)
                                   : method_not_allowed("GET,HEAD");
  }
  if (rest.rfind("/query/", 0) == 0 || rest.rfind("/queryAll/", 0) == 0) {
    return request.method == "GET" ? QueryMore(request, target, rest.substr(rest.find('/', 1) + 1))
                                   : method_not_allowed("GET,HEAD");
  }
  if (rest == "/sobjects/Opportunity/deleted/" || rest == "/sobjects/Opportunity/deleted") {
    return request.method == "GET" ? Deleted(request, target) : method_not_allowed("GET,HEAD");
  }
  if (rest == "/composite/sobjects/Opportunity") {
    return request.method == "GET" ? Retrieve(request, target) : method_not_allowed("GET,HEAD");
  }
  if (rest == "/composite/sobjects") {
    return request.method == "PATCH" ? Update(request, target)
                                     : method_not_allowed("PATCH,POST,DELETE");
  }
  return Error(request, target, 404, "NOT_FOUND", "The requested resource does not exist");
}

constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

HttpResponse SalesforceSim::Token(const HttpRequest& request, const RequestTarget& target) {
  auto oauth_error = [&](int status, const std::string& error, const std::string& description) {
    Violate(request, target, "oauth." + error, description);
    return JsonResponse(status, {{"error", error}, {"error_description", description}});
  };
  if (request.method != "POST") {
    return oauth_error(400, "invalid_request", "must use HTTP POST");
  }
  if (!HasFormContentType(request)) {
    return oauth_error(400, "invalid_request",
                       "Content-Type must be application/x-www-form-urlencoded");
  }
  std::map<std::string, std::string> form;
  for (auto& [k, v] : ParseForm(request.body)) {
    form[k] = v;
  }
  const std::string grant = form["grant_type"];
  if (grant == kJwtBearerGrant) {
    if (form["assertion"].empty()) {
      return oauth_error(400, "invalid_request", "assertion is required");
    }
    if (auto [error, description] = JwtBearerProblem(form["assertion"]); !error.empty()) {
      return oauth_error(400, error, description);
    }
    // No refresh token and no signature in a JWT bearer answer.
    return TokenResponse(/*with_signature=*/false);
  }
  if (grant != "client_credentials" && grant != "refresh_token") {
    return oauth_error(400, "unsupported_grant_type", "grant type not supported");
  }
  if (form["client_id"] != config_.client_id) {
    return oauth_error(400, "invalid_client_id", "client identifier invalid");
  }
  if (grant == "client_credentials" && form["client_secret"] != config_.client_secret) {
    return oauth_error(400, "invalid_client", "invalid client credentials");
  }
  if (grant == "refresh_token" && form["refresh_token"] != config_.refresh_token) {
    return oauth_error(400, "invalid_grant", "expired access/refresh token");
  }
  return TokenResponse(/*with_signature=*/true);
}

HttpResponse SalesforceSim::TokenResponse(bool with_signature) {
  Json body = {{"access_token", IssueToken()},
               {"instance_url", config_.instance_url},
               {"id", config_.instance_url + "/id/00DSIM0000000001/005SIM0000000001"},
               {"token_type", "Bearer"},
               {"issued_at", std::to_string(ToEpochMs(Now()))}};
  if (with_signature) {
    body["signature"] = RandomHex(44);
  } else {
    body["scope"] = "api";
  }
  return JsonResponse(200, body);
}

// Salesforce Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration"
// (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm):
// header {"alg":"RS256"}; iss = the connected app's consumer key; aud =
// https://login.salesforce.com, https://test.salesforce.com or the site URL;
// sub = the username; exp = seconds since the epoch, no more than 3 minutes
// ahead. Errors are RFC 7523 answers, 400 with error / error_description
// ("OAuth 2.0 Authorization Errors", id=sf.remoteaccess_oauth_flow_errors.htm);
// the descriptions are the ones Salesforce sends for each case.
std::pair<std::string, std::string> SalesforceSim::JwtBearerProblem(
    const std::string& assertion) const {
  if (config_.jwt_certificate_pem.empty()) {
    return {"invalid_client", "invalid client credentials"};
  }
  Result<JwtParts> parts = VerifyJwtRs256(assertion, config_.jwt_certificate_pem);
  if (!parts.ok()) {
    return {"invalid_grant", "invalid assertion"};
  }
  const Json claims = Json::parse(parts->claims_json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) {
    return {"invalid_grant", "invalid assertion"};
  }
  const auto text = [&](const char* name) {
    auto it = claims.find(name);
    return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text("iss") != config_.client_id) {
    return {"invalid_client_id", "client identifier invalid"};
  }
  const std::string aud = text("aud");
  if (aud != "https://login.salesforce.com" && aud != "https://test.salesforce.com" &&
      aud != config_.instance_url) {
    return {"invalid_grant", "audience is invalid"};
  }
  auto exp = claims.find("exp");
  const int64_t now_s = ToEpochMs(Now()) / 1000;
  if (exp == claims.end() || !exp->is_number_integer() || exp->get<int64_t>() <= now_s ||
      exp->get<int64_t>() > now_s + 180) {
    return {"invalid_grant", "expired authorization code"};
  }
  if (text("sub") != config_.jwt_username) {
    return {"invalid_grant", "user hasn't approved this consumer"};
  }
  return {};
}

Status SalesforceSim::ApplyNative(SimRecord& r, const Json& native) const {
  for (const auto& [key, value] : native.items()) {
    if (key == "Id" || key == "modified_at" || key == "visible_at" || key == "created_at" ||
        key == "deleted" || key == "IsDeleted" || key == "SystemModstamp" || key == "attributes") {
      continue;
    }
    if (key == "Account" || key == "Owner") {
      if (!value.is_null() && !(value.is_object() && value.contains("Name"))) {
        return InvalidArgument(key + " must be {\"Name\": ...} or null");
      }
      r.fields[key] = value.is_null() ? Json() : Json{{"Name", value.at("Name")}};
      continue;
    }
    if (!catalog_.count(key)) {
      return InvalidArgument("No such column '" + key + "' on sobject of type Opportunity");
    }
    if (key == "Amount" && !value.is_number() && !value.is_null()) {
      return InvalidArgument("Amount must be a number or null");
    }
    if (key == "CloseDate" && !(value.is_string() && ParseIsoDate(value.get<std::string>()))) {
      return InvalidArgument("CloseDate must be YYYY-MM-DD");
    }
    if (key != "Amount" && !value.is_string() && !value.is_null()) {
      return InvalidArgument(key + " must be a string or null");
    }
    r.fields[key] = value;
  }
  return Status::Ok();
}

Result<std::string> SalesforceSim::CreateRecord(const Json& native) {
  if (!native.is_object()) {
    return InvalidArgument("record must be a JSON object");
  }
  SimRecord r;
  char id[32];
  std::snprintf(id, sizeof id, "006SM%013llu", static_cast<unsigned long long>(next_id_++));
  r.id = native.contains("Id") && native["Id"].is_string() ? native["Id"].get<std::string>() : id;
  if (records().Find(r.id) != nullptr) {
    return Status(StatusCode::kAlreadyExists, "record " + r.id + " exists");
  }
  DEALSYNC_RETURN_IF_ERROR(ApplyNative(r, native));
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(r, native));
  records().Put(std::move(r));
  return std::string(
      native.contains("Id") && native["Id"].is_string() ? native["Id"].get<std::string>() : id);
}

Status SalesforceSim::EditRecord(const std::string& id, const Json& patch) {
  SimRecord* r = records().Find(id);
  if (r == nullptr) {
    return NotFound("no Opportunity " + id);
  }
  SimRecord copy = *r;
  DEALSYNC_RETURN_IF_ERROR(ApplyNative(copy, patch));
  const Timestamp created = copy.created_at;
  DEALSYNC_RETURN_IF_ERROR(ApplySystemOverrides(copy, patch));
  copy.created_at = created;
  *r = std::move(copy);
  return Status::Ok();
}

Json SalesforceSim::ControlView(const SimRecord& r) const {
  Json out = r.fields;
  out["Id"] = r.id;
  out["IsDeleted"] = r.deleted;
  out["SystemModstamp"] = SalesforceDateTime(r.modified_at);
  out["visible_at"] = IsoMillisZ(r.visible_at);
  return out;
}

HttpResponse SalesforceSim::Update(const HttpRequest& request, const RequestTarget& target) {
  if (!HasJsonContentType(request)) {
    auto ct = FindHeader(request.headers, "Content-Type");
    return Error(request, target, 415, "UNSUPPORTED_MEDIA_TYPE",
                 "Content-Type header specified in HTTP request is not supported: " +
                     std::string(ct.value_or("")));
  }
  auto body = ParseJsonBody(request.body);
  if (!body || !body->is_object()) {
    return Error(request, target, 400, "JSON_PARSER_ERROR",
                 "Unexpected character: the request body is not a JSON object");
  }
  for (const auto& [key, value] : body->items()) {
    if (key != "allOrNone" && key != "records") {
      return Error(request, target, 400, "JSON_PARSER_ERROR",
                   "Unrecognized field \"" + key + "\" at [line:1, column:1]");
    }
  }
  const bool all_or_none = body->value("allOrNone", false);
  if (body->contains("allOrNone") && !(*body)["allOrNone"].is_boolean()) {
    return Error(request, target, 400, "JSON_PARSER_ERROR", "allOrNone must be a boolean");
  }
  if (!body->contains("records") || !(*body)["records"].is_array()) {
    return Error(request, target, 400, "JSON_PARSER_ERROR", "records: expected an array");
  }
  const Json& records_in = (*body)["records"];
  if (records_in.size() > 200) {
    return Error(request, target, 400, "EXCEEDED_ID_LIMIT",
                 "record limit reached. cannot submit more than 200 records into this call");
  }
  // Deserialisation checks: the whole call fails, as on the real API.
  for (const auto& rec : records_in) {
    if (!rec.is_object() || !rec.contains("attributes") || !rec["attributes"].is_object() ||
        !rec["attributes"].contains("type")) {
      return Error(request, target, 400, "INVALID_TYPE",
                   "Must specify a type in attributes for every record in the collection");
    }
    if (rec["attributes"]["type"] != "Opportunity") {
      return Error(request, target, 400, "INVALID_TYPE",
                   "sObject type '" + rec["attributes"]["type"].dump() + "' is not supported.");
    }
    for (const auto& [key, value] : rec.items()) {
      const std::string lower_id = key == "id" ? "Id" : key;
      if (key == "attributes" || (!catalog_.count(lower_id) && !kReadOnly.count(key))) {
        if (key == "attributes")
          continue;
        return Error(request, target, 400, "INVALID_FIELD",
                     "No such column '" + key + "' on sobject of type Opportunity");
      }
      if (key == "Amount" && !value.is_number() && !value.is_null()) {
        return Error(request, target, 400, "JSON_PARSER_ERROR",
                     "Cannot deserialize instance of currency from " + value.dump());
      }
      if (key == "CloseDate" && !value.is_null() &&
          !(value.is_string() && ParseIsoDate(value.get<std::string>()))) {
        return Error(request, target, 400, "JSON_PARSER_ERROR",
                     "Cannot deserialize instance of date from " + value.dump());
      }
    }
  }
  auto failing = faults().TakeFailingIds(request.method, target.path);
  std::vector<Json> errors(records_in.size());
  for (size_t i = 0; i < records_in.size(); ++i) {
    const Json& rec = records_in[i];
    const std::string id =
        rec.contains("id") && rec["id"].is_string()   ? rec["id"].get<std::string>()
        : rec.contains("Id") && rec["Id"].is_string() ? rec["Id"].get<std::string>()
                                                      : "";
    std::vector<std::string> read_only;
    for (const auto& [key, value] : rec.items()) {
      if (kReadOnly.count(key) && key != "Id")
        read_only.push_back(key);
    }
    const SimRecord* existing = id.empty() ? nullptr : records().Find(id);
    if (id.empty()) {
      errors[i] = SaveError("MISSING_ARGUMENT", "Id not specified in an update call", {"Id"});
      Violate(request, target, "MISSING_ARGUMENT", "record " + std::to_string(i) + " has no id");
    } else if (!read_only.empty()) {
      errors[i] = SaveError("INVALID_FIELD_FOR_INSERT_UPDATE",
                            "Unable to create/update fields: " + read_only.front() +
                                ". Please check the security settings of this field.",
                            read_only);
      Violate(request, target, "INVALID_FIELD_FOR_INSERT_UPDATE", read_only.front());
    } else if (existing == nullptr || existing->visible_at > Now()) {
      errors[i] = SaveError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {});
    } else if (existing->deleted) {
      errors[i] = SaveError("ENTITY_IS_DELETED", "entity is deleted", {});
    } else if (rec.contains("StageName") && !Contains(config_.stages, rec.value("StageName", ""))) {
      errors[i] =
          SaveError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    "Stage: bad value for restricted picklist field: " + rec["StageName"].dump(),
                    {"StageName"});
      Violate(request, target, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", rec["StageName"].dump());
    } else if (rec.contains("CurrencyIsoCode") &&
               !Contains(config_.currencies, rec.value("CurrencyIsoCode", ""))) {
      errors[i] = SaveError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                            "Opportunity Currency: bad value for restricted picklist field: " +
                                rec["CurrencyIsoCode"].dump(),
                            {"CurrencyIsoCode"});
      Violate(request, target, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
              rec["CurrencyIsoCode"].dump());
    } else {
      for (const auto& [fid, message] : failing) {
        if (fid == id) {
          errors[i] = SaveError(
              "UNABLE_TO_LOCK_ROW",
              message.empty() ? "unable to obtain exclusive access to this record" : message, {});
        }
      }
    }
  }
  const bool any_failed =
      std::any_of(errors.begin(), errors.end(), [](const Json& e) { return !e.is_null(); });
  Json out = Json::array();
  for (size_t i = 0; i < records_in.size(); ++i) {
    const Json& rec = records_in[i];
    if (!errors[i].is_null()) {
      // The documented SaveResult for a failure carries no id.
      out.push_back({{"success", false}, {"errors", Json::array({errors[i]})}});
    } else if (all_or_none && any_failed) {
      out.push_back({{"success", false},
                     {"errors", Json::array({SaveError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                                                       "Record rolled back because not all "
                                                       "records were valid and the request was "
                                                       "using AllOrNone header")})}});
    } else {
      const std::string id =
          rec.contains("id") ? rec["id"].get<std::string>() : rec["Id"].get<std::string>();
      SimRecord* r = records().Find(id);
      for (const auto& [key, value] : rec.items()) {
        if (key != "attributes" && key != "id" && key != "Id") {
          r->fields[key] = value;
        }
      }
      r->modified_at = Now();
      out.push_back({{"id", id}, {"success", true}, {"errors", Json::array()}});
    }
  }
  return JsonResponse(200, out);
}

}  // namespace dealsync::sim
