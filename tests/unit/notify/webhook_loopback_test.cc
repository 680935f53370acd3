// WebhookSender against a loopback HTTPS receiver (HttpServer on 127.0.0.1
// with the test PKI, BeastHttpClient verifying it): a notification reaches a
// Slack-style and a generic webhook, a 503 is retried after its backoff (the
// queue's clock is a FakeClock, so nothing sleeps), a 404 is not retried, an
// untrusted receiver is never sent the notification, and no log line carries
// the URL's secret.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dealsync/asio.h"
#include "src/notify/webhook_sender.h"
#include "src/platform/fake_clock.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/http_server.h"
#include "support/test_certs.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace dealsync::notify {
namespace {

namespace asio = boost::asio;

struct Received {
  std::string path;
  std::string body;
};

class WebhookLoopbackTest : public ::testing::Test {
 protected:
  const testing::TestCerts& certs = testing::GetTestCerts();

  void SetUp() override {
    log_ = std::make_shared<std::ostringstream>();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
    spdlog::set_level(spdlog::level::debug);
  }
  void TearDown() override {
    client_.reset();
    if (server_) {
      server_->Stop();
    }
    io_.restart();
    io_.run_for(std::chrono::seconds(5));
    spdlog::set_default_logger(previous_);
  }

  uint16_t Start(const std::string& cert, const std::string& key) {
    ServerOptions o;
    o.cert_file = cert;
    o.key_file = key;
    server_ = std::make_unique<HttpServer>(io_.get_executor(), o,
                                           [this](HttpRequest r) { return Serve(std::move(r)); });
    Result<uint16_t> port = server_->Start();
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    return port.ok() ? *port : 0;
  }
  Awaitable<HttpResponse> Serve(HttpRequest r) {
    received_.push_back({r.url, r.body});
    HttpResponse out;
    out.status = answers_.empty() ? 200 : answers_.front();
    if (!answers_.empty()) {
      answers_.erase(answers_.begin());
    }
    co_return out;
  }
  BeastHttpClient& Client() {
    ClientOptions o;
    o.ca_file = certs.ca_file;
    client_ = std::make_unique<BeastHttpClient>(io_.get_executor(), o);
    return *client_;
  }
  void Run(WebhookSender& sender) {
    bool done = false;
    asio::co_spawn(
        io_,
        [&]() -> Awaitable<void> {
          co_await sender.SendDue();
          done = true;
        },
        [](std::exception_ptr e) {
          if (e)
            std::rethrow_exception(e);
        });
    io_.restart();
    while (!done && io_.run_one() > 0) {
    }
  }
  static Webhook Hook(const std::string& name, const std::string& format, uint16_t port,
                      const std::string& secret_path) {
    Webhook h;
    h.config.name = name;
    h.config.format = format;
    h.config.events = {"held_conflict", "dead_letter", "partner_failing"};
    h.url = "https://127.0.0.1:" + std::to_string(port) + secret_path;
    h.host = "127.0.0.1:" + std::to_string(port);
    return h;
  }
  static Notification Held() {
    Notification n;
    n.event = Event::kHeldConflict;
    n.partner = "northwind";
    n.item_id = "northwind/nw-1/nw-1/close_date/3";
    n.subject = "Conflict held for review: Deal REG-1 (close_date)";
    n.text = "vendor 2026-12-15, partner 2027-02-01";
    return n;
  }

  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<BeastHttpClient> client_;
  std::vector<Received> received_;
  std::vector<int> answers_;
  FakeClock clock_;
  std::shared_ptr<std::ostringstream> log_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(WebhookLoopbackTest, DeliversBothFormatsAndRetriesA503AfterItsBackoff) {
  const uint16_t port = Start(certs.server_cert, certs.server_key);
  ASSERT_NE(port, 0);
  WebhookSender sender(Client(), clock_,
                       {Hook("slack", "slack", port, "/services/T000/SECRET-1"),
                        Hook("ops", "json", port, "/hooks/SECRET-2")},
                       QueueOptions{.max_attempts = 3,
                                    .first_backoff = std::chrono::seconds(5),
                                    .max_backoff = std::chrono::minutes(1),
                                    .max_queued = 10});
  answers_ = {200, 503};  // slack ok; ops fails once
  EXPECT_EQ(sender.Notify(Held()), 2u);
  Run(sender);
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(received_[0].path, "/services/T000/SECRET-1");
  EXPECT_EQ(nlohmann::json::parse(received_[0].body)["text"],
            "*Conflict held for review: Deal REG-1 (close_date)*\n"
            "vendor 2026-12-15, partner 2027-02-01");
  EXPECT_EQ(nlohmann::json::parse(received_[1].body)["event"], "held_conflict");
  EXPECT_EQ(sender.delivered(), 1u);
  ASSERT_EQ(sender.queue().waiting(), 1u);

  Run(sender);  // not due yet: nothing is sent
  EXPECT_EQ(received_.size(), 2u);
  clock_.Advance(std::chrono::seconds(5));
  Run(sender);
  ASSERT_EQ(received_.size(), 3u);
  EXPECT_EQ(received_[2].path, "/hooks/SECRET-2");
  EXPECT_EQ(received_[2].body, received_[1].body);
  EXPECT_EQ(sender.delivered(), 2u);
  EXPECT_FALSE(sender.NextDue());

  const std::string log = log_->str();
  EXPECT_NE(log.find("webhook ops (127.0.0.1:" + std::to_string(port) + "): HTTP 503"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
}

TEST_F(WebhookLoopbackTest, A404IsNotRetried) {
  const uint16_t port = Start(certs.server_cert, certs.server_key);
  WebhookSender sender(Client(), clock_, {Hook("ops", "json", port, "/hooks/SECRET-3")});
  answers_ = {404};
  sender.Notify(Held());
  Run(sender);
  EXPECT_EQ(received_.size(), 1u);
  EXPECT_FALSE(sender.NextDue());
  EXPECT_EQ(sender.queue().dropped(), 1u);
  EXPECT_NE(log_->str().find("notification dropped"), std::string::npos);
  EXPECT_EQ(log_->str().find("SECRET"), std::string::npos);
}

TEST_F(WebhookLoopbackTest, AnUntrustedReceiverIsNeverSentTheNotification) {
  const uint16_t port = Start(certs.selfsigned_cert, certs.selfsigned_key);
  WebhookSender sender(Client(), clock_, {Hook("ops", "json", port, "/hooks/SECRET-4")});
  sender.Notify(Held());
  Run(sender);
  EXPECT_TRUE(received_.empty());
  EXPECT_EQ(sender.queue().waiting(), 1u);  // a TLS failure may be fixed: retried later
  EXPECT_EQ(log_->str().find("SECRET"), std::string::npos) << log_->str();
}

TEST(WebhookConfigTest, UrlsComeFromCredentialsAndMustBeHttps) {
  const std::string dir = ::testing::TempDir();
  DaemonConfig d;
  d.credentials_dir = dir;
  WebhookConfig w;
  w.name = "ops";
  w.url.kind = CredentialRef::Kind::kFile;
  w.url.name = dir + "/webhook-url";
  d.webhooks.push_back(w);
  { std::ofstream(dir + "/webhook-url") << "http://hooks.example/SECRET\n"; }
  Result<std::vector<Webhook>> plain = ResolveWebhooks(d);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().message().find("SECRET"), std::string::npos);
  { std::ofstream(dir + "/webhook-url") << "https://user:pw@hooks.example:8443/SECRET\n"; }
  Result<std::vector<Webhook>> ok = ResolveWebhooks(d);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].url, "https://user:pw@hooks.example:8443/SECRET");
  EXPECT_EQ((*ok)[0].host, "hooks.example:8443");
}

}  // namespace
}  // namespace dealsync::notify
