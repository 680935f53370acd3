// BeastHttpClient: the real HttpTransport, HTTPS over Boost.Beast + OpenSSL with
// C++20 coroutines.
//
//   - Certificates and host names are verified by default (system CA store plus
//     an optional extra CA file); SNI is sent for host names.
//   - Plain http:// is refused (kInvalidArgument) unless the options allow it AND
//     the host is a loopback address.
//   - One deadline per request (request.timeout) bounds every network step:
//     resolve, connect, handshake, write, read. Expiry -> kDeadlineExceeded.
//   - Keep-alive connections are pooled per (scheme, host, port); a request that
//     fails on a reused connection before any response byte arrived (the server
//     closed it while idle) is retried once on a fresh connection.
//   - Responses larger than max_body_bytes fail with kUnavailable.
//   - Every request says Accept-Encoding: gzip; a gzip response body is decoded
//     (gzip.h) and must fit max_body_bytes decoded as well, else kUnavailable.
//     Any other Content-Encoding is kFailedPrecondition. Callers see the
//     decoded body without Content-Encoding.
//   - https:// may go through an HTTP proxy (ClientOptions::proxy, proxy.h): a
//     CONNECT tunnel, then TLS to the origin inside it with SNI and certificate
//     checks against the origin host, exactly as without a proxy. A 407 from
//     the proxy is kUnauthenticated, a 403 kPermissionDenied (not retried).
// Errors carry context such as "GET https://host/path: connect: Connection
// refused"; query values of secret-looking parameters are redacted.
// Thread-safety: use from one executor thread. The client must outlive its Sends.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "dealsync/asio.h"
#include "dealsync/config.h"
#include "dealsync/http.h"
#include "src/transport/proxy.h"

#include <boost/asio/any_io_executor.hpp>

namespace dealsync {

struct ClientOptions {
  std::string ca_file;                        // extra trusted CA (PEM); empty: system store only
  bool verify_peer = true;                    // never off by default; off only for diagnostics
  bool allow_insecure_http_loopback = false;  // permit http:// to 127.0.0.0/8, ::1, localhost
  size_t max_body_bytes = 64 * 1024 * 1024;
  std::string user_agent = "dealsync/0.1";
  size_t max_idle_connections_per_host = 4;
  ProxyOptions proxy;  // https:// through a CONNECT tunnel (proxy.h); default direct
  // Every certificate in ca_file is a trust anchor, not only self-signed roots
  // (X509_V_FLAG_PARTIAL_CHAIN): for a server's own certificate used as the
  // anchor, which is often issued by a CA the client does not have.
  bool ca_file_certificates_are_anchors = false;
};

// The client options a connector's connection settings ask for: connection.proxy,
// or else HTTPS_PROXY / NO_PROXY as the environment has them now. Without a
// SecretSource the proxy credential is not read (no Proxy-Authorization).
ClientOptions ClientOptionsFor(const ConnectionConfig& connection);
// The same, with connection.proxy_credential read through `secrets`; errors
// name the key and the credential (never its content).
Result<ClientOptions> ClientOptionsFor(
    const ConnectionConfig& connection,
    const std::function<Result<std::string>(const CredentialRef&)>& secrets);

class BeastHttpClient final : public HttpTransport {
 public:
  // Loads the CA store; a failure there (e.g. unreadable ca_file) is reported by
  // every Send() as kFailedPrecondition. Use Create() to fail fast instead.
  BeastHttpClient(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~BeastHttpClient() override;

  static Result<std::unique_ptr<BeastHttpClient>> Create(boost::asio::any_io_executor executor,
                                                         ClientOptions options = {});

  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override;

  // Connections opened since construction (tests check reuse with it).
  uint64_t connections_opened() const;
  size_t idle_connections() const;
  // Drops every pooled connection.
  void CloseIdle();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dealsync
