// End to end: the real dealsyncd binary against two in-process CRM simulators
// (vendor and partner "northwind", both speaking the generic REST shape) over
// loopback TLS with a throw-away PKI. Edits are made through the simulators,
// convergence is read back from them, conflicts and metrics from the admin API.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "dealsync/asio.h"
#include "src/platform/system_clock.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/cert_gen.h"
#include "src/transport/http_server.h"
#include "tests/integration/process.h"
#include "tests/simulators/generic_rest_sim.h"
#include "tests/support/test_support.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace dealsync {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

Awaitable<HttpResponse> ServeSim(sim::Simulator* simulator, HttpRequest request) {
  if (request.url.rfind("/__sim/", 0) == 0) {
    co_return simulator->HandleControl(request);
  }
  co_return simulator->Handle(request);
}

// A simulator served over TLS on its own thread; Call() runs code on that thread.
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
  uint16_t port() const { return port_; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/api/v2"; }

  template <typename F>
  auto Call(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
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
  std::string Create(const json& record) {
    return Call([&] {
      auto id = sim_.CreateRecord(record);
      return id.ok() ? *id : std::string();
    });
  }
  bool Edit(const std::string& id, const json& patch) {
    return Call([&] { return sim_.EditRecord(id, patch).ok(); });
  }
  // A /__sim/faults rule (fault_plan.h), as an out-of-process test would post it.
  bool AddFault(const json& rule) {
    return Call([&] {
      HttpRequest r;
      r.method = "POST";
      r.url = "/__sim/faults";
      r.body = rule.dump();
      return sim_.HandleControl(r).status == 200;
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
    // The partner's CRM has a status the example partner file does not map yet.
    c.stages = {"New lead",    "Qualified", "BANT ok", "Discovery",   "Demo",         "Quote sent",
                "Negotiating", "Won",       "Lost",    "No decision", "Verbal commit"};
    return c;
  }
  SystemClock clock_;
  SeededRandom random_;
  boost::asio::io_context io_;
  sim::GenericRestSim sim_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

// A webhook endpoint over TLS on 127.0.0.1 (the test PKI) that keeps what it is sent.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(const std::string& pki) : work_(io_.get_executor()) {
    ServerOptions options;
    options.cert_file = pki + "/server.pem";
    options.key_file = pki + "/server.key";
    server_ = std::make_unique<HttpServer>(io_.get_executor(), options,
                                           [this](HttpRequest r) -> Awaitable<HttpResponse> {
                                             {
                                               std::lock_guard lock(mu_);
                                               received_.push_back(std::move(r));
                                             }
                                             HttpResponse ok;
                                             ok.status = 200;
                                             ok.body = "ok";
                                             co_return ok;
                                           });
    Result<uint16_t> port = server_->Start();
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~WebhookReceiver() {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      server_->Stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }
  // The JSON bodies received for `event`.
  std::vector<json> Received(const std::string& event) {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    for (const HttpRequest& r : received_) {
      json body = json::parse(r.body, nullptr, false);
      if (body.is_object() && body.value("event", "") == event) {
        out.push_back(std::move(body));
      }
    }
    return out;
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<HttpRequest> received_;
};

// A sign-in hashes the password at 600,000 iterations; under a loaded
// sanitized run that, and the daemon's first sync, can take seconds.
Result<HttpResponse> AdminCall(const std::string& method, const std::string& url,
                               const std::string& body, const HttpHeaders& headers,
                               const std::string& ca_file = "",
                               milliseconds timeout = milliseconds(20000)) {
  return testing::RunAwaitable([&]() -> Awaitable<Result<HttpResponse>> {
    ClientOptions options;
    options.allow_insecure_http_loopback = true;
    options.ca_file = ca_file;
    BeastHttpClient client(co_await boost::asio::this_coro::executor, options);
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = body;
    r.timeout = timeout;
    r.headers = headers;
    if (!body.empty()) {
      r.headers.emplace_back("Content-Type", "application/json");
    }
    co_return co_await client.Send(r);
  }());
}

Result<HttpResponse> Http(const std::string& method, const std::string& url,
                          const std::string& body = "", const std::string& token = "") {
  HttpHeaders headers;
  if (!token.empty()) {
    headers.emplace_back("Authorization", "Bearer " + token);
  }
  return AdminCall(method, url, body, headers, "", milliseconds(5000));
}

// The repository's northwind example, pointed at a simulator.
std::string SourceFile(const std::string& example, const std::string& base_url,
                       const std::string& ca, const std::string& credential, bool vendor) {
  std::string s = example;
  s = std::regex_replace(s, std::regex(R"(base_url = "[^"]*")"),
                         "base_url = \"" + base_url + "\"\nca_file = \"" + ca + "\"");
  s = std::regex_replace(s, std::regex(R"(credential = "[^"]*")"),
                         "credential = \"" + credential + "\"");
  s = std::regex_replace(s, std::regex(R"(poll_interval = "[^"]*")"), "poll_interval = \"1s\"");
  s = std::regex_replace(s, std::regex(R"(rate_limit = \{[^}]*\})"),
                         "rate_limit = { requests = 50, per = \"1s\" }");
  s = std::regex_replace(s, std::regex(R"(overlap = "[^"]*")"), "overlap = \"5s\"");
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

class DaemonE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dealsync-e2e-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "pki");
    fs::create_directories(dir_ / "config" / "partners.d");
    fs::create_directories(dir_ / "creds");
    ASSERT_OK(WriteTestPki((dir_ / "pki").string()));
    vendor_ = std::make_unique<SimHost>((dir_ / "pki").string());
    partner_ = std::make_unique<SimHost>((dir_ / "pki").string());
    ASSERT_NE(vendor_->port(), 0);
    ASSERT_NE(partner_->port(), 0);
    admin_port_ = e2e::FreeLoopbackPort();
    WriteConfig();
  }
  void TearDown() override {
    daemon_.reset();
    vendor_.reset();
    partner_.reset();
    if (!HasFailure()) {
      fs::remove_all(dir_);
    } else {
      std::cerr << "daemon log:\n" << e2e::ReadFile(Log()) << "\n";
    }
  }

  std::string Log() const { return (dir_ / "dealsyncd.log").string(); }
  std::string Config() const { return (dir_ / "config").string(); }
  std::string Admin(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(admin_port_) + path;
  }

  void WriteConfig() {
    const std::string root = DEALSYNC_SOURCE_DIR;
    std::string daemon = e2e::ReadFile(root + "/config/dealsync.toml");
    daemon = std::regex_replace(daemon, std::regex(R"(state_dir = "[^"]*")"),
                                "state_dir = \"" + (dir_ / "state").string() + "\"");
    daemon = std::regex_replace(daemon, std::regex(R"(credentials_dir = "[^"]*")"),
                                "credentials_dir = \"" + (dir_ / "creds").string() + "\"");
    daemon = std::regex_replace(daemon, std::regex(R"(listen = "[^"]*")"),
                                "listen = \"127.0.0.1:" + std::to_string(admin_port_) + "\"");
    daemon =
        std::regex_replace(daemon, std::regex(R"(token = "[^"]*")"), "token = \"admin-token\"");
    daemon =
        std::regex_replace(daemon, std::regex(R"(\ninterval = "[^"]*")"), "\ninterval = \"1s\"");
    daemon = std::regex_replace(daemon, std::regex(R"(jitter = "[^"]*")"), "jitter = \"100ms\"");
    daemon = std::regex_replace(daemon, std::regex(R"(timeout = "20s")"), "timeout = \"5s\"");
    e2e::WriteFile(Config() + "/dealsync.toml", daemon);
    const std::string example = e2e::ReadFile(root + "/config/partners.d/northwind.toml");
    const std::string ca = (dir_ / "pki" / "ca.pem").string();
    e2e::WriteFile(Config() + "/vendor.toml",
                   SourceFile(example, vendor_->base_url(), ca, "vendor-api-key", true));
    partner_file_ = SourceFile(example, partner_->base_url(), ca, "northwind-api-key", false);
    e2e::WriteFile(Config() + "/partners.d/northwind.toml", partner_file_);
    e2e::WriteFile((dir_ / "creds" / "vendor-api-key").string(), "test-api-key");
    e2e::WriteFile((dir_ / "creds" / "northwind-api-key").string(), "test-api-key");
    e2e::WriteFile((dir_ / "creds" / "admin-token").string(), "e2e-admin-token\n");
  }

  // Two linked deals with drift (stage, amount, close date) and one deal only the partner has.
  void Seed() {
    auto deal = [](std::string reg, std::string stage, std::string amount, std::string close) {
      return json{{"name", "Deal " + reg}, {"account", "Acme GmbH"}, {"owner", "kim"},
                  {"stage", stage},        {"amount", amount},       {"currency", "EUR"},
                  {"close_at", close},     {"registration", reg}};
    };
    v1_ = vendor_->Create(deal("REG-1", "Quote sent", "12000.00", "2026-12-15"));
    p1_ = partner_->Create(deal("REG-1", "Qualified", "11000.00", "2026-12-15"));
    v2_ = vendor_->Create(deal("REG-2", "Qualified", "5000.00", "2026-11-30"));
    p2_ = partner_->Create(deal("REG-2", "Qualified", "5000.00", "2027-01-31"));
    p3_ = partner_->Create(deal("REG-3", "Demo", "700.00", "2026-10-01"));
    ASSERT_FALSE(v1_.empty() || p1_.empty() || v2_.empty() || p2_.empty() || p3_.empty());
  }

  int RunOnce() {
    e2e::Process once;
    EXPECT_TRUE(once.Start({DEALSYNCD, "--config", Config(), "--once"}, Log()));
    return once.WaitExit(seconds(60)).value_or(-1);
  }
  void StartDaemon() {
    daemon_ = std::make_unique<e2e::Process>();
    ASSERT_TRUE(daemon_->Start({DEALSYNCD, "--config", Config()}, Log()));
  }
  // Polls `url` until it answers `status` (or the deadline passes).
  bool WaitForStatus(const std::string& url, int status, seconds within = seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      Result<HttpResponse> r = Http("GET", url);
      if (r.ok() && r->status == status) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }
  template <typename Pred>
  bool Eventually(Pred pred, seconds within = seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  fs::path dir_;
  std::unique_ptr<SimHost> vendor_;
  std::unique_ptr<SimHost> partner_;
  std::unique_ptr<e2e::Process> daemon_;
  int admin_port_ = 0;
  std::string partner_file_;
  std::string v1_, p1_, v2_, p2_, p3_;
  static constexpr const char* DEALSYNCD = DEALSYNC_DEALSYNCD;
  static constexpr const char* DEALSYNCCTL = DEALSYNC_DEALSYNCCTL;
};

TEST_F(DaemonE2ETest, InvalidConfigExits78WithEveryError) {
  // The daemon-wide files are unusable: exit 78 with every error.
  e2e::WriteFile(Config() + "/vendor.toml", "connector = \"rets\"\npoll_interval = \"soon\"\n");
  e2e::WriteFile(Config() + "/dealsync.toml",
                 e2e::ReadFile(Config() + "/dealsync.toml") + "\nbroken_key = 1\n");
  e2e::Process p;
  ASSERT_TRUE(p.Start({DEALSYNCD, "--config", Config()}, Log()));
  EXPECT_EQ(p.WaitExit(seconds(30)), 78);
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("vendor.toml"), std::string::npos) << log;
  EXPECT_NE(log.find("rets"), std::string::npos) << log;
  EXPECT_NE(log.find("poll_interval"), std::string::npos) << log;
  EXPECT_NE(log.find("broken_key"), std::string::npos) << log;
}

// People sign in over the admin server, so beyond loopback it needs TLS: the
// daemon refuses to start (78, nothing bound) rather than serve plain HTTP.
TEST_F(DaemonE2ETest, AdminListenBeyondLoopbackWithoutTlsIsRefused) {
  const std::string file = Config() + "/dealsync.toml";
  e2e::WriteFile(file,
                 std::regex_replace(e2e::ReadFile(file), std::regex(R"(listen = "[^"]*")"),
                                    "listen = \"0.0.0.0:" + std::to_string(admin_port_) + "\""));
  e2e::Process p;
  ASSERT_TRUE(p.Start({DEALSYNCD, "--config", Config()}, Log()));
  EXPECT_EQ(p.WaitExit(seconds(30)), 78);
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("is beyond loopback: set [admin] tls_cert and tls_key"), std::string::npos)
      << log;
  EXPECT_FALSE(Http("GET", Admin("/healthz"), "", "").ok()) << "the admin port was bound";
}

TEST_F(DaemonE2ETest, InvalidPartnerFileFailsOnlyThatPartner) {
  e2e::WriteFile(Config() + "/partners.d/broken.toml",
                 "id = \"broken\"\nconnector = \"rets\"\npoll_interval = \"soon\"\n");
  Seed();
  e2e::Process p;
  ASSERT_TRUE(p.Start({DEALSYNCD, "--config", Config(), "--once"}, Log()));
  // --once: every healthy source syncs, then the failed one fails the run.
  EXPECT_EQ(p.WaitExit(seconds(60)), 1);
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("broken.toml"), std::string::npos) << log;
  EXPECT_NE(log.find("rets"), std::string::npos) << log;
  EXPECT_NE(log.find("poll_interval"), std::string::npos) << log;
  EXPECT_NE(log.find("source broken: failed"), std::string::npos) << log;
  EXPECT_EQ(partner_->View(p1_)["status"], "Quote sent") << partner_->View(p1_).dump();
}

TEST_F(DaemonE2ETest, OnceConvergesBothSides) {
  Seed();
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  // furthest_stage_wins: the partner moves up to the vendor's "Quote sent".
  EXPECT_EQ(partner_->View(p1_)["status"], "Quote sent") << partner_->View(p1_).dump();
  // amount vendor_wins.
  EXPECT_EQ(partner_->View(p1_)["value"], vendor_->View(v1_)["value"]);
  EXPECT_EQ(vendor_->View(v1_)["status"], "Quote sent");
  // A second run finds nothing to do and loses nothing.
  ASSERT_EQ(RunOnce(), 0);
  EXPECT_EQ(partner_->View(p1_)["status"], "Quote sent");
}

// [store] keep_journal: the end of a --once run prunes what the retention
// policy no longer needs (a cut-off of one millisecond: every superseded
// version and push), keeps each record's latest version, and the pairs go on
// syncing from the pruned state.
TEST_F(DaemonE2ETest, JournalRetentionPrunesAndTheNextRunStillSyncs) {
  const std::string file = Config() + "/dealsync.toml";
  const std::string daemon = e2e::ReadFile(file);
  ASSERT_NE(daemon.find("keep_journal = \"365d\""), std::string::npos);
  e2e::WriteFile(file, std::regex_replace(daemon, std::regex(R"(keep_journal = "365d")"),
                                          "keep_journal = \"1ms\""));
  Seed();
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  const std::string log = e2e::ReadFile(Log());
  const std::regex pruned(R"(journal: pruned ([0-9]+) entries recorded more than 1ms ago)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, pruned)) << log;
  EXPECT_GT(std::stoi(m[1]), 0) << log;
  EXPECT_EQ(partner_->View(p1_)["status"], "Quote sent");

  ASSERT_TRUE(partner_->Edit(p1_, {{"stage", "Won"}}));
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  EXPECT_EQ(vendor_->View(v1_)["status"], "Won") << vendor_->View(v1_).dump();
}

TEST_F(DaemonE2ETest, ServiceLifecycle) {
  Seed();
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  ASSERT_TRUE(WaitForStatus(Admin("/readyz"), 200)) << e2e::ReadFile(Log());

  // Converges while running; edits on either side propagate.
  ASSERT_TRUE(Eventually([&] { return partner_->View(p1_)["status"] == "Quote sent"; }))
      << partner_->View(p1_).dump();
  ASSERT_TRUE(partner_->Edit(p2_, {{"stage", "Demo"}}));
  ASSERT_TRUE(Eventually([&] { return vendor_->View(v2_)["status"] == "Demo"; }))
      << vendor_->View(v2_).dump();

  // close_date is "manual" for northwind: the REG-2 drift is held for review.
  // Business data needs a signed-in user or a user token ([admin] token acts as user "admin").
  Result<HttpResponse> anonymous = Http("GET", Admin("/api/v1/conflicts"));
  ASSERT_OK(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  Result<HttpResponse> held =
      Http("GET", Admin("/api/v1/conflicts?status=held_for_review"), "", "e2e-admin-token");
  ASSERT_OK(held);
  ASSERT_EQ(held->status, 200) << held->body;
  EXPECT_GE(json::parse(held->body)["conflicts"].size(), 1u) << held->body;
  Result<HttpResponse> links =
      Http("GET", Admin("/api/v1/links?partner=northwind"), "", "e2e-admin-token");
  ASSERT_OK(links);
  EXPECT_GE(json::parse(links->body)["links"].size(), 2u) << links->body;
  // Mutations need the token.
  Result<HttpResponse> denied = Http("POST", Admin("/api/v1/links"), "{}");
  ASSERT_OK(denied);
  EXPECT_EQ(denied->status, 401);

  // Metrics: the counters moved and promtool accepts the exposition.
  Result<HttpResponse> metrics = Http("GET", Admin("/metrics"));
  ASSERT_OK(metrics);
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("dealsync_up 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_pushes_total{result=\"ok\",target=\"northwind\"}"),
            std::string::npos);
  EXPECT_EQ(metrics->body.find("dealsync_api_calls_total{source=\"vendor\"} 0\n"),
            std::string::npos);
  for (const char* family : {"dealsync_build_info",
                             "dealsync_source_up",
                             "dealsync_records_rejected_total",
                             "dealsync_conflicts_recorded_total",
                             "dealsync_dead_letters_total",
                             "dealsync_push_failures_total",
                             "dealsync_last_successful_push_timestamp_seconds",
                             "dealsync_last_successful_poll_timestamp_seconds",
                             "dealsync_poll_duration_seconds",
                             "dealsync_push_duration_seconds",
                             "dealsync_poll_interval_seconds",
                             "dealsync_api_rate_limit_requests_per_second",
                             "dealsync_edit_to_write_back_seconds",
                             "dealsync_api_quota_used",
                             "dealsync_api_quota_limit",
                             "dealsync_source_held_conflicts",
                             "dealsync_source_queued_pushes",
                             "dealsync_source_dead_letters",
                             "dealsync_source_links",
                             "dealsync_source_rejected_records",
                             "dealsync_source_watermark_timestamp_seconds",
                             "process_cpu_seconds_total",
                             "process_resident_memory_bytes",
                             "process_open_fds",
                             "process_start_time_seconds"}) {
    EXPECT_NE(metrics->body.find(std::string("# TYPE ") + family + " "), std::string::npos)
        << family;
  }
  EXPECT_NE(metrics->body.find("dealsync_poll_duration_seconds_count{source=\"northwind\"} "),
            std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_push_failures_total{target=\"northwind\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(metrics->body.find(
                "dealsync_last_successful_push_timestamp_seconds{target=\"northwind\"} 0\n"),
            std::string::npos)
      << "northwind was pushed to: its timestamp moved";
  const std::string metrics_file = (dir_ / "metrics.txt").string();
  e2e::WriteFile(metrics_file, metrics->body);
  // Per source, from the engine's gauges: northwind's REG-2 close date is held.
  EXPECT_EQ(metrics->body.find("dealsync_source_held_conflicts{source=\"northwind\"} 0\n"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("dealsync_source_links{source=\"northwind\"} "), std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_source_queued_pushes{source=\"vendor\"} "),
            std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_source_dead_letters{source=\"northwind\"} 0\n"),
            std::string::npos);
  // The CRM's own quota, as the simulators' X-RateLimit-Limit/-Remaining report it.
  EXPECT_NE(metrics->body.find("dealsync_api_quota_limit{source=\"northwind\"} "),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("dealsync_api_quota_used{source=\"vendor\"} "), std::string::npos);
  // promtool comes with the suite's dependencies (package prometheus); a
  // machine without it says so here, and CI fails rather than skip the check.
  std::string promtool_out;
  if (e2e::RunCommand("command -v promtool", nullptr) == 0) {
    EXPECT_EQ(e2e::RunCommand("promtool check metrics < '" + metrics_file + "'", &promtool_out), 0)
        << promtool_out;
  } else if (std::getenv("CI") != nullptr) {
    ADD_FAILURE() << "promtool is missing (package prometheus): the live exposition is unchecked";
  } else {
    std::printf("[ NOTE     ] promtool missing (package prometheus): exposition not checked\n");
  }

  // SIGHUP with a broken vendor file (daemon-wide): rejected, old config keeps running.
  const std::string vendor_file = e2e::ReadFile(Config() + "/vendor.toml");
  e2e::WriteFile(Config() + "/vendor.toml", vendor_file + "\nbogus_key = 1\n");
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually(
      [&] { return e2e::ReadFile(Log()).find("reload rejected") != std::string::npos; }));
  EXPECT_TRUE(WaitForStatus(Admin("/healthz"), 200));
  e2e::WriteFile(Config() + "/vendor.toml", vendor_file);
  // SIGHUP with a changed (valid) partner file: the source restarts and keeps its state.
  e2e::WriteFile(Config() + "/partners.d/northwind.toml",
                 std::regex_replace(partner_file_, std::regex(R"(name = "[^"]*")"),
                                    "name = \"Northwind Solutions AG\""));
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] {
    return e2e::ReadFile(Log()).find("source northwind: restarting") != std::string::npos;
  })) << e2e::ReadFile(Log());
  ASSERT_TRUE(vendor_->Edit(v1_, {{"stage", "Negotiating"}, {"amount", "12500.00"}}));
  ASSERT_TRUE(Eventually([&] {
    return partner_->View(p1_)["value"] == vendor_->View(v1_)["value"];
  })) << partner_->View(p1_).dump();

  // SIGTERM right after an edit (a push may be in flight): exit 0, then a
  // restart finishes whatever was left; nothing is lost.
  ASSERT_TRUE(vendor_->Edit(v2_, {{"amount", "5100.00"}}));
  std::this_thread::sleep_for(milliseconds(1200));
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
  ASSERT_EQ(RunOnce(), 0);
  EXPECT_EQ(partner_->View(p2_)["value"], vendor_->View(v2_)["value"]);
}

// Fault isolation: a partner whose CRM refuses its credential (401) is down
// (metric, /readyz with the CRM's answer, the log) while the vendor and the
// other partner sync.
TEST_F(DaemonE2ETest, RefusedCredentialFailsOnePartnerWhileTheOtherSyncs) {
  SimHost fabrikam((dir_ / "pki").string());
  ASSERT_NE(fabrikam.port(), 0);
  const std::string ca = (dir_ / "pki" / "ca.pem").string();
  const std::string example =
      e2e::ReadFile(std::string(DEALSYNC_SOURCE_DIR) + "/config/partners.d/northwind.toml");
  e2e::WriteFile(
      Config() + "/partners.d/fabrikam.toml",
      std::regex_replace(SourceFile(example, fabrikam.base_url(), ca, "fabrikam-api-key", false),
                         std::regex(R"(\nid = "northwind")"), "\nid = \"fabrikam\""));
  e2e::WriteFile((dir_ / "creds" / "fabrikam-api-key").string(), "a-revoked-api-key");
  Seed();
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  ASSERT_TRUE(Eventually([&] { return partner_->View(p1_)["status"] == "Quote sent"; }))
      << partner_->View(p1_).dump();
  std::string body;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> m = Http("GET", Admin("/metrics"));
    body = m.ok() ? m->body : m.status().ToString();
    return body.find("dealsync_source_up{source=\"fabrikam\"} 0\n") != std::string::npos;
  })) << body;
  EXPECT_NE(body.find("dealsync_source_up{source=\"northwind\"} 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("dealsync_source_up{source=\"vendor\"} 1\n"), std::string::npos) << body;
  Result<HttpResponse> ready = Http("GET", Admin("/readyz"));
  ASSERT_OK(ready);
  EXPECT_EQ(ready->status, 503) << ready->body;
  EXPECT_NE(
      ready->body.find("source fabrikam: no successful poll yet (last error: UNAUTHENTICATED"),
      std::string::npos)
      << ready->body;
  EXPECT_EQ(ready->body.find("a-revoked-api-key"), std::string::npos) << "secret in /readyz";
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("UNAUTHENTICATED"), std::string::npos) << log;
  EXPECT_EQ(log.find("a-revoked-api-key"), std::string::npos) << "secret in the log";
}

// Fault isolation: a partner whose credential is missing is failed (log,
// metric, /readyz detail) while the vendor and two other partners sync; a
// reload tells the truth through `dealsyncctl reload` (what ExecReload= runs).
TEST_F(DaemonE2ETest, MissingCredentialFailsOnePartnerWhileTwoOthersSyncAndReloadTellsTheTruth) {
  SimHost fabrikam((dir_ / "pki").string());
  ASSERT_NE(fabrikam.port(), 0);
  const std::string ca = (dir_ / "pki" / "ca.pem").string();
  const std::string example =
      e2e::ReadFile(std::string(DEALSYNC_SOURCE_DIR) + "/config/partners.d/northwind.toml");
  auto partner_file = [&](const std::string& id, const std::string& url,
                          const std::string& credential) {
    return std::regex_replace(SourceFile(example, url, ca, credential, false),
                              std::regex(R"(\nid = "northwind")"), "\nid = \"" + id + "\"");
  };
  e2e::WriteFile(Config() + "/partners.d/fabrikam.toml",
                 partner_file("fabrikam", fabrikam.base_url(), "fabrikam-api-key"));
  e2e::WriteFile((dir_ / "creds" / "fabrikam-api-key").string(), "test-api-key");
  const std::string contoso = partner_file("contoso", partner_->base_url(), "contoso-api-key");
  e2e::WriteFile(Config() + "/partners.d/contoso.toml", contoso);  // no credential file

  // validate names the missing credential, its file and line.
  std::string validate_out;
  EXPECT_EQ(e2e::RunCommand(std::string(DEALSYNCCTL) + " validate --config '" + Config() + "'",
                            &validate_out),
            78)
      << validate_out;
  EXPECT_NE(validate_out.find(Config() + "/partners.d/contoso.toml:"), std::string::npos)
      << validate_out;
  EXPECT_NE(validate_out.find("credential \"contoso-api-key\": " + (dir_ / "creds").string() +
                              "/contoso-api-key does not exist"),
            std::string::npos)
      << validate_out;

  Seed();
  const std::string f1 = fabrikam.Create({{"name", "Deal REG-F1"},
                                          {"account", "Fabrikam AG"},
                                          {"owner", "kim"},
                                          {"stage", "Qualified"},
                                          {"amount", "900.00"},
                                          {"currency", "EUR"},
                                          {"close_at", "2026-12-01"},
                                          {"registration", "REG-F1"}});
  const std::string vf1 = vendor_->Create({{"name", "Deal REG-F1"},
                                           {"account", "Fabrikam AG"},
                                           {"owner", "kim"},
                                           {"stage", "Quote sent"},
                                           {"amount", "900.00"},
                                           {"currency", "EUR"},
                                           {"close_at", "2026-12-01"},
                                           {"registration", "REG-F1"}});
  ASSERT_FALSE(f1.empty() || vf1.empty());
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  // Both healthy partners converge with the vendor.
  ASSERT_TRUE(Eventually([&] { return partner_->View(p1_)["status"] == "Quote sent"; }))
      << partner_->View(p1_).dump();
  ASSERT_TRUE(Eventually([&] { return fabrikam.View(f1)["status"] == "Quote sent"; }))
      << fabrikam.View(f1).dump();

  // The failed partner: /readyz says why, the metric says 0, the log names it.
  Result<HttpResponse> ready = Http("GET", Admin("/readyz"));
  ASSERT_OK(ready);
  EXPECT_EQ(ready->status, 503) << ready->body;
  EXPECT_NE(ready->body.find("source contoso: failed:"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find("contoso-api-key"), std::string::npos) << ready->body;
  Result<HttpResponse> metrics = Http("GET", Admin("/metrics"));
  ASSERT_OK(metrics);
  EXPECT_NE(metrics->body.find("dealsync_source_up{source=\"contoso\"} 0\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_source_up{source=\"fabrikam\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_source_up{source=\"northwind\"} 1\n"), std::string::npos);
  EXPECT_NE(e2e::ReadFile(Log()).find("source contoso: failed, not syncing until fixed"),
            std::string::npos);
  // ... and the review workspace's Partners page shows it failed, with the reason.
  auto partner_entry = [&](const std::string& id) {
    Result<HttpResponse> r = Http("GET", Admin("/api/v1/partners"), "", "e2e-admin-token");
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    const json body = r.ok() ? json::parse(r->body, nullptr, false) : json();
    if (body.is_object() && body.contains("partners")) {
      for (const json& p : body["partners"]) {
        if (p["id"] == id) {
          return p;
        }
      }
    }
    return json();
  };
  json page = partner_entry("contoso");
  EXPECT_EQ(page["failed"], true) << page.dump();
  EXPECT_NE(page.value("last_error", "").find("contoso-api-key"), std::string::npos) << page;
  EXPECT_EQ(partner_entry("fabrikam")["failed"], false);

  const std::string reload = std::string(DEALSYNCCTL) + " reload --config '" + Config() + "'";
  std::string out;
  // Still missing: applied for the others, but not the truth for contoso -> non-zero.
  EXPECT_EQ(e2e::RunCommand(reload, &out), 1) << out;
  EXPECT_NE(out.find("contoso"), std::string::npos) << out;
  EXPECT_NE(out.find("reload applied with failures"), std::string::npos) << out;

  // A broken vendor.toml (daemon-wide) is rejected by the daemon: non-zero, the
  // error in the output, the old configuration kept.
  const std::string vendor_toml = e2e::ReadFile(Config() + "/vendor.toml");
  e2e::WriteFile(Config() + "/vendor.toml", vendor_toml + "\nbogus_key = 1\n");
  out.clear();
  EXPECT_EQ(e2e::RunCommand(reload, &out), 1) << out;
  EXPECT_NE(out.find("vendor.toml"), std::string::npos) << out;
  EXPECT_NE(out.find("bogus_key"), std::string::npos) << out;
  EXPECT_NE(out.find("reload rejected"), std::string::npos) << out;
  EXPECT_NE(e2e::ReadFile(Log()).find("reload rejected, keeping the running configuration"),
            std::string::npos);
  EXPECT_TRUE(WaitForStatus(Admin("/healthz"), 200));
  e2e::WriteFile(Config() + "/vendor.toml", vendor_toml);
  // A broken dealsync.toml cannot even name the daemon: rejected locally (78).
  const std::string daemon_toml = e2e::ReadFile(Config() + "/dealsync.toml");
  e2e::WriteFile(Config() + "/dealsync.toml", daemon_toml + "\nbogus_key = 1\n");
  out.clear();
  EXPECT_EQ(e2e::RunCommand(reload, &out), 78) << out;
  EXPECT_NE(out.find("bogus_key"), std::string::npos) << out;
  EXPECT_NE(out.find("reload rejected"), std::string::npos) << out;

  // Fixed: the credential exists and the daemon-wide file is valid again -> 0, contoso runs.
  e2e::WriteFile(Config() + "/dealsync.toml", daemon_toml);
  e2e::WriteFile((dir_ / "creds" / "contoso-api-key").string(), "test-api-key");
  out.clear();
  EXPECT_EQ(e2e::RunCommand(reload, &out), 0) << out;
  EXPECT_NE(out.find("reload applied"), std::string::npos) << out;
  metrics = Http("GET", Admin("/metrics"));
  ASSERT_OK(metrics);
  EXPECT_NE(metrics->body.find("dealsync_source_up{source=\"contoso\"} 1\n"), std::string::npos);

  // A partner file that does not load, added at reload: that partner alone is
  // failed (non-zero verdict naming the file, /readyz, metric, Partners page);
  // the others keep syncing. Removed again, the reload succeeds.
  e2e::WriteFile(Config() + "/partners.d/broken.toml", "id = \"broken\"\nconnector = \"rets\"\n");
  out.clear();
  EXPECT_EQ(e2e::RunCommand(reload, &out), 1) << out;
  EXPECT_NE(out.find("broken.toml"), std::string::npos) << out;
  EXPECT_NE(out.find("reload applied with failures"), std::string::npos) << out;
  ready = Http("GET", Admin("/readyz"));
  ASSERT_OK(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("source broken: failed:"), std::string::npos) << ready->body;
  metrics = Http("GET", Admin("/metrics"));
  ASSERT_OK(metrics);
  EXPECT_NE(metrics->body.find("dealsync_source_up{source=\"broken\"} 0\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("dealsync_source_up{source=\"contoso\"} 1\n"), std::string::npos);
  page = partner_entry("broken");
  EXPECT_EQ(page["failed"], true) << page.dump();
  EXPECT_NE(page.value("last_error", "").find("broken.toml"), std::string::npos) << page;
  ASSERT_TRUE(partner_->Edit(p2_, {{"stage", "Demo"}}));  // still syncing meanwhile
  ASSERT_TRUE(Eventually([&] { return vendor_->View(v2_)["status"] == "Demo"; }))
      << vendor_->View(v2_).dump();
  fs::remove(Config() + "/partners.d/broken.toml");
  out.clear();
  EXPECT_EQ(e2e::RunCommand(reload, &out), 0) << out;
  EXPECT_TRUE(partner_entry("broken").is_null());
  // Without the token the admin API refuses to reload.
  Result<HttpResponse> anonymous = Http("POST", Admin("/api/v1/reload"));
  ASSERT_OK(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
}

// [[notify.webhooks]] from the real daemon: a conflict newly held is POSTed
// once over verified HTTPS (the receiver's CA comes from SSL_CERT_FILE, the
// way a host's trust store would), and the daily digest goes once a UTC day,
// also across a restart (the day sent is kept in the store).
TEST_F(DaemonE2ETest, WebhooksGetNewlyHeldConflictsAndOneDigestADayAcrossARestart) {
  WebhookReceiver receiver((dir_ / "pki").string());
  ASSERT_NE(receiver.port(), 0);
  const std::string hook_url =
      "https://127.0.0.1:" + std::to_string(receiver.port()) + "/hooks/T0KEN-in-the-path";
  e2e::WriteFile((dir_ / "creds" / "ops-webhook").string(), hook_url + "\n");
  std::string daemon = e2e::ReadFile(Config() + "/dealsync.toml");
  daemon +=
      "\n[[notify.webhooks]]\nname = \"ops\"\nurl = \"ops-webhook\"\nformat = \"json\"\n"
      "events = [\"held_conflict\", \"digest\"]\ndigest_hour_utc = 0\n";
  e2e::WriteFile(Config() + "/dealsync.toml", daemon);
  ::setenv("SSL_CERT_FILE", (dir_ / "pki" / "ca.pem").c_str(), 1);
  Seed();
  StartDaemon();
  ::unsetenv("SSL_CERT_FILE");
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  ASSERT_TRUE(Eventually([&] { return receiver.Received("digest").size() == 1; }, seconds(30)))
      << e2e::ReadFile(Log());
  const json digest = receiver.Received("digest")[0];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char today[11];
  std::strftime(today, sizeof today, "%Y-%m-%d", &utc);
  EXPECT_EQ(digest["id"], today);
  EXPECT_NE(digest["subject"].get<std::string>().find("dealsync daily digest"), std::string::npos);

  // What was held before the first look is backlog; a conflict held later is news.
  const auto held_notified = [&](const std::string& deal) {
    for (const json& n : receiver.Received("held_conflict")) {
      if (n["subject"].get<std::string>().find(deal) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  // A new pair whose close dates differ: close_date is "manual" for northwind.
  const auto deal = [](const std::string& reg, const char* close) {
    return json{{"name", "Deal " + reg}, {"account", "Initech"}, {"owner", "kim"},
                {"stage", "Qualified"},  {"amount", "900.00"},   {"currency", "EUR"},
                {"close_at", close},     {"registration", reg}};
  };
  ASSERT_FALSE(vendor_->Create(deal("REG-4", "2026-12-20")).empty());
  ASSERT_FALSE(partner_->Create(deal("REG-4", "2027-01-20")).empty());
  ASSERT_TRUE(Eventually([&] { return held_notified("Deal REG-4"); }, seconds(40)))
      << e2e::ReadFile(Log());
  const size_t held_before_restart = receiver.Received("held_conflict").size();
  for (const HttpRequest& r : receiver.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "/hooks/T0KEN-in-the-path");
    EXPECT_EQ(FindHeader(r.headers, "Content-Type").value_or(""), "application/json");
  }
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());

  // After a restart: the held conflicts are not announced again, the day's
  // digest is not sent again, and new news still goes out.
  ::setenv("SSL_CERT_FILE", (dir_ / "pki" / "ca.pem").c_str(), 1);
  StartDaemon();
  ::unsetenv("SSL_CERT_FILE");
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  ASSERT_FALSE(vendor_->Create(deal("REG-5", "2026-12-20")).empty());
  ASSERT_FALSE(partner_->Create(deal("REG-5", "2027-01-20")).empty());
  ASSERT_TRUE(Eventually([&] { return held_notified("Deal REG-5"); }, seconds(40)))
      << e2e::ReadFile(Log());
  EXPECT_EQ(receiver.Received("held_conflict").size(), held_before_restart + 1)
      << "only the new conflict";
  EXPECT_EQ(receiver.Received("digest").size(), 1u);
  const std::string log = e2e::ReadFile(Log());
  EXPECT_EQ(log.find("T0KEN"), std::string::npos) << "the webhook URL is a secret";
  EXPECT_NE(log.find("notify: webhook ops (127.0.0.1"), std::string::npos) << log;
}

// The HTML report prints, under each held conflict, the command that settles
// it; copied out of the page exactly as a person would copy it, it runs in a
// shell as printed and settles that conflict.
TEST_F(DaemonE2ETest, HtmlReportSettleCommandsWorkAsPrinted) {
  Seed();
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  const std::string html = (dir_ / "report.html").string();
  std::string out;
  ASSERT_EQ(e2e::RunCommand(std::string(DEALSYNCCTL) + " report --format html --out '" + html +
                                "' --config '" + Config() + "' 2>&1",
                            &out),
            0)
      << out;
  const std::string page = e2e::ReadFile(html);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(page, m, std::regex("<code>(dealsyncctl conflicts resolve [^<]*)</code>")))
      << page.substr(0, 4000);
  std::string command = m[1];
  for (const auto& [entity, ch] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    command = std::regex_replace(command, std::regex(entity), ch);
  }
  EXPECT_NE(command.find("--config '" + Config() + "'"), std::string::npos) << command;
  const std::string id = command.substr(
      command.find('\'') + 1, command.find('\'', command.find('\'') + 1) - command.find('\'') - 1);
  const std::string script = (dir_ / "settle.sh").string();
  e2e::WriteFile(script, command + "\n");
  const std::string bin_dir = fs::path(DEALSYNCCTL).parent_path().string();
  ASSERT_EQ(
      e2e::RunCommand("PATH='" + bin_dir + "':\"$PATH\" USER=kim sh '" + script + "' 2>&1", &out),
      0)
      << command << "\n"
      << out;
  EXPECT_NE(out.find("Resolved " + id), std::string::npos) << out;
  ASSERT_EQ(e2e::RunCommand(std::string(DEALSYNCCTL) + " conflicts show '" + id + "' --config '" +
                                Config() + "' 2>&1",
                            &out),
            0)
      << out;
  EXPECT_NE(out.find("resolved by operator"), std::string::npos) << out;
  EXPECT_NE(out.find("kim"), std::string::npos) << out;
}

// dealsyncctl works whether or not dealsyncd runs on the state directory:
// read commands read a view of the store without taking its lock, changes go
// through the running daemon's admin API, and with the daemon stopped the same
// command lines work on the store itself.
TEST_F(DaemonE2ETest, CliListsReportsAndResolvesWhileTheDaemonRunsAndWhenItIsStopped) {
  Seed();
  // close_date is "manual" for northwind: REG-1's dates now differ too, so two are held.
  ASSERT_TRUE(partner_->Edit(p1_, {{"close_at", "2027-02-01"}}));
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  std::vector<std::string> held;
  std::string listed;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r =
        Http("GET", Admin("/api/v1/conflicts?status=held_for_review"), "", "e2e-admin-token");
    held.clear();
    listed = r.ok() ? r->body : r.status().ToString();
    const json page = r.ok() && r->status == 200 ? json::parse(r->body) : json();
    if (page.contains("conflicts")) {
      for (const json& c : page["conflicts"]) {
        held.push_back(c["id"].get<std::string>());
      }
    }
    return held.size() == 2;
  })) << listed;

  const std::string ctl = std::string(DEALSYNCCTL) + " ";
  const std::string config = " --config '" + Config() + "'";
  const std::string report = (dir_ / "report.json").string();
  auto run = [](const std::string& command) {
    std::string out;
    const int status = e2e::RunCommand(command + " 2>&1", &out);
    return std::pair{status, out};
  };

  // Running: every read command answers from the daemon's current state.
  auto [status, out] = run(ctl + "conflicts list --status held" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find(held[0]), std::string::npos) << out;
  EXPECT_NE(out.find(held[1]), std::string::npos) << out;
  EXPECT_NE(out.find("2 held for review"), std::string::npos) << out;
  // Without --config: $DEALSYNC_CONFIG (here naming the file) is the default.
  std::tie(status, out) = run("DEALSYNC_CONFIG='" + Config() + "/dealsync.toml' " + ctl +
                              "conflicts show '" + held[0] + "'");
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("held for review"), std::string::npos) << out;
  std::tie(status, out) = run(ctl + "report --format json --out '" + report + "'" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find(", 2 held for review"), std::string::npos) << out;
  EXPECT_NE(e2e::ReadFile(report).find(held[1]), std::string::npos);
  std::tie(status, out) = run(ctl + "plan" + config);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Conflicts held for review (nothing is pushed for them): 2"),
            std::string::npos)
      << out;
  std::tie(status, out) = run(ctl + "links --partner northwind" + config);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find(p1_), std::string::npos) << out;
  std::tie(status, out) = run(ctl + "deadletters list" + config);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("No dead letters"), std::string::npos) << out;

  // Running: changes go through the daemon, which journals and pushes them.
  std::tie(status, out) = run(ctl + "deadletters retry northwind/nope" + config);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("no dead letter"), std::string::npos) << out;
  // A conflict id is "<partner>/<vendor record>/<partner record>/<field>/<seq>".
  const std::string partner_id = held[0]
                                     .substr(0, held[0].rfind("/close_date/"))
                                     .substr(held[0].find('/', held[0].find('/') + 1) + 1);
  const json partner_close = partner_->View(partner_id)["expected_close"];
  std::tie(status, out) = run(ctl + "conflicts resolve '" + held[0] +
                              "' --take vendor --by kim --reason 'the signed date'" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("through dealsyncd"), std::string::npos) << out;
  Result<HttpResponse> detail =
      Http("GET", Admin("/api/v1/conflicts/" + held[0]), "", "e2e-admin-token");
  ASSERT_OK(detail);
  ASSERT_EQ(detail->status, 200) << detail->body;
  const json settled = json::parse(detail->body);
  EXPECT_EQ(settled["status"], "resolved_by_operator") << detail->body;
  EXPECT_EQ(settled["resolved_by"], "admin") << detail->body;  // the [admin] token's user
  EXPECT_NE(settled.value("resolution_reason", "").find("the signed date"), std::string::npos);
  EXPECT_NE(settled.value("resolution_reason", "").find("by kim"), std::string::npos);
  EXPECT_EQ(settled["partner_id"], partner_id);
  // Taking the vendor's date: the daemon pushes it to the partner.
  ASSERT_TRUE(Eventually([&] {
    return partner_->View(partner_id)["expected_close"] != partner_close;
  })) << partner_->View(partner_id).dump();
  // A view opened now sees the decision at once.
  std::tie(status, out) = run(ctl + "conflicts show '" + held[0] + "'" + config);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("resolved by operator"), std::string::npos) << out;
  EXPECT_TRUE(WaitForStatus(Admin("/healthz"), 200));  // the daemon never noticed the reads
  // A rewind asks the daemon, which resets its own runner's cursor (and logs
  // the token's user).
  std::tie(status, out) = run(ctl + "sources rewind northwind --to 2026-11-01 --by kim" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Rewound northwind to 2026-11-01T00:00:00.000Z through dealsyncd"),
            std::string::npos)
      << out;
  EXPECT_TRUE(Eventually([&] {
    return e2e::ReadFile(Log()).find(
               "source northwind rewound to 2026-11-01T00:00:00.000Z by admin") !=
           std::string::npos;
  })) << e2e::ReadFile(Log());
  std::tie(status, out) = run(ctl + "sources rewind nobody --to 2026-11-01 --by kim" + config);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("unknown source"), std::string::npos) << out;

  // Stopped: the same command lines work on the store itself.
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
  std::tie(status, out) = run(ctl + "conflicts list --status held" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(out.find(held[0]), std::string::npos) << out;
  EXPECT_NE(out.find(held[1]), std::string::npos) << out;
  EXPECT_NE(out.find("1 held for review"), std::string::npos) << out;
  std::tie(status, out) = run(ctl + "report --format json --out '" + report + "'" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find(", 1 held for review"), std::string::npos) << out;
  // For spreadsheet programs: a UTF-8 byte order mark on request, CSV only.
  const std::string csv = (dir_ / "report.csv").string();
  std::tie(status, out) = run(ctl + "report --format csv --bom --out '" + csv + "'" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(e2e::ReadFile(csv).substr(0, 3), "\xEF\xBB\xBF");
  std::tie(status, out) = run(ctl + "report --format json --bom --out '" + csv + "'" + config);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("--bom is for --format csv"), std::string::npos) << out;
  std::tie(status, out) = run(ctl + "conflicts resolve '" + held[1] +
                              "' --value 2027-03-01 --by kim --reason 'agreed by phone'" + config);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(out.find("through dealsyncd"), std::string::npos) << out;
  std::tie(status, out) = run(ctl + "conflicts show '" + held[1] + "'" + config);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("resolved by operator"), std::string::npos) << out;
  EXPECT_NE(out.find("by kim"), std::string::npos) << out;
  // The next run pushes the decision to both sides.
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  std::tie(status, out) = run(ctl + "conflicts list --status held" + config);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("No conflicts match."), std::string::npos) << out;
}

