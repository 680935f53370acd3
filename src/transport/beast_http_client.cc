// The Beast implementation of BeastHttpClient. All Beast/Asio-heavy client code
// lives in this one translation unit to keep compile times down.
#include "src/transport/beast_http_client.h"

// g++ 12 reports a false -Wmismatched-new-delete for Asio's awaitable frames
// (they pair a custom operator new with the matching sized delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "dealsync/asio.h"
#include "src/transport/connector_transport.h"
#include "src/transport/gzip.h"
#include "src/transport/proxy.h"
#include "src/transport/url.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace dealsync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

constexpr size_t kHeaderLimit = 64 * 1024;
constexpr size_t kProxyHeaderLimit = 16 * 1024;

struct Connection {
  std::string key;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

using BeastRequest = http::request<http::string_body>;

// The outcome of one request/response exchange on one connection.
struct Exchange {
  std::optional<HttpResponse> response;
  Status error;
  bool stale = false;     // failed before any response byte: safe to retry once
  bool reusable = false;  // the connection may go back to the pool
};

Status NetworkError(const std::string& context, std::string_view step, const beast::error_code& ec,
                    std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return Status(StatusCode::kDeadlineExceeded, context + ": " + std::string(step) +
                                                     ": timed out (request timeout " +
                                                     std::to_string(timeout.count()) + " ms)");
  }
  return Unavailable(context + ": " + std::string(step) + ": " + ec.message());
}

// A closed idle connection shows up as one of these on the first write or read.
bool IsStaleConnectionError(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

BeastRequest BuildRequest(const HttpRequest& request, const ParsedUrl& url,
                          const std::string& user_agent) {
  BeastRequest req;
  req.method_string(request.method);
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, url.HostHeader());
  req.set(http::field::user_agent, user_agent);
  for (const auto& [name, value] : request.headers) {
    const http::field f = http::string_to_field(name);
    if (f == http::field::content_length || f == http::field::transfer_encoding ||
        f == http::field::host || f == http::field::connection ||
        f == http::field::accept_encoding) {
      continue;  // framing and content coding are ours to set
    }
    if (f == http::field::user_agent) {
      req.set(f, value);
    } else {
      req.insert(name, value);
    }
  }
  // The only coding the client decodes (gzip.h), within the body limit.
  req.set(http::field::accept_encoding, "gzip");
  req.body() = request.body;
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

HttpResponse ToHttpResponse(http::response<http::string_body>&& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(res.body());
  return out;
}

// Writes the request and reads the response within `deadline`.
template <typename Stream>
Awaitable<Exchange> RunExchange(Stream& stream, beast::flat_buffer& buffer, BeastRequest& req,
                                SteadyTime deadline, size_t max_body, const std::string& context,
                                std::chrono::milliseconds timeout) {
  Exchange out;
  auto& lowest = beast::get_lowest_layer(stream);
  beast::error_code ec;
  lowest.expires_at(deadline);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = NetworkError(context, "write", ec, timeout);
    out.stale = IsStaleConnectionError(ec);
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body);
  parser.header_limit(kHeaderLimit);
  if (req.method() == http::verb::head) {
    parser.skip(true);
  }
  lowest.expires_at(deadline);
  co_await http::async_read_header(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  // The declared length is checked here as well as by the parser's own limit:
  // fail before reading a byte of an oversized body.
  const bool too_long = !ec && parser.content_length() && *parser.content_length() > max_body;
  if (!ec && !too_long && !parser.is_done()) {
    lowest.expires_at(deadline);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
  }
  if (too_long || ec == http::error::body_limit || (!ec && parser.get().body().size() > max_body)) {
    out.error = Unavailable(context + ": response body exceeds the limit of " +
                            std::to_string(max_body) + " bytes");
    co_return out;
  }
  if (ec == asio::ssl::error::stream_truncated && parser.is_header_done() &&
      !parser.content_length() && !parser.chunked()) {
    // A body delimited by connection close, and the server closed TCP without
    // a TLS close_notify. Many servers do this; such a body has no length to
    // check anyway, so the close is the end of the message (Beast's examples
    // tolerate stream_truncated for the same reason). Anywhere else it stays
    // an error: a declared length that did not arrive is a truncated response.
    beast::error_code eof_ec;
    parser.put_eof(eof_ec);
    ec = eof_ec;
  }
  if (ec) {
    out.stale = IsStaleConnectionError(ec) && !parser.got_some();
    // stream_truncated mid-message means the server closed TCP without TLS
    // close_notify before the declared length arrived: a truncated response.
    out.error = NetworkError(context, parser.got_some() ? "read (response incomplete)" : "read", ec,
                             timeout);
    co_return out;
  }
  auto res = parser.release();
  out.reusable = res.keep_alive() && !res.need_eof();
  out.response = ToHttpResponse(std::move(res));
  co_return out;
}

std::string VerifyFailureDetail(SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) {
    return "";
  }
  return std::string(" (") + X509_verify_cert_error_string(result) + ")";
}

