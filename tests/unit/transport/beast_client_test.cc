// BeastHttpClient against HttpServer over real loopback TLS (127.0.0.1, port 0).
#include <gmock/gmock.h>

#include "dealsync/asio.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <optional>

#include "src/platform/fake_clock.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/connector_transport.h"
#include "src/transport/gzip.h"
#include "src/transport/http_server.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using ::testing::Not;

HttpResponse Text(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// Echoes what the server saw, so tests can check the client's request.
Awaitable<HttpResponse> Echo(HttpRequest req) {
  std::string seen = req.method + " " + req.url + " body=" + req.body;
  if (auto h = FindHeader(req.headers, "X-Test")) {
    seen += " x-test=" + std::string(*h);
  }
  if (auto ua = FindHeader(req.headers, "User-Agent")) {
    seen += " ua=" + std::string(*ua);
  }
  co_return Text(200, seen, {{"X-Reply", "yes"}, {"X-Dealsync-Note", "internal"}});
}

class LoopbackTest : public ::testing::Test {
 protected:
  const testing::TestCerts& certs = testing::GetTestCerts();

  void TearDown() override {
    stall_.cancel();
    client_.reset();
    if (server_) {
      server_->Stop();
    }
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
  }

  uint16_t StartServer(HttpServer::Handler handler, ServerOptions options) {
    server_ =
        std::make_unique<HttpServer>(io_.get_executor(), std::move(options), std::move(handler));
    Result<uint16_t> port = server_->Start();
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    return port.ok() ? *port : 0;
  }

  ServerOptions Tls(const std::string& cert, const std::string& key) {
    ServerOptions o;
    o.cert_file = cert;
    o.key_file = key;
    return o;
  }

  uint16_t StartTlsServer(HttpServer::Handler handler = Echo) {
    return StartServer(std::move(handler), Tls(certs.server_cert, certs.server_key));
  }

  BeastHttpClient& Client(ClientOptions options) {
    client_ = std::make_unique<BeastHttpClient>(io_.get_executor(), std::move(options));
    return *client_;
  }
  BeastHttpClient& TrustingClient() {
    ClientOptions o;
    o.ca_file = certs.ca_file;
    return Client(o);
  }

  // Runs one Send to completion, pumping the shared io_context (server too).
  Result<HttpResponse> Send(HttpTransport& transport, HttpRequest request) {
    std::optional<Result<HttpResponse>> out;
    // Result<T> has no default constructor, which co_spawn's completion
    // needs, so the coroutine stores its result itself.
    auto run = [&]() -> Awaitable<void> {
      out.emplace(co_await transport.Send(std::move(request)));
    };
    asio::co_spawn(io_, run(), [](std::exception_ptr e) {
      if (e)
        std::rethrow_exception(e);
    });
    io_.restart();
    while (!out && io_.run_one() > 0) {
    }
    if (!out) {
      return Internal("test: the request never completed");
    }
    return std::move(*out);
  }
  Result<HttpResponse> Get(HttpTransport& transport, const std::string& url,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    HttpRequest r;
    r.url = url;
    r.timeout = timeout;
    return Send(transport, std::move(r));
  }

  static std::string Url(uint16_t port, const std::string& path,
                         const std::string& host = "127.0.0.1",
                         const std::string& scheme = "https") {
    return scheme + "://" + host + ":" + std::to_string(port) + path;
  }

  asio::io_context io_;
  asio::steady_timer stall_{io_, std::chrono::steady_clock::time_point::max()};
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<BeastHttpClient> client_;
};

TEST_F(LoopbackTest, GetAndPostRoundTripOverTls) {
  const uint16_t port = StartTlsServer();
  auto& client = TrustingClient();
  Result<HttpResponse> get = Get(client, Url(port, "/deals?limit=2"));
  ASSERT_OK(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /deals?limit=2 body= ua=dealsync/0.1");
  EXPECT_EQ(get->header("X-Reply").value_or(""), "yes");
  EXPECT_FALSE(get->header("X-Dealsync-Note").has_value()) << "internal headers are stripped";

  HttpRequest post;
  post.method = "POST";
  post.url = Url(port, "/deals");
  post.headers = {{"X-Test", "1"}, {"Content-Type", "application/json"}};
  post.body = R"({"name":"Acme"})";
  Result<HttpResponse> posted = Send(client, post);
  ASSERT_OK(posted);
  EXPECT_EQ(posted->body, R"(POST /deals body={"name":"Acme"} x-test=1 ua=dealsync/0.1)");
}

TEST_F(LoopbackTest, HostNameLocalhostMatchesDnsSan) {
  const uint16_t port = StartTlsServer();
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/", "localhost"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(LoopbackTest, KeepAliveReusesOneConnection) {
  const uint16_t port = StartTlsServer();
  auto& client = TrustingClient();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(Get(client, Url(port, "/ping")));
  }
  EXPECT_EQ(server_->accepted_connections(), 1u);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server_->handled_requests(), 3u);
}

