// Every connector against its simulator over real loopback TLS, wired the way
// dealsyncd wires them: LoadConfig on a TOML directory -> BeastHttpClient with
// the config's CA -> MakeConnectorTransport (auth, retry, rate limit) ->
// ConnectorRegistry::Default().Find(connector)->Create(). The simulators and
// the connector stack share one io_context and one FakeClock (retry and
// rate-limit sleeps advance time instead of waiting; the simulators stamp
// modifications with the same clock).
//
// For Salesforce, HubSpot and both generic shapes: full fetch across pages,
// incremental fetch after edits, batch update with a per-record failure,
// recovered and surfaced faults, and a restart from a saved cursor.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "src/platform/fake_clock.h"
#include "src/platform/system_clock.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/connector_transport.h"
#include "tests/integration/connectors_sim_config.h"
#include "tests/simulators/generic_rest_sim.h"
#include "tests/simulators/hubspot_sim.h"
#include "tests/simulators/salesforce_sim.h"
#include "tests/simulators/simulator_host.h"
#include "tests/support/test_certs.h"
#include "tests/integration/run_on_io.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using sim::FaultKind;
using sim::FaultRule;

// What differs between the four CRMs for these tests.
struct CrmSpec {
  std::string source;  // config source id
  std::string sim;     // simulator name in the host
  int seed_count = 0;
  int min_pages = 0;  // a full fetch of seed_count records needs at least this many pages
  std::string currency;
  std::string poll_method, poll_path;      // the first request of a poll
  std::string update_method, update_path;  // the update endpoint
  // Whether records re-read inside the overlap window are dropped by the
  // connector (every connector does, through the shared overlap window).
  bool dedupes_overlap = true;
  std::chrono::milliseconds overlap{};
  // Salesforce's rate limit is a 403 REQUEST_LIMIT_EXCEEDED (quota): surfaced,
  // not retried. Elsewhere a 429 that the retry layer absorbs.
  bool rate_limit_retried = true;
  std::function<json(int)> seed;  // control-shape record number i
  json closed_won_patch;          // control-shape edit to the closed-won stage
  std::string native_proposal;    // native stage written for Stage::kProposal
  std::function<std::string(const json&)> native_stage;  // from a ControlView
};

// gtest prints the parameter on failure: the CRM, not the struct's bytes.
void PrintTo(const CrmSpec& spec, std::ostream* os) {
  *os << spec.sim;
}

std::string Num(int i) {
  return std::to_string(i);
}