// One TLS client context per (CA file as it is on disk, verify mode), shared by
// every client that uses it: parsing the system CA store takes tens of
// milliseconds and a few MB, so a daemon with a thousand sources must not do
// it per source. An SSL_CTX may create SSL objects from several threads; the
// per-connection settings (SNI, host name check) live on each stream. Contexts
// are held weakly, so a reload with a changed CA file builds a new one.
Result<std::shared_ptr<asio::ssl::context>> SharedClientContext(const ClientOptions& options) {
  std::string key = options.verify_peer ? "verify\n" : "noverify\n";
  key += options.ca_file_certificates_are_anchors ? "anchors\n" : "roots\n";
  if (!options.ca_file.empty()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(options.ca_file, ec);
    const auto mtime = std::filesystem::last_write_time(options.ca_file, ec);
    key += options.ca_file + "\n" + std::to_string(ec ? 0 : size) + "\n" +
           std::to_string(ec ? 0 : mtime.time_since_epoch().count());
  }
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<asio::ssl::context>> contexts;
  std::lock_guard lock(mu);
  if (auto it = contexts.find(key); it != contexts.end()) {
    if (std::shared_ptr<asio::ssl::context> shared = it->second.lock()) {
      return shared;
    }
  }
  auto ssl = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  ssl->set_default_verify_paths(ec);
  if (ec) {
    return FailedPrecondition("TLS: cannot load the system CA store: " + ec.message());
  }
  if (!options.ca_file.empty()) {
    ssl->load_verify_file(options.ca_file, ec);
    if (ec) {
      return FailedPrecondition("TLS: cannot load ca_file " + options.ca_file + ": " +
                                ec.message());
    }
    if (options.ca_file_certificates_are_anchors) {
      X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ssl->native_handle()),
                                  X509_V_FLAG_PARTIAL_CHAIN);
    }
  }
  ssl->set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  contexts[key] = ssl;
  for (auto it = contexts.begin(); it != contexts.end();) {  // forget unused ones
    it = it->second.expired() ? contexts.erase(it) : std::next(it);
  }
  return ssl;
}

}  // namespace

struct BeastHttpClient::Impl {
  Impl(asio::any_io_executor ex, ClientOptions opts) : executor(ex), options(std::move(opts)) {
    init_status = ConfigureTls();
  }

  Status ConfigureTls();
  Awaitable<Result<std::unique_ptr<Connection>>> Connect(const ParsedUrl& url, SteadyTime deadline,
                                                         const std::string& context,
                                                         std::chrono::milliseconds timeout);
  Awaitable<Status> Tunnel(beast::tcp_stream& stream, const ParsedUrl& url, const ProxyRoute& route,
                           SteadyTime deadline, const std::string& context,
                           std::chrono::milliseconds timeout);
  Awaitable<Status> Handshake(Connection& conn, const ParsedUrl& url, SteadyTime deadline,
                              const std::string& context, std::chrono::milliseconds timeout);
  std::unique_ptr<Connection> TakeIdle(const std::string& key);
  void PutIdle(std::unique_ptr<Connection> conn);