TEST_F(LoopbackTest, StalePooledConnectionIsRetriedOnceOnAFreshOne) {
  const uint16_t port = StartTlsServer();
  auto& client = TrustingClient();
  ASSERT_OK(Get(client, Url(port, "/first")));
  ASSERT_EQ(client.idle_connections(), 1u);
  // The server goes away (closing the pooled connection) and comes back.
  server_->Stop();
  ServerOptions again = Tls(certs.server_cert, certs.server_key);
  again.port = port;
  ASSERT_EQ(StartServer(Echo, again), port);
  Result<HttpResponse> r = Get(client, Url(port, "/second"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "GET /second body= ua=dealsync/0.1");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(LoopbackTest, StallingHandlerHitsTheRequestTimeout) {
  const uint16_t port = StartTlsServer([this](HttpRequest) -> Awaitable<HttpResponse> {
    boost::system::error_code ec;
    co_await stall_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return Text(200, "late");
  });
  Result<HttpResponse> r =
      Get(TrustingClient(), Url(port, "/slow"), std::chrono::milliseconds(200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("GET https://127.0.0.1:"));
  EXPECT_THAT(r.status().message(), HasSubstr("timed out"));
}

TEST_F(LoopbackTest, UntrustedSelfSignedServerIsRefused) {
  const uint16_t port = StartServer(Echo, Tls(certs.selfsigned_cert, certs.selfsigned_key));
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("TLS handshake"));
  EXPECT_EQ(server_->handled_requests(), 0u);
}

TEST_F(LoopbackTest, ServerWithoutOurCaIsRefusedByTheSystemStore) {
  const uint16_t port = StartTlsServer();
  Result<HttpResponse> r = Get(Client({}), Url(port, "/"));  // no test CA configured
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("TLS handshake"));
}

TEST_F(LoopbackTest, CertificateForAnotherHostIsRefused) {
  const uint16_t port = StartServer(Echo, Tls(certs.wronghost_cert, certs.wronghost_key));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/", host));
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(r.status().message(), HasSubstr("TLS handshake"));
  }
  EXPECT_EQ(server_->handled_requests(), 0u);
}

// The server's own certificate as ca_file (what dealsyncctl trusts for the
// admin server): a CA-issued leaf is an anchor only when asked for, and even
// then another server's certificate is not.
TEST_F(LoopbackTest, ServerCertificateAsCaFileIsAnAnchorOnlyWhenAsked) {
  const uint16_t port = StartTlsServer();
  ClientOptions pinned;
  pinned.ca_file = certs.server_cert;
  Result<HttpResponse> roots_only = Get(Client(pinned), Url(port, "/"));
  ASSERT_FALSE(roots_only.ok());
  EXPECT_THAT(roots_only.status().message(), HasSubstr("unable to get local issuer certificate"));
  pinned.ca_file_certificates_are_anchors = true;
  Result<HttpResponse> anchored = Get(Client(pinned), Url(port, "/"));
  ASSERT_TRUE(anchored.ok()) << anchored.status().ToString();
  EXPECT_EQ(anchored->status, 200);

  server_->Stop();
  const uint16_t other = StartServer(Echo, Tls(certs.selfsigned_cert, certs.selfsigned_key));
  Result<HttpResponse> stranger = Get(Client(pinned), Url(other, "/"));
  ASSERT_FALSE(stranger.ok());
  EXPECT_THAT(stranger.status().message(), HasSubstr("TLS handshake"));
}

