// The Dynamics 365 connector against the Dataverse simulator over loopback
// TLS, wired as dealsyncd wires it (OAuth2 client credentials through the
// simulated Entra ID token endpoint): full read across pages, incremental read
// through the delta link, deletes through change tracking, an expired delta
// token, the modifiedon fallback, updates under If-Match (single and $batch),
// a 412 after a concurrent edit, won and lost through the actions, reopening
// per policy, a currency other than the org's base currency, a 429 with
// Retry-After, and `partner check`.
#include <map>
#include <set>

#include "connectors/common/partner_check.h"
#include "connectors/dynamics365/d365_connector.h"
#include "tests/integration/dynamics365_env.h"

namespace dealsync {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using sim::FaultKind;
using sim::FaultRule;

constexpr const char* kList = "/api/data/v9.2/opportunities";

class Dynamics365SimTest : public testing::D365Env {
 protected:
  // `n` opportunities, five per simulated minute; every seventh in EUR.
  void Seed(int n) {
    for (int i = 0; i < n; ++i) {
      json rec = {{"name", "Opp " + std::to_string(i)},
                  {"account", "Account " + std::to_string(i % 13)},
                  {"owner", "Owner " + std::to_string(i % 3)},
                  {"salesstage", i % 3},
                  {"estimatedvalue", 1000 + i + 0.25},
                  {"currency", i % 7 == 0 ? "EUR" : "USD"},
                  {"estimatedclosedate", "2026-12-01"},
                  {"new_dealregistrationid", "DR-" + std::to_string(i)}};
      auto id = d365_->CreateRecord(rec);
      ASSERT_OK(id);
      ids_.push_back(*id);
      if (i % 5 == 4)
        clock_.Advance(1min);
    }
  }
  void ExpectEachOnce(const std::vector<Opportunity>& records) {
    std::map<std::string, int> count;
    for (const auto& r : records)
      ++count[r.native_id];
    EXPECT_EQ(count.size(), ids_.size());
    for (const auto& id : ids_)
      EXPECT_EQ(count[id], 1) << id;
  }
  json View(const std::string& id) { return d365_->ControlView(*d365_->records().Find(id)); }

  std::vector<std::string> ids_;
};

TEST_F(Dynamics365SimTest, FullReadAcrossPagesThenDeltaWithEditsAndDeletes) {
  StartEnv();
  Seed(120);
  testing::D365Stack& s = NewStack(*partner_);
  Drained full = Drain(*s.connector, "");
  ASSERT_TRUE(full.error.ok()) << full.error.ToString() << "\n" << host_->DescribeViolations();
  EXPECT_EQ(full.pages, 3);  // maxpagesize 50
  ExpectEachOnce(full.records);
  for (const auto& r : full.records) {
    const int i = std::stoi(r.name.substr(4));
    ASSERT_TRUE(r.amount.has_value());
    EXPECT_EQ(r.amount->currency, i % 7 == 0 ? "EUR" : "USD") << r.native_id;
    EXPECT_EQ(r.amount->minor, (1000 + i) * 100 + 25) << r.native_id;
    EXPECT_EQ(r.close_date, (CalendarDate{2026, 12, 1}));
    EXPECT_EQ(r.registration_id, "DR-" + std::to_string(i));
    EXPECT_EQ(r.account, "Account " + std::to_string(i % 13));
    EXPECT_EQ(r.owner, "Owner " + std::to_string(i % 3));
    const Stage want[] = {Stage::kQualified, Stage::kDiscovery, Stage::kProposal};
    EXPECT_EQ(r.stage, want[i % 3]) << r.native_id;
    EXPECT_NE(r.native_payload.find("@odata.etag"), std::string::npos);
  }

  // Edits, a delete and a new row: the delta link returns exactly those.
  clock_.Advance(10min);
  ASSERT_OK(d365_->EditRecord(ids_[3], {{"salesstage", 2}}));
  ASSERT_OK(d365_->EditRecord(ids_[77], {{"estimatedvalue", 5.5}}));
  ASSERT_OK(d365_->DeleteRecord(ids_[10]));
  auto created = d365_->CreateRecord(
      {{"name", "Opp 999"}, {"salesstage", 1}, {"estimatedclosedate", "2027-01-15"}});
  ASSERT_OK(created);
  Drained delta = Drain(*s.connector, full.cursor);
  ASSERT_TRUE(delta.error.ok()) << delta.error.ToString() << "\n" << host_->DescribeViolations();
  std::map<std::string, Opportunity> got;
  for (auto& r : delta.records)
    got[r.native_id] = r;
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[ids_[3]].stage, Stage::kProposal);
  EXPECT_EQ(got[ids_[77]].amount, (Money{550, "EUR"}));  // 77 is one of the EUR deals
  EXPECT_TRUE(got[ids_[10]].deleted);
  EXPECT_EQ(got[*created].close_date, (CalendarDate{2027, 1, 15}));
  EXPECT_FALSE(got[*created].amount.has_value());