// One call to the admin server with the headers a browser or script would
// send; `ca_file` is the trust anchor when `url` is https.

std::string Describe(const Result<HttpResponse>& r) {
  return r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString();
}

// The body as JSON when the call answered `status`, else null.
json JsonIf(const Result<HttpResponse>& r, int status) {
  return r.ok() && r->status == status ? json::parse(r->body, nullptr, false) : json();
}

// The real `dealsyncctl users hash-password`, fed `password` on stdin the way
// an operator would (never as an argument), writing its output to `hash_file`.
void HashPasswordInto(const std::string& password, const fs::path& hash_file) {
  const std::string password_file = hash_file.string() + ".typed";
  e2e::WriteFile(password_file, password + "\n");
  std::string out;
  ASSERT_EQ(e2e::RunCommand(std::string(DEALSYNC_DEALSYNCCTL) + " users hash-password < '" +
                                password_file + "' > '" + hash_file.string() + "'",
                            &out),
            0)
      << out;
  fs::remove(password_file);
  ASSERT_EQ(e2e::ReadFile(hash_file.string()).rfind("pbkdf2-sha256$600000$", 0), 0u)
      << e2e::ReadFile(hash_file.string());
}

// The review workspace as it runs beyond loopback: the admin server speaks TLS
// with a certificate and key read from credentials, a person signs in over
// HTTPS and gets a cookie a browser keeps from scripts and other sites, and a
// change made with that cookie needs the session's CSRF token.
TEST_F(DaemonE2ETest, ReviewWorkspaceOverTlsSignsInWithSecureCookiesAndNeedsTheCsrfToken) {
  fs::copy_file(dir_ / "pki" / "server.pem", dir_ / "creds" / "admin-tls-cert");
  fs::copy_file(dir_ / "pki" / "server.key", dir_ / "creds" / "admin-tls-key");
  ASSERT_NO_FATAL_FAILURE(
      HashPasswordInto("maria's long passphrase", dir_ / "creds" / "maria-password-hash"));
  const std::string file = Config() + "/dealsync.toml";
  e2e::WriteFile(file, std::regex_replace(e2e::ReadFile(file), std::regex(R"(\n\[admin\]\n)"),
                                          "\n[admin]\ntls_cert = \"admin-tls-cert\"\n"
                                          "tls_key = \"admin-tls-key\"\n") +
                           "\n[[admin.users]]\nname = \"maria\"\nrole = \"resolver\"\n"
                           "password_hash = \"maria-password-hash\"\n");
  const std::string ca = (dir_ / "pki" / "ca.pem").string();
  const std::string base = "https://127.0.0.1:" + std::to_string(admin_port_);
  auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                  const HttpHeaders& headers) {
    return AdminCall(method, base + path, body, headers, ca);
  };
  Seed();
  StartDaemon();
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = call("GET", "/healthz", "", {});
    return r.ok() && r->status == 200;
  })) << e2e::ReadFile(Log());
  // TLS only: the same port does not answer plain HTTP.
  Result<HttpResponse> plain = Http("GET", Admin("/healthz"));
  EXPECT_FALSE(plain.ok() && plain->status == 200) << Describe(plain);

  Result<HttpResponse> wrong =
      call("POST", "/api/v1/session", json{{"name", "maria"}, {"password", "guess"}}.dump(), {});
  ASSERT_OK(wrong);
  EXPECT_EQ(wrong->status, 401) << wrong->body;
  EXPECT_FALSE(wrong->header("Set-Cookie").has_value());
  Result<HttpResponse> signed_in =
      call("POST", "/api/v1/session",
           json{{"name", "maria"}, {"password", "maria's long passphrase"}}.dump(), {});
  ASSERT_OK(signed_in);
  ASSERT_EQ(signed_in->status, 200) << signed_in->body;
  const std::string set_cookie(signed_in->header("Set-Cookie").value_or(""));
  std::smatch cookie_value;
  ASSERT_TRUE(std::regex_search(set_cookie, cookie_value, std::regex("^dealsync_session=([^;]+);")))
      << set_cookie;
  for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/"}) {
    EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute << " in " << set_cookie;
  }
  const json session = json::parse(signed_in->body);
  EXPECT_EQ(session["user"]["name"], "maria") << signed_in->body;
  EXPECT_EQ(session["user"]["role"], "resolver") << signed_in->body;
  const std::string csrf = session.value("csrf_token", "");
  ASSERT_FALSE(csrf.empty()) << signed_in->body;
  const HttpHeaders cookie = {{"Cookie", "dealsync_session=" + cookie_value.str(1)}};

  // Reads with the cookie alone; REG-2's close date is held (manual for northwind).
  std::string held_id;
  std::string listed;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = call("GET", "/api/v1/conflicts?status=held_for_review", "", cookie);
    listed = Describe(r);
    const json page = JsonIf(r, 200);
    if (page.contains("conflicts") && !page["conflicts"].empty()) {
      held_id = page["conflicts"][0]["id"].get<std::string>();
    }
    return !held_id.empty();
  })) << listed;
  const std::string resolve = "/api/v1/conflicts/" + held_id + "/resolve";
  const std::string decision = json{{"take", "vendor"}, {"reason", "the signed date"}}.dump();

  // A change carried by the cookie alone (what a forged cross-site form sends) is refused.
  Result<HttpResponse> forged = call("POST", resolve, decision, cookie);
  ASSERT_OK(forged);
  EXPECT_EQ(forged->status, 403) << forged->body;
  EXPECT_NE(forged->body.find("X-CSRF-Token"), std::string::npos) << forged->body;
  HttpHeaders wrong_token = cookie;
  wrong_token.emplace_back("X-CSRF-Token", csrf + "x");
  Result<HttpResponse> mistaken = call("POST", resolve, decision, wrong_token);
  ASSERT_OK(mistaken);
  EXPECT_EQ(mistaken->status, 403) << mistaken->body;
  json still = JsonIf(call("GET", "/api/v1/conflicts/" + held_id, "", cookie), 200);
  EXPECT_EQ(still.value("status", ""), "held_for_review") << still.dump();

  HttpHeaders with_csrf = cookie;
  with_csrf.emplace_back("X-CSRF-Token", csrf);
  Result<HttpResponse> settled = call("POST", resolve, decision, with_csrf);
  ASSERT_OK(settled);
  ASSERT_EQ(settled->status, 200) << settled->body;
  const json detail = json::parse(settled->body);
  EXPECT_EQ(detail["status"], "resolved_by_operator") << settled->body;
  EXPECT_EQ(detail["resolved_by"], "maria") << settled->body;

  // The web app itself comes over the same TLS listener.
  Result<HttpResponse> app = call("GET", "/app/", "", {});
  ASSERT_OK(app);
  EXPECT_EQ(app->status, 200) << app->body.substr(0, 200);
  EXPECT_NE(app->header("Content-Type").value_or("").find("text/html"), std::string::npos);
  EXPECT_NE(app->body.find("<html"), std::string::npos) << app->body.substr(0, 200);
  EXPECT_TRUE(app->header("Content-Security-Policy").has_value());

  // dealsyncctl finds the daemon over https, trusting the certificate it is configured with.
  std::string out;
  EXPECT_EQ(
      e2e::RunCommand(std::string(DEALSYNCCTL) + " deadletters retry northwind/nope --config '" +
                          Config() + "' 2>&1",
                      &out),
      1)
      << out;
  EXPECT_NE(out.find("no dead letter"), std::string::npos) << out;

  // Signing out ends the session on the server, not only in the browser.
  Result<HttpResponse> signed_out = call("DELETE", "/api/v1/session", "", with_csrf);
  ASSERT_OK(signed_out);
  EXPECT_EQ(signed_out->status, 200) << signed_out->body;
  EXPECT_NE(signed_out->header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  Result<HttpResponse> after = call("GET", "/api/v1/conflicts", "", cookie);
  ASSERT_OK(after);
  EXPECT_EQ(after->status, 401) << after->body;

  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
}

