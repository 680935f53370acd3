#include "src/transport/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <utility>
#include <vector>

#include "dealsync/hex_digit.h"
#include "src/transport/url.h"

namespace dealsync {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// HTTP allows obs-fold continuation lines; SigV4 treats every such break as
// the whitespace it stands for.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string Hex(const unsigned char* data, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

// Only well-formed %XX is decoded; a stray '%' stays and is then encoded,
// which is what AWS does with it on the server side.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 && HexDigitValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Trimmed, with each run of whitespace inside collapsed to one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;  // "name:value\n" per header
  std::string names;  // "name;name"
};

// Names lower-cased and sorted; repeated names joined with ',' in the order
// they were given (the order of repeated headers is significant in HTTP).
CanonicalHeaders Canonicalize(const HttpHeaders& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    entries.emplace_back(Lower(name), CanonicalHeaderValue(value));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) {
      out.block.pop_back();  // the '\n' of the previous line
      out.block += ',' + entries[i].second + '\n';
      continue;
    }
    if (!out.names.empty()) {
      out.names += ';';
    }
    out.names += entries[i].first;
    out.block += entries[i].first + ':' + entries[i].second + '\n';
  }
  return out;
}

std::optional<std::string> HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof(out),
                &length) == nullptr) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request"): the key is scoped to one day, region and service. Each
// intermediate key is wiped once used, so none lingers in freed heap memory.
std::optional<std::string> SigningKey(std::string_view secret, std::string_view date,
                                      std::string_view region, std::string_view service) {
  std::string key = "AWS4" + std::string(secret);
  for (std::string_view part : {date, region, service, std::string_view("aws4_request")}) {
    std::optional<std::string> next = HmacSha256(key, part);
    OPENSSL_cleanse(key.data(), key.size());
    if (!next) {
      return std::nullopt;
    }
    key = std::move(*next);
  }
  return key;
}

bool IsSignatureHeader(std::string_view name, const SigV4Options& options) {
  return EqualsIgnoreCase(name, "Authorization") || EqualsIgnoreCase(name, "X-Amz-Date") ||
         EqualsIgnoreCase(name, "X-Amz-Security-Token") ||
         (options.content_sha256_header && EqualsIgnoreCase(name, "X-Amz-Content-Sha256"));
}

// Headers whose value on the wire is not the one in HttpRequest: the client
// sets its own (see BuildRequest in beast_http_client.cc) or proxies rewrite
// them. Signing them would make the signature depend on what we cannot see.
bool IsUnsignable(std::string_view name) {
  static constexpr std::string_view kNames[] = {"host",       "content-length", "transfer-encoding",
                                                "connection", "user-agent",     "accept-encoding",
                                                "expect",     "x-amzn-trace-id"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [name](std::string_view n) { return EqualsIgnoreCase(name, n); });
}

}  // namespace

std::string SigV4UriEncode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 0xf];
    }
  }
  return out;
}

std::string SigV4CanonicalUri(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t pos = 0;
  while (true) {
    const size_t slash = path.find('/', pos);
    const std::string_view segment = path.substr(pos, slash - pos);
    const bool last = slash == std::string_view::npos;
    if (segment == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
      trailing_slash = true;
    } else if (segment.empty() || segment == ".") {
      trailing_slash = true;
    } else {
      segments.push_back(segment);
      trailing_slash = false;
    }
    if (last) {
      break;
    }
    pos = slash + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += SigV4UriEncode(segment, false);
  }
  if (out.empty() || trailing_slash) {
    out += '/';
  }
  return out;
}

std::string SigV4CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    params.emplace_back(SigV4UriEncode(PercentDecode(key), false),
                        SigV4UriEncode(PercentDecode(value), false));
  }
  // By key, then value: sorting "key=value" strings would put "a-b=1"
  // before "a=1" since '-' < '='.
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += key + '=' + value;
  }
  return out;
}

std::string SigV4AmzDate(Timestamp t) {
  const std::time_t seconds =
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  const size_t n = std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buffer, n);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return std::string();  // OpenSSL out of memory; SignSigV4 turns this into kInternal
  }
  return Hex(digest, length);
}