  asio::any_io_executor executor;
  ClientOptions options;
  std::shared_ptr<asio::ssl::context> ssl;  // shared (SharedClientContext)
  Status init_status;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  uint64_t opened = 0;
};

Status BeastHttpClient::Impl::ConfigureTls() {
  Result<std::shared_ptr<asio::ssl::context>> shared = SharedClientContext(options);
  if (!shared.ok()) {
    return shared.status();
  }
  ssl = std::move(*shared);
  return Status::Ok();
}

Awaitable<Result<std::unique_ptr<Connection>>> BeastHttpClient::Impl::Connect(
    const ParsedUrl& url, SteadyTime deadline, const std::string& context,
    std::chrono::milliseconds timeout) {
  Result<ProxyRoute> route = RouteFor(options.proxy, url);
  if (!route.ok()) {
    co_return route.status().Annotate(context);
  }
  const std::string& dial_host = route->proxy ? route->proxy->host : url.host;
  const uint16_t dial_port = route->proxy ? route->proxy->port : url.port;
  const std::string via = route->proxy ? " proxy " + route->proxy->Authority() : "";
  beast::error_code ec;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(
      dial_host, std::to_string(dial_port), tcp::resolver::numeric_service,
      asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return Unavailable(context + ": resolve" + (route->proxy ? " proxy " : " ") + dial_host +
                          ": " + ec.message());
  }
  if (url.scheme == "http") {
    for (const auto& entry : endpoints) {
      if (!entry.endpoint().address().is_loopback()) {
        co_return InvalidArgument(context + ": plain http:// is allowed only to loopback, and " +
                                  url.host + " resolves to " +
                                  entry.endpoint().address().to_string());
      }
    }
  }
  auto conn = std::make_unique<Connection>();
  conn->key = url.Key();
  if (url.scheme == "https") {
    conn->secure.emplace(executor, *ssl);
  } else {
    conn->plain.emplace(executor);
  }
  conn->lowest().expires_at(deadline);
  co_await conn->lowest().async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return NetworkError(context, route->proxy ? "connect to" + via : "connect", ec, timeout);
  }
  ++opened;
  if (route->proxy) {
    DEALSYNC_CO_RETURN_IF_ERROR(
        co_await Tunnel(conn->lowest(), url, *route, deadline, context, timeout));
  }
  if (conn->secure) {
    DEALSYNC_CO_RETURN_IF_ERROR(co_await Handshake(*conn, url, deadline, context, timeout));
  }
  co_return conn;
}