// [[admin.users]] take their secrets only from credential files: a password
// hash made by `dealsyncctl users hash-password`, an API token. Each signs in
// the way it should, roles hold, and no secret reaches the log.
TEST_F(DaemonE2ETest, NamedUsersFromCredentialFilesSignInUseTokensAndKeepTheirRoles) {
  const std::string password = "correct horse battery staple";
  ASSERT_NO_FATAL_FAILURE(HashPasswordInto(password, dir_ / "creds" / "maria-password-hash"));
  const std::string hash = e2e::ReadFile((dir_ / "creds" / "maria-password-hash").string());
  const std::string viewer_token = "vw-3f9c1a7e5b2d4c6e8a0f1b3d5e7c9a2b";
  const std::string resolver_token = "rs-8b6d4f2a0c1e3b5d7f9a2c4e6b8d0f1a";
  const fs::path tokens = dir_ / "tokens";
  fs::create_directories(tokens);
  e2e::WriteFile((tokens / "auditor.token").string(), viewer_token + "\n");
  e2e::WriteFile((dir_ / "creds" / "ops-bot-token").string(), resolver_token + "\n");
  const std::string file = Config() + "/dealsync.toml";
  const std::string daemon_toml = e2e::ReadFile(file);
  const std::string users =
      "\n[[admin.users]]\nname = \"maria\"\nrole = \"resolver\"\n"
      "password_hash = \"maria-password-hash\"\n"
      "\n[[admin.users]]\nname = \"auditor\"\nrole = \"viewer\"\n"
      "token = { file = \"" +
      (tokens / "auditor.token").string() +
      "\" }\n"
      "\n[[admin.users]]\nname = \"ops-bot\"\nrole = \"resolver\"\ntoken = \"ops-bot-token\"\n";
  // A password written into the file itself is refused, and the error does not echo it.
  e2e::WriteFile(file, daemon_toml + users +
                           "\n[[admin.users]]\nname = \"kim\"\nrole = \"viewer\"\n"
                           "password = \"kims-inline-secret\"\n");
  std::string out;
  EXPECT_EQ(e2e::RunCommand(std::string(DEALSYNCCTL) + " validate --config '" + Config() + "' 2>&1",
                            &out),
            78)
      << out;
  EXPECT_NE(out.find("passwords are never written in config files"), std::string::npos) << out;
  EXPECT_EQ(out.find("kims-inline-secret"), std::string::npos) << out;
  // Debug logging: the most the daemon ever writes about requests.
  e2e::WriteFile(file, std::regex_replace(daemon_toml, std::regex(R"(log_level = "[^"]*")"),
                                          "log_level = \"debug\"") +
                           users);
  out.clear();
  EXPECT_EQ(e2e::RunCommand(std::string(DEALSYNCCTL) + " validate --config '" + Config() + "' 2>&1",
                            &out),
            0)
      << out;

  Seed();
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                  const HttpHeaders& headers) {
    return AdminCall(method, Admin(path), body, headers);
  };
  auto bearer = [](const std::string& token) {
    return HttpHeaders{{"Authorization", "Bearer " + token}};
  };
  auto sign_in = [&](const std::string& name, const std::string& pw) {
    return call("POST", "/api/v1/session", json{{"name", name}, {"password", pw}}.dump(), {});
  };

  // The password: right signs in, wrong is refused; an unknown name gets the same answer.
  Result<HttpResponse> maria = sign_in("maria", password);
  ASSERT_OK(maria);
  ASSERT_EQ(maria->status, 200) << maria->body;
  EXPECT_EQ(json::parse(maria->body)["user"]["role"], "resolver") << maria->body;
  Result<HttpResponse> wrong = sign_in("maria", password + "!");
  ASSERT_OK(wrong);
  EXPECT_EQ(wrong->status, 401) << wrong->body;
  Result<HttpResponse> nobody = sign_in("mallory", password);
  ASSERT_OK(nobody);
  EXPECT_EQ(nobody->status, 401) << nobody->body;
  EXPECT_EQ(json::parse(nobody->body)["error"]["message"],
            json::parse(wrong->body)["error"]["message"]);
  // A token user has no password: its token is no password either.
  Result<HttpResponse> token_as_password = sign_in("ops-bot", resolver_token);
  ASSERT_OK(token_as_password);
  EXPECT_EQ(token_as_password->status, 401) << token_as_password->body;
  // ... and the hash itself is no password.
  Result<HttpResponse> hash_as_password = sign_in("maria", hash.substr(0, hash.find('\n')));
  ASSERT_OK(hash_as_password);
  EXPECT_EQ(hash_as_password->status, 401) << hash_as_password->body;

  // The tokens, as Bearer: who they are, and what each role may do.
  Result<HttpResponse> who = call("GET", "/api/v1/session", "", bearer(viewer_token));
  ASSERT_OK(who);
  EXPECT_EQ(json::parse(who->body)["user"]["name"], "auditor") << who->body;
  EXPECT_EQ(json::parse(who->body)["user"]["role"], "viewer") << who->body;
  std::string held_id;
  std::string listed;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r =
        call("GET", "/api/v1/conflicts?status=held_for_review", "", bearer(viewer_token));
    listed = Describe(r);
    const json page = JsonIf(r, 200);
    if (page.contains("conflicts") && !page["conflicts"].empty()) {
      held_id = page["conflicts"][0]["id"].get<std::string>();
    }
    return !held_id.empty();
  })) << listed;
  const std::string resolve = "/api/v1/conflicts/" + held_id + "/resolve";
  const std::string decision = json{{"take", "partner"}, {"reason", "the partner's date"}}.dump();
  Result<HttpResponse> viewer_resolves = call("POST", resolve, decision, bearer(viewer_token));
  ASSERT_OK(viewer_resolves);
  EXPECT_EQ(viewer_resolves->status, 403) << viewer_resolves->body;
  EXPECT_NE(viewer_resolves->body.find("auditor"), std::string::npos) << viewer_resolves->body;
  Result<HttpResponse> viewer_links =
      call("POST", "/api/v1/links",
           json{{"partner", "northwind"}, {"vendor_id", v1_}, {"partner_id", p3_}}.dump(),
           bearer(viewer_token));
  ASSERT_OK(viewer_links);
  EXPECT_EQ(viewer_links->status, 403) << viewer_links->body;
  Result<HttpResponse> viewer_retries =
      call("POST", "/api/v1/deadletters/retry", json{{"ids", {"northwind/" + p1_}}}.dump(),
           bearer(viewer_token));
  ASSERT_OK(viewer_retries);
  EXPECT_EQ(viewer_retries->status, 403) << viewer_retries->body;
  // A resolver role's token: the same change goes through, under its own name.
  json still = JsonIf(call("GET", "/api/v1/conflicts/" + held_id, "", bearer(viewer_token)), 200);
  EXPECT_EQ(still.value("status", ""), "held_for_review") << still.dump();
  Result<HttpResponse> resolved = call("POST", resolve, decision, bearer(resolver_token));
  ASSERT_OK(resolved);
  ASSERT_EQ(resolved->status, 200) << resolved->body;
  EXPECT_EQ(json::parse(resolved->body)["resolved_by"], "ops-bot") << resolved->body;
  // An unknown token is nobody, and no cookie rescues it.
  Result<HttpResponse> forged = call("GET", "/api/v1/conflicts", "", bearer(viewer_token + "0"));
  ASSERT_OK(forged);
  EXPECT_EQ(forged->status, 401) << forged->body;
  // Rewinding a source needs role admin, which a resolver's token is not.
  Result<HttpResponse> rewind =
      call("POST", "/api/v1/sources/northwind/rewind",
           json{{"to", "2026-11-01T00:00:00.000Z"}}.dump(), bearer(resolver_token));
  ASSERT_OK(rewind);
  EXPECT_EQ(rewind->status, 403) << rewind->body;

  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("admin: 3 user(s) can sign in"), std::string::npos) << log;
  for (const std::string& secret :
       {password, viewer_token, resolver_token, hash.substr(0, hash.find('\n')),
        hash.substr(hash.rfind('$') + 1, 16)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "a secret in the log: " << secret;
  }
}

