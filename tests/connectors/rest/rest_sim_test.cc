// The rest connector, configured like the two shipped partner files, against
// the generic partner simulator (tests/simulators, GenericRestSim) in process:
// incremental fetch across pages, updates (single and batch with per-record
// failures) and faults. The adapter below stands in for the transport stack's
// auth layer (API key header / bearer token); over real TLS that is the job of
// MakeConnectorTransport (see tests/integration when it lands).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "connectors/rest/rest_connector.h"
#include "rest_test_configs.h"
#include "src/platform/fake_clock.h"
#include "support/test_support.h"
#include "tests/simulators/generic_rest_sim.h"

namespace dealsync::connectors::rest {
namespace {

using namespace std::chrono_literals;
using dealsync::testing::ContosoConfig;
using dealsync::testing::NorthwindConfig;
using dealsync::testing::RunAwaitable;
using nlohmann::json;
using sim::GenericRestSim;
using sim::GenericRestSimConfig;
using sim::RestShape;

// Serves requests from the simulator, adding what the auth layer would add.
class SimTransport final : public HttpTransport {
 public:
  SimTransport(GenericRestSim& sim, HttpHeaders auth) : sim_(sim), auth_(std::move(auth)) {}
  Awaitable<Result<HttpResponse>> Send(HttpRequest request) override {
    for (const auto& h : auth_)
      request.headers.push_back(h);
    ++requests_;
    co_return sim_.Handle(request);
  }
  int requests() const { return requests_; }

 private:
  GenericRestSim& sim_;
  HttpHeaders auth_;
  int requests_ = 0;
};

json SimDeal(const std::string& name, const std::string& stage) {
  return {{"name", name},
          {"account", "Acme GmbH"},
          {"owner", "Jo"},
          {"stage", stage},
          {"amount", "1234.50"},
          {"currency", "EUR"},
          {"close_at", "2026-12-01"},
          {"registration", "DR-" + name},
          {"vendor_ref", "006" + name}};
}

// Fetches until has_more is false; returns the ids delivered and the cursor.
std::pair<std::vector<std::string>, std::string> Drain(Connector& c, std::string cursor,
                                                       int* pages = nullptr) {
  std::vector<std::string> ids;
  for (int guard = 0; guard < 100; ++guard) {
    auto page = RunAwaitable(c.FetchChanges(cursor));
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok())
      break;
    EXPECT_THAT(page->rejects, ::testing::IsEmpty());
    for (const auto& r : page->records)
      ids.push_back(r.native_id);
    cursor = page->next_cursor;
    if (pages)
      ++*pages;
    if (!page->has_more)
      break;
  }
  return {ids, cursor};
}

class NorthwindSimTest : public ::testing::Test {
 protected:
  NorthwindSimTest()
      : sim_(clock_, random_, SimConfig()),
        transport_(sim_, {{"X-Api-Key", "northwind-api-key"}}),
        config_(NorthwindConfig()) {
    config_.connection.base_url = "https://127.0.0.1/api/v2";
  }
  static GenericRestSimConfig SimConfig() {
    GenericRestSimConfig c;
    c.shape = RestShape::kNorthwind;
    c.base_path = "/api/v2";
    return c;
  }
  std::unique_ptr<RestConnector> Make() {
    auto c = RestConnector::Create(ConnectorContext{config_, transport_, clock_});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }
  FakeClock clock_;
  ScriptedRandom random_;
  GenericRestSim sim_;
  SimTransport transport_;
  SourceConfig config_;
};

TEST_F(NorthwindSimTest, FullThenIncrementalAcrossPagesThenPatch) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(sim_.CreateRecord(SimDeal("d" + std::to_string(i), "Qualified")));
    clock_.Advance(1s);
  }
  auto c = Make();
  int pages = 0;
  auto [ids, cursor] = Drain(*c, "", &pages);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 5u);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(pages, 3);  // page size 2

  // Nothing changed: the overlap window re-reads, de-duplication drops it all.
  auto [none, cursor2] = Drain(*c, cursor);
  EXPECT_THAT(none, ::testing::IsEmpty());

  clock_.Advance(10min);
  ASSERT_OK(sim_.EditRecord(ids[2], {{"stage", "Won"}}));
  auto [changed, cursor3] = Drain(*c, cursor2);
  EXPECT_EQ(changed, std::vector<std::string>{ids[2]});

  RecordUpdate u;
  u.native_id = ids[0];
  u.stage = Stage::kProposal;
  u.amount = Money{99950, "EUR"};
  auto outcomes = RunAwaitable(c->Update({u}));
  ASSERT_OK(outcomes);
  EXPECT_OK(outcomes->at(0).status);
  EXPECT_TRUE(outcomes->at(0).modified_at.has_value());
  auto back = RunAwaitable(c->FetchByIds({ids[0]}));
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ(back->at(0).stage, Stage::kProposal);
  EXPECT_EQ(back->at(0).native_stage, "Quote sent");
  EXPECT_EQ(back->at(0).amount, (Money{99950, "EUR"}));
  EXPECT_TRUE(sim_.violations().empty())
      << sim_.violations().entries().size() << " wire violations";
}

