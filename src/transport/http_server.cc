// The Beast implementation of HttpServer. All Beast/Asio-heavy server code
// lives in this one translation unit to keep compile times down.
#include "src/transport/http_server.h"

#include <map>
#include <optional>
#include <utility>

#include "dealsync/asio.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace dealsync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::State {
  State(asio::any_io_executor ex, ServerOptions opts, Handler h)
      : executor(ex),
        options(std::move(opts)),
        handler(std::move(h)),
        acceptor(ex),
        accept_backoff(ex) {}

  asio::any_io_executor executor;
  ServerOptions options;
  Handler handler;
  std::optional<asio::ssl::context> ssl;
  tcp::acceptor acceptor;
  bool started = false;
  bool stopped = false;
  uint16_t port = 0;
  uint64_t accepted = 0;
  uint64_t handled = 0;
  uint64_t next_connection_id = 0;
  uint64_t refused = 0;
  uint64_t accept_errors = 0;
  uint64_t consecutive_accept_errors = 0;
  size_t live = 0;      // connection coroutines spawned and not yet finished
  size_t refusing = 0;  // 503 answers being written
  asio::steady_timer accept_backoff;
  // One entry per live connection: closes its socket (used by Stop()).
  std::map<uint64_t, std::function<void()>> closers;
};

namespace {

using State = HttpServer::State;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

constexpr auto kShutdownTimeout = std::chrono::seconds(2);

// Registers a connection's closer for Stop() and removes it when the
// connection's coroutine ends.
class LiveConnection {
 public:
  LiveConnection(State& state, std::function<void()> closer)
      : state_(state), id_(state.next_connection_id++) {
    state_.closers.emplace(id_, std::move(closer));
  }
  LiveConnection(const LiveConnection&) = delete;
  LiveConnection& operator=(const LiveConnection&) = delete;
  ~LiveConnection() { state_.closers.erase(id_); }

 private:
  State& state_;
  uint64_t id_;
};

bool IsInternalHeader(std::string_view name) {
  constexpr std::string_view kPrefix = "x-dealsync-";
  if (name.size() < kPrefix.size()) {
    return false;
  }
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kPrefix[i]) {
      return false;
    }
  }
  return true;
}

HttpRequest ToHttpRequest(BeastRequest&& req) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.url = std::string(req.target());
  for (const auto& field : req) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  return out;
}

BeastResponse ToBeastResponse(HttpResponse&& response, unsigned version, bool keep_alive) {
  BeastResponse res;
  res.version(version);
  const bool valid_status = response.status >= 100 && response.status <= 999;
  res.result(valid_status ? static_cast<unsigned>(response.status) : 500u);
  res.set(http::field::server, "dealsync");
  for (auto& [name, value] : response.headers) {
    if (!IsInternalHeader(name)) {
      res.insert(name, value);
    }
  }
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

HttpResponse PlainResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// A throwing handler must not take the server down: answer 500 instead.
Awaitable<HttpResponse> CallHandler(State& state, HttpRequest request) {
  ++state.handled;
  try {
    co_return co_await state.handler(std::move(request));
  } catch (const std::exception&) {
    // The exception text may carry request data; keep it out of the response.
  }
  co_return PlainResponse(500, "internal server error\n");
}

// Sends the header (declaring the full Content-Length) and half the body.
template <typename Stream>
Awaitable<void> WriteTruncated(Stream& stream, BeastResponse& res) {
  beast::error_code ec;
  http::response_serializer<http::string_body> serializer(res);
  co_await http::async_write_header(stream, serializer,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return;
  }
  const std::string& body = res.body();
  co_await asio::async_write(stream, asio::buffer(body.data(), body.size() / 2),
                             asio::redirect_error(asio::use_awaitable, ec));
}

template <typename Stream>
Awaitable<void> CloseGracefully(Stream& stream, bool tls, bool stopped) {
  auto& lowest = beast::get_lowest_layer(stream);
  beast::error_code ec;
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    if (tls && !stopped) {
      lowest.expires_after(kShutdownTimeout);
      co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
  lowest.close();
}

// Serves requests on one connection until the peer closes, a timeout, a fault
// or Stop().
template <typename Stream>
Awaitable<void> Serve(std::shared_ptr<State> state, Stream& stream, bool tls) {
  auto& lowest = beast::get_lowest_layer(stream);
  LiveConnection live(*state, [&lowest] { lowest.close(); });
  const auto idle = state->options.idle_timeout;
  beast::error_code ec;
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    lowest.expires_after(idle);
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      lowest.close();
      co_return;
    }
  }
  beast::flat_buffer buffer;
  while (!state->stopped) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(state->options.max_body_bytes);
    lowest.expires_after(idle);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      BeastResponse res =
          ToBeastResponse(PlainResponse(413, "request body too large\n"), 11, false);
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (ec) {
      break;  // peer closed, idle timeout, malformed request or Stop()
    }
    BeastRequest req = parser.release();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    HttpResponse response = co_await CallHandler(*state, ToHttpRequest(std::move(req)));
    if (state->stopped) {
      break;
    }
    const std::string fault(response.header(kFaultHeader).value_or(""));
    if (fault == "drop") {
      break;
    }
    BeastResponse res = ToBeastResponse(std::move(response), version, keep_alive);
    lowest.expires_after(idle);
    if (fault == "truncate") {
      co_await WriteTruncated(stream, res);
      break;
    }
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) {
      break;
    }
  }
  co_await CloseGracefully(stream, tls, state->stopped);
}

Awaitable<void> ServeConnection(std::shared_ptr<State> state, tcp::socket socket) {
  beast::tcp_stream tcp_stream(std::move(socket));
  if (state->ssl) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *state->ssl);
    co_await Serve(state, stream, true);
  } else {
    co_await Serve(state, tcp_stream, false);
  }
}