// Opens a CONNECT tunnel to `url`'s host and port through the proxy `stream`
// is connected to (RFC 9110 section 9.3.6). Proxy-Authorization, when the
// route has it, goes in this request only: everything after it is TLS to the
// origin. No error message carries the header.
Awaitable<Status> BeastHttpClient::Impl::Tunnel(beast::tcp_stream& stream, const ParsedUrl& url,
                                                const ProxyRoute& route, SteadyTime deadline,
                                                const std::string& context,
                                                std::chrono::milliseconds timeout) {
  const std::string proxy = "proxy " + route.proxy->Authority();
  std::string head = ConnectRequest(url, options.user_agent, route.proxy_authorization);
  beast::error_code ec;
  stream.expires_at(deadline);
  co_await asio::async_write(stream, asio::buffer(head),
                             asio::redirect_error(asio::use_awaitable, ec));
  std::fill(head.begin(), head.end(), '\0');
  if (ec) {
    co_return NetworkError(context, "CONNECT to " + proxy, ec, timeout);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.header_limit(kProxyHeaderLimit);
  // A 2xx answer to CONNECT has no body: the tunnel starts right after it.
  parser.skip(true);
  stream.expires_at(deadline);
  co_await http::async_read_header(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return NetworkError(context, "CONNECT to " + proxy + ": read", ec, timeout);
  }
  const unsigned code = parser.get().result_int();
  std::string reason(parser.get().reason().substr(0, 80));
  const std::string answered = proxy + " answered CONNECT with " + std::to_string(code) +
                               (reason.empty() ? "" : " " + reason);
  if (code == 407) {
    // Not retried: the same request would get the same answer.
    co_return Status(StatusCode::kUnauthenticated,
                     context + ": " + answered +
                         (route.proxy_authorization.empty()
                              ? " (no credential is configured for this proxy: set connection."
                                "proxy = \"http://host:port\" with proxy_username and "
                                "proxy_credential)"
                              : " (the proxy refused connection.proxy_credential)"));
  }
  if (code == 403) {
    co_return Status(StatusCode::kPermissionDenied,
                     context + ": " + answered + " (the proxy does not allow this destination)");
  }
  if (code >= 500) {
    co_return Unavailable(context + ": " + answered);
  }
  if (code < 200 || code >= 300) {
    co_return FailedPrecondition(context + ": " + answered);
  }
  if (buffer.size() != 0) {
    co_return Unavailable(context + ": " + proxy +
                          " sent data before the TLS handshake in the tunnel");
  }
  co_return Status::Ok();
}

Awaitable<Status> BeastHttpClient::Impl::Handshake(Connection& conn, const ParsedUrl& url,
                                                   SteadyTime deadline, const std::string& context,
                                                   std::chrono::milliseconds timeout) {
  auto& stream = *conn.secure;
  // SNI carries host names only; RFC 6066 forbids IP literals there.
  beast::error_code not_ip;
  asio::ip::make_address(url.host, not_ip);
  if (not_ip && SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()) != 1) {
    co_return Unavailable(context + ": TLS: cannot set SNI host name");
  }
  if (options.verify_peer) {
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  }
  beast::error_code ec;
  conn.lowest().expires_at(deadline);
  co_await stream.async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    Status s = NetworkError(context, "TLS handshake", ec, timeout);
    if (s.code() == StatusCode::kUnavailable) {
      s = Unavailable(s.message() + VerifyFailureDetail(stream.native_handle()));
    }
    co_return s;
  }
  co_return Status::Ok();
}

std::unique_ptr<Connection> BeastHttpClient::Impl::TakeIdle(const std::string& key) {
  auto it = idle.find(key);
  if (it == idle.end() || it->second.empty()) {
    return nullptr;
  }
  std::unique_ptr<Connection> conn = std::move(it->second.back());
  it->second.pop_back();
  return conn;
}

void BeastHttpClient::Impl::PutIdle(std::unique_ptr<Connection> conn) {
  auto& list = idle[conn->key];
  if (list.size() < options.max_idle_connections_per_host) {
    list.push_back(std::move(conn));
  }
  // Otherwise the connection is closed here. No TLS close_notify is sent: the
  // peer sees a TCP close, which HTTP/1.1 servers treat as the end of an idle
  // keep-alive connection (the same ssl::error::stream_truncated case they must
  // tolerate, since every response was complete and length-delimited).
}

BeastHttpClient::BeastHttpClient(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_unique<Impl>(executor, std::move(options))) {}

BeastHttpClient::~BeastHttpClient() = default;

Result<std::unique_ptr<BeastHttpClient>> BeastHttpClient::Create(asio::any_io_executor executor,
                                                                 ClientOptions options) {
  auto client = std::make_unique<BeastHttpClient>(executor, std::move(options));
  DEALSYNC_RETURN_IF_ERROR(client->impl_->init_status);
  return client;
}

