// Test environment for the Dynamics 365 integration tests: a Dataverse
// simulator and a Salesforce simulator on loopback TLS, a config directory
// (vendor on Salesforce, partner "fabrikam" on Dynamics 365) read back through
// LoadConfig, and connector stacks wired as dealsyncd wires them
// (BeastHttpClient -> MakeConnectorTransport with OAuth2 client credentials
// against the simulated Entra ID -> ConnectorRegistry::Default()). One
// io_context and one FakeClock serve both sides.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/platform/fake_clock.h"
#include "src/platform/system_clock.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/connector_transport.h"
#include "tests/simulators/dynamics365_sim.h"
#include "tests/simulators/salesforce_sim.h"
#include "tests/simulators/simulator_host.h"
#include "tests/support/test_certs.h"
#include "tests/integration/run_on_io.h"
#include "tests/support/test_support.h"

namespace dealsync::testing {

struct D365Stack {
  std::unique_ptr<BeastHttpClient> client;
  TransportCounters counters;
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<Connector> connector;
};

struct D365EnvOptions {
  std::string stage_field = "salesstage";  // or "stepname"
  bool change_tracking = true;
  int page_size = 50;
};

class D365Env : public ::testing::Test {
 protected:
  void StartEnv(const D365EnvOptions& options = {}) {
    const auto& certs = GetTestCerts();
    char tmpl[] = "/tmp/d365_sim_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    host_ = std::make_unique<sim::SimulatorHost>(io_.get_executor(), clock_, certs.server_cert,
                                                 certs.server_key);
    sim::Dynamics365SimConfig d365;
    d365.change_tracking_enabled = options.change_tracking;
    d365.salesstage_options = {0, 1, 2, 3, 100000000, 100000001};  // two custom options
    ASSERT_OK(host_->Add("dynamics365",
                         std::make_unique<sim::Dynamics365Sim>(clock_, sim_random_, d365)));
    ASSERT_OK(host_->Add("salesforce", std::make_unique<sim::SalesforceSim>(clock_, sim_random_)));
    d365_ = host_->Get<sim::Dynamics365Sim>("dynamics365");
    sf_ = host_->Get<sim::SalesforceSim>("salesforce");
    WriteConfig(certs.ca_file, options);
    ConfigLoadResult loaded = LoadConfig(dir_, ConnectorRegistry::Default());
    std::string errors;
    for (const auto& e : loaded.errors)
      errors += e.ToString() + "\n";
    ASSERT_TRUE(loaded.config.has_value()) << errors;
    config_ = std::move(*loaded.config);
    partner_ = config_.FindSource("fabrikam");
    ASSERT_NE(partner_, nullptr);
  }

  void TearDown() override {
    stacks_.clear();
    if (host_)
      host_->Stop();
    io_.restart();
    io_.run_for(std::chrono::seconds(2));
    host_.reset();
    std::error_code ec;
    if (!dir_.empty())
      std::filesystem::remove_all(dir_, ec);
  }