Result<SigV4Signature> SignSigV4(const SigV4Message& message, const SigV4Credentials& credentials,
                                 const SigV4Options& options, Timestamp now) {
  if (credentials.access_key_id.empty()) {
    return InvalidArgument("SigV4: the access key id is empty");
  }
  if (credentials.secret_access_key.empty()) {
    return InvalidArgument("SigV4: the secret access key is empty");
  }
  if (options.region.empty() || options.service.empty()) {
    return InvalidArgument("SigV4: region and service must be set");
  }
  const std::string amz_date = SigV4AmzDate(now);
  const std::string_view date = std::string_view(amz_date).substr(0, 8);
  const std::string payload_hash = Sha256Hex(message.body);
  if (payload_hash.empty()) {
    return Internal("SigV4: SHA-256 failed");
  }

  SigV4Signature out;
  out.headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    out.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (options.content_sha256_header) {
    out.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  }
  HttpHeaders signed_headers = message.headers;
  if (!FindHeader(signed_headers, "Host")) {
    signed_headers.emplace_back("Host", std::string(message.host));
  }
  signed_headers.insert(signed_headers.end(), out.headers.begin(), out.headers.end());
  CanonicalHeaders canonical = Canonicalize(signed_headers);
  out.signed_headers = std::move(canonical.names);

  out.canonical_request = std::string(message.method) + '\n' + SigV4CanonicalUri(message.path) +
                          '\n' + SigV4CanonicalQuery(message.query) + '\n' + canonical.block +
                          '\n' + out.signed_headers + '\n' + payload_hash;
  const std::string scope =
      std::string(date) + '/' + options.region + '/' + options.service + "/aws4_request";
  out.string_to_sign = std::string(kAlgorithm) + '\n' + amz_date + '\n' + scope + '\n' +
                       Sha256Hex(out.canonical_request);

  std::optional<std::string> key =
      SigningKey(credentials.secret_access_key, date, options.region, options.service);
  std::optional<std::string> mac =
      key ? HmacSha256(*key, out.string_to_sign) : std::optional<std::string>();
  if (key) {
    OPENSSL_cleanse(key->data(), key->size());
  }
  if (!mac) {
    return Internal("SigV4: HMAC-SHA256 failed");
  }
  out.signature = Hex(reinterpret_cast<const unsigned char*>(mac->data()), mac->size());
  out.headers.emplace_back("Authorization", std::string(kAlgorithm) +
                                                " Credential=" + credentials.access_key_id + '/' +
                                                scope + ", SignedHeaders=" + out.signed_headers +
                                                ", Signature=" + out.signature);
  return out;
}

Result<HttpRequest> SignHttpRequest(HttpRequest request, const SigV4Credentials& credentials,
                                    const SigV4Options& options, Timestamp now) {
  Result<ParsedUrl> url = ParseUrl(request.url);
  if (!url.ok()) {
    return url.status().Annotate("SigV4");
  }
  const std::string_view target = url->target;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);

  // A replayed request (retry, OAuth-style replay) carries the previous
  // attempt's signature; it is stale and must not be signed into the new one.
  std::erase_if(request.headers,
                [&options](const auto& h) { return IsSignatureHeader(h.first, options); });
  HttpHeaders to_sign;
  std::copy_if(request.headers.begin(), request.headers.end(), std::back_inserter(to_sign),
               [](const auto& h) { return !IsUnsignable(h.first); });
  const std::string host = url->HostHeader();
  const SigV4Message message{request.method, host, path, query, to_sign, request.body};
  Result<SigV4Signature> signature = SignSigV4(message, credentials, options, now);
  if (!signature.ok()) {
    return signature.status();
  }
  request.headers.insert(request.headers.end(), signature->headers.begin(),
                         signature->headers.end());
  return request;
}

Result<SigV4Credentials> SigV4CredentialsFromEnvironment(const EnvLookup& env) {
  auto get = [&env](std::string_view name) -> std::string {
    if (env) {
      return env(name).value_or("");
    }
    const char* value = std::getenv(std::string(name).c_str());
    return value == nullptr ? std::string() : std::string(value);
  };
  SigV4Credentials out;
  out.access_key_id = get("AWS_ACCESS_KEY_ID");
  out.secret_access_key = get("AWS_SECRET_ACCESS_KEY");
  out.session_token = get("AWS_SESSION_TOKEN");
  std::vector<std::string_view> missing;
  if (out.access_key_id.empty()) {
    missing.push_back("AWS_ACCESS_KEY_ID");
  }
  if (out.secret_access_key.empty()) {
    missing.push_back("AWS_SECRET_ACCESS_KEY");
  }
  if (missing.empty()) {
    return out;
  }
  std::string names(missing[0]);
  if (missing.size() > 1) {
    names += " and " + std::string(missing[1]);
  }
  return FailedPrecondition("AWS credentials from the environment: " + names +
                            (missing.size() > 1 ? " are" : " is") +
                            " not set (AWS_SESSION_TOKEN is needed too for temporary credentials)");
}

SigV4Transport::SigV4Transport(HttpTransport& next, Clock& clock, SigV4Options options,
                               SigV4CredentialsProvider credentials, const Redactor* redactor)
    : next_(next),
      clock_(clock),
      options_(std::move(options)),
      credentials_(std::move(credentials)),
      redactor_(redactor) {}

Awaitable<Result<HttpResponse>> SigV4Transport::Send(HttpRequest request) {
  // Statements rather than conditional expressions inside co_return: g++ 12
  // ends the temporaries of such expressions early in a coroutine.
  Status failure = Status::Ok();
  std::optional<HttpRequest> signed_request;
  Result<SigV4Credentials> credentials = FailedPrecondition("no credentials provider configured");
  if (credentials_) {
    credentials = credentials_();
  }
  if (!credentials.ok()) {
    std::string message = credentials.status().message();
    if (redactor_ != nullptr) {
      message = redactor_->Redact(message);
    }
    failure = Status(credentials.status().code(),
                     "SigV4 signing for " + options_.service + ": credentials: " + message);
  } else {
    Result<HttpRequest> r =
        SignHttpRequest(std::move(request), *credentials, options_, clock_.Now());
    if (r.ok()) {
      signed_request = std::move(r).value();
    } else {
      failure = r.status().Annotate("SigV4 signing for " + options_.service);
    }
  }
  if (!failure.ok()) {
    co_return failure;
  }
  co_return co_await next_.Send(std::move(*signed_request));
}

}  // namespace dealsync