TEST_F(LoopbackTest, PlainHttpRefusedUnlessAllowedAndLoopback) {
  const uint16_t port = StartServer(Echo, ServerOptions{});
  Result<HttpResponse> refused = Get(TrustingClient(), Url(port, "/", "127.0.0.1", "http"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("plain http:// is refused"));

  ClientOptions allow;
  allow.allow_insecure_http_loopback = true;
  auto& client = Client(allow);
  Result<HttpResponse> ok = Get(client, Url(port, "/plain", "127.0.0.1", "http"));
  ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 200);
  for (const std::string url : {"http://10.1.2.3/x", "http://crm.example.com/x"}) {
    Result<HttpResponse> r = Get(client, url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST_F(LoopbackTest, DroppedConnectionIsACleanError) {
  const uint16_t port = StartTlsServer([](HttpRequest) -> Awaitable<HttpResponse> {
    co_return Text(200, "never sent", {{kFaultHeader, "drop"}});
  });
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("read"));
}

TEST_F(LoopbackTest, TruncatedBodyIsACleanError) {
  const uint16_t port = StartTlsServer([](HttpRequest) -> Awaitable<HttpResponse> {
    co_return Text(200, std::string(1000, 'x'), {{kFaultHeader, "truncate"}});
  });
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("response incomplete"));
}

TEST_F(LoopbackTest, ResponseBodyLimitIsEnforced) {
  const uint16_t port = StartTlsServer(
      [](HttpRequest) -> Awaitable<HttpResponse> { co_return Text(200, std::string(5000, 'x')); });
  ClientOptions o;
  o.ca_file = certs.ca_file;
  o.max_body_bytes = 1000;
  Result<HttpResponse> r = Get(Client(o), Url(port, "/big"));
  ASSERT_FALSE(r.ok()) << r->body.size() << " " << r->status;
  EXPECT_THAT(r.status().message(), HasSubstr("exceeds the limit"));
}

// Every request asks for gzip (whatever the caller put in Accept-Encoding);
// a gzip body comes back decoded, without Content-Encoding.
TEST_F(LoopbackTest, GzipResponsesAreAskedForAndDecoded) {
  std::string seen_accept;
  std::string json;
  for (int i = 0; i < 500; ++i) {
    json += "{\"id\":" + std::to_string(i) + ",\"stage\":\"Qualified\"},";
  }
  const uint16_t port = StartTlsServer([&](HttpRequest req) -> Awaitable<HttpResponse> {
    seen_accept = std::string(FindHeader(req.headers, "Accept-Encoding").value_or(""));
    if (seen_accept != "gzip") {
      co_return Text(200, json);
    }
    co_return Text(200, Gzip(json), {{"Content-Encoding", "gzip"}});
  });
  HttpRequest request;
  request.url = Url(port, "/deals");
  request.headers = {{"Accept-Encoding", "br"}};
  Result<HttpResponse> r = Send(TrustingClient(), request);
  ASSERT_OK(r);
  EXPECT_EQ(seen_accept, "gzip");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, json);
  EXPECT_FALSE(r->header("Content-Encoding").has_value());
  EXPECT_EQ(r->header("Content-Length").value_or(""), std::to_string(json.size()));
}

// 8 MiB that compress to a few KB, against a 64 KiB body limit: an error
// value at the limit, and the connection (the whole message was read) serves
// the next request.
TEST_F(LoopbackTest, GzipBombIsAnErrorAtTheBodyLimit) {
  const std::string bomb = Gzip(std::string(8u << 20, 'a'));
  const uint16_t port = StartTlsServer([&](HttpRequest req) -> Awaitable<HttpResponse> {
    if (req.url == "/bomb") {
      co_return Text(200, bomb, {{"Content-Encoding", "gzip"}});
    }
    co_return Text(200, Gzip("small"), {{"Content-Encoding", "gzip"}});
  });
  ASSERT_LT(bomb.size(), 64u * 1024);
  ClientOptions o;
  o.ca_file = certs.ca_file;
  o.max_body_bytes = 64 * 1024;
  auto& client = Client(o);
  Result<HttpResponse> r = Get(client, Url(port, "/bomb"));
  ASSERT_FALSE(r.ok()) << r->body.size();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(),
              HasSubstr("GET " + Url(port, "/bomb") +
                        ": gzip: decoded response body exceeds the limit of 65536 bytes"));
  Result<HttpResponse> next = Get(client, Url(port, "/small"));
  ASSERT_OK(next);
  EXPECT_EQ(next->body, "small");
  EXPECT_EQ(server_->accepted_connections(), 1u);
}

TEST_F(LoopbackTest, TruncatedGzipBodyIsAnError) {
  std::string packed = Gzip(std::string(10000, 'z') + "end");
  packed.resize(packed.size() - 4);  // without the length trailer
  const uint16_t port = StartTlsServer([&](HttpRequest) -> Awaitable<HttpResponse> {
    co_return Text(200, packed, {{"Content-Encoding", "gzip"}});
  });
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/cut"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("gzip: truncated compressed data"));
}

// A coding the client did not ask for is refused by name, not passed on as
// if it were the body.
TEST_F(LoopbackTest, UnknownContentEncodingIsRejectedClearly) {
  const uint16_t port = StartTlsServer([](HttpRequest) -> Awaitable<HttpResponse> {
    co_return Text(200, "\x8b\x01\x02", {{"Content-Encoding", "br"}});
  });
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/br"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("GET " + Url(port, "/br") + ": unsupported Content-Encoding \"br\""));
  EXPECT_THAT(r.status().message(), HasSubstr("only gzip"));
}

