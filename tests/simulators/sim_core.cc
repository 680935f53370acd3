#include "tests/simulators/sim_core.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "dealsync/hex_digit.h"

#include "src/transport/gzip.h"
#include "tests/simulators/sim_time.h"

namespace dealsync::sim {
namespace {

// Whether an Accept-Encoding value lists gzip with a q above 0 (RFC 9110 12.5.3).
bool AcceptsGzip(std::string_view accept) {
  size_t start = 0;
  while (start < accept.size()) {
    const size_t end = std::min(accept.find(',', start), accept.size());
    std::string item(accept.substr(start, end - start));
    item.erase(std::remove_if(item.begin(), item.end(),
                              [](unsigned char c) { return std::isspace(c) != 0; }),
               item.end());
    std::transform(item.begin(), item.end(), item.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string coding = item.substr(0, item.find(';'));
    const size_t q = item.find(";q=");
    const bool wanted = q == std::string::npos || std::strtod(item.c_str() + q + 3, nullptr) > 0;
    if ((coding == "gzip" || coding == "x-gzip") && wanted) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// The vendors' APIs compress responses for clients that ask (Salesforce REST
// "Compression Headers", HubSpot, Dataverse); so do the simulators, above
// the size where compression pays, as web servers do.
void CompressIfAsked(const HttpRequest& request, HttpResponse& response) {
  constexpr size_t kMinimumSize = 1024;
  const std::optional<std::string_view> accept = FindHeader(request.headers, "Accept-Encoding");
  if (!accept || response.body.size() < kMinimumSize || !AcceptsGzip(*accept) ||
      FindHeader(response.headers, "Content-Encoding")) {
    return;
  }
  response.body = Gzip(response.body);
  response.headers.emplace_back("Content-Encoding", "gzip");
  response.headers.emplace_back("Vary", "Accept-Encoding");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool MediaTypeIs(const HttpRequest& request, std::string_view want) {
  auto ct = FindHeader(request.headers, "Content-Type");
  if (!ct) {
    return false;
  }
  std::string media = Lower(ct->substr(0, ct->find(';')));
  media.erase(std::remove(media.begin(), media.end(), ' '), media.end());
  return media == want;
}

}  // namespace

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
        HexDigitValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    const size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    out.emplace_back(PercentDecode(pair.substr(0, eq), true),
                     eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
  }
  return out;
}

RequestTarget RequestTarget::Parse(std::string_view url) {
  // Absolute URLs (as HttpRequest carries them) lose scheme and authority.
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const size_t slash = url.find('/', scheme + 3);
    url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  RequestTarget t;
  const size_t q = url.find('?');
  t.path = PercentDecode(url.substr(0, q), false);
  if (q != std::string_view::npos) {
    t.params = ParseForm(url.substr(q + 1));
  }
  return t;
}

std::optional<std::string> RequestTarget::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

size_t RequestTarget::CountParam(std::string_view name) const {
  return std::count_if(params.begin(), params.end(),
                       [&](const auto& p) { return p.first == name; });
}

std::string ViolationLog::Describe() const {
  std::string out;
  for (const auto& v : entries_) {
    out += v.endpoint + ": " + v.rule + ": " + v.detail + "\n";
  }
  return out;
}

Json ViolationLog::ToJson() const {
  Json out = Json::array();
  for (const auto& v : entries_) {
    out.push_back({{"endpoint", v.endpoint}, {"rule", v.rule}, {"detail", v.detail}});
  }
  return out;
}

int64_t RequestStats::Get(const std::string& endpoint) const {
  auto it = counts_.find(endpoint);
  return it == counts_.end() ? 0 : it->second;
}

Json RequestStats::ToJson() const {
  Json by = Json::object();
  for (const auto& [k, v] : counts_) {
    by[k] = v;
  }
  return {{"total", total_}, {"by_endpoint", by}};
}

SimRecord& RecordStore::Put(SimRecord r) {
  std::string id = r.id;
  return by_id_.insert_or_assign(std::move(id), std::move(r)).first->second;
}

SimRecord* RecordStore::Find(const std::string& id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const SimRecord* RecordStore::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<const SimRecord*> RecordStore::Visible(Timestamp now) const {
  std::vector<const SimRecord*> out;
  for (const auto& [id, r] : by_id_) {
    if (r.visible_at <= now) {
      out.push_back(&r);
    }
  }
  return out;
}

std::vector<SimRecord*> RecordStore::All() {
  std::vector<SimRecord*> out;
  for (auto& [id, r] : by_id_) {
    out.push_back(&r);
  }
  return out;
}

HttpResponse JsonResponse(int status, const Json& body, HttpHeaders extra) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(extra);
  r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  r.body = body.dump();
  return r;
}

std::optional<Json> ParseJsonBody(std::string_view body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return std::nullopt;
  }
  return j;
}

bool HasJsonContentType(const HttpRequest& request) {
  return MediaTypeIs(request, "application/json");
}

bool HasFormContentType(const HttpRequest& request) {
  return MediaTypeIs(request, "application/x-www-form-urlencoded");
}

std::optional<std::string> BearerToken(const HttpRequest& request) {
  auto auth = FindHeader(request.headers, "Authorization");
  if (!auth || auth->size() <= 7 || Lower(auth->substr(0, 7)) != "bearer ") {
    return std::nullopt;
  }
  std::string token(auth->substr(7));
  if (token.empty() || token.find(' ') != std::string::npos) {
    return std::nullopt;
  }
  return token;
}

std::string Simulator::EndpointLabel(const HttpRequest& request, const RequestTarget& t) const {
  return request.method + " " + t.path;
}

void Simulator::Violate(const HttpRequest& request, const RequestTarget& t, std::string rule,
                        std::string detail) {
  violations_.Record({EndpointLabel(request, t), std::move(rule), std::move(detail)});
}

HttpResponse Simulator::Handle(const HttpRequest& request) {
  const RequestTarget target = RequestTarget::Parse(request.url);
  stats_.Count(EndpointLabel(request, target));
  HttpResponse response;
  try {
    const auto fault = faults_.Take(request.method, target.path);
    if (!fault) {
      response = Serve(request, target);
    } else {
      switch (fault->kind) {
        case FaultKind::kStall:
          response = Serve(request, target);
          response.headers.emplace_back(kStallHeader, std::to_string(fault->stall_ms));
          break;
        case FaultKind::kTruncate:
        case FaultKind::kDrop:
          response = Serve(request, target);
          response.headers.emplace_back(kFaultHeader,
                                        fault->kind == FaultKind::kDrop ? "drop" : "truncate");
          break;
        case FaultKind::kMalformedJson:
          response.status = 200;
          response.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
          response.body = R"({"totalSize": 3, "records": [{"Id": "006)";
          break;
        case FaultKind::kExpireToken:
          ExpireTokens();
          response = FaultResponse(*fault);
          break;
        default:
          response = FaultResponse(*fault);
          break;
      }
    }
  } catch (const std::exception& e) {
    // A simulator bug must not take the host down; it shows up as a violation.
    Violate(request, target, "sim.internal", e.what());
    response = JsonResponse(500, {{"error", "simulator internal error"}});
  }
  AddLimitHeaders(response);
  CompressIfAsked(request, response);
  return response;
}

Status Simulator::ApplySystemOverrides(SimRecord& r, const Json& native) const {
  auto read = [&](const char* key, Timestamp& out) -> Status {
    if (!native.contains(key)) {
      return Status::Ok();
    }
    const Json& v = native.at(key);
    auto t = v.is_string() ? ParseIsoDateTime(v.get<std::string>()) : std::nullopt;
    if (!t) {
      return InvalidArgument(std::string(key) + " must be an ISO 8601 datetime string");
    }
    out = *t;
    return Status::Ok();
  };
  r.created_at = r.created_at == Timestamp{} ? Now() : r.created_at;
  r.modified_at = Now();
  r.visible_at = Now();
  DEALSYNC_RETURN_IF_ERROR(read("created_at", r.created_at));
  DEALSYNC_RETURN_IF_ERROR(read("modified_at", r.modified_at));
  DEALSYNC_RETURN_IF_ERROR(read("visible_at", r.visible_at));
  if (native.contains("deleted")) {
    if (!native.at("deleted").is_boolean()) {
      return InvalidArgument("deleted must be a boolean");
    }
    r.deleted = native.at("deleted").get<bool>();
    r.deleted_at = r.modified_at;
  }
  return Status::Ok();
}

std::string Simulator::RandomHex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[random_.Uniform(16)]);
  }
  return out;
}

Status Simulator::DeleteRecord(const std::string& id) {
  SimRecord* r = records_.Find(id);
  if (r == nullptr || r->deleted) {
    return NotFound("no record " + id);
  }
  r->deleted = true;
  r->deleted_at = Now();
  r->modified_at = Now();
  return Status::Ok();
}

void Simulator::StampAll(const std::vector<std::string>& ids, Timestamp t) {
  for (SimRecord* r : records_.All()) {
    if (ids.empty() || std::find(ids.begin(), ids.end(), r->id) != ids.end()) {
      r->modified_at = t;
    }
  }
}

void Simulator::Reset() {
  faults_.Clear();
  violations_.Clear();
  stats_.Clear();
  records_.Clear();
  for (const auto& r : seed_) {
    (void)CreateRecord(r);
  }
}

Status Simulator::Seed(const Json& records) {
  if (!records.is_array()) {
    return InvalidArgument("seed records must be a JSON array");
  }
  for (const auto& r : records) {
    auto created = CreateRecord(r);
    if (!created.ok()) {
      return created.status().Annotate("seed record " + r.dump().substr(0, 80));
    }
    seed_.push_back(r);
  }
  return Status::Ok();
}

}  // namespace dealsync::sim