Awaitable<Result<HttpResponse>> BeastHttpClient::Send(HttpRequest request) {
  Impl& impl = *impl_;
  const std::string context = request.method + " " + RedactUrl(request.url);
  if (!impl.init_status.ok()) {
    co_return impl.init_status.Annotate(context);
  }
  Result<ParsedUrl> url = ParseUrl(request.url);
  if (!url.ok()) {
    co_return url.status().Annotate(request.method);
  }
  if (url->scheme == "http" &&
      !(impl.options.allow_insecure_http_loopback && IsLoopbackHost(url->host))) {
    co_return InvalidArgument(
        context +
        ": plain http:// is refused; use https:// (http is allowed only to a loopback "
        "host and only when allow_insecure_http is set)");
  }
  // One deadline for the whole request, so a server that trickles bytes cannot
  // stretch it step by step beyond request.timeout.
  const SteadyTime deadline = std::chrono::steady_clock::now() + request.timeout;
  BeastRequest req = BuildRequest(request, *url, impl.options.user_agent);

  std::unique_ptr<Connection> conn = impl.TakeIdle(url->Key());
  bool reused = conn != nullptr;
  for (;;) {
    if (!conn) {
      auto connected = co_await impl.Connect(*url, deadline, context, request.timeout);
      if (!connected.ok()) {
        co_return connected.status();
      }
      conn = std::move(connected).value();
    }
    // (No co_await inside ?: here: g++ 12 miscompiles that and double-frees.)
    Exchange ex;
    if (conn->secure) {
      ex = co_await RunExchange(*conn->secure, conn->buffer, req, deadline,
                                impl.options.max_body_bytes, context, request.timeout);
    } else {
      ex = co_await RunExchange(*conn->plain, conn->buffer, req, deadline,
                                impl.options.max_body_bytes, context, request.timeout);
    }
    if (ex.response) {
      if (ex.reusable) {
        impl.PutIdle(std::move(conn));
      }
      // The decoded body is held to the same limit as the body on the wire,
      // so a small gzip bomb is an error, not memory exhaustion.
      Status decoded = DecodeContentEncoding(*ex.response, impl.options.max_body_bytes);
      if (!decoded.ok()) {
        co_return decoded.Annotate(context);
      }
      co_return std::move(*ex.response);
    }
    // A pooled connection the server had already closed: nothing was
    // processed, so one retry on a fresh connection is safe.
    if (reused && ex.stale) {
      conn.reset();
      reused = false;
      continue;
    }
    co_return ex.error;
  }
}

uint64_t BeastHttpClient::connections_opened() const {
  return impl_->opened;
}

size_t BeastHttpClient::idle_connections() const {
  size_t n = 0;
  for (const auto& [key, list] : impl_->idle) {
    n += list.size();
  }
  return n;
}

void BeastHttpClient::CloseIdle() {
  impl_->idle.clear();
}

ClientOptions ClientOptionsFor(const ConnectionConfig& connection) {
  ClientOptions options;
  options.ca_file = connection.ca_file;
  options.allow_insecure_http_loopback = connection.allow_insecure_http;
  if (!connection.proxy) {
    options.proxy.mode = ProxyOptions::Mode::kEnvironment;
    options.proxy.environment = ProxyEnvironment::Read();
  } else if (!connection.proxy->empty()) {
    options.proxy.mode = ProxyOptions::Mode::kExplicit;
    options.proxy.url = *connection.proxy;
  }
  return options;
}

Result<ClientOptions> ClientOptionsFor(
    const ConnectionConfig& connection,
    const std::function<Result<std::string>(const CredentialRef&)>& secrets) {
  ClientOptions options = ClientOptionsFor(connection);
  if (connection.proxy_credential.empty()) {
    return options;
  }
  if (options.proxy.mode != ProxyOptions::Mode::kExplicit) {
    return InvalidArgument(
        "connection.proxy_credential: needs connection.proxy = \"http://host:port\" (a proxy "
        "credential is sent only to the proxy configured beside it)");
  }
  if (connection.proxy_username.empty()) {
    return InvalidArgument("connection.proxy_username: required with connection.proxy_credential");
  }
  if (!secrets) {
    return FailedPrecondition("connection.proxy_credential: no credential source");
  }
  Result<std::string> secret =
      ReadSecret(secrets, connection.proxy_credential, "connection.proxy_credential");
  if (!secret.ok()) {
    return secret.status();
  }
  options.proxy.credentials = connection.proxy_username + ":" + *secret;
  return options;
}

}  // namespace dealsync
