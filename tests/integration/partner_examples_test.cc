// The shipped partner examples (config/examples/partners: Zoho CRM, Pipedrive,
// SuiteCRM) against simulators built from each vendor's documentation, with a
// Salesforce vendor, over loopback TLS, wired as dealsyncd wires them
// (LoadConfig -> BeastHttpClient -> MakeConnectorTransport -> the rest
// connector) and driven cycle by cycle through the real SyncEngine:
//  - full and incremental reads across several pages (the files' page size is
//    lowered so a dozen deals take three pages);
//  - drift converges both ways: stage (a numeric stage_id where the API is
//    numeric), amount with currency, close date;
//  - an edit on the partner side reaches the vendor, and the next cycles are
//    quiet (no echo loop);
//  - an edit stamped in the same second (SuiteCRM: the same minute) as our own
//    write still reaches the vendor;
//  - no simulator saw a request the real API would have refused.
// The same environment runs `partner check` against each file and against
// deliberately wrong copies of it, which must fail naming what to change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include "connectors/common/partner_check.h"
#include "dealsync/config.h"
#include "dealsync/connector.h"
#include "dealsync/engine.h"
#include "src/platform/fake_clock.h"
#include "src/platform/system_clock.h"
#include "src/store/memory_store.h"
#include "src/transport/beast_http_client.h"
#include "src/transport/connector_transport.h"
#include "tests/integration/run_on_io.h"
#include "tests/simulators/pipedrive_sim.h"
#include "tests/simulators/salesforce_sim.h"
#include "tests/simulators/simulator_host.h"
#include "tests/simulators/suitecrm_sim.h"
#include "tests/simulators/zoho_sim.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_support.h"

namespace dealsync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kDeals = 12;
constexpr int kPageSize = 5;

// The vendor's stages, in canonical order prospect..proposal.
const char* const kVendorStages[] = {"Prospecting", "Qualification", "Needs Analysis",
                                     "Value Proposition", "Proposal/Price Quote"};

// What differs between the three partner CRMs.
struct PartnerShape {
  std::string name;     // simulator name and test label
  std::string example;  // file under config/examples/partners
  std::string source;   // the id inside it
  std::function<std::unique_ptr<sim::Simulator>(Clock&, Random&)> make;
  // The example with its hosts replaced by the simulator's base URL `sim`
  // (and its secrets by files under `dir`).
  std::function<std::string(std::string text, const std::string& sim, const std::string& dir)>
      adapt;
  // A native control record for deal i with registration id `reg`, at canonical
  // open stage index `stage` (0..4), amount and close date.
  std::function<json(int i, const std::string& reg, int stage, int amount,
                     const std::string& close)>
      seed;
  std::function<json(int stage)> stage_edit;  // native patch moving a deal to open stage index
  std::function<json(int amount)> amount_edit;
  std::function<std::string(const json& view)> registration_of;  // from a ControlView
  std::map<std::string, std::string> secrets;                    // file name -> content
};

