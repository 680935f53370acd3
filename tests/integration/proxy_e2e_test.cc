// The real dealsyncd binary syncs vendor and partner simulators through small
// CONNECT proxies this test starts on 127.0.0.1. Each proxy records what it
// saw (the CONNECT requests and their Proxy-Authorization, the first bytes of
// each tunnel). Shows: the configured proxy gets the credential in CONNECT and
// nowhere else; a proxy from HTTPS_PROXY never gets it; NO_PROXY bypasses; a
// 407 is reported; TLS inside the tunnel is verified against the origin.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "dealsync/asio.h"
#include "src/platform/system_clock.h"
#include "src/transport/cert_gen.h"
#include "src/transport/http_server.h"
#include "src/transport/url.h"
#include "tests/integration/process.h"
#include "tests/simulators/generic_rest_sim.h"
#include "tests/support/test_support.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace dealsync {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using nlohmann::json;
using std::chrono::seconds;

// A minimal HTTP CONNECT proxy (RFC 9110 section 9.3.6) on 127.0.0.1 that
// tunnels to loopback ports only.
class ConnectProxy {
 public:
  struct Seen {
    std::string method;
    std::string target;
    std::optional<std::string> proxy_authorization;
  };
  struct Options {
    std::string required_authorization;  // "" = none required
    int redirect_port = 0;               // tunnel here instead of the CONNECT target

    static Options RequiringAuthorization(std::string value) {
      Options o;
      o.required_authorization = std::move(value);
      return o;
    }
    static Options RedirectingTo(int port) {
      Options o;
      o.redirect_port = port;
      return o;
    }
  };