const std::vector<CrmSpec>& Specs() {
  static const std::vector<CrmSpec> specs = [] {
    std::vector<CrmSpec> v;
    CrmSpec sf;
    sf.source = "vendor";
    sf.sim = "salesforce";
    sf.seed_count = 2500;
    sf.min_pages = 5;  // page_size = 500
    sf.currency = "USD";
    sf.poll_method = "GET";
    sf.poll_path = "/services/data/v59.0/queryAll";
    sf.update_method = "PATCH";
    sf.update_path = "/services/data/v59.0/composite/sobjects";
    sf.overlap = 5min;
    sf.rate_limit_retried = false;
    sf.seed = [](int i) {
      return json{{"Name", "Opp " + Num(i)},
                  {"Account", {{"Name", "Account " + Num(i % 37)}}},
                  {"Owner", {{"Name", "Owner " + Num(i % 5)}}},
                  {"StageName", "Prospecting"},
                  {"Amount", 1000 + i},
                  {"CurrencyIsoCode", "USD"},
                  {"CloseDate", "2026-12-01"},
                  {"Deal_Registration_ID__c", "DR-" + Num(i)}};
    };
    sf.closed_won_patch = {{"StageName", "Closed Won"}};
    sf.native_proposal = "Proposal/Price Quote";
    sf.native_stage = [](const json& c) { return c.value("StageName", ""); };
    v.push_back(sf);

    CrmSpec hs;
    hs.source = "globex";
    hs.sim = "hubspot";
    hs.seed_count = 450;
    hs.min_pages = 3;  // page_size = 200
    hs.currency = "USD";
    hs.poll_method = "POST";
    hs.poll_path = "/crm/v3/objects/deals/search";
    hs.update_method = "POST";
    hs.update_path = "/crm/v3/objects/deals/batch/update";
    hs.overlap = 2min;
    hs.seed = [](int i) {
      return json{{"properties",
                   {{"dealname", "Deal " + Num(i)},
                    {"dealstage", "appointmentscheduled"},
                    {"pipeline", "default"},
                    {"amount", Num(1000 + i)},
                    {"deal_currency_code", "USD"},
                    {"closedate", "2026-12-01T17:00:00Z"},
                    {"vendor_registration_id", "DR-" + Num(i)}}}};
    };
    hs.closed_won_patch = {{"properties", {{"dealstage", "closedwon"}}}};
    hs.native_proposal = "contractsent";
    hs.native_stage = [](const json& c) {
      return c.contains("properties") ? c["properties"].value("dealstage", "") : "";
    };
    v.push_back(hs);

    auto generic = [](int i, const std::string& stage, const std::string& currency) {
      return json{{"name", "Deal " + Num(i)},        {"account", "Account " + Num(i % 11)},
                  {"owner", "Owner " + Num(i % 3)},  {"stage", stage},
                  {"amount", Num(1000 + i) + ".50"}, {"currency", currency},
                  {"close_at", "2026-12-01"},        {"registration", "DR-" + Num(i)},
                  {"vendor_ref", "006" + Num(i)}};
    };
    CrmSpec nw;
    nw.source = "northwind";
    nw.sim = "northwind";
    nw.seed_count = 120;
    nw.min_pages = 12;  // page_size = 10
    nw.currency = "EUR";
    nw.poll_method = "GET";
    nw.poll_path = "/deals";
    nw.update_method = "PATCH";
    nw.update_path = "/deals/";
    nw.overlap = 2min;
    nw.seed = [generic](int i) { return generic(i, "Qualified", "EUR"); };
    nw.closed_won_patch = {{"stage", "Won"}};
    nw.native_proposal = "Quote sent";
    nw.native_stage = [](const json& c) { return c.value("status", ""); };
    v.push_back(nw);

    CrmSpec ct;
    ct.source = "contoso";
    ct.sim = "contoso";
    ct.seed_count = 120;
    ct.min_pages = 5;  // page_size = 25
    ct.currency = "USD";
    ct.poll_method = "GET";
    ct.poll_path = "/v1/opportunities";
    ct.update_method = "POST";
    ct.update_path = "/v1/opportunities/batch";
    ct.overlap = 5min;
    ct.seed = [generic](int i) { return generic(i, "Qualified", "USD"); };
    ct.closed_won_patch = {{"stage", "Closed Won"}};
    ct.native_proposal = "Proposal";
    ct.native_stage = [](const json& c) { return c.value("phase", ""); };
    v.push_back(ct);
    return v;
  }();
  return specs;
}

// One connector instance with its own HTTPS client and transport stack, as the
// daemon builds per source.
struct ConnectorStack {
  std::unique_ptr<BeastHttpClient> client;
  TransportCounters counters;
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<Connector> connector;
};

struct Drained {
  std::vector<Opportunity> records;
  std::string cursor;
  int pages = 0;
  Status error;  // the first failed page, if any
};

class ConnectorsSimTest : public ::testing::TestWithParam<CrmSpec> {
 protected:
  void SetUp() override {
    const auto& certs = testing::GetTestCerts();
    char tmpl[] = "/tmp/connectors_sim_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    host_ = std::make_unique<sim::SimulatorHost>(io_.get_executor(), clock_, certs.server_cert,
                                                 certs.server_key);
    ASSERT_OK(host_->Add("salesforce", std::make_unique<sim::SalesforceSim>(clock_, sim_random_)));
    ASSERT_OK(host_->Add("hubspot", std::make_unique<sim::HubSpotSim>(clock_, sim_random_)));
    sim::GenericRestSimConfig northwind;
    northwind.shape = sim::RestShape::kNorthwind;
    ASSERT_OK(host_->Add("northwind",
                         std::make_unique<sim::GenericRestSim>(clock_, sim_random_, northwind)));
    sim::GenericRestSimConfig contoso;
    contoso.shape = sim::RestShape::kContoso;
    ASSERT_OK(
        host_->Add("contoso", std::make_unique<sim::GenericRestSim>(clock_, sim_random_, contoso)));