void PrintTo(const PartnerShape& shape, std::ostream* os) {
  *os << shape.name;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Secrets become files in the test directory; the page size shrinks to show paging.
std::string CommonAdapt(std::string text, const std::string& dir,
                        const std::map<std::string, std::string>& secrets) {
  for (const auto& [name, content] : secrets) {
    text = Replace(text, "credential = \"" + name + "\"",
                   "credential = { file = \"" + dir + "/" + name + "\" }");
    text = Replace(text, "refresh_token = \"" + name + "\"",
                   "refresh_token = { file = \"" + dir + "/" + name + "\" }");
  }
  text = std::regex_replace(text, std::regex("page_size = [0-9]+"),
                            "page_size = " + std::to_string(kPageSize));
  text = std::regex_replace(text, std::regex("rate_limit = \\{[^}]*\\}"),
                            "rate_limit = { requests = 1000, per = \"1s\" }");
  return text;
}

const std::vector<PartnerShape>& Shapes() {
  static const std::vector<PartnerShape> shapes = [] {
    std::vector<PartnerShape> v;
    {
      PartnerShape s;
      s.name = "zoho";
      s.example = "zoho-crm.toml";
      s.source = "zoho-partner";
      s.make = [](Clock& c, Random& r) { return std::make_unique<sim::ZohoSim>(c, r); };
      s.secrets = {{"zoho-client-secret", sim::ZohoSimConfig{}.client_secret},
                   {"zoho-refresh-token", sim::ZohoSimConfig{}.refresh_token}};
      s.adapt = [secrets = s.secrets](std::string t, const std::string& base,
                                      const std::string& dir) {
        t = Replace(t, "https://www.zohoapis.eu", base);
        t = Replace(t, "https://accounts.zoho.eu", base);
        t = Replace(t, "1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", sim::ZohoSimConfig{}.client_id);
        return CommonAdapt(t, dir, secrets);
      };
      static const char* const kStages[] = {"Qualification", "Needs Analysis", "Value Proposition",
                                            "Perception Analysis", "Proposal/Price Quote"};
      s.seed = [](int i, const std::string& reg, int stage, int amount, const std::string& close) {
        return json{{"Deal_Name", "Deal " + std::to_string(i)},
                    {"Stage", kStages[stage]},
                    {"Amount", amount},
                    {"Currency", "USD"},
                    {"Closing_Date", close},
                    {"Deal_Registration_ID", reg}};
      };
      s.stage_edit = [](int stage) { return json{{"Stage", kStages[stage]}}; };
      s.amount_edit = [](int amount) { return json{{"Amount", amount}}; };
      s.registration_of = [](const json& v) { return v.value("Deal_Registration_ID", ""); };
      v.push_back(std::move(s));
    }
    {
      PartnerShape s;
      s.name = "pipedrive";
      s.example = "pipedrive.toml";
      s.source = "pipedrive-partner";
      s.make = [](Clock& c, Random& r) { return std::make_unique<sim::PipedriveSim>(c, r); };
      s.secrets = {{"pipedrive-api-token", sim::PipedriveSimConfig{}.api_token}};
      s.adapt = [secrets = s.secrets](std::string t, const std::string& base,
                                      const std::string& dir) {
        t = Replace(t, "https://yourcompany.pipedrive.com", base);
        return CommonAdapt(t, dir, secrets);
      };
      s.seed = [](int i, const std::string& reg, int stage, int amount, const std::string& close) {
        return json{{"title", "Deal " + std::to_string(i)},
                    {"stage_id", stage + 1},
                    {"value", amount},
                    {"currency", "USD"},
                    {"expected_close_date", close},
                    {"custom_fields", {{sim::kPipedriveDealRegistrationIdKey, reg}}}};
      };
      s.stage_edit = [](int stage) { return json{{"stage_id", stage + 1}}; };
      s.amount_edit = [](int amount) { return json{{"value", amount}}; };
      s.registration_of = [](const json& v) {
        const json* custom = v.contains("custom_fields") ? &v["custom_fields"] : nullptr;
        return custom && custom->contains(sim::kPipedriveDealRegistrationIdKey) &&
                       (*custom)[sim::kPipedriveDealRegistrationIdKey].is_string()
                   ? (*custom)[sim::kPipedriveDealRegistrationIdKey].get<std::string>()
                   : std::string();
      };
      v.push_back(std::move(s));
    }
    {
      PartnerShape s;
      s.name = "suitecrm";
      s.example = "suitecrm.toml";
      s.source = "suitecrm-partner";
      s.make = [](Clock& c, Random& r) { return std::make_unique<sim::SuiteCrmSim>(c, r); };
      s.secrets = {{"suitecrm-client-secret", sim::SuiteCrmSimConfig{}.client_secret}};
      s.adapt = [secrets = s.secrets](std::string t, const std::string& base,
                                      const std::string& dir) {
        t = Replace(t, "https://crm.partner.example", base);
        t = Replace(t, "client_id = \"dealsync\"",
                    "client_id = \"" + sim::SuiteCrmSimConfig{}.client_id + "\"");
        // The simulated org's second currency, as the partner would list it.
        t = Replace(t, "\"-99\" = \"EUR\"",
                    "\"-99\" = \"EUR\"\n\"c0ffee00-0000-4000-8000-000000000001\" = \"USD\"");
        return CommonAdapt(t, dir, secrets);
      };
      static const char* const kStages[] = {"Prospecting", "Qualification", "Value Proposition",
                                            "Perception Analysis", "Proposal/Price Quote"};
      s.seed = [](int i, const std::string& reg, int stage, int amount, const std::string& close) {
        return json{{"attributes",
                     {{"name", "Deal " + std::to_string(i)},
                      {"sales_stage", kStages[stage]},
                      {"amount", std::to_string(amount)},
                      {"currency_id", "c0ffee00-0000-4000-8000-000000000001"},
                      {"date_closed", close},
                      {"deal_registration_id_c", reg}}}};
      };
      s.stage_edit = [](int stage) {
        return json{{"attributes", {{"sales_stage", kStages[stage]}}}};
      };
      s.amount_edit = [](int amount) {
        return json{{"attributes", {{"amount", std::to_string(amount)}}}};
      };
      s.registration_of = [](const json& v) {
        const json& a = v.contains("attributes") ? v["attributes"] : v;
        return a.value("deal_registration_id_c", "");
      };
      v.push_back(std::move(s));
    }
    return v;
  }();
  return shapes;
}

struct Stack {
  std::unique_ptr<BeastHttpClient> client;
  TransportCounters counters;
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<Connector> connector;
};

struct CycleStats {
  size_t journaled = 0;
  size_t queued = 0;
  size_t pushed = 0;
  size_t push_failed = 0;
  size_t dead = 0;
};

void Write(const std::string& path, const std::string& text, bool secret = false) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (secret) {
    ::chmod(path.c_str(), 0600);
  }
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class PartnerExamplesTest : public ::testing::TestWithParam<PartnerShape> {
 protected:
  void SetUp() override {
    const auto& certs = testing::GetTestCerts();
    ca_file_ = certs.ca_file;
    char tmpl[] = "/tmp/partner_examples_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    host_ = std::make_unique<sim::SimulatorHost>(io_.get_executor(), clock_, certs.server_cert,
                                                 certs.server_key);
    ASSERT_OK(host_->Add("salesforce", std::make_unique<sim::SalesforceSim>(clock_, sim_random_)));
    ASSERT_OK(host_->Add(GetParam().name, GetParam().make(clock_, sim_random_)));
    sf_ = host_->Get<sim::SalesforceSim>("salesforce");
    partner_sim_ = host_->Find(GetParam().name);
    fs::create_directories(dir_ + "/partners.d");
    for (const auto& [name, content] : GetParam().secrets) {
      Write(dir_ + "/" + name, content + "\n", true);
    }
    Write(dir_ + "/sf.secret", "sf-client-secret\n", true);
    WriteVendorAndDaemon();
  }

  void TearDown() override {
    stacks_.clear();
    if (host_) {
      host_->Stop();
    }
    io_.restart();
    io_.run_for(2s);
    host_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void WriteVendorAndDaemon() {
    const std::string s = host_->BaseUrl("salesforce");
    Write(dir_ + "/dealsync.toml",
          "state_dir = \"" + dir_ +
              "/state\"\n\n[currency]\nreporting = \"USD\"\nrates = { EUR = \"1.08\" }\n");
    Write(dir_ + "/vendor.toml",
          "connector = \"salesforce\"\ncurrency = \"USD\"\ntime_zone = \"UTC\"\n\n"
          "[connection]\nbase_url = \"" +
              s + "\"\nauth = { type = \"oauth2_client_credentials\", token_url = \"" + s +
              "/services/oauth2/token\", client_id = \"sf-client-id\", credential = { file = \"" +
              dir_ +
              "/sf.secret\" } }\nrate_limit = { requests = 1000, per = \"1s\" }\n"
              "retry = { max_attempts = 5, initial_backoff = \"10ms\", max_backoff = \"30s\" }\n"
              "ca_file = \"" +
              ca_file_ +
              "\"\n\n[salesforce]\npage_size = 200\n\n[fields]\nregistration_id = "
              "\"/Deal_Registration_ID__c\"\ncounterpart_id = \"/Partner_Deal_ID__c\"\n\n"
              "[stages]\nprospect = [\"Prospecting\"]\nqualified = [\"Qualification\"]\n"
              "discovery = [\"Needs Analysis\"]\nsolution = [\"Value Proposition\"]\n"
              "proposal = [\"Proposal/Price Quote\", \"Negotiation/Review\"]\n"
              "closed_won = [\"Closed Won\"]\nclosed_lost = [\"Closed Lost\"]\n");
  }

  // The example, pointed at the simulator; `mutate` makes a wrong copy.
  void WritePartner(const std::function<std::string(std::string)>& mutate = nullptr) {
    const fs::path example =
        fs::path(DEALSYNC_SOURCE_DIR) / "config" / "examples" / "partners" / GetParam().example;
    std::string text = GetParam().adapt(ReadFile(example), host_->BaseUrl(GetParam().name), dir_);
    text = Replace(text, "[connection]\n", "[connection]\nca_file = \"" + ca_file_ + "\"\n");
    if (mutate) {
      text = mutate(text);
    }
    Write(dir_ + "/partners.d/" + GetParam().example, text);
  }

  // Loads the directory; false (with the errors recorded) when it does not validate.
  bool Load() {
    ConfigLoadResult loaded = LoadConfig(dir_, ConnectorRegistry::Default());
    load_errors_.clear();
    for (const auto& e : loaded.errors) {
      load_errors_ += e.ToString() + "\n";
    }
    if (!loaded.config) {
      return false;
    }
    config_ = std::move(*loaded.config);
    partner_ = config_.FindSource(GetParam().source);
    return partner_ != nullptr;
  }

  Stack& NewStack(const SourceConfig& source) {
    auto stack = std::make_unique<Stack>();
    stack->client =
        std::make_unique<BeastHttpClient>(io_.get_executor(), ClientOptionsFor(source.connection));
    SecretSource secrets = [](const CredentialRef& ref) { return ResolveCredential(ref, ""); };
    auto transport = MakeConnectorTransport(source.connection, secrets, *stack->client, clock_,
                                            transport_random_, &stack->counters);
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    stack->transport = std::move(*transport);
    const ConnectorFactory* factory = ConnectorRegistry::Default().Find(source.connector);
    auto connector = factory->Create(ConnectorContext{source, *stack->transport, clock_});
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    if (connector.ok()) {
      stack->connector = std::move(*connector);
    }
    stacks_.push_back(std::move(stack));
    return *stacks_.back();
  }

  template <typename T>
  T Run(Awaitable<T> a) {
    return testing::RunOnIo(io_, std::move(a));
  }

  // Twelve deals on each side, linked by registration id, drifted: every third
  // is further along at the partner, every fourth has another amount there,
  // every fifth another close date.
  void SeedBothSides() {
    for (int i = 0; i < kDeals; ++i) {
      const std::string reg = "DR-" + std::to_string(i);
      auto sf = sf_->CreateRecord({{"Name", "Deal " + std::to_string(i)},
                                   {"StageName", kVendorStages[i % 5]},
                                   {"Amount", 10000 + i},
                                   {"CurrencyIsoCode", "USD"},
                                   {"CloseDate", "2026-12-15"},
                                   {"Deal_Registration_ID__c", reg}});
      ASSERT_OK(sf);
      sf_ids_[reg] = *sf;
      const int stage = std::min(4, i % 5 + (i % 3 == 0 ? 1 : 0));
      auto p = partner_sim_->CreateRecord(
          GetParam().seed(i, reg, stage, i % 4 == 0 ? 9000 + i : 10000 + i,
                          i % 5 == 0 ? "2027-01-31" : "2026-12-15"));
      ASSERT_OK(p);
      partner_ids_[reg] = *p;
      clock_.Advance(1min);
    }
  }

  void StartEngine() {
    engine_ = std::make_unique<SyncEngine>(store_, config_, clock_);
    vendor_ = &NewStack(config_.vendor);
    partner_stack_ = &NewStack(*partner_);
  }

  void Poll(const std::string& source, Connector& c, CycleStats& stats, int* pages = nullptr) {
    for (int i = 0; i < 100; ++i) {
      auto cursor = engine_->LoadCursor(source);
      ASSERT_OK(cursor);
      auto page = Run(c.FetchChanges(*cursor));
      ASSERT_OK(page);
      ASSERT_TRUE(page->rejects.empty()) << page->rejects.front().message;
      auto ingested = engine_->IngestPage(source, *page);
      ASSERT_OK(ingested);
      stats.journaled += ingested->changes_journaled;
      stats.queued += ingested->pushes_queued;
      if (pages != nullptr) {
        ++*pages;
      }
      if (!page->has_more) {
        return;
      }
    }
    FAIL() << "poll of " << source << " did not finish";
  }
  void Push(const std::string& target, Connector& c, CycleStats& stats) {
    auto pushed = Run(engine_->PushOnce(target, c));
    ASSERT_OK(pushed);
    stats.pushed += pushed->succeeded;
    stats.push_failed += pushed->failed;
    stats.dead += pushed->dead_lettered;
  }
  CycleStats Cycle(int* partner_pages = nullptr) {
    CycleStats s;
    Poll("vendor", *vendor_->connector, s);
    Poll(GetParam().source, *partner_stack_->connector, s, partner_pages);
    Push("vendor", *vendor_->connector, s);
    Push(GetParam().source, *partner_stack_->connector, s);
    clock_.Advance(6min);
    return s;
  }
  int CycleUntilQuiet() {
    for (int n = 1; n <= 10; ++n) {
      CycleStats s = Cycle();
      EXPECT_EQ(s.dead, 0u) << "dead letter in cycle " << n;
      EXPECT_EQ(s.push_failed, 0u) << "failed push in cycle " << n;
      if (s.journaled == 0 && s.pushed == 0 && s.push_failed == 0 && s.queued == 0) {
        return n;
      }
    }
    ADD_FAILURE() << "no quiet cycle within 10: an echo loop or a stuck push";
    return 11;
  }

  std::map<std::string, std::pair<Opportunity, Opportunity>> Pairs() {
    std::map<std::string, std::pair<Opportunity, Opportunity>> out;
    Stack& v = NewStack(config_.vendor);
    Stack& p = NewStack(*partner_);
    for (auto& r : Drain(*v.connector)) {
      out[r.registration_id].first = r;
    }
    for (auto& r : Drain(*p.connector)) {
      out[r.registration_id].second = r;
    }
    return out;
  }
  std::vector<Opportunity> Drain(Connector& c) {
    std::vector<Opportunity> records;
    std::string cursor;
    for (int i = 0; i < 100; ++i) {
      auto page = Run(c.FetchChanges(cursor));
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) {
        break;
      }
      for (auto& r : page->records) {
        records.push_back(std::move(r));
      }
      cursor = page->next_cursor;
      if (!page->has_more) {
        break;
      }
    }
    return records;
  }
  void ExpectConverged() {
    auto pairs = Pairs();
    EXPECT_EQ(pairs.size(), static_cast<size_t>(kDeals));
    for (const auto& [reg, pair] : pairs) {
      EXPECT_EQ(pair.first.stage, pair.second.stage) << reg;
      EXPECT_EQ(pair.first.amount, pair.second.amount) << reg;
      EXPECT_EQ(pair.first.close_date, pair.second.close_date) << reg;
    }
  }
  json SfView(const std::string& reg) {
    return sf_->ControlView(*sf_->records().Find(sf_ids_.at(reg)));
  }
  json PartnerView(const std::string& reg) {
    return partner_sim_->ControlView(*partner_sim_->records().Find(partner_ids_.at(reg)));
  }

  PartnerCheckResult Check(PartnerCheckOptions options = {}) {
    Stack& s = NewStack(*partner_);
    return Run(
        RunPartnerCheck(*partner_, ConnectorRegistry::Default(), *s.transport, clock_, options));
  }

  boost::asio::io_context io_;
  FakeClock clock_;
  SeededRandom sim_random_{42};
  SeededRandom transport_random_{7};
  std::string dir_;
  std::string ca_file_;
  std::unique_ptr<sim::SimulatorHost> host_;
  sim::SalesforceSim* sf_ = nullptr;
  sim::Simulator* partner_sim_ = nullptr;
  Config config_;
  const SourceConfig* partner_ = nullptr;
  std::string load_errors_;
  MemoryStore store_;
  std::unique_ptr<SyncEngine> engine_;
  Stack* vendor_ = nullptr;
  Stack* partner_stack_ = nullptr;
  std::vector<std::unique_ptr<Stack>> stacks_;
  std::map<std::string, std::string> sf_ids_, partner_ids_;
};

