#include "src/transport/oauth2.h"

#include <nlohmann/json.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "src/transport/jwt.h"
#include "src/transport/url.h"

namespace dealsync {
namespace {

using std::chrono::milliseconds;

void AddFormField(std::string& form, std::string_view name, std::string_view value) {
  if (!form.empty()) {
    form += '&';
  }
  form += UrlEncode(name);
  form += '=';
  form += UrlEncode(value);
}

std::string StringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// expires_in as a number or a numeric string (both are seen in the wild).
std::optional<int64_t> ExpiresIn(const nlohmann::json& j) {
  auto it = j.find("expires_in");
  if (it == j.end()) {
    return std::nullopt;
  }
  if (it->is_number_integer() || it->is_number_unsigned()) {
    return it->get<int64_t>();
  }
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// "invalid_grant: authentication failure" from an OAuth2 error body, if any.
std::string OAuthErrorText(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return "";
  }
  std::string text = StringField(j, "error");
  const std::string description = StringField(j, "error_description");
  if (!description.empty()) {
    text += (text.empty() ? "" : ": ") + description;
  }
  return text;
}

constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

// RFC 7523 section 3: iss, sub, aud and exp (seconds since the epoch).
Result<std::string> JwtBearerAssertion(const OAuth2Options& options, const OAuth2Secrets& secrets,
                                       Timestamp now) {
  const int64_t issued =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const nlohmann::json claims = {{"iss", options.client_id},
                                 {"sub", options.subject},
                                 {"aud", options.audience},
                                 {"exp", issued + options.assertion_lifetime.count()}};
  return SignJwtRs256(claims.dump(), secrets.private_key_pem);
}

}  // namespace

OAuth2TokenCache::OAuth2TokenCache(OAuth2Options options, OAuth2Secrets secrets)
    : options_(std::move(options)), secrets_(std::move(secrets)) {}

std::optional<std::string> OAuth2TokenCache::Valid(TimePoint now) const {
  if (access_token_.empty() || now >= refresh_at_) {
    return std::nullopt;
  }
  return access_token_;
}

Result<HttpRequest> OAuth2TokenCache::BuildTokenRequest(Timestamp now) const {
  HttpRequest req;
  req.method = "POST";
  req.url = options_.token_url;
  req.timeout = options_.timeout;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  std::string form;
  if (options_.flow == OAuth2Options::Flow::kJwtBearer) {
    Result<std::string> assertion = JwtBearerAssertion(options_, secrets_, now);
    if (!assertion.ok()) {
      return assertion.status().Annotate("oauth2 JWT bearer assertion");
    }
    AddFormField(form, "grant_type", kJwtBearerGrant);
    AddFormField(form, "assertion", *assertion);
    if (!options_.scope.empty()) {
      AddFormField(form, "scope", options_.scope);
    }
    req.body = std::move(form);
    return req;
  }
  if (options_.flow == OAuth2Options::Flow::kRefreshToken) {
    AddFormField(form, "grant_type", "refresh_token");
    AddFormField(form, "refresh_token", secrets_.refresh_token);
  } else {
    AddFormField(form, "grant_type", "client_credentials");
  }
  if (!options_.scope.empty()) {
    AddFormField(form, "scope", options_.scope);
  }
  if (options_.client_auth == OAuth2Options::ClientAuth::kBasic) {
    // RFC 6749 2.3.1: id and secret are form-encoded before base64.
    req.headers.emplace_back("Authorization",
                             "Basic " + Base64Encode(UrlEncode(options_.client_id) + ":" +
                                                     UrlEncode(secrets_.client_secret)));
  } else {
    AddFormField(form, "client_id", options_.client_id);
    if (!secrets_.client_secret.empty()) {
      AddFormField(form, "client_secret", secrets_.client_secret);
    }
  }
  req.body = std::move(form);
  return req;
}

Status OAuth2TokenCache::OnTokenResponse(const HttpResponse& response, TimePoint now) {
  const std::string context = "oauth2 token request to " + RedactUrl(options_.token_url);
  if (!response.ok()) {
    std::string message = context + ": HTTP " + std::to_string(response.status);
    if (const std::string detail = OAuthErrorText(response.body); !detail.empty()) {
      message += ": " + detail;
    }
    if (response.status >= 500) {
      return Unavailable(std::move(message));
    }
    if (response.status == 429) {
      return ResourceExhausted(std::move(message));
    }
    return Unauthenticated(std::move(message));
  }
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return InvalidArgument(context + ": the response is not a JSON object");
  }
  std::string token = StringField(j, "access_token");
  if (token.empty()) {
    return InvalidArgument(context + ": the response has no access_token");
  }
  const milliseconds lifetime =
      ExpiresIn(j) ? milliseconds(*ExpiresIn(j) * 1000) : options_.session_lifetime;
  // Refresh `margin` early; for very short lifetimes, half-way through.
  const milliseconds margin = std::min(options_.refresh_margin, lifetime / 2);
  access_token_ = std::move(token);
  refresh_at_ = now + lifetime - margin;
  if (std::string url = StringField(j, "instance_url"); !url.empty()) {
    instance_url_ = std::move(url);
  }
  if (std::string rotated = StringField(j, "refresh_token"); !rotated.empty()) {
    secrets_.refresh_token = std::move(rotated);  // servers that rotate refresh tokens
  }
  return Status::Ok();
}

