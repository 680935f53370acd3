// HttpServer: a small HTTP/1.1 (optionally TLS) server for the admin API and the
// CRM simulators, on Boost.Beast with one coroutine per connection.
//
// The handler sees request.url = the request target ("/path?query"), the headers
// and the body; its HttpResponse is sent back (Content-Length set for it).
// Keep-alive is honoured; every read has the idle timeout, every body the limit
// (413 when exceeded).
//
// Fault injection for simulators: a response carrying the internal header
//   X-Dealsync-Fault: drop      closes the connection without answering;
//   X-Dealsync-Fault: truncate  sends the headers with the full Content-Length
//                               and half the body, then closes.
// Every X-Dealsync-* header is stripped from what is sent.
//
// Limits: at most max_connections live connections; one more is answered
// "503 Service Unavailable" with Retry-After and closed (plain HTTP; over TLS it
// is closed at once). A failing accept (EMFILE/ENFILE at the file-descriptor
// limit, ENOBUFS, ...) waits accept_backoff, doubling up to accept_backoff_max,
// before accepting again: the pending connection stays in the backlog, so
// retrying at once would spin a core. The first failure of a streak and the
// first refusal while at the cap are reported through on_warning.
//
// Thread-safety: construct, Start() and Stop() from the executor's thread (or
// while it is not running). The handler runs on the executor. Stop() is
// cooperative: it closes the acceptor and every live connection; a handler that
// is suspended keeps its connection's coroutine alive until it returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dealsync/asio.h"
#include "dealsync/http.h"
#include "dealsync/status.h"

#include <boost/asio/any_io_executor.hpp>

namespace dealsync {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";  // loopback unless told otherwise
  uint16_t port = 0;                       // 0: the OS picks; Start() returns it
  std::string cert_file;                   // PEM chain; TLS when cert_file and key_file set
  std::string key_file;
  size_t max_body_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30000};  // per read/write; then the connection closes
  size_t max_connections = 256;
  std::chrono::milliseconds accept_backoff{50};
  std::chrono::milliseconds accept_backoff_max{1000};
  std::function<void(const std::string&)> on_warning;  // optional; called on the executor
};

// The header a handler sets to inject a fault (see above).
inline constexpr const char* kFaultHeader = "X-Dealsync-Fault";

class HttpServer {
 public:
  using Handler = std::function<Awaitable<HttpResponse>(HttpRequest)>;

  HttpServer(boost::asio::any_io_executor executor, ServerOptions options, Handler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()s

  // Loads the certificate (if any), binds, listens and starts accepting.
  // Returns the bound port. kInvalidArgument for bad options/certificates,
  // kUnavailable when the address cannot be bound.
  Result<uint16_t> Start();

  // Closes the acceptor and every live connection. Idempotent.
  void Stop();

  uint16_t port() const;
  bool tls() const;
  // Connections accepted since Start() (tests check keep-alive reuse with it).
  uint64_t accepted_connections() const;
  // Requests handed to the handler since Start().
  uint64_t handled_requests() const;
  // Connections refused (503 or closed) because max_connections were live.
  uint64_t refused_connections() const;
  // Failed accepts since Start(), and since the last successful one.
  uint64_t accept_errors() const;
  uint64_t consecutive_accept_errors() const;
  size_t live_connections() const;

  struct State;  // implementation detail, shared with the connection coroutines

 private:
  std::shared_ptr<State> state_;
};

}  // namespace dealsync