  explicit ConnectProxy(Options options)
      : options_(std::move(options)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        work_(io_.get_executor()) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ConnectProxy() {
    asio::post(io_, [this] { acceptor_.close(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  // Everything clients sent inside tunnels (TLS records).
  std::string tunnelled() const {
    std::lock_guard lock(mu_);
    return tunnelled_;
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        co_return;
      }
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }

  static std::string Lower(std::string s) {
    for (char& c : s) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
  }

  asio::awaitable<void> Serve(tcp::socket client) {
    boost::system::error_code ec;
    asio::streambuf buffer;
    const size_t n = co_await asio::async_read_until(client, buffer, "\r\n\r\n",
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return;
    }
    const std::string head(asio::buffers_begin(buffer.data()),
                           asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
    buffer.consume(n);
    Seen seen;
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    std::istringstream request_line(line);
    request_line >> seen.method >> seen.target;
    while (std::getline(lines, line) && line != "\r") {
      const size_t colon = line.find(':');
      if (colon != std::string::npos && Lower(line.substr(0, colon)) == "proxy-authorization") {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (!value.empty() && value.back() == '\r') {
          value.pop_back();
        }
        seen.proxy_authorization = value;
      }
    }
    {
      std::lock_guard lock(mu_);
      seen_.push_back(seen);
    }
    auto reply = [&](const std::string& text) -> asio::awaitable<void> {
      boost::system::error_code write_ec;
      co_await asio::async_write(client, asio::buffer(text),
                                 asio::redirect_error(asio::use_awaitable, write_ec));
    };
    if (seen.method != "CONNECT") {
      co_await reply("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    if (!options_.required_authorization.empty() &&
        seen.proxy_authorization != options_.required_authorization) {
      co_await reply(
          "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
          "realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      co_return;
    }
    const size_t colon = seen.target.rfind(':');
    const std::string host = seen.target.substr(0, colon);
    int port = colon == std::string::npos ? 0 : std::atoi(seen.target.c_str() + colon + 1);
    if (host != "127.0.0.1" && host != "localhost") {
      co_await reply("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    if (options_.redirect_port != 0) {
      port = options_.redirect_port;
    }
    auto upstream = std::make_shared<tcp::socket>(io_);
    co_await upstream->async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_await reply("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    co_await reply("HTTP/1.1 200 Connection established\r\n\r\n");
    auto down = std::make_shared<tcp::socket>(std::move(client));
    asio::co_spawn(io_, Pump(down, upstream, true), asio::detached);
    asio::co_spawn(io_, Pump(upstream, down, false), asio::detached);
  }

  asio::awaitable<void> Pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
                             bool record) {
    std::array<char, 16384> data;
    for (;;) {
      boost::system::error_code ec;
      const size_t n = co_await from->async_read_some(
          asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        break;
      }
      if (record) {
        std::lock_guard lock(mu_);
        tunnelled_.append(data.data(), n);
      }
      co_await asio::async_write(*to, asio::buffer(data.data(), n),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        break;
      }
    }
    boost::system::error_code ignored;
    to->shutdown(tcp::socket::shutdown_send, ignored);
  }

  Options options_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
  std::string tunnelled_;
};

Awaitable<HttpResponse> ServeSim(sim::Simulator* simulator, HttpRequest request) {
  if (request.url.rfind("/__sim/", 0) == 0) {
    co_return simulator->HandleControl(request);
  }
  co_return simulator->Handle(request);
}

// A generic REST simulator served over TLS on its own thread.
class SimHost {
 public:
  explicit SimHost(const std::string& pki)
      : random_(7), sim_(clock_, random_, Config()), work_(io_.get_executor()) {
    ServerOptions options;
    options.cert_file = pki + "/server.pem";
    options.key_file = pki + "/server.key";
    server_ = std::make_unique<HttpServer>(io_.get_executor(), options, [this](HttpRequest r) {
      return ServeSim(&sim_, std::move(r));
    });
    Result<uint16_t> port = server_->Start();
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { io_.run(); });
  }
  template <typename F>
  auto Call(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }
  ~SimHost() {
    Call([this] {
      server_->Stop();
      return 0;
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }
  // "localhost" rather than 127.0.0.1, so the ClientHello carries SNI.
  std::string base_url() const { return "https://localhost:" + std::to_string(port_) + "/api/v2"; }
  std::string Create(const json& record) {
    return Call([&] {
      auto id = sim_.CreateRecord(record);
      return id.ok() ? *id : std::string();
    });
  }
  json View(const std::string& id) {
    return Call([&] {
      const sim::SimRecord* r = sim_.records().Find(id);
      return r ? sim_.ControlView(*r) : json();
    });
  }

 private:
  static sim::GenericRestSimConfig Config() {
    sim::GenericRestSimConfig c;
    c.shape = sim::RestShape::kNorthwind;
    c.base_path = "/api/v2";
    c.api_key = "test-api-key";
    return c;
  }
  SystemClock clock_;
  SeededRandom random_;
  asio::io_context io_;
  sim::GenericRestSim sim_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

constexpr const char* kProxyUser = "svc-dealsync";
constexpr const char* kProxyPassword = "pr0xy-s3cret-pa55";

std::string SourceFile(const std::string& example, const std::string& base_url,
                       const std::string& ca, const std::string& credential,
                       const std::string& connection_extra, bool vendor) {
  std::string s = example;
  // The API key's credential first, so that `connection_extra`'s
  // proxy_credential is left as it is.
  s = std::regex_replace(s, std::regex(R"(credential = "[^"]*")"),
                         "credential = \"" + credential + "\"");
  s = std::regex_replace(
      s, std::regex(R"(base_url = "[^"]*")"),
      "base_url = \"" + base_url + "\"\nca_file = \"" + ca + "\"\n" + connection_extra);
  s = std::regex_replace(s, std::regex(R"(poll_interval = "[^"]*")"), "poll_interval = \"1s\"");
  s = std::regex_replace(s, std::regex(R"(rate_limit = \{[^}]*\})"),
                         "rate_limit = { requests = 50, per = \"1s\" }");
  s = std::regex_replace(s, std::regex(R"(overlap = "[^"]*")"), "overlap = \"5s\"");
  s = std::regex_replace(s, std::regex(R"(retry = \{[^}]*\})"),
                         "retry = { max_attempts = 2, initial_backoff = \"50ms\", max_backoff = "
                         "\"100ms\" }");
  if (vendor) {
    s = std::regex_replace(s, std::regex(R"(\nid = "[^"]*"[^\n]*)"), "");
    s = std::regex_replace(s, std::regex(R"(\nname = "[^"]*"[^\n]*)"), "\nname = \"Vendor CRM\"");
    s = std::regex_replace(s, std::regex(R"(\ncounterpart_id[^\n]*)"), "");
    const size_t policy = s.find("\n[policy]");
    if (policy != std::string::npos) {
      s = s.substr(0, policy) + "\n";
    }
  }
  return s;
}

class ProxyE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dealsync-proxy-e2e-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "pki");
    fs::create_directories(dir_ / "config" / "partners.d");
    fs::create_directories(dir_ / "creds");
    ASSERT_OK(WriteTestPki((dir_ / "pki").string()));
    vendor_ = std::make_unique<SimHost>((dir_ / "pki").string());
    partner_ = std::make_unique<SimHost>((dir_ / "pki").string());
    ASSERT_NE(vendor_->port(), 0);
    ASSERT_NE(partner_->port(), 0);
    for (const char* var : {"https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}) {
      ::unsetenv(var);
    }
  }
  void TearDown() override {
    for (const char* var : {"https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}) {
      ::unsetenv(var);
    }
    vendor_.reset();
    partner_.reset();
    const std::string log = e2e::ReadFile(Log());
    // Whatever happened, the proxy password never reached the log.
    EXPECT_EQ(log.find(kProxyPassword), std::string::npos);
    EXPECT_EQ(log.find(Base64Encode(std::string(kProxyUser) + ":" + kProxyPassword)),
              std::string::npos);
    if (!HasFailure()) {
      fs::remove_all(dir_);
    } else {
      std::cerr << "daemon log:\n" << log << "\n";
    }
  }

  std::string Log() const { return (dir_ / "dealsyncd.log").string(); }
  std::string Config() const { return (dir_ / "config").string(); }

  // vendor.toml and partners.d/northwind.toml with extra [connection] keys.
  void WriteConfig(const std::string& vendor_extra, const std::string& partner_extra,
                   const std::string& partner_ca = "") {
    const std::string root = DEALSYNC_SOURCE_DIR;
    std::string daemon = e2e::ReadFile(root + "/config/dealsync.toml");
    daemon = std::regex_replace(daemon, std::regex(R"(state_dir = "[^"]*")"),
                                "state_dir = \"" + (dir_ / "state").string() + "\"");
    daemon = std::regex_replace(daemon, std::regex(R"(credentials_dir = "[^"]*")"),
                                "credentials_dir = \"" + (dir_ / "creds").string() + "\"");
    daemon = std::regex_replace(
        daemon, std::regex(R"(listen = "[^"]*")"),
        "listen = \"127.0.0.1:" + std::to_string(e2e::FreeLoopbackPort()) + "\"");
    daemon =
        std::regex_replace(daemon, std::regex(R"(token = "[^"]*")"), "token = \"admin-token\"");
    e2e::WriteFile(Config() + "/dealsync.toml", daemon);
    const std::string example = e2e::ReadFile(root + "/config/partners.d/northwind.toml");
    const std::string ca = (dir_ / "pki" / "ca.pem").string();
    e2e::WriteFile(Config() + "/vendor.toml", SourceFile(example, vendor_->base_url(), ca,
                                                         "vendor-api-key", vendor_extra, true));
    e2e::WriteFile(Config() + "/partners.d/northwind.toml",
                   SourceFile(example, partner_->base_url(), partner_ca.empty() ? ca : partner_ca,
                              "northwind-api-key", partner_extra, false));
    e2e::WriteFile((dir_ / "creds" / "vendor-api-key").string(), "test-api-key");
    e2e::WriteFile((dir_ / "creds" / "northwind-api-key").string(), "test-api-key");
    e2e::WriteFile((dir_ / "creds" / "admin-token").string(), "e2e-admin-token\n");
    e2e::WriteFile((dir_ / "creds" / "northwind-proxy").string(), kProxyPassword);
  }
  static std::string ExplicitProxy(const ConnectProxy& proxy) {
    return "proxy = \"" + proxy.url() + "\"\nproxy_username = \"" + kProxyUser +
           "\"\nproxy_credential = \"northwind-proxy\"\n";
  }
  static std::string ExpectedAuthorization() {
    return "Basic " + Base64Encode(std::string(kProxyUser) + ":" + kProxyPassword);
  }

  void Seed() {
    auto deal = [](std::string reg, std::string stage, std::string amount) {
      return json{{"name", "Deal " + reg},    {"account", "Acme GmbH"}, {"owner", "kim"},
                  {"stage", stage},           {"amount", amount},       {"currency", "EUR"},
                  {"close_at", "2026-12-15"}, {"registration", reg}};
    };
    v1_ = vendor_->Create(deal("REG-1", "Quote sent", "12000.00"));
    p1_ = partner_->Create(deal("REG-1", "Qualified", "11000.00"));
    ASSERT_FALSE(v1_.empty() || p1_.empty());
  }
  int RunOnce() {
    e2e::Process once;
    EXPECT_TRUE(once.Start({DEALSYNCD, "--config", Config(), "--once"}, Log()));
    return once.WaitExit(seconds(60)).value_or(-1);
  }
  bool Converged() { return partner_->View(p1_)["status"] == "Quote sent"; }
  std::string Target(const SimHost& host) const {
    return "localhost:" + std::to_string(host.port());
  }

  fs::path dir_;
  std::unique_ptr<SimHost> vendor_;
  std::unique_ptr<SimHost> partner_;
  std::string v1_, p1_;
  static constexpr const char* DEALSYNCD = DEALSYNC_DEALSYNCD;
  static constexpr const char* DEALSYNCCTL = DEALSYNC_DEALSYNCCTL;
};

// The partner goes through its configured proxy, which demands the credential;
// the vendor ("none") goes direct even though HTTPS_PROXY names a proxy.
TEST_F(ProxyE2ETest, SyncsThroughTheConfiguredProxyWithItsCredential) {
  ConnectProxy corporate(ConnectProxy::Options::RequiringAuthorization(ExpectedAuthorization()));
  ConnectProxy from_env(ConnectProxy::Options{});
  ::setenv("HTTPS_PROXY", from_env.url().c_str(), 1);
  WriteConfig("proxy = \"none\"\n", ExplicitProxy(corporate));
  Seed();
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  EXPECT_TRUE(Converged()) << partner_->View(p1_).dump();

  const std::vector<ConnectProxy::Seen> seen = corporate.seen();
  ASSERT_FALSE(seen.empty());
  for (const ConnectProxy::Seen& s : seen) {
    EXPECT_EQ(s.method, "CONNECT");
    EXPECT_EQ(s.target, Target(*partner_));  // only the partner's origin
    EXPECT_EQ(s.proxy_authorization, ExpectedAuthorization());
  }
  // Inside the tunnel: TLS (a handshake record first, SNI for the origin), and
  // the credential nowhere.
  const std::string tunnel = corporate.tunnelled();
  ASSERT_FALSE(tunnel.empty());
  EXPECT_EQ(tunnel[0], '\x16');
  EXPECT_NE(tunnel.find("localhost"), std::string::npos);
  EXPECT_EQ(tunnel.find("Proxy-Authorization"), std::string::npos);
  EXPECT_EQ(tunnel.find(Base64Encode(std::string(kProxyUser) + ":" + kProxyPassword)),
            std::string::npos);
  EXPECT_EQ(tunnel.find(kProxyPassword), std::string::npos);
  EXPECT_TRUE(from_env.seen().empty());  // proxy = "none" wins over HTTPS_PROXY
}

// A proxy from the environment carries the vendor's traffic (no credential is
// configured for it, so none is sent: not the partner's, not the URL's user
// info), while the partner's credential goes to the partner's proxy only.
TEST_F(ProxyE2ETest, EnvironmentProxyNeverReceivesACredential) {
  ConnectProxy corporate(ConnectProxy::Options::RequiringAuthorization(ExpectedAuthorization()));
  ConnectProxy from_env(ConnectProxy::Options{});
  const std::string with_user_info =
      "http://intruder:guess@127.0.0.1:" + from_env.url().substr(from_env.url().rfind(':') + 1);
  ::setenv("https_proxy", with_user_info.c_str(), 1);
  ::setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);  // lower case wins, as in curl
  WriteConfig("", ExplicitProxy(corporate));
  Seed();
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  EXPECT_TRUE(Converged());

  const std::vector<ConnectProxy::Seen> env_seen = from_env.seen();
  ASSERT_FALSE(env_seen.empty());
  for (const ConnectProxy::Seen& s : env_seen) {
    EXPECT_EQ(s.method, "CONNECT");
    EXPECT_EQ(s.target, Target(*vendor_));
    EXPECT_FALSE(s.proxy_authorization.has_value()) << *s.proxy_authorization;
  }
  EXPECT_EQ(from_env.tunnelled().find(kProxyPassword), std::string::npos);
  for (const ConnectProxy::Seen& s : corporate.seen()) {
    EXPECT_EQ(s.target, Target(*partner_));
    EXPECT_EQ(s.proxy_authorization, ExpectedAuthorization());
  }
  EXPECT_FALSE(corporate.seen().empty());
}

// NO_PROXY sends a matching origin direct: the environment's proxy sees nothing.
TEST_F(ProxyE2ETest, NoProxyBypassesTheEnvironmentProxy) {
  ConnectProxy from_env(ConnectProxy::Options{});
  ::setenv("HTTPS_PROXY", from_env.url().c_str(), 1);
  ::setenv("NO_PROXY", "example.com, .localhost", 1);
  WriteConfig("", "");
  Seed();
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  EXPECT_TRUE(Converged());
  EXPECT_TRUE(from_env.seen().empty());
}

// A proxy that refuses the credential: the partner fails with the 407 named in
// the log and syncs nothing; the vendor side is unaffected.
TEST_F(ProxyE2ETest, ProxyAuthenticationRequiredIsReported) {
  ConnectProxy corporate(ConnectProxy::Options::RequiringAuthorization("Basic d3Jvbmc6d3Jvbmc="));
  WriteConfig("", ExplicitProxy(corporate));
  Seed();
  RunOnce();
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("answered CONNECT with 407"), std::string::npos) << log;
  EXPECT_NE(log.find("the proxy refused connection.proxy_credential"), std::string::npos) << log;
  EXPECT_FALSE(Converged());
  // Not retried blindly: one CONNECT per failed request, at most.
  EXPECT_LE(corporate.seen().size(), 3u);
}

// The proxy password's credential is missing: `dealsyncctl validate` names it
// with its file and line, and the daemon fails that partner only (it never
// connects through the proxy without the credential) while the vendor syncs.
TEST_F(ProxyE2ETest, MissingProxyCredentialIsReportedAndIsolated) {
  ConnectProxy corporate(ConnectProxy::Options::RequiringAuthorization(ExpectedAuthorization()));
  WriteConfig("", ExplicitProxy(corporate));
  fs::remove(dir_ / "creds" / "northwind-proxy");
  std::string validate_out;
  EXPECT_EQ(e2e::RunCommand(std::string(DEALSYNCCTL) + " validate --config '" + Config() + "'",
                            &validate_out),
            78)
      << validate_out;
  EXPECT_NE(validate_out.find(Config() + "/partners.d/northwind.toml:"), std::string::npos)
      << validate_out;
  EXPECT_NE(validate_out.find("connection.proxy_credential: credential \"northwind-proxy\": " +
                              (dir_ / "creds").string() + "/northwind-proxy does not exist"),
            std::string::npos)
      << validate_out;

  Seed();
  RunOnce();
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("connection.proxy_credential"), std::string::npos) << log;
  EXPECT_NE(log.find("page journaled"), std::string::npos) << log;  // the vendor was read
  EXPECT_TRUE(corporate.seen().empty());
  EXPECT_FALSE(Converged());
}

// A proxy that diverts the tunnel to another TLS server: the certificate is
// checked against the origin inside the tunnel, so the handshake fails.
TEST_F(ProxyE2ETest, TunnelTlsIsVerifiedAgainstTheOrigin) {
  fs::create_directories(dir_ / "other-pki");
  ASSERT_OK(WriteTestPki((dir_ / "other-pki").string()));
  SimHost impostor((dir_ / "other-pki").string());  // a certificate from another CA
  ConnectProxy diverting(ConnectProxy::Options::RedirectingTo(impostor.port()));
  WriteConfig("", "proxy = \"" + diverting.url() + "\"\n");
  Seed();
  RunOnce();
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("TLS handshake"), std::string::npos) << log;
  EXPECT_NE(log.find("certificate verify failed"), std::string::npos) << log;
  EXPECT_FALSE(Converged());
  ASSERT_FALSE(diverting.seen().empty());
  EXPECT_EQ(diverting.seen().front().target, Target(*partner_));
}

}  // namespace
}  // namespace dealsync