void Warn(State& state, const std::string& message) {
  if (state.options.on_warning) {
    state.options.on_warning(message);
  }
}

// At the connection cap: a short 503 with Retry-After, then close.
Awaitable<void> Refuse(std::shared_ptr<State> state, tcp::socket socket) {
  ++state->refusing;
  beast::tcp_stream stream(std::move(socket));
  BeastResponse res = ToBeastResponse(PlainResponse(503, "too many connections; retry later\n"), 11,
                                      /*keep_alive=*/false);
  res.set(http::field::retry_after, "1");
  stream.expires_after(std::chrono::seconds(1));
  beast::error_code ec;
  co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
  --state->refusing;
}

constexpr size_t kMaxRefusing = 16;  // beyond this, refusals are a plain close

Awaitable<void> AcceptLoop(std::shared_ptr<State> state) {
  std::chrono::milliseconds backoff{0};
  while (!state->stopped) {
    beast::error_code ec;
    tcp::socket socket(state->executor);
    co_await state->acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopped || ec == asio::error::operation_aborted || !state->acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      // EMFILE and friends leave the connection in the backlog, so the next
      // accept would fail at once: wait before trying again.
      ++state->accept_errors;
      if (state->consecutive_accept_errors++ == 0) {
        Warn(*state, "http server: accept failed (" + ec.message() +
                         "); backing off while it keeps failing");
      }
      backoff = backoff.count() == 0 ? state->options.accept_backoff
                                     : std::min(backoff * 2, state->options.accept_backoff_max);
      state->accept_backoff.expires_after(backoff);
      co_await state->accept_backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (state->consecutive_accept_errors > 0) {
      Warn(*state, "http server: accepting again after " +
                       std::to_string(state->consecutive_accept_errors) + " failed accepts");
    }
    backoff = std::chrono::milliseconds(0);
    state->consecutive_accept_errors = 0;
    ++state->accepted;
    if (state->live >= state->options.max_connections) {
      if (state->refused++ == 0 || state->refused % 1000 == 0) {
        Warn(*state, "http server: " + std::to_string(state->live) +
                         " connections open (max_connections); refusing more (" +
                         std::to_string(state->refused) + " refused so far)");
      }
      if (!state->ssl && state->refusing < kMaxRefusing) {
        asio::co_spawn(state->executor, Refuse(state, std::move(socket)),
                       [](std::exception_ptr) {});
      } else {
        socket.close(ec);
      }
      continue;
    }
    ++state->live;
    asio::co_spawn(state->executor, ServeConnection(state, std::move(socket)),
                   [state](std::exception_ptr) { --state->live; });
  }
}

Status LoadCertificate(State& state) {
  const ServerOptions& o = state.options;
  if (o.cert_file.empty() != o.key_file.empty()) {
    return InvalidArgument("http server: cert_file and key_file must be set together");
  }
  if (o.cert_file.empty()) {
    return Status::Ok();
  }
  state.ssl.emplace(asio::ssl::context::tls_server);
  state.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  state.ssl->use_certificate_chain_file(o.cert_file, ec);
  if (ec) {
    return InvalidArgument("http server: certificate " + o.cert_file + ": " + ec.message());
  }
  state.ssl->use_private_key_file(o.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("http server: private key " + o.key_file + ": " + ec.message());
  }
  return Status::Ok();
}

Status Listen(State& state) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(state.options.bind_address, ec);
  if (ec) {
    return InvalidArgument("http server: bind_address \"" + state.options.bind_address +
                           "\" is not an IP address");
  }
  const tcp::endpoint endpoint(address, state.options.port);
  const std::string where = state.options.bind_address + ":" + std::to_string(state.options.port);
  state.acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    state.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    state.acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    state.acceptor.close(ec);
    return Unavailable("http server: listen on " + where + ": " + ec.message());
  }
  state.port = state.acceptor.local_endpoint(ec).port();
  return Status::Ok();
}

}  // namespace

HttpServer::HttpServer(asio::any_io_executor executor, ServerOptions options, Handler handler)
    : state_(std::make_shared<State>(executor, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  Stop();
}

Result<uint16_t> HttpServer::Start() {
  if (state_->started) {
    return Status(StatusCode::kFailedPrecondition, "http server: already started");
  }
  DEALSYNC_RETURN_IF_ERROR(LoadCertificate(*state_));
  DEALSYNC_RETURN_IF_ERROR(Listen(*state_));
  state_->started = true;
  asio::co_spawn(state_->executor, AcceptLoop(state_), [](std::exception_ptr) {});
  return state_->port;
}

void HttpServer::Stop() {
  State& s = *state_;
  if (s.stopped) {
    return;
  }
  s.stopped = true;
  beast::error_code ec;
  s.acceptor.close(ec);
  s.accept_backoff.cancel();
  // Closing cancels each connection's pending read/write; the coroutines then
  // unwind and erase themselves from `closers`, so iterate over a copy.
  auto closers = s.closers;
  for (auto& [id, close] : closers) {
    close();
  }
}

uint16_t HttpServer::port() const {
  return state_->port;
}
bool HttpServer::tls() const {
  return state_->ssl.has_value();
}
uint64_t HttpServer::accepted_connections() const {
  return state_->accepted;
}
uint64_t HttpServer::handled_requests() const {
  return state_->handled;
}
uint64_t HttpServer::refused_connections() const {
  return state_->refused;
}
uint64_t HttpServer::accept_errors() const {
  return state_->accept_errors;
}
uint64_t HttpServer::consecutive_accept_errors() const {
  return state_->consecutive_accept_errors;
}
size_t HttpServer::live_connections() const {
  return state_->live;
}

}  // namespace dealsync