// dealsyncctl run by a person or script with $DEALSYNC_TOKEN_FILE acts as that
// token's user through the running daemon, not as the [admin] token's "admin":
// links made and broken, and a real dead letter discarded, are recorded
// under that user; a viewer's token file is refused.
TEST_F(DaemonE2ETest, TokenFileRecordsCliChangesUnderTheTokensUser) {
  const fs::path tokens = dir_ / "tokens";
  fs::create_directories(tokens);
  e2e::WriteFile((tokens / "ops-bot.token").string(), "ob-5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b\n");
  e2e::WriteFile((tokens / "auditor.token").string(), "au-2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2d\n");
  e2e::WriteFile((dir_ / "creds" / "ops-bot-token").string(),
                 e2e::ReadFile((tokens / "ops-bot.token").string()));
  e2e::WriteFile((dir_ / "creds" / "auditor-token").string(),
                 e2e::ReadFile((tokens / "auditor.token").string()));
  // A push that keeps failing becomes a dead letter after give_up_after.
  e2e::WriteFile(Config() + "/dealsync.toml",
                 e2e::ReadFile(Config() + "/dealsync.toml") +
                     "\n[push]\ninitial_backoff = \"1s\"\nmax_backoff = \"1s\"\n"
                     "give_up_after = \"3s\"\n"
                     "\n[[admin.users]]\nname = \"ops-bot\"\nrole = \"resolver\"\n"
                     "token = \"ops-bot-token\"\n"
                     "\n[[admin.users]]\nname = \"auditor\"\nrole = \"viewer\"\n"
                     "token = \"auditor-token\"\n");
  // One HTTP attempt per push, so that the outbox's own retries reach give_up_after quickly.
  e2e::WriteFile(
      Config() + "/partners.d/northwind.toml",
      std::regex_replace(partner_file_, std::regex(R"(max_attempts = \d+)"), "max_attempts = 1"));
  Seed();
  // The partner refuses every update of REG-1's deal, as a CRM down for that record would.
  ASSERT_TRUE(partner_->AddFault({{"kind", "server_error"},
                                  {"status", 503},
                                  {"method", "PATCH"},
                                  {"path_prefix", "/api/v2/deals/" + p1_},
                                  {"times", -1}}));
  // A vendor deal no registration links: linked by hand below.
  const std::string v7 = vendor_->Create({{"name", "Deal REG-7"},
                                          {"account", "Acme GmbH"},
                                          {"owner", "kim"},
                                          {"stage", "Demo"},
                                          {"amount", "700.00"},
                                          {"currency", "EUR"},
                                          {"close_at", "2026-10-01"},
                                          {"registration", "REG-7"}});
  ASSERT_FALSE(v7.empty());
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  const std::string dead_id = "northwind/" + p1_;
  std::string dead_body;
  ASSERT_TRUE(Eventually(
      [&] {
        Result<HttpResponse> r = Http("GET", Admin("/api/v1/deadletters"), "", "e2e-admin-token");
        dead_body = Describe(r);
        return dead_body.find("\"" + dead_id + "\"") != std::string::npos;
      },
      seconds(30)))
      << dead_body << e2e::ReadFile(Log());
  std::string unlinked;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = Http("GET", Admin("/api/v1/unlinked"), "", "e2e-admin-token");
    unlinked = Describe(r);
    return unlinked.find(v7) != std::string::npos && unlinked.find(p3_) != std::string::npos;
  })) << unlinked;

  const std::string config = " --config '" + Config() + "' 2>&1";
  auto as = [&](const std::string& user, const std::string& args) {
    std::string out;
    const int status =
        e2e::RunCommand("DEALSYNC_TOKEN_FILE='" + (tokens / (user + ".token")).string() + "' " +
                            DEALSYNCCTL + " " + args + config,
                        &out);
    return std::pair{status, out};
  };
  auto northwind_links = [&] {
    return JsonIf(Http("GET", Admin("/api/v1/links?partner=northwind"), "", "e2e-admin-token"),
                  200)["links"];
  };
  auto link_of = [&](const std::string& vendor_id) {
    for (const json& l : northwind_links()) {
      if (l["vendor_id"] == vendor_id) {
        return l;
      }
    }
    return json();
  };

  // A viewer's token file: the daemon refuses, and nothing changes.
  auto [status, out] = as("auditor", "links add --partner northwind --vendor-id " + v7 +
                                         " --partner-id " + p3_ + " --by kim");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("403"), std::string::npos) << out;
  EXPECT_TRUE(link_of(v7).is_null()) << northwind_links().dump();
  std::tie(status, out) = as("auditor", "deadletters discard " + dead_id + " --by kim");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("403"), std::string::npos) << out;
  // A token file that cannot be read is an error, not a silent fall back to the admin token.
  std::tie(status, out) = as("missing", "deadletters discard " + dead_id + " --by kim");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("DEALSYNC_TOKEN_FILE"), std::string::npos) << out;
  EXPECT_EQ(e2e::ReadFile(Log()).find("discarded by"), std::string::npos);
  EXPECT_NE(Describe(Http("GET", Admin("/api/v1/deadletters"), "", "e2e-admin-token"))
                .find("\"" + dead_id + "\""),
            std::string::npos);

  // The resolver's token file: the link is made under "ops-bot", whatever --by says.
  std::tie(status, out) = as("ops-bot", "links add --partner northwind --vendor-id " + v7 +
                                            " --partner-id " + p3_ + " --by kim");
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("(by ops-bot)"), std::string::npos) << out;
  const json link = link_of(v7);
  ASSERT_FALSE(link.is_null()) << northwind_links().dump();
  EXPECT_EQ(link["partner_id"], p3_) << link.dump();
  EXPECT_EQ(link["key_kind"], "operator") << link.dump();
  EXPECT_EQ(link["key_value"], "ops-bot") << link.dump();
  EXPECT_NE(
      e2e::ReadFile(Log()).find("admin: link set by ops-bot: partner=northwind vendor_id=" + v7),
      std::string::npos)
      << e2e::ReadFile(Log());

  std::tie(status, out) =
      as("ops-bot", "links break '" + link["id"].get<std::string>() + "' --by kim");
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("(by ops-bot)"), std::string::npos) << out;
  EXPECT_TRUE(link_of(v7).is_null()) << northwind_links().dump();
  EXPECT_NE(e2e::ReadFile(Log()).find("admin: link " + link["id"].get<std::string>() +
                                      " broken by ops-bot"),
            std::string::npos)
      << e2e::ReadFile(Log());

  std::tie(status, out) = as("ops-bot", "deadletters discard " + dead_id + " --by kim");
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Discarded " + dead_id), std::string::npos) << out;
  EXPECT_EQ(Describe(Http("GET", Admin("/api/v1/deadletters"), "", "e2e-admin-token"))
                .find("\"" + dead_id + "\""),
            std::string::npos);
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("admin: dead letter " + dead_id + " discarded by ops-bot"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("discarded by admin"), std::string::npos) << log;
  EXPECT_EQ(log.find("discarded by kim"), std::string::npos) << log;

  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
}