  static void Write(const std::string& path, const std::string& text, bool secret = false) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (secret)
      ::chmod(path.c_str(), 0600);
  }

  void WriteConfig(const std::string& ca, const D365EnvOptions& o) {
    std::filesystem::create_directories(dir_ + "/partners.d");
    Write(dir_ + "/d365.secret", "d365-client-secret\n", true);
    Write(dir_ + "/sf.secret", "sf-client-secret\n", true);
    const std::string d = host_->BaseUrl("dynamics365");
    const std::string s = host_->BaseUrl("salesforce");
    const std::string common =
        "rate_limit = { requests = 1000, per = \"1s\" }\n"
        "retry = { max_attempts = 5, initial_backoff = \"10ms\", max_backoff = \"30s\" }\n"
        "timeout = \"10s\"\nca_file = \"" +
        ca + "\"\n\n";
    Write(dir_ + "/dealsync.toml",
          "state_dir = \"" + dir_ +
              "/state\"\n\n[currency]\nreporting = \"USD\"\n"
              "rates = { EUR = \"1.08\", GBP = \"1.27\", JPY = \"0.0067\" }\n");
    Write(dir_ + "/vendor.toml",
          "connector = \"salesforce\"\ncurrency = \"USD\"\ntime_zone = \"UTC\"\n\n"
          "[connection]\nbase_url = \"" +
              s + "\"\nauth = { type = \"oauth2_client_credentials\", token_url = \"" + s +
              "/services/oauth2/token\", client_id = \"sf-client-id\", credential = { file = \"" +
              dir_ + "/sf.secret\" } }\n" + common +
              "[salesforce]\npage_size = 200\n\n[fields]\nregistration_id = "
              "\"/Deal_Registration_ID__c\"\ncounterpart_id = \"/Partner_Deal_ID__c\"\n\n"
              "[stages]\nprospect = [\"Prospecting\"]\nqualified = [\"Qualification\"]\n"
              "discovery = [\"Needs Analysis\"]\nsolution = [\"Value Proposition\"]\n"
              "proposal = [\"Proposal/Price Quote\", \"Negotiation/Review\"]\n"
              "closed_won = [\"Closed Won\"]\nclosed_lost = [\"Closed Lost\"]\n");
    std::string stages =
        o.stage_field == "stepname"
            ? "[stages]\nprospect = [\"1-Prospect\"]\nqualified = [\"2-Qualify\"]\n"
              "discovery = [\"3-Discover\"]\nsolution = [\"4-Solution\"]\n"
              "proposal = [\"5-Propose\"]\nclosed_won = [\"Won\"]\nclosed_lost = [\"Lost\"]\n"
            : "[stages]\nprospect = [\"100000000\"]\nqualified = [\"0\"]\ndiscovery = [\"1\"]\n"
              "solution = [\"100000001\"]\nproposal = [\"2\", \"3\"]\n"
              "closed_won = [\"Won\"]\nclosed_lost = [\"Lost\"]\n";
    Write(dir_ + "/partners.d/fabrikam.toml",
          "id = \"fabrikam\"\nconnector = \"dynamics365\"\ncurrency = \"USD\"\n"
          "time_zone = \"Europe/Berlin\"\n\n[connection]\nbase_url = \"" +
              d + "\"\nauth = { type = \"oauth2_client_credentials\", token_url = \"" + d +
              d365_->TokenPath() + "\", client_id = \"d365-client-id\", credential = { file = \"" +
              dir_ + "/d365.secret\" }, scope = \"" + d365_->Scope() + "\" }\n" + common +
              "[dynamics365]\npage_size = " + std::to_string(o.page_size) + "\nstage_field = \"" +
              o.stage_field + "\"\nchange_tracking = " + (o.change_tracking ? "true" : "false") +
              "\nlost_status = 4\nclose_subject = \"Closed by dealsync\"\n\n"
              "[fields]\nregistration_id = \"/new_dealregistrationid\"\n"
              "counterpart_id = \"/new_vendoropportunityid\"\n\n" +
              stages);
  }

  D365Stack& NewStack(const SourceConfig& source) {
    auto stack = std::make_unique<D365Stack>();
    stack->client =
        std::make_unique<BeastHttpClient>(io_.get_executor(), ClientOptionsFor(source.connection));
    SecretSource secrets = [](const CredentialRef& ref) { return ResolveCredential(ref, ""); };
    auto transport = MakeConnectorTransport(source.connection, secrets, *stack->client, clock_,
                                            transport_random_, &stack->counters);
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    stack->transport = std::move(*transport);
    const ConnectorFactory* factory = ConnectorRegistry::Default().Find(source.connector);
    EXPECT_NE(factory, nullptr);
    auto connector = factory->Create(ConnectorContext{source, *stack->transport, clock_});
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    if (connector.ok())
      stack->connector = std::move(*connector);
    stacks_.push_back(std::move(stack));
    return *stacks_.back();
  }

  // Runs `a` on the io_context that also serves the simulators.
  template <typename T>
  T Run(Awaitable<T> a) {
    return RunOnIo(io_, std::move(a));
  }

  struct Drained {
    std::vector<Opportunity> records;
    std::string cursor;
    int pages = 0;
    Status error;
  };
  Drained Drain(Connector& c, std::string cursor) {
    Drained d;
    d.cursor = std::move(cursor);
    for (int i = 0; i < 1000; ++i) {
      auto page = Run(c.FetchChanges(d.cursor));
      if (!page.ok()) {
        d.error = page.status();
        break;
      }
      ++d.pages;
      EXPECT_TRUE(page->rejects.empty())
          << page->rejects.size() << " rejects, first: " << page->rejects.front().message;
      for (auto& r : page->records)
        d.records.push_back(std::move(r));
      d.cursor = page->next_cursor;
      if (!page->has_more)
        break;
    }
    return d;
  }

  void ExpectNoViolations() { EXPECT_TRUE(host_->NoViolations()) << host_->DescribeViolations(); }

  boost::asio::io_context io_;
  FakeClock clock_;
  SeededRandom sim_random_{42};
  SeededRandom transport_random_{7};
  std::string dir_;
  std::unique_ptr<sim::SimulatorHost> host_;
  sim::Dynamics365Sim* d365_ = nullptr;
  sim::SalesforceSim* sf_ = nullptr;
  Config config_;
  const SourceConfig* partner_ = nullptr;
  std::vector<std::unique_ptr<D365Stack>> stacks_;
};

}  // namespace dealsync::testing