    testing::SimConfigUrls urls{host_->BaseUrl("salesforce"), host_->BaseUrl("hubspot"),
                                host_->BaseUrl("northwind"), host_->BaseUrl("contoso"),
                                certs.ca_file};
    ASSERT_OK(testing::WriteSimConfigDir(dir_, urls));
    ConfigLoadResult loaded = LoadConfig(dir_, ConnectorRegistry::Default());
    std::string errors;
    for (const auto& e : loaded.errors) {
      errors += e.ToString() + "\n";
    }
    ASSERT_TRUE(loaded.config.has_value()) << errors;
    config_ = std::move(*loaded.config);
    source_ = config_.FindSource(spec().source);
    ASSERT_NE(source_, nullptr) << spec().source;
    sim_ = host_->Find(spec().sim);
    ASSERT_NE(sim_, nullptr);
    Seed();
  }

  void TearDown() override {
    stacks_.clear();
    if (host_) {
      host_->Stop();
    }
    io_.restart();
    io_.run_for(2s);  // let closed sessions unwind
    host_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  const CrmSpec& spec() const { return GetParam(); }

  // seed_count records, ten per simulated minute: pages span many
  // modification times, some share one, and the whole set spans more than any
  // overlap window (so a repeat from outside the window is detectable).
  void Seed() {
    for (int i = 0; i < spec().seed_count; ++i) {
      auto id = sim_->CreateRecord(spec().seed(i));
      ASSERT_OK(id);
      seeded_.push_back(*id);
      if (i % 10 == 9) {
        clock_.Advance(1min);
      }
    }
  }

  ConnectorStack& NewStack() {
    auto stack = std::make_unique<ConnectorStack>();
    stack->client = std::make_unique<BeastHttpClient>(io_.get_executor(),
                                                      ClientOptionsFor(source_->connection));
    SecretSource secrets = [](const CredentialRef& ref) { return ResolveCredential(ref, ""); };
    auto transport = MakeConnectorTransport(source_->connection, secrets, *stack->client, clock_,
                                            transport_random_, &stack->counters);
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    stack->transport = std::move(*transport);
    const ConnectorFactory* factory = ConnectorRegistry::Default().Find(source_->connector);
    EXPECT_NE(factory, nullptr) << source_->connector;
    auto connector = factory->Create(ConnectorContext{*source_, *stack->transport, clock_});
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    stack->connector = std::move(*connector);
    stacks_.push_back(std::move(stack));
    return *stacks_.back();
  }

  // Runs `a` on the io_context that also serves the simulators.
  template <typename T>
  T Run(Awaitable<T> a) {
    return testing::RunOnIo(io_, std::move(a));
  }

  // Fetches from `cursor` until has_more is false (or `max_pages`), stopping at
  // the first error.
  Drained Drain(Connector& c, std::string cursor, int max_pages = 1000) {
    Drained d;
    d.cursor = std::move(cursor);
    for (int i = 0; i < max_pages; ++i) {
      auto page = Run(c.FetchChanges(d.cursor));
      if (!page.ok()) {
        d.error = page.status();
        break;
      }
      ++d.pages;
      EXPECT_TRUE(page->rejects.empty())
          << page->rejects.size() << " rejects, first: " << page->rejects.front().message;
      for (auto& r : page->records) {
        d.records.push_back(std::move(r));
      }
      d.cursor = page->next_cursor;
      if (!page->has_more) {
        break;
      }
    }
    return d;
  }

  // Asserts every seeded id was delivered exactly once.
  void ExpectEachSeededOnce(const std::vector<Opportunity>& records) {
    std::map<std::string, int> count;
    for (const auto& r : records) {
      ++count[r.native_id];
    }
    int missing = 0, repeated = 0;
    for (const auto& id : seeded_) {
      missing += count[id] == 0;
      repeated += count[id] > 1;
    }
    EXPECT_EQ(missing, 0) << "seeded records never delivered";
    EXPECT_EQ(repeated, 0) << "seeded records delivered more than once";
    EXPECT_EQ(count.size(), seeded_.size()) << "unknown ids delivered";
    EXPECT_EQ(records.size(), seeded_.size());
  }

  // After edits of `edited` and a fetch from a cursor whose previous pass ended
  // at `high_water`: every edit arrives with its new stage; anything else is a
  // repeat the connector may only produce inside the overlap window.
  void ExpectEditsOnly(const std::vector<Opportunity>& delivered,
                       const std::set<std::string>& edited, Timestamp high_water) {
    std::set<std::string> got_edits;
    for (const auto& r : delivered) {
      if (edited.count(r.native_id)) {
        got_edits.insert(r.native_id);
        EXPECT_EQ(r.stage, Stage::kClosedWon) << r.native_id;
        continue;
      }
      EXPECT_FALSE(spec().dedupes_overlap)
          << "unchanged record " << r.native_id << " delivered again";
      EXPECT_GE(r.modified_at, high_water - spec().overlap)
          << "repeat of " << r.native_id << " from outside the overlap window";
    }
    EXPECT_EQ(got_edits, edited) << "edits lost";
  }

  static Timestamp MaxModified(const std::vector<Opportunity>& records) {
    Timestamp t{};
    for (const auto& r : records) {
      t = std::max(t, r.modified_at);
    }
    return t;
  }

  std::set<std::string> EditSome(std::vector<size_t> indexes) {
    std::set<std::string> edited;
    for (size_t i : indexes) {
      EXPECT_OK(sim_->EditRecord(seeded_.at(i), spec().closed_won_patch));
      edited.insert(seeded_.at(i));
    }
    return edited;
  }

  void ExpectNoViolations() { EXPECT_TRUE(host_->NoViolations()) << host_->DescribeViolations(); }

  boost::asio::io_context io_;
  FakeClock clock_;
  SeededRandom sim_random_{42};
  SeededRandom transport_random_{7};
  std::string dir_;
  std::unique_ptr<sim::SimulatorHost> host_;
  Config config_;
  const SourceConfig* source_ = nullptr;
  sim::Simulator* sim_ = nullptr;
  std::vector<std::string> seeded_;
  std::vector<std::unique_ptr<ConnectorStack>> stacks_;
};

