// Dynamics 365 on the partner side, Salesforce on the vendor side: the real
// connectors over loopback TLS (OAuth2 client credentials on both), the real
// SyncEngine over a MemoryStore, polled and pushed cycle by cycle as dealsyncd
// does. Drifted deals converge in a few cycles and then stay quiet (our own
// writes come back as echoes, never as new changes: no echo loop); a vendor
// change that meets a concurrent edit in Dynamics 365 gets a 412, the edit is
// read and reconciled, and both changes survive; deals won and lost on the
// vendor side close through WinOpportunity / LoseOpportunity.
#include <map>

#include "dealsync/engine.h"
#include "src/store/memory_store.h"
#include "tests/integration/dynamics365_env.h"

namespace dealsync {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kDeals = 12;

struct CycleStats {
  size_t journaled = 0;
  size_t echoes = 0;
  size_t queued = 0;
  size_t pushed = 0;
  size_t push_failed = 0;
  size_t dead = 0;
};

class Dynamics365SalesforceTest : public testing::D365Env {
 protected:
  void SetUp() override {
    StartEnv({"stepname", true, 5});
    const char* sf_stages[] = {"Prospecting", "Qualification", "Needs Analysis",
                               "Value Proposition", "Proposal/Price Quote"};
    const char* d365_steps[] = {"1-Prospect", "2-Qualify", "3-Discover", "4-Solution", "5-Propose"};
    for (int i = 0; i < kDeals; ++i) {
      const std::string reg = "DR-" + std::to_string(i);
      auto sf = sf_->CreateRecord({{"Name", "Deal " + std::to_string(i)},
                                   {"Account", {{"Name", "Account " + std::to_string(i)}}},
                                   {"StageName", sf_stages[i % 5]},
                                   {"Amount", 10000 + i},
                                   {"CurrencyIsoCode", "USD"},
                                   {"CloseDate", "2026-12-15"},
                                   {"Deal_Registration_ID__c", reg}});
      ASSERT_OK(sf);
      sf_ids_[reg] = *sf;
      // Drift: every third deal is further along in Dynamics 365, every fourth
      // has another amount (one in EUR), every fifth another close date.
      json d = {{"name", "Deal " + std::to_string(i)},
                {"account", "Account " + std::to_string(i)},
                {"stepname", d365_steps[(i % 5 + (i % 3 == 0 ? 1 : 0)) % 5]},
                {"estimatedvalue", i % 4 == 0 ? 9000 + i : 10000 + i},
                {"currency", i == 4 ? "EUR" : "USD"},
                {"estimatedclosedate", i % 5 == 0 ? "2027-01-31" : "2026-12-15"},
                {"new_dealregistrationid", reg}};
      auto p = d365_->CreateRecord(d);
      ASSERT_OK(p);
      d365_ids_[reg] = *p;
      clock_.Advance(1min);
    }
    engine_ = std::make_unique<SyncEngine>(store_, config_, clock_);
    vendor_ = &NewStack(config_.vendor);
    partner_stack_ = &NewStack(*partner_);
  }