TEST_P(PartnerExamplesTest, SynchronisesBothWaysWithoutEchoLoop) {
  WritePartner();
  ASSERT_TRUE(Load()) << load_errors_;
  SeedBothSides();
  StartEngine();
  int pages = 0;
  CycleStats first = Cycle(&pages);
  EXPECT_GE(pages, 3) << "a full read of " << kDeals << " deals at " << kPageSize << " a page";
  EXPECT_EQ(first.dead, 0u);
  CycleUntilQuiet();
  ExpectConverged();
  // Furthest stage won (DR-0 was further along at the partner); the vendor's
  // amount and close date won (DR-4's amount, DR-5's close date).
  EXPECT_EQ(SfView("DR-0").value("StageName", ""), "Qualification");
  auto pairs = Pairs();
  EXPECT_EQ(pairs["DR-4"].second.amount, (Money{1000400, "USD"}));
  EXPECT_EQ(pairs["DR-5"].second.close_date, (CalendarDate{2026, 12, 15}));

  // A partner-side edit reaches the vendor: DR-1 moves on to the proposal stage.
  ASSERT_OK(partner_sim_->EditRecord(partner_ids_.at("DR-1"), GetParam().stage_edit(4)));
  int polled_pages = 0;
  CycleStats after_edit = Cycle(&polled_pages);
  EXPECT_LE(polled_pages, 2) << "an incremental read, not a full one";
  EXPECT_GE(after_edit.pushed, 1u);
  EXPECT_EQ(SfView("DR-1").value("StageName", ""), "Proposal/Price Quote");
  // Quiet means quiet: our own writes come back as echoes, never as changes.
  CycleUntilQuiet();
  for (int i = 0; i < 2; ++i) {
    CycleStats s = Cycle();
    EXPECT_EQ(s.journaled, 0u);
    EXPECT_EQ(s.pushed, 0u);
    EXPECT_EQ(s.queued, 0u);
  }
  EXPECT_TRUE(host_->NoViolations()) << host_->DescribeViolations();
}