TEST_P(ConnectorsSimTest, FullFetchDeliversEveryRecordOnceAcrossPages) {
  ConnectorStack& s = NewStack();
  Drained d = Drain(*s.connector, "");
  ASSERT_TRUE(d.error.ok()) << d.error.ToString() << "\n" << host_->DescribeViolations();
  EXPECT_GE(d.pages, spec().min_pages);
  ExpectEachSeededOnce(d.records);
  for (const auto& r : d.records) {
    ASSERT_TRUE(r.amount.has_value()) << r.native_id;
    EXPECT_EQ(r.amount->currency, spec().currency) << r.native_id;
    EXPECT_EQ(r.close_date, (CalendarDate{2026, 12, 1})) << r.native_id;
  }
  ExpectNoViolations();
}

TEST_P(ConnectorsSimTest, IncrementalFetchFromSavedCursorGetsTheEdits) {
  ConnectorStack& s = NewStack();
  Drained full = Drain(*s.connector, "");
  ASSERT_TRUE(full.error.ok()) << full.error.ToString() << "\n" << host_->DescribeViolations();
  const Timestamp high_water = MaxModified(full.records);

  clock_.Advance(10min);
  const size_t last = seeded_.size() - 1;
  auto edited = EditSome({3, seeded_.size() / 2, last});
  // The cursor is persisted as an opaque string and handed back as one.
  const std::string saved = full.cursor;
  Drained inc = Drain(*s.connector, saved);
  ASSERT_TRUE(inc.error.ok()) << inc.error.ToString() << "\n" << host_->DescribeViolations();
  ExpectEditsOnly(inc.records, edited, high_water);

  // Nothing changed since: a connector that de-duplicates delivers nothing.
  clock_.Advance(1min);
  Drained again = Drain(*s.connector, inc.cursor);
  ASSERT_TRUE(again.error.ok()) << again.error.ToString() << "\n" << host_->DescribeViolations();
  if (spec().dedupes_overlap) {
    EXPECT_TRUE(again.records.empty()) << again.records.size() << " repeats";
  }
  for (const auto& r : again.records) {
    EXPECT_GE(r.modified_at, MaxModified(inc.records) - spec().overlap) << r.native_id;
  }
  ExpectNoViolations();
}

TEST_P(ConnectorsSimTest, UpdateWithOnePerRecordFailure) {
  ConnectorStack& s = NewStack();
  const std::vector<std::string> ids = {seeded_[1], seeded_[2], seeded_[3]};
  const std::string before = spec().native_stage(sim_->ControlView(*sim_->records().Find(ids[1])));
  sim_->faults().Add(FaultRule::Of(FaultKind::kFailIds, spec().update_method, spec().update_path)
                         .Ids({ids[1]})
                         .Times(-1));
  std::vector<RecordUpdate> updates;
  for (const auto& id : ids) {
    RecordUpdate u;
    u.native_id = id;
    u.pipeline = spec().sim == "hubspot" ? "default" : "";
    u.stage = Stage::kProposal;
    u.amount = Money{4242500, spec().currency};
    updates.push_back(u);
  }
  clock_.Advance(1min);
  auto outcomes = Run(s.connector->Update(updates));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(outcomes->at(i).native_id, ids[i]);
    const json view = sim_->ControlView(*sim_->records().Find(ids[i]));
    if (i == 1) {
      EXPECT_FALSE(outcomes->at(i).status.ok()) << "the injected per-record failure was lost";
      EXPECT_EQ(spec().native_stage(view), before) << "failed record changed: " << view.dump();
    } else {
      EXPECT_OK(outcomes->at(i).status);
      EXPECT_EQ(spec().native_stage(view), spec().native_proposal) << view.dump();
    }
  }
  // Read back through the connector: canonical values of the updated records.
  auto back = Run(s.connector->FetchByIds({ids[0], ids[2]}));
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  for (const auto& r : *back) {
    EXPECT_EQ(r.stage, Stage::kProposal) << r.native_id;
    EXPECT_EQ(r.amount, (Money{4242500, spec().currency})) << r.native_id;
  }
  ExpectNoViolations();
}