// A 32 MiB tmpfs on `path` for one test (a state directory that can fill up
// or be read-only); `error` says why not when this machine cannot mount one.
struct ScopedTmpfs {
  static constexpr const char* kOptions = "size=32m,mode=0700";
  ScopedTmpfs(fs::path where, unsigned long flags) : path(std::move(where)) {
    fs::create_directories(path);
    if (::mount("tmpfs", path.c_str(), "tmpfs", flags, kOptions) != 0) {
      error = std::string("cannot mount a small tmpfs (") + std::strerror(errno) +
              "); this test needs root or CAP_SYS_ADMIN";
    }
  }
  ~ScopedTmpfs() {
    if (error.empty()) {
      ::umount2(path.c_str(), MNT_DETACH);
    }
  }
  fs::path path;
  std::string error;
};

// The state directory's file system fills up while the daemon runs: writes
// fail cleanly, /readyz says why (503), the process neither aborts nor needs a
// restart, and once space is freed the edit made meanwhile still propagates.
TEST_F(DaemonE2ETest, DiskFullIsReportedAndRecoveredWithoutRestart) {
  const ScopedTmpfs tmpfs(dir_ / "state", 0);
  if (!tmpfs.error.empty()) {
    GTEST_SKIP() << tmpfs.error;
  }
  const fs::path& state = tmpfs.path;
  Seed();
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/readyz"), 200)) << e2e::ReadFile(Log());
  ASSERT_TRUE(Eventually([&] { return partner_->View(p1_)["status"] == "Quote sent"; }));

  {  // fill the file system to the last byte
    std::ofstream filler(state / "filler", std::ios::binary);
    const std::string block(1 << 16, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  // Every page's cursor and counters are a write, so the next poll fails.
  ASSERT_TRUE(WaitForStatus(Admin("/readyz"), 503, seconds(30))) << e2e::ReadFile(Log());
  Result<HttpResponse> ready = Http("GET", Admin("/readyz"));
  ASSERT_OK(ready);
  EXPECT_NE(ready->body.find("store: writes are failing"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find("No space left on device"), std::string::npos) << ready->body;
  EXPECT_NE(e2e::ReadFile(Log()).find("store: writes are failing"), std::string::npos);

  // An edit while nothing can be journaled (the amount: a reconciled field
  // that changes the canonical record; both stages "Quote sent" and
  // "Negotiating" map to proposal). Two failed vendor polls later, a pass
  // that began after the edit has read it and failed to journal it.
  auto vendor_failures = [&] {
    const std::string log = e2e::ReadFile(Log());
    size_t n = 0;
    for (size_t at = log.find("connector.vendor: poll failed"); at != std::string::npos;
         at = log.find("connector.vendor: poll failed", at + 1)) {
      ++n;
    }
    return n;
  };
  const size_t failures_before = vendor_failures();
  ASSERT_TRUE(vendor_->Edit(v1_, {{"amount", "12750.00"}}));
  ASSERT_TRUE(Eventually([&] { return vendor_failures() >= failures_before + 2; }, seconds(30)))
      << e2e::ReadFile(Log());
  EXPECT_EQ(Http("GET", Admin("/readyz"))->status, 503);
  EXPECT_NE(partner_->View(p1_)["value"], "12750.00");  // nothing half-applied got out

  fs::remove(state / "filler");
  ASSERT_TRUE(WaitForStatus(Admin("/readyz"), 200, seconds(60))) << e2e::ReadFile(Log());
  ASSERT_TRUE(Eventually([&] { return partner_->View(p1_)["value"] == "12750.00"; }, seconds(60)))
      << partner_->View(p1_).dump() << e2e::ReadFile(Log());
  EXPECT_NE(e2e::ReadFile(Log()).find("succeed again"), std::string::npos);
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());  // no abort at shutdown
}

// The state directory's file system is read-only when the daemon starts (a
// remount after I/O errors, a missing writable mount): no exit into a restart
// loop and no abort, /healthz answers, /readyz is 503 with the reason, nothing
// else is served; once the file system is writable the daemon opens the store
// in the same process and syncs.
TEST_F(DaemonE2ETest, ReadOnlyStateDirectoryAtStartIsNotReadyUntilItIsWritable) {
  const ScopedTmpfs tmpfs(dir_ / "state", MS_RDONLY);
  if (!tmpfs.error.empty()) {
    GTEST_SKIP() << tmpfs.error;
  }
  const fs::path& state = tmpfs.path;
  Seed();
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  Result<HttpResponse> ready = Http("GET", Admin("/readyz"));
  ASSERT_OK(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("store: cannot open"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find("Read-only file system"), std::string::npos) << ready->body;
  Result<HttpResponse> conflicts = Http("GET", Admin("/api/v1/conflicts"));
  ASSERT_OK(conflicts);
  EXPECT_EQ(conflicts->status, 503);
  EXPECT_EQ(conflicts->header("Retry-After").value_or(""), "10");
  std::this_thread::sleep_for(seconds(3));  // a few attempts: still running, still not ready
  EXPECT_FALSE(daemon_->WaitExit(milliseconds(1)).has_value()) << e2e::ReadFile(Log());
  EXPECT_EQ(Http("GET", Admin("/readyz"))->status, 503);
  EXPECT_NE(partner_->View(p1_)["status"], "Quote sent");

  ASSERT_EQ(::mount("tmpfs", state.c_str(), "tmpfs", MS_REMOUNT, ScopedTmpfs::kOptions), 0)
      << std::strerror(errno);
  ASSERT_TRUE(WaitForStatus(Admin("/readyz"), 200, seconds(60))) << e2e::ReadFile(Log());
  ASSERT_TRUE(Eventually([&] { return partner_->View(p1_)["status"] == "Quote sent"; }))
      << partner_->View(p1_).dump() << e2e::ReadFile(Log());
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("/readyz answers 503 until it opens"), std::string::npos) << log;
  EXPECT_NE(log.find("is open: starting"), std::string::npos) << log;
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << e2e::ReadFile(Log());
}

// A partner value with a newline (here an unknown currency, which rejects the
// record and is logged with the reason) cannot forge a log line: it is
// written as \n, and no raw control character reaches the log.
TEST_F(DaemonE2ETest, ControlCharactersInPartnerDataAreLoggedEscaped) {
  Seed();
  const std::string forged = "EU\nwarning connector.northwind: forged line\x1b[2J";
  ASSERT_FALSE(partner_
                   ->Create({{"name", "Deal REG-9"},
                             {"account", "Acme GmbH"},
                             {"owner", "kim"},
                             {"stage", "Demo"},
                             {"amount", "1.00"},
                             {"currency", forged},
                             {"close_at", "2026-12-01"},
                             {"registration", "REG-9"}})
                   .empty());
  ASSERT_EQ(RunOnce(), 0) << e2e::ReadFile(Log());
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("currency: value \"EU\\nwarning connector.northwind: forged line\\x1b[2J\" "
                     "at /currency is not an ISO 4217 code"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("\nwarning connector.northwind: forged"), std::string::npos) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos);
}

// A partner record with a status the partner file does not map is refused and
// listed (with the reason) for the channel manager; the next polls do not
// bring it back. Once the file maps it and is reloaded, "read again" through
// the running daemon fetches that record and it is journaled like any change.
TEST_F(DaemonE2ETest, ARefusedRecordIsReadAgainThroughTheDaemonOnceThePartnerFileIsFixed) {
  Seed();
  const std::string bad = partner_->Create(json{{"name", "Deal REG-9"},
                                                {"account", "Acme GmbH"},
                                                {"owner", "kim"},
                                                {"stage", "Verbal commit"},
                                                {"amount", "900.00"},
                                                {"currency", "EUR"},
                                                {"close_at", "2027-01-15"},
                                                {"registration", "REG-9"}});
  ASSERT_FALSE(bad.empty());
  StartDaemon();
  ASSERT_TRUE(WaitForStatus(Admin("/healthz"), 200)) << e2e::ReadFile(Log());
  json listed;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = Http("GET", Admin("/api/v1/rejects"), "", "e2e-admin-token");
    listed = r.ok() && r->status == 200 ? json::parse(r->body)["rejected"] : json();
    return listed.is_array() && listed.size() == 1;
  })) << listed.dump()
      << e2e::ReadFile(Log());
  EXPECT_EQ(listed[0]["id"], "northwind/" + bad);
  EXPECT_NE(listed[0]["message"].get<std::string>().find("Verbal commit"), std::string::npos)
      << listed.dump();
  // Later changes move the partner's cursor (and its overlap window) past the refused record.
  std::this_thread::sleep_for(seconds(6));
  ASSERT_TRUE(partner_->Edit(p3_, {{"amount", "710.00"}}));
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r =
        Http("GET", Admin("/api/v1/unlinked?partner=northwind"), "", "e2e-admin-token");
    return r.ok() && r->body.find("710.00") != std::string::npos;
  })) << e2e::ReadFile(Log());

  // The fix: the partner file maps the status; the daemon reloads it.
  e2e::WriteFile(Config() + "/partners.d/northwind.toml",
                 std::regex_replace(partner_file_, std::regex(R"(proposal    = \["Quote sent")"),
                                    "proposal    = [\"Quote sent\", \"Verbal commit\""));
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] {
    return e2e::ReadFile(Log()).find("source northwind: restarting") != std::string::npos;
  })) << e2e::ReadFile(Log());
  std::this_thread::sleep_for(seconds(3));  // a few polls of the restarted source
  Result<HttpResponse> still = Http("GET", Admin("/api/v1/rejects"), "", "e2e-admin-token");
  ASSERT_OK(still);
  ASSERT_EQ(json::parse(still->body)["rejected"].size(), 1u) << still->body;

  const std::string ids = json{{"ids", {"northwind/" + bad, "northwind/nope"}}}.dump();
  Result<HttpResponse> asked =
      Http("POST", Admin("/api/v1/rejects/reread"), ids, "e2e-admin-token");
  ASSERT_OK(asked);
  ASSERT_EQ(asked->status, 202) << asked->body;
  EXPECT_EQ(json::parse(asked->body)["requested"], 1) << asked->body;
  EXPECT_EQ(json::parse(asked->body)["results"][1]["ok"], false) << asked->body;
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = Http("GET", Admin("/api/v1/rejects"), "", "e2e-admin-token");
    return r.ok() && r->status == 200 && json::parse(r->body)["rejected"].empty();
  })) << e2e::ReadFile(Log());
  const std::string log = e2e::ReadFile(Log());
  EXPECT_NE(log.find("re-read asked by admin: 1 of 1 record(s) found, changes=1"),
            std::string::npos)
      << log;
  // Now an ordinary partner-only deal of the partner.
  Result<HttpResponse> unlinked =
      Http("GET", Admin("/api/v1/unlinked?partner=northwind"), "", "e2e-admin-token");
  ASSERT_OK(unlinked);
  EXPECT_NE(unlinked->body.find(bad), std::string::npos) << unlinked->body;
  Result<HttpResponse> metrics = Http("GET", Admin("/metrics"), "", "e2e-admin-token");
  ASSERT_OK(metrics);
  EXPECT_NE(metrics->body.find("dealsync_source_rejected_records{source=\"northwind\"} 0"),
            std::string::npos);
}

}  // namespace
}  // namespace dealsync