void OAuth2TokenCache::Invalidate(const std::string& rejected) {
  if (rejected == access_token_) {
    access_token_.clear();
  }
}

OAuth2TokenSource::OAuth2TokenSource(OAuth2Options options, OAuth2Secrets secrets,
                                     HttpTransport& token_transport, Clock& clock,
                                     Redactor& redactor)
    : cache_(std::move(options), std::move(secrets)),
      transport_(token_transport),
      clock_(clock),
      redactor_(redactor) {
  redactor_.AddSecret(cache_.secrets().client_secret);
  redactor_.AddSecret(cache_.secrets().refresh_token);
  redactor_.AddSecret(cache_.secrets().private_key_pem);
  if (cache_.options().flow == OAuth2Options::Flow::kJwtBearer) {
    redactor_.AddSecretField("assertion");  // a signed assertion is a credential until it expires
  }
}

Awaitable<Result<std::string>> OAuth2TokenSource::Token() {
  using Timer = boost::asio::steady_timer;
  // Someone else is fetching: wait for it, then use what it cached.
  while (fetch_done_) {
    auto timer = std::static_pointer_cast<Timer>(fetch_done_);
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  if (auto token = cache_.Valid(clock_.SteadyNow())) {
    co_return *token;
  }
  auto timer =
      std::make_shared<Timer>(co_await boost::asio::this_coro::executor, Timer::time_point::max());
  fetch_done_ = timer;
  Result<std::string> result = Internal("oauth2: token fetch did not complete");
  try {
    result = co_await Fetch();
  } catch (const std::exception& e) {
    // Waiters must be woken whatever happens; a throwing transport is a bug.
    result = Internal("oauth2: token fetch threw: " + redactor_.Redact(e.what()));
  }
  fetch_done_.reset();
  timer->cancel();  // wakes every waiter
  co_return result;
}

Awaitable<Result<std::string>> OAuth2TokenSource::Fetch() {
  ++fetches_;
  Result<HttpRequest> request = cache_.BuildTokenRequest(clock_.Now());
  if (!request.ok()) {
    co_return request.status();
  }
  Result<HttpResponse> response = co_await transport_.Send(std::move(request).value());
  if (!response.ok()) {
    co_return Status(response.status().code(),
                     redactor_.Redact("oauth2 token request: " + response.status().message()));
  }
  Status status = cache_.OnTokenResponse(*response, clock_.SteadyNow());
  if (!status.ok()) {
    co_return Status(status.code(), redactor_.Redact(status.message()));
  }
  auto token = cache_.Valid(clock_.SteadyNow());
  if (!token) {
    co_return Internal("oauth2: token expired on arrival");
  }
  redactor_.AddSecret(*token);
  redactor_.AddSecret(cache_.secrets().refresh_token);
  co_return *token;
}

}  // namespace dealsync