TEST_F(NorthwindSimTest, FaultsSurfaceAsRetryableStatusAndMissingRecordsAsNotFound) {
  ASSERT_OK(sim_.CreateRecord(SimDeal("d0", "Qualified")));
  auto c = Make();
  sim_.faults().Add(sim::FaultRule::Of(sim::FaultKind::kServerError, "GET", "/api/v2/deals"));
  auto failed = RunAwaitable(c->FetchChanges(""));
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  sim_.faults().Add(sim::FaultRule::Of(sim::FaultKind::kRateLimit, "GET", "/api/v2/deals"));
  auto limited = RunAwaitable(c->FetchChanges(""));
  EXPECT_EQ(limited.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(limited.status().retry_after().has_value());
  sim_.faults().Add(sim::FaultRule::Of(sim::FaultKind::kMalformedJson, "GET", "/api/v2/deals"));
  EXPECT_EQ(RunAwaitable(c->FetchChanges("")).status().code(), StatusCode::kUnavailable);
  auto ok = RunAwaitable(c->FetchChanges(""));
  ASSERT_OK(ok);
  EXPECT_EQ(ok->records.size(), 1u);

  RecordUpdate gone;
  gone.native_id = "nw-404";
  gone.stage = Stage::kClosedWon;
  auto outcomes = RunAwaitable(c->Update({gone}));
  ASSERT_OK(outcomes);
  EXPECT_EQ(outcomes->at(0).status.code(), StatusCode::kNotFound);
}

class ContosoSimTest : public ::testing::Test {
 protected:
  ContosoSimTest() : sim_(clock_, random_, SimConfig()), config_(ContosoConfig()) {
    config_.connection.base_url = "https://127.0.0.1";
    transport_ = std::make_unique<SimTransport>(
        sim_, HttpHeaders{{"Authorization", "Bearer " + sim_.IssueToken()}});
  }
  static GenericRestSimConfig SimConfig() {
    GenericRestSimConfig c;
    c.shape = RestShape::kContoso;
    c.public_base_url = "https://127.0.0.1";
    return c;
  }
  std::unique_ptr<RestConnector> Make() {
    auto c = RestConnector::Create(ConnectorContext{config_, *transport_, clock_});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }
  FakeClock clock_;
  ScriptedRandom random_;
  GenericRestSim sim_;
  SourceConfig config_;
  std::unique_ptr<SimTransport> transport_;
};

TEST_F(ContosoSimTest, LinkPagingAndBatchUpdatesWithPartialFailure) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(sim_.CreateRecord(SimDeal("o" + std::to_string(i), "Proposal")));
    clock_.Advance(1s);
  }
  auto c = Make();
  int pages = 0;
  auto [ids, cursor] = Drain(*c, "", &pages);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 5u);
  EXPECT_EQ(pages, 3);

  sim_.faults().Add(sim::FaultRule::Of(sim::FaultKind::kFailIds).Ids({ids[1]}));
  std::vector<RecordUpdate> updates;
  for (int i = 0; i < 3; ++i) {
    RecordUpdate u;
    u.native_id = ids[i];
    u.stage = Stage::kClosedWon;
    u.close_date = CalendarDate{2027, 1, 15};
    updates.push_back(u);
  }
  auto outcomes = RunAwaitable(c->Update(updates));
  ASSERT_OK(outcomes);
  ASSERT_EQ(outcomes->size(), 3u);
  EXPECT_OK(outcomes->at(0).status);
  EXPECT_EQ(outcomes->at(1).status.code(), StatusCode::kAborted);  // "locked by approval"
  EXPECT_THAT(outcomes->at(1).status.message(),
              ::testing::StartsWith("rejected by the partner API: "));
  EXPECT_OK(outcomes->at(2).status);

  clock_.Advance(10min);
  auto [changed, cursor2] = Drain(*c, cursor);
  EXPECT_EQ(std::set<std::string>(changed.begin(), changed.end()),
            (std::set<std::string>{ids[0], ids[2]}));
  auto back = RunAwaitable(c->FetchByIds({ids[0]}));
  ASSERT_OK(back);
  EXPECT_EQ(back->at(0).stage, Stage::kClosedWon);
  EXPECT_EQ(back->at(0).close_date, (CalendarDate{2027, 1, 15}));
  EXPECT_TRUE(sim_.violations().empty())
      << sim_.violations().entries().size() << " wire violations";
}

}  // namespace
}  // namespace dealsync::connectors::rest