TEST_F(LoopbackTest, ServerAnswers413PastItsBodyLimitAnd500WhenTheHandlerThrows) {
  ServerOptions o = Tls(certs.server_cert, certs.server_key);
  o.max_body_bytes = 100;
  const uint16_t port = StartServer(
      [](HttpRequest req) -> Awaitable<HttpResponse> {
        if (req.url == "/throw") {
          throw std::runtime_error("handler bug");
        }
        co_return Text(200, "ok");
      },
      o);
  auto& client = TrustingClient();
  HttpRequest big;
  big.method = "POST";
  big.url = Url(port, "/upload");
  big.body = std::string(1000, 'y');
  Result<HttpResponse> r = Send(client, big);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 413);
  Result<HttpResponse> thrown = Get(client, Url(port, "/throw"));
  ASSERT_OK(thrown);
  EXPECT_EQ(thrown->status, 500);
  EXPECT_THAT(thrown->body, Not(HasSubstr("handler bug")));
}

TEST_F(LoopbackTest, ConnectionRefusedNamesTheStepButNoSecretQueryValue) {
  const uint16_t port = StartTlsServer();
  server_->Stop();
  Result<HttpResponse> r = Get(TrustingClient(), Url(port, "/deals?api_key=s3cr3t-value&limit=5"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("connect"));
  EXPECT_THAT(r.status().message(), HasSubstr("api_key=[redacted]&limit=5"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("s3cr3t-value")));
}

TEST_F(LoopbackTest, MissingCaFileFailsFast) {
  ClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto client = BeastHttpClient::Create(io_.get_executor(), o);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(client.status().message(), HasSubstr("/nonexistent/ca.pem"));
}

TEST_F(LoopbackTest, MalformedUrlIsInvalidArgument) {
  auto& client = TrustingClient();
  for (const std::string url :
       {"ftp://x/", "https://", "https://[::1/x", "https://h:99999/", "/rel"}) {
    Result<HttpResponse> r = Get(client, url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST_F(LoopbackTest, ConnectorStackOverRealTlsRetriesAndAuthenticates) {
  int calls = 0;
  std::string seen_auth;
  const uint16_t port = StartTlsServer([&](HttpRequest req) -> Awaitable<HttpResponse> {
    seen_auth = std::string(FindHeader(req.headers, "Authorization").value_or(""));
    if (++calls == 1) {
      co_return Text(503, "warming up", {{"Retry-After", "1"}});
    }
    co_return Text(200, req.url);
  });
  ConnectionConfig connection;
  connection.base_url = Url(port, "/api");
  connection.auth.type = AuthConfig::Type::kBearer;
  connection.auth.credential.name = "token";
  connection.ca_file = certs.ca_file;
  FakeClock clock;
  ScriptedRandom random;
  TransportCounters counters;
  auto& client = Client(ClientOptionsFor(connection));
  auto stack = MakeConnectorTransport(
      connection,
      [](const CredentialRef&) -> Result<std::string> { return std::string("tok-xyz"); }, client,
      clock, random, &counters);
  ASSERT_OK(stack);
  Result<HttpResponse> r =
      Send(**stack, HttpRequest{"GET", "/api/deals?limit=1", {}, "", std::chrono::seconds(10)});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/api/deals?limit=1");
  EXPECT_EQ(seen_auth, "Bearer tok-xyz");
  EXPECT_EQ(counters.retries.load(), 1u);
  EXPECT_EQ(clock.sleeps(), (std::vector<std::chrono::milliseconds>{std::chrono::seconds(1)}));
  EXPECT_EQ(server_->accepted_connections(), 1u) << "the retry reused the kept-alive connection";
}

TEST_F(LoopbackTest, ServerIdleTimeoutClosesAndClientReconnectsTransparently) {
  ServerOptions o = Tls(certs.server_cert, certs.server_key);
  o.idle_timeout = std::chrono::milliseconds(100);
  const uint16_t port = StartServer(Echo, o);
  auto& client = TrustingClient();
  ASSERT_OK(Get(client, Url(port, "/one")));
  io_.restart();
  io_.run_for(std::chrono::milliseconds(300));  // the server drops the idle connection
  ASSERT_OK(Get(client, Url(port, "/two")));
  EXPECT_EQ(server_->accepted_connections(), 2u);
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(LoopbackTest, ServerStartReportsBadCertificatesAndBusyPorts) {
  HttpServer bad_cert(io_.get_executor(), Tls("/nonexistent.pem", certs.server_key), Echo);
  Result<uint16_t> r = bad_cert.Start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent.pem"));

  ServerOptions half;
  half.cert_file = certs.server_cert;
  EXPECT_FALSE(HttpServer(io_.get_executor(), half, Echo).Start().ok());

  const uint16_t port = StartTlsServer();
  ServerOptions same;
  same.port = port;
  HttpServer busy(io_.get_executor(), same, Echo);
  Result<uint16_t> taken = busy.Start();
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(taken.status().message(), HasSubstr("127.0.0.1:" + std::to_string(port)));
}

}  // namespace
}  // namespace dealsync