// Our write and a person's edit within one timestamp tick of the CRM: the
// overlap window must deliver the edit although (id, modified_at) was seen.
TEST_P(PartnerExamplesTest, AnEditInTheSameTickAsOurWriteReachesTheVendor) {
  WritePartner();
  ASSERT_TRUE(Load()) << load_errors_;
  SeedBothSides();
  StartEngine();
  CycleUntilQuiet();
  // The vendor moves DR-2 on; the cycle writes it to the partner...
  ASSERT_OK(sf_->EditRecord(sf_ids_.at("DR-2"), {{"StageName", "Value Proposition"}}));
  CycleStats s;
  Poll("vendor", *vendor_->connector, s);
  Push(GetParam().source, *partner_stack_->connector, s);
  ASSERT_EQ(s.pushed, 1u);
  // ...the partner's poll reads our write back (an echo)...
  Poll(GetParam().source, *partner_stack_->connector, s);
  // ...and within the same tick (no clock advance) a person edits the amount
  // and the stage; the CRM stamps it with the same modified time.
  ASSERT_OK(partner_sim_->EditRecord(partner_ids_.at("DR-2"), GetParam().stage_edit(4)));
  CycleUntilQuiet();
  EXPECT_EQ(SfView("DR-2").value("StageName", ""), "Proposal/Price Quote");
  ExpectConverged();
  EXPECT_TRUE(host_->NoViolations()) << host_->DescribeViolations();
}