  // Nothing changed: the next delta is empty.
  Drained quiet = Drain(*s.connector, delta.cursor);
  ASSERT_TRUE(quiet.error.ok());
  EXPECT_TRUE(quiet.records.empty());
  EXPECT_EQ(s.counters.token_refreshes.load(), 1u);
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, ExpiredDeltaTokenRestartsAFullRead) {
  StartEnv();
  Seed(60);
  testing::D365Stack& s = NewStack(*partner_);
  Drained full = Drain(*s.connector, "");
  ASSERT_TRUE(full.error.ok());
  d365_->ExpireDeltaTokens();
  Drained again = Drain(*s.connector, full.cursor);
  ASSERT_TRUE(again.error.ok()) << again.error.ToString();
  ExpectEachOnce(again.records);
  ASSERT_OK(d365_->EditRecord(ids_[5], {{"name", "after"}}));
  Drained delta = Drain(*s.connector, again.cursor);
  ASSERT_TRUE(delta.error.ok());
  ASSERT_EQ(delta.records.size(), 1u);
  EXPECT_EQ(delta.records[0].name, "after");
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, ModifiedOnFilterWhenChangeTrackingIsOff) {
  StartEnv({"salesstage", /*change_tracking=*/false, 20});
  Seed(60);
  testing::D365Stack& s = NewStack(*partner_);
  Drained full = Drain(*s.connector, "");
  ASSERT_TRUE(full.error.ok()) << full.error.ToString() << "\n" << host_->DescribeViolations();
  EXPECT_EQ(full.pages, 3);
  ExpectEachOnce(full.records);
  clock_.Advance(30min);
  ASSERT_OK(d365_->EditRecord(ids_[8], {{"salesstage", 2}}));
  Timestamp high_water{};
  for (const auto& r : full.records)
    high_water = std::max(high_water, r.modified_at);
  Drained after = Drain(*s.connector, full.cursor);
  ASSERT_TRUE(after.error.ok());
  bool edit_seen = false;
  for (const auto& r : after.records) {
    if (r.native_id == ids_[8]) {
      edit_seen = true;
      EXPECT_EQ(r.stage, Stage::kProposal);
      continue;
    }
    // Anything else is a repeat from inside the 5m overlap window (the engine drops it).
    EXPECT_GE(r.modified_at, high_water - 5min) << r.native_id;
  }
  EXPECT_TRUE(edit_seen);
  EXPECT_LT(after.records.size(), full.records.size());
  // CursorAt re-reads from a point in time, called through the Connector
  // interface as `dealsyncctl sources rewind` calls it.
  const Connector& connector = *s.connector;
  auto at = connector.CursorAt(TimestampFromEpochMs(0));
  ASSERT_OK(at);
  Drained all = Drain(*s.connector, *at);
  ASSERT_TRUE(all.error.ok());
  ExpectEachOnce(all.records);
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, UpdatesCarryIfMatchSinglyAndInOneBatch) {
  StartEnv();
  Seed(10);
  testing::D365Stack& s = NewStack(*partner_);
  ASSERT_TRUE(Drain(*s.connector, "").error.ok());
  RecordUpdate one;
  one.native_id = ids_[1];
  one.amount = Money{4242500, "USD"};
  one.close_date = CalendarDate{2027, 2, 28};
  auto single = Run(s.connector->Update({one}));
  ASSERT_OK(single);
  ASSERT_EQ(single->size(), 1u);
  EXPECT_OK((*single)[0].status);
  EXPECT_TRUE((*single)[0].modified_at.has_value());
  EXPECT_EQ(View(ids_[1]).value("estimatedvalue", 0.0), 42425.0);
  EXPECT_EQ(View(ids_[1]).value("estimatedclosedate", ""), "2027-02-28");
  EXPECT_EQ(d365_->stats().Get("PATCH /api/data/v9.2/opportunities(" + ids_[1] + ")"), 1);

  // Three records in one $batch; the second PATCH to ids_[1] uses the etag the
  // first one returned.
  std::vector<RecordUpdate> many;
  for (int i : {1, 2, 4}) {
    RecordUpdate u;
    u.native_id = ids_[i];
    u.stage = Stage::kProposal;
    many.push_back(u);
  }
  auto batch = Run(s.connector->Update(many));
  ASSERT_OK(batch);
  for (const auto& o : *batch)
    EXPECT_OK(o.status);
  for (int i : {1, 2, 4})
    EXPECT_EQ(View(ids_[i]).value("salesstage", -1), 2);
  EXPECT_EQ(d365_->stats().Get("POST /api/data/v9.2/$batch"), 1);
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, ConcurrentEditGives412AndNoBlindOverwrite) {
  StartEnv();
  Seed(3);
  testing::D365Stack& s = NewStack(*partner_);
  Drained read = Drain(*s.connector, "");
  ASSERT_TRUE(read.error.ok());
  // Someone edits the deal in Dynamics 365 after dealsync read it.
  ASSERT_OK(d365_->EditRecord(ids_[0], {{"estimatedvalue", 7777}}));
  RecordUpdate u;
  u.native_id = ids_[0];
  u.amount = Money{100000, "EUR"};
  auto first = Run(s.connector->Update({u}));
  ASSERT_OK(first);
  EXPECT_EQ((*first)[0].status.code(), StatusCode::kAborted) << (*first)[0].status.ToString();
  EXPECT_EQ(View(ids_[0]).value("estimatedvalue", 0.0), 7777.0);
  // Retried before the edit is read: refused locally, nothing sent.
  const int64_t patches = d365_->stats().Get("PATCH /api/data/v9.2/opportunities(" + ids_[0] + ")");
  auto second = Run(s.connector->Update({u}));
  ASSERT_OK(second);
  EXPECT_EQ((*second)[0].status.code(), StatusCode::kAborted);
  EXPECT_EQ(d365_->stats().Get("PATCH /api/data/v9.2/opportunities(" + ids_[0] + ")"), patches);
  EXPECT_EQ(View(ids_[0]).value("estimatedvalue", 0.0), 7777.0);
  // The edit arrives through the delta link; then a write goes through.
  Drained delta = Drain(*s.connector, read.cursor);
  ASSERT_EQ(delta.records.size(), 1u);
  EXPECT_EQ(delta.records[0].amount, (Money{777700, "EUR"}));
  auto third = Run(s.connector->Update({u}));
  ASSERT_OK(third);
  EXPECT_OK((*third)[0].status);
  EXPECT_EQ(View(ids_[0]).value("estimatedvalue", 0.0), 1000.0);
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, WonAndLostThroughTheActionsReopenPerPolicy) {
  StartEnv();
  Seed(4);
  testing::D365Stack& s = NewStack(*partner_);
  ASSERT_TRUE(Drain(*s.connector, "").error.ok());
  RecordUpdate win;
  win.native_id = ids_[0];
  win.stage = Stage::kClosedWon;
  win.amount = Money{250000, "USD"};
  RecordUpdate lose;
  lose.native_id = ids_[1];
  lose.stage = Stage::kClosedLost;
  auto out = Run(s.connector->Update({win, lose}));
  ASSERT_OK(out);
  EXPECT_OK((*out)[0].status);
  EXPECT_OK((*out)[1].status);
  EXPECT_EQ(View(ids_[0]).value("statecode", -1), 1);
  EXPECT_EQ(View(ids_[0]).value("statuscode", -1), 3);
  EXPECT_EQ(View(ids_[0]).value("estimatedvalue", 0.0), 2500.0);  // PATCHed before closing
  EXPECT_EQ(View(ids_[1]).value("statecode", -1), 2);
  EXPECT_EQ(View(ids_[1]).value("statuscode", -1), 4);
  ASSERT_EQ(d365_->closes().size(), 2u);
  EXPECT_EQ(d365_->closes()[0].value("subject", ""), "Closed by dealsync");
  EXPECT_EQ(d365_->closes()[0].value("action", ""), "WinOpportunity");
  EXPECT_EQ(d365_->closes()[1].value("action", ""), "LoseOpportunity");
  // Read back as closed_won / closed_lost.
  auto back = Run(s.connector->FetchByIds({ids_[0], ids_[1]}));
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].stage, Stage::kClosedWon);
  EXPECT_EQ((*back)[1].stage, Stage::kClosedLost);

  // The default policy keeps closed deals closed.
  RecordUpdate reopen;
  reopen.native_id = ids_[0];
  reopen.stage = Stage::kDiscovery;
  auto refused = Run(s.connector->Update({reopen}));
  ASSERT_OK(refused);
  EXPECT_EQ((*refused)[0].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(View(ids_[0]).value("statecode", -1), 1);
  // A source whose policy allows reopening reopens through PATCH.
  SourceConfig reopening = *partner_;
  reopening.policy.stage.allow_reopen = true;
  testing::D365Stack& r = NewStack(reopening);
  auto reopened = Run(r.connector->Update({reopen}));
  ASSERT_OK(reopened);
  EXPECT_OK((*reopened)[0].status);
  EXPECT_EQ(View(ids_[0]).value("statecode", -1), 0);
  EXPECT_EQ(View(ids_[0]).value("salesstage", -1), 1);
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, NonBaseCurrencyReadAndWritten) {
  StartEnv();
  Seed(8);  // ids_[0] and ids_[7] are in EUR
  testing::D365Stack& s = NewStack(*partner_);
  Drained read = Drain(*s.connector, "");
  ASSERT_TRUE(read.error.ok());
  for (const auto& r : read.records) {
    if (r.native_id == ids_[7]) {
      EXPECT_EQ(r.amount, (Money{100725, "EUR"}));
    }
  }
  RecordUpdate gbp;
  gbp.native_id = ids_[2];  // USD today
  gbp.amount = Money{123456, "GBP"};
  RecordUpdate eur;
  eur.native_id = ids_[7];
  eur.amount = Money{99900, "EUR"};
  RecordUpdate unknown;
  unknown.native_id = ids_[3];
  unknown.amount = Money{100, "CHF"};
  auto out = Run(s.connector->Update({gbp, eur, unknown}));
  ASSERT_OK(out);
  EXPECT_OK((*out)[0].status);
  EXPECT_OK((*out)[1].status);
  EXPECT_EQ((*out)[2].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(View(ids_[2]).value("currency", ""), "GBP");
  EXPECT_EQ(View(ids_[2]).value("_transactioncurrencyid_value", ""), d365_->CurrencyId("GBP"));
  EXPECT_EQ(View(ids_[7]).value("currency", ""), "EUR");
  auto back = Run(s.connector->FetchByIds({ids_[2], ids_[7]}));
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].amount, (Money{123456, "GBP"}));
  EXPECT_EQ((*back)[1].amount, (Money{99900, "EUR"}));
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, ServiceProtection429HonoursRetryAfter) {
  StartEnv();
  Seed(20);
  testing::D365Stack& s = NewStack(*partner_);
  FaultRule rule = FaultRule::Of(FaultKind::kRateLimit, "GET", kList);
  rule.retry_after_s = 7;
  d365_->faults().Add(rule);
  const Timestamp before = clock_.Now();
  Drained d = Drain(*s.connector, "");
  ASSERT_TRUE(d.error.ok()) << d.error.ToString();
  ExpectEachOnce(d.records);
  EXPECT_EQ(d365_->faults().fired(), 1);
  EXPECT_GE(s.counters.retries.load(), 1u);
  EXPECT_GE(clock_.Now() - before, std::chrono::milliseconds(7000)) << "Retry-After not waited";
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, A412InsideABatchFailsOnlyItsRecord) {
  StartEnv();
  Seed(3);
  testing::D365Stack& s = NewStack(*partner_);
  ASSERT_TRUE(Drain(*s.connector, "").error.ok());
  ASSERT_OK(d365_->EditRecord(ids_[1], {{"name", "edited meanwhile"}}));
  std::vector<RecordUpdate> updates;
  for (int i : {1, 2}) {
    RecordUpdate u;
    u.native_id = ids_[i];
    u.close_date = CalendarDate{2027, 6, 30};
    updates.push_back(u);
  }
  auto out = Run(s.connector->Update(updates));
  ASSERT_OK(out);
  EXPECT_EQ(d365_->stats().Get("POST /api/data/v9.2/$batch"), 1);
  EXPECT_EQ((*out)[0].status.code(), StatusCode::kAborted) << (*out)[0].status.ToString();
  EXPECT_OK((*out)[1].status);
  EXPECT_EQ(View(ids_[1]).value("estimatedclosedate", ""), "2026-12-01");
  EXPECT_EQ(View(ids_[1]).value("name", ""), "edited meanwhile");
  EXPECT_EQ(View(ids_[2]).value("estimatedclosedate", ""), "2027-06-30");
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, ExpiredTokenServerErrorAndCutBodyAreRecovered) {
  StartEnv();
  Seed(30);
  testing::D365Stack& s = NewStack(*partner_);
  d365_->faults().Add(FaultRule::Of(FaultKind::kExpireToken, "GET", kList));
  d365_->faults().Add(FaultRule::Of(FaultKind::kServerError, "GET", kList));
  Drained d = Drain(*s.connector, "");
  ASSERT_TRUE(d.error.ok()) << d.error.ToString() << "\n" << host_->DescribeViolations();
  ExpectEachOnce(d.records);
  EXPECT_EQ(d365_->faults().fired(), 2);
  EXPECT_EQ(s.counters.token_refreshes.load(), 2u);  // the 401 fetched a new token once
  d365_->faults().Add(FaultRule::Of(FaultKind::kMalformedJson, "GET", kList));
  auto broken = Run(s.connector->FetchChanges(""));
  EXPECT_FALSE(broken.ok());
  Drained again = Drain(*s.connector, "");
  ASSERT_TRUE(again.error.ok());
  ExpectEachOnce(again.records);
  ExpectNoViolations();
}

TEST_F(Dynamics365SimTest, PartnerCheckWorks) {
  StartEnv();
  Seed(5);
  testing::D365Stack& s = NewStack(*partner_);
  PartnerCheckResult result =
      Run(RunPartnerCheck(*partner_, ConnectorRegistry::Default(), *s.transport, clock_));
  EXPECT_EQ(result.exit_code, kPartnerCheckOk) << result.report;
  EXPECT_NE(result.report.find("read back by id"), std::string::npos) << result.report;
  EXPECT_EQ(result.report.find("d365-client-secret"), std::string::npos);
  ExpectNoViolations();
}

}  // namespace
}  // namespace dealsync