  void Poll(const std::string& source, Connector& c, CycleStats& stats) {
    for (int i = 0; i < 100; ++i) {
      auto cursor = engine_->LoadCursor(source);
      ASSERT_OK(cursor);
      auto page = Run(c.FetchChanges(*cursor));
      ASSERT_OK(page);
      ASSERT_TRUE(page->rejects.empty()) << page->rejects.front().message;
      auto ingested = engine_->IngestPage(source, *page);
      ASSERT_OK(ingested);
      stats.journaled += ingested->changes_journaled;
      stats.echoes += ingested->echoes;
      stats.queued += ingested->pushes_queued;
      if (!page->has_more)
        return;
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
  CycleStats Cycle() {
    CycleStats s;
    Poll("vendor", *vendor_->connector, s);
    Poll("fabrikam", *partner_stack_->connector, s);
    Push("vendor", *vendor_->connector, s);
    Push("fabrikam", *partner_stack_->connector, s);
    clock_.Advance(6min);  // past the partner's poll interval (a kAborted retry waits for it)
    return s;
  }
  // Cycles until one journals nothing new and pushes nothing; returns how many.
  int CycleUntilQuiet() {
    for (int n = 1; n <= 10; ++n) {
      CycleStats s = Cycle();
      EXPECT_EQ(s.dead, 0u) << "dead letter in cycle " << n;
      if (s.journaled == 0 && s.pushed == 0 && s.push_failed == 0 && s.queued == 0)
        return n;
    }
    ADD_FAILURE() << "no quiet cycle within 10: an echo loop or a stuck push";
    return 11;
  }

  // Both sides as canonical records, by registration id.
  std::map<std::string, std::pair<Opportunity, Opportunity>> Pairs() {
    std::map<std::string, std::pair<Opportunity, Opportunity>> out;
    testing::D365Stack& v = NewStack(config_.vendor);
    testing::D365Stack& p = NewStack(*partner_);
    for (auto& r : Drain(*v.connector, "").records)
      out[r.registration_id].first = r;
    for (auto& r : Drain(*p.connector, "").records)
      out[r.registration_id].second = r;
    return out;
  }
  void ExpectConverged() {
    auto pairs = Pairs();
    EXPECT_EQ(pairs.size(), static_cast<size_t>(kDeals));
    for (const auto& [reg, pair] : pairs) {
      EXPECT_EQ(pair.first.stage, pair.second.stage) << reg;
      EXPECT_EQ(pair.first.amount, pair.second.amount) << reg;
      EXPECT_EQ(pair.first.close_date, pair.second.close_date) << reg;
    }
    auto counters = engine_->Counters();
    ASSERT_OK(counters);
    EXPECT_EQ(counters->outbox_depth, 0u);
    EXPECT_EQ(counters->dead_letters, 0u);
    EXPECT_EQ(counters->links, static_cast<uint64_t>(kDeals));
  }
  json D365View(const std::string& reg) {
    return d365_->ControlView(*d365_->records().Find(d365_ids_.at(reg)));
  }
  json SfView(const std::string& reg) {
    return sf_->ControlView(*sf_->records().Find(sf_ids_.at(reg)));
  }

  MemoryStore store_;
  std::unique_ptr<SyncEngine> engine_;
  testing::D365Stack* vendor_ = nullptr;
  testing::D365Stack* partner_stack_ = nullptr;
  std::map<std::string, std::string> sf_ids_, d365_ids_;
};

TEST_F(Dynamics365SalesforceTest, ConvergesWithoutEchoLoopAndReconcilesAConcurrentEdit) {
  const int cycles = CycleUntilQuiet();
  EXPECT_LE(cycles, 4);
  ExpectConverged();
  // Furthest stage won: DR-0 was further along in Dynamics 365.
  EXPECT_EQ(SfView("DR-0").value("StageName", ""), "Qualification");
  // Vendor amount won, in the vendor's currency: DR-4 moved from EUR to USD.
  EXPECT_EQ(D365View("DR-4").value("currency", ""), "USD");
  EXPECT_EQ(D365View("DR-4").value("estimatedvalue", 0.0), 10004.0);
  // Quiet means quiet: two more cycles change nothing on either side.
  for (int i = 0; i < 2; ++i) {
    CycleStats s = Cycle();
    EXPECT_EQ(s.journaled, 0u);
    EXPECT_EQ(s.pushed, 0u);
    EXPECT_EQ(s.queued, 0u);
  }

  // The vendor raises DR-3's amount; the engine queues the push to Dynamics 365.
  ASSERT_OK(sf_->EditRecord(sf_ids_["DR-3"], {{"Amount", 55000}}));
  CycleStats polled;
  Poll("vendor", *vendor_->connector, polled);
  EXPECT_EQ(polled.queued, 1u);
  // Meanwhile a seller moves DR-3's close date in Dynamics 365.
  clock_.Advance(1min);
  ASSERT_OK(d365_->EditRecord(d365_ids_["DR-3"], {{"estimatedclosedate", "2027-03-31"}}));
  CycleStats pushed;
  Push("fabrikam", *partner_stack_->connector, pushed);
  EXPECT_EQ(pushed.pushed, 0u);
  EXPECT_EQ(pushed.push_failed, 1u) << "the push should have met a 412";
  EXPECT_EQ(D365View("DR-3").value("estimatedvalue", 0.0), 10003.0) << "blind overwrite";
  EXPECT_EQ(D365View("DR-3").value("estimatedclosedate", ""), "2027-03-31");
  // The next cycles read the edit, reconcile, and push both ways.
  CycleUntilQuiet();
  ExpectConverged();
  EXPECT_EQ(D365View("DR-3").value("estimatedvalue", 0.0), 55000.0);
  EXPECT_EQ(D365View("DR-3").value("estimatedclosedate", ""), "2027-03-31");
  EXPECT_EQ(SfView("DR-3").value("CloseDate", ""), "2027-03-31");

  // Won and lost on the vendor side close the partner's copies through the actions.
  ASSERT_OK(sf_->EditRecord(sf_ids_["DR-7"], {{"StageName", "Closed Won"}}));
  ASSERT_OK(sf_->EditRecord(sf_ids_["DR-8"], {{"StageName", "Closed Lost"}}));
  CycleUntilQuiet();
  ExpectConverged();
  EXPECT_EQ(D365View("DR-7").value("statecode", -1), 1);
  EXPECT_EQ(D365View("DR-8").value("statecode", -1), 2);
  ASSERT_EQ(d365_->closes().size(), 2u);
  ExpectNoViolations();
}

}  // namespace
}  // namespace dealsync