TEST_P(ConnectorsSimTest, FaultsAreRetriedOrSurfacedWithoutLoss) {
  ConnectorStack& s = NewStack();
  auto& faults = sim_->faults();
  faults.Add(FaultRule::Of(FaultKind::kServerError, spec().poll_method, spec().poll_path));
  if (spec().rate_limit_retried) {
    faults.Add(FaultRule::Of(FaultKind::kRateLimit, spec().poll_method, spec().poll_path));
  }
  Drained d = Drain(*s.connector, "");
  ASSERT_TRUE(d.error.ok()) << d.error.ToString() << "\n" << host_->DescribeViolations();
  ExpectEachSeededOnce(d.records);
  const int64_t planted = spec().rate_limit_retried ? 2 : 1;
  EXPECT_EQ(faults.fired(), planted) << "a planted fault did not match the poll endpoint";
  EXPECT_GE(s.counters.retries.load(), static_cast<uint64_t>(planted));

  if (!spec().rate_limit_retried) {
    // Salesforce: the org's API quota is exhausted; the retry layer must not
    // hammer it, the poll fails with kResourceExhausted and the next one works.
    faults.Add(FaultRule::Of(FaultKind::kRequestLimit, spec().poll_method, spec().poll_path));
    const uint64_t retries_before = s.counters.retries.load();
    auto refused = Run(s.connector->FetchChanges(""));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted)
        << refused.status().ToString();
    EXPECT_EQ(s.counters.retries.load(), retries_before) << "quota refusal was retried";
  }

  // A cut JSON body: an error Status, then the same cursor works again.
  faults.Add(FaultRule::Of(FaultKind::kMalformedJson, spec().poll_method, spec().poll_path));
  auto broken = Run(s.connector->FetchChanges(""));
  EXPECT_FALSE(broken.ok()) << "a malformed body was accepted";
  EXPECT_EQ(faults.fired(), planted + (spec().rate_limit_retried ? 1 : 2));
  Drained retry = Drain(*s.connector, "");
  ASSERT_TRUE(retry.error.ok()) << retry.error.ToString() << "\n" << host_->DescribeViolations();
  ExpectEachSeededOnce(retry.records);
  ExpectNoViolations();
}

TEST_P(ConnectorsSimTest, RestartFromSavedCursorLosesAndRepeatsNothing) {
  // A first process reads two pages, then "crashes".
  std::string saved;
  std::vector<Opportunity> delivered;
  {
    ConnectorStack& first = NewStack();
    Drained part = Drain(*first.connector, "", 2);
    ASSERT_TRUE(part.error.ok()) << part.error.ToString() << "\n" << host_->DescribeViolations();
    ASSERT_EQ(part.pages, 2);
    saved = part.cursor;
    delivered = std::move(part.records);
    first.client->CloseIdle();
  }
  // A fresh connector from the same config resumes the pass from the cursor.
  ConnectorStack& second = NewStack();
  Drained rest = Drain(*second.connector, saved);
  ASSERT_TRUE(rest.error.ok()) << rest.error.ToString() << "\n" << host_->DescribeViolations();
  for (auto& r : rest.records) {
    delivered.push_back(std::move(r));
  }
  ExpectEachSeededOnce(delivered);
  const Timestamp high_water = MaxModified(delivered);

  // Edits while "down"; a third instance polls from the last saved cursor.
  clock_.Advance(10min);
  auto edited = EditSome({0, seeded_.size() - 2});
  second.client->CloseIdle();
  ConnectorStack& third = NewStack();
  Drained after = Drain(*third.connector, rest.cursor);
  ASSERT_TRUE(after.error.ok()) << after.error.ToString() << "\n" << host_->DescribeViolations();
  ExpectEditsOnly(after.records, edited, high_water);
  ExpectNoViolations();
}

INSTANTIATE_TEST_SUITE_P(Crms, ConnectorsSimTest, ::testing::ValuesIn(Specs()),
                         [](const ::testing::TestParamInfo<CrmSpec>& info) {
                           return info.param.sim;
                         });

}  // namespace
}  // namespace dealsync