TEST_P(PartnerExamplesTest, PartnerCheckPassesAndItsWriteTestChangesNothing) {
  WritePartner();
  ASSERT_TRUE(Load()) << load_errors_;
  SeedBothSides();
  const json before = PartnerView("DR-3");
  PartnerCheckOptions options;
  options.write_test_id = partner_ids_.at("DR-3");
  PartnerCheckResult result = Check(options);
  EXPECT_EQ(result.exit_code, kPartnerCheckOk) << result.report;
  EXPECT_THAT(result.report, ::testing::HasSubstr("list: 12 records on 3 pages"));
  EXPECT_THAT(result.report, ::testing::HasSubstr("written and read back unchanged"));
  EXPECT_EQ(GetParam().registration_of(PartnerView("DR-3")), "DR-3");
  EXPECT_TRUE(host_->NoViolations()) << host_->DescribeViolations();
  (void)before;
}

INSTANTIATE_TEST_SUITE_P(Examples, PartnerExamplesTest, ::testing::ValuesIn(Shapes()),
                         [](const auto& info) { return info.param.name; });

// Deliberately wrong copies of the examples: the gate fails (exit 1, or 78
// when the file does not even validate), naming the field or step and what to
// change.
struct WrongFile {
  std::string label;
  std::string shape;                               // which example
  std::function<std::string(std::string)> mutate;  // the mistake
  bool write_test = false;                         // run --write-test on DR-3
  std::string expect;                              // in the report or the load errors
};

std::function<std::string(std::string)> Swap(std::string from, std::string to) {
  return [from = std::move(from), to = std::move(to)](std::string text) {
    EXPECT_NE(text.find(from), std::string::npos) << "the example no longer has: " << from;
    return Replace(std::move(text), from, to);
  };
}

const std::vector<WrongFile>& WrongFiles() {
  static const std::vector<WrongFile> files = {
      {"zoho: Bearer instead of Zoho-oauthtoken", "zoho",
       Swap(", headers = [\"Authorization: Zoho-oauthtoken {token}\"]", ""), false,
       "the API refused the credentials"},
      {"zoho: If-Modified-Since as an HTTP date", "zoho",
       Swap("format = \"iso8601_offset\"", "format = \"rfc1123\""), false, "FAILED: list page 1"},
      {"zoho: no fields= parameter", "zoho",
       Swap("\"fields=Deal_Name,Stage,Amount,Currency,Closing_Date,Modified_Time,Account_Name,"
            "Owner,Deal_Registration_ID,Vendor_Opportunity_ID\",\n",
            ""),
       false, "FAILED: list page 1"},
      {"zoho: a results pointer that matches nothing", "zoho",
       Swap("results = \"/data\"", "results = \"/results\""), true,
       "update.batch.results = \"/results\" does not point at an array"},
      {"zoho: the success value misspelt", "zoho",
       Swap("result_ok_value = \"success\"", "result_ok_value = \"SUCCESS\""), true,
       "FAILED: write test: the update was refused"},
      {"zoho: updates sent as text/plain", "zoho",
       Swap("[update]\nmode = \"batch\"",
            "[update]\ncontent_type = \"text/plain\"\nmode = \"batch\""),
       true, "FAILED: write test: the update was refused"},
      {"zoho: Amount read as a decimal string", "zoho",
       Swap("{ pointer = \"/Amount\", format = \"number\" }",
            "{ pointer = \"/Amount\", format = \"decimal_string\" }"),
       false, "REJECTED record"},
      {"pipedrive: stage_id written as a string", "pipedrive",
       Swap("{ pointer = \"/stage_id\", format = \"number\" }", "\"/stage_id\""), false,
       "set format = \"number\" on [fields].stage"},
      {"pipedrive: won and lost without [statuses]", "pipedrive",
       Swap("[statuses]      # Pipedrive's status -> canonical stage (\"open\": from stage_id)\n"
            "open = \"open\"\nwon  = \"closed_won\"\nlost = \"closed_lost\"\n",
            ""),
       false, "canonical stage \"closed_won\" is not mapped"},
      {"pipedrive: the id at a wrong pointer", "pipedrive",
       Swap("{ pointer = \"/id\", format = \"number\" }",
            "{ pointer = \"/deal_id\", format = \"number\" }"),
       false, "id: missing or not a string at /deal_id"},
      {"pipedrive: updated_since in epoch seconds", "pipedrive",
       Swap("format = \"iso8601\"", "format = \"epoch_s\""), false, "FAILED: list page 1"},
      {"suitecrm: no JSON:API envelope on updates", "suitecrm",
       Swap("body = '{\"data\": {\"type\": \"Opportunities\", \"id\": \"{id}\"}}'\n"
            "fields_at = \"/data\"\n",
            ""),
       false, "update.path: \"/V8/module\" has no {id} placeholder"},
      {"suitecrm: an envelope without the resource type", "suitecrm",
       Swap("{\"type\": \"Opportunities\", \"id\": \"{id}\"}", "{\"id\": \"{id}\"}"), true,
       "FAILED: write test: the update was refused"},
      {"suitecrm: a currency that cannot be determined", "suitecrm",
       Swap("\"c0ffee00-0000-4000-8000-000000000001\" = \"USD\"", ""), false,
       "is not an ISO 4217 code"},
      {"suitecrm: page numbers sent under the wrong parameter", "suitecrm",
       Swap("\"page[number]={page}\"", "\"page[number]=1\""), false, "FAILED: list page 1"},
      {"zoho: paging that never ends (the page number read as the next token)", "zoho",
       Swap("next = \"/info/next_page_token\", param = \"page_token\"",
            "next = \"/info/page\", param = \"page\""),
       false, "the API does not advance"},
      {"suitecrm: the records at a wrong pointer", "suitecrm",
       Swap("records = \"/data\"\npage_size", "records = \"/items\"\npage_size"), false,
       "list.records = \"/items\" matches nothing"},
  };
  return files;
}

TEST_P(PartnerExamplesTest, WrongFilesFailTheGateNamingWhatToChange) {
  int tried = 0;
  for (const WrongFile& wrong : WrongFiles()) {
    if (wrong.shape != GetParam().name) {
      continue;
    }
    SCOPED_TRACE(wrong.label);
    ++tried;
    WritePartner(wrong.mutate);
    if (!Load()) {
      EXPECT_THAT(load_errors_, ::testing::HasSubstr(wrong.expect));
      continue;
    }
    if (partner_ids_.empty()) {
      SeedBothSides();
    }
    PartnerCheckOptions options;
    options.max_pages = 20;
    if (wrong.write_test) {
      options.write_test_id = partner_ids_.at("DR-3");
    }
    PartnerCheckResult result = Check(options);
    EXPECT_NE(result.exit_code, kPartnerCheckOk) << result.report;
    EXPECT_THAT(result.report, ::testing::HasSubstr(wrong.expect)) << result.report;
    EXPECT_THAT(result.report, ::testing::HasSubstr("CHECK FAILED")) << result.report;
  }
  EXPECT_GE(tried, 4);
}

}  // namespace
}  // namespace dealsync
