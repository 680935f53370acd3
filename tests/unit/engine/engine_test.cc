// SyncEngine against MemoryStore, a FakeClock and two fake CRMs: journal,
// linking, reconciliation decisions end to end.
#include <gtest/gtest.h>

#include "src/engine/records_json.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::vector<Conflict> Conflicts(SyncEngine& e, std::optional<Field> field = std::nullopt) {
  ConflictFilter f;
  f.field = field;
  Result<std::vector<Conflict>> c = e.ListConflicts(f);
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : std::vector<Conflict>{};
}

// A linked pair (vendor V1, partner P1) that agreed on every field.
class LinkedPair : public ::testing::Test {
 protected:
  void SetUp() override {
    h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
    h.Settle();
    Result<std::vector<Link>> links = h.engine->ListLinks(kPartner);
    ASSERT_OK(links);
    ASSERT_EQ(links->size(), 1u);
    link = links->front();
    h.clock.Advance(minutes(10));
  }
  EngineHarness h;
  Link link;
};

TEST_F(LinkedPair, LinksByRegistrationId) {
  EXPECT_EQ(link.id, "northwind/V1/P1");
  EXPECT_EQ(link.key_kind, "registration_id");
  EXPECT_EQ(link.key_value, "REG-1");
  EXPECT_TRUE(Conflicts(*h.engine).empty());
  EXPECT_TRUE(h.partner.applied().empty());  // nothing differed, nothing pushed
}

TEST_F(LinkedPair, OneSideChangePropagatesOnce) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  IngestStats s = h.Poll(h.vendor);
  EXPECT_EQ(s.changes_journaled, 1u);
  EXPECT_EQ(s.pushes_queued, 1u);
  EXPECT_LE(h.Settle(), 3);
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kDiscovery);
  EXPECT_EQ(h.partner.applied().at("P1"), 1);
  EXPECT_TRUE(h.vendor.applied().empty());
  EXPECT_TRUE(Conflicts(*h.engine).empty());
}

TEST_F(LinkedPair, BothSidesEditSameFieldBetweenPolls) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.clock.Advance(minutes(1));
  h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kSolution; });
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kSolution);
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kSolution);
  std::vector<Conflict> c = Conflicts(*h.engine);
  ASSERT_EQ(c.size(), 1u);  // recorded once, not per cycle
  EXPECT_EQ(c[0].field, Field::kStage);
  EXPECT_EQ(c[0].base_value, "qualified");
  EXPECT_EQ(c[0].vendor.value, "discovery");
  EXPECT_EQ(c[0].partner_change.value, "solution");
  EXPECT_LT(c[0].vendor.modified_at, c[0].partner_change.modified_at);
  EXPECT_NE(c[0].vendor.journal_seq, 0u);
  EXPECT_EQ(c[0].rule, "furthest_stage_wins");
  EXPECT_EQ(c[0].outcome_value, "solution");
  EXPECT_EQ(c[0].status, ConflictStatus::kAutoResolved);
  EXPECT_EQ(c[0].value_at_stake_minor, 100000);
  EXPECT_FALSE(c[0].explanation.empty());
  EXPECT_EQ(h.vendor.applied().at("V1"), 1);
}

TEST_F(LinkedPair, EqualEditsAgreeWithoutPush) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.Settle();
  EXPECT_TRUE(h.vendor.applied().empty());
  EXPECT_TRUE(h.partner.applied().empty());
  EXPECT_TRUE(Conflicts(*h.engine).empty());
  // The base moved: a later partner change propagates as a one-side change.
  h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kSolution; });
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kSolution);
  EXPECT_TRUE(Conflicts(*h.engine).empty());
}

TEST_F(LinkedPair, EditBackToBaseValueIsNoChange) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kQualified; });
  IngestStats s = h.Poll(h.vendor);
  EXPECT_EQ(s.changes_journaled, 0u);
  EXPECT_EQ(s.pushes_queued, 0u);
  h.Settle();
  EXPECT_TRUE(h.partner.applied().empty());
}

TEST_F(LinkedPair, StageRegressionIsFlaggedAndApplied) {
  h.partner.Edit("P1", [](Opportunity& o) { o.stage = Stage::kProspect; });
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kProspect);
  std::vector<Conflict> c = Conflicts(*h.engine);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].flags, std::vector<std::string>{"stage_regression"});
  EXPECT_EQ(c[0].status, ConflictStatus::kAutoResolved);
  EXPECT_EQ(c[0].rule, "one_side_change");
}

TEST_F(LinkedPair, SkipOfThreeStagesIsFlagged) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });  // 1 -> 4
  h.Settle();
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kProposal);
  std::vector<Conflict> c = Conflicts(*h.engine);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].flags, std::vector<std::string>{"stage_skip"});
}

TEST(EngineTolerance, AmountWithinToleranceIsNotPushed) {
  EngineHarness h([](Config& c) { c.partners[0].policy.amount.tolerance_ppm = 5000; });
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{100'300, "USD"}; });
  h.Settle();
  EXPECT_TRUE(h.vendor.applied().empty());
  EXPECT_EQ(h.vendor.Get("V1").amount, (Money{100'000, "USD"}));
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{101'000, "USD"}; });
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").amount, (Money{101'000, "USD"}));
}

TEST(EngineCurrency, EurAndUsdCompareThroughRatesAndAreNeverConverted) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 EUR", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1080.00 USD", "2026-12-01"));
  h.Settle();
  EXPECT_TRUE(h.vendor.applied().empty());  // equal through the configured rate
  EXPECT_TRUE(h.partner.applied().empty());
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{120'000, "EUR"}; });
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{110'000, "USD"}; });
  h.Settle();
  // vendor_wins (default): the partner gets the vendor's EUR amount as is.
  EXPECT_EQ(h.partner.Get("P1").amount, (Money{120'000, "EUR"}));
  std::vector<Conflict> c = Conflicts(*h.engine, Field::kAmount);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].rule, "vendor_wins");
  EXPECT_EQ(c[0].value_at_stake_minor, 129'600);  // 1200 EUR = 1296 USD > 1100 USD
}

TEST(EngineDates, CloseDateAcrossTimeZoneBoundaryIsACalendarDate) {
  // 2026-12-01T06:00Z is still Nov 30 in Los Angeles but Dec 1 in Berlin; the
  // connectors normalise with their configured zone, the engine sees dates.
  const int64_t ms = EpochMs(*ParseTimestamp("2026-12-01T06:00:00Z"));
  Result<TimeZone> la = TimeZone::Load("America/Los_Angeles");
  Result<TimeZone> berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_OK(la);
  ASSERT_OK(berlin);
  EngineHarness h;
  Opportunity v = Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-11-30");
  Opportunity p = Deal("P1", "REG-1", "qualified", "1000.00 USD", "");
  p.close_date = *DateFromEpochMs(ms, *la);
  h.vendor.Put(v);
  h.partner.Put(p);
  h.Settle();
  EXPECT_TRUE(h.vendor.applied().empty());
  EXPECT_TRUE(h.partner.applied().empty());
  // The same instant read in Berlin is a different calendar day: a real change.
  h.clock.Advance(minutes(5));
  h.partner.Edit("P1", [&](Opportunity& o) { o.close_date = *DateFromEpochMs(ms, *berlin); });
  h.Settle();
  EXPECT_EQ(Value(h.vendor.Get("V1"), Field::kCloseDate), "2026-12-01");
  std::vector<Conflict> c = Conflicts(*h.engine, Field::kCloseDate);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].flags, std::vector<std::string>{"close_date_slip"});
}

TEST_F(LinkedPair, DeleteOnOneSideIsReportedNotPropagatedAndRecreatedRecordRelinks) {
  h.partner.Edit("P1", [](Opportunity& o) { o.deleted = true; });
  IngestStats s = h.Poll(h.partner);
  EXPECT_EQ(s.changes_journaled, 1u);
  EXPECT_EQ(s.conflicts, 1u);
  h.Settle();
  EXPECT_TRUE(h.vendor.applied().empty());
  EXPECT_FALSE(h.vendor.Get("V1").deleted);
  std::vector<Conflict> c = Conflicts(*h.engine);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].flags, std::vector<std::string>{"record_deleted"});
  EXPECT_EQ(c[0].status, ConflictStatus::kHeldForReview);
  EXPECT_NE(c[0].explanation.find("not propagated"), std::string::npos);
  ASSERT_OK(h.engine->ListLinks(kPartner));
  EXPECT_TRUE(h.engine->ListLinks(kPartner)->empty());
  Result<std::vector<Opportunity>> unlinked = h.engine->UnlinkedRecords("vendor");
  ASSERT_OK(unlinked);
  ASSERT_EQ(unlinked->size(), 1u);

  h.partner.Put(Deal("P2", "REG-1", "proposal", "1000.00 USD", "2026-12-01"));
  h.Settle();
  Result<std::vector<Link>> links = h.engine->ListLinks(kPartner);
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ(links->front().partner_id, "P2");
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kProposal);
}

TEST_F(LinkedPair, DuplicatePageDeliveryIsNotJournaledAgain) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.amount = Money{200'000, "USD"}; });
  Result<FetchPage> page = RunAwaitable(h.vendor.FetchChanges(""));
  ASSERT_OK(page);
  Result<IngestStats> first = h.engine->IngestPage("vendor", *page);
  ASSERT_OK(first);
  EXPECT_EQ(first->changes_journaled, 1u);
  const uint64_t journal = h.engine->Counters()->journal_entries;
  Result<IngestStats> again = h.engine->IngestPage("vendor", *page);
  ASSERT_OK(again);
  EXPECT_EQ(again->changes_journaled, 0u);
  EXPECT_EQ(again->duplicates, page->records.size());
  EXPECT_EQ(h.engine->Counters()->journal_entries, journal);
}

TEST_F(LinkedPair, EchoOfOurPushIsNotJournaledAsChange) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.Poll(h.vendor);
  h.Push(h.partner);
  IngestStats s = h.Poll(h.partner);
  EXPECT_EQ(s.echoes, 1u);
  EXPECT_EQ(s.changes_journaled, 0u);
  EXPECT_EQ(s.pushes_queued, 0u);
  EXPECT_EQ(h.Settle(), 1);  // quiet: no loop
  EXPECT_EQ(h.partner.applied().at("P1"), 1);
}

TEST_F(LinkedPair, EchoSeenBeforeTheAckIsRecognisedByThePendingValue) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.Poll(h.vendor);
  // Crash after the remote applied the push but before the ack was recorded.
  Result<std::vector<OutboxEntry>> due = h.engine->DuePushes(kPartner, 10, h.clock.Now());
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 1u);
  std::vector<RecordUpdate> updates = {due->front().update};
  ASSERT_OK(RunAwaitable(h.partner.Update(updates)));
  h.Restart();
  IngestStats s = h.Poll(h.partner);
  EXPECT_EQ(s.echoes, 1u);
  EXPECT_EQ(s.changes_journaled, 0u);
  EXPECT_EQ(h.engine->Counters()->outbox_depth, 0u);  // both sides agree: push dropped
  h.Settle();
  EXPECT_EQ(h.partner.applied().at("P1"), 1);
}

TEST_F(LinkedPair, PartnerEditWhileOurPushIsInFlightIsNotLost) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  h.Poll(h.vendor);
  Result<std::vector<OutboxEntry>> due = h.engine->DuePushes(kPartner, 10, h.clock.Now());
  ASSERT_OK(due);
  std::vector<RecordUpdate> updates = {due->front().update};
  Result<std::vector<UpdateOutcome>> outcomes = RunAwaitable(h.partner.Update(updates));
  ASSERT_OK(outcomes);
  // The partner edits right after our write landed, and we poll before the ack.
  h.clock.Advance(seconds(5));
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{250'000, "USD"}; });
  IngestStats s = h.Poll(h.partner);
  EXPECT_EQ(s.changes_journaled, 1u);
  ASSERT_OK(h.engine->RecordPushResults(kPartner, *due, *outcomes, Status::Ok()));
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").amount, (Money{250'000, "USD"}));
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kDiscovery);
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kDiscovery);
}

TEST_F(LinkedPair, SameFieldEditWhilePushInFlightIsReconciled) {
  h.vendor.Edit("V1", [](Opportunity& o) { o.close_date = CalendarDate{2026, 12, 10}; });
  h.Poll(h.vendor);
  Result<std::vector<OutboxEntry>> due = h.engine->DuePushes(kPartner, 10, h.clock.Now());
  ASSERT_OK(due);
  // The partner user edits the same field before our push lands; we see it first.
  h.clock.Advance(minutes(5));
  h.partner.Edit("P1", [](Opportunity& o) { o.close_date = CalendarDate{2026, 12, 20}; });
  h.Poll(h.partner);
  std::vector<RecordUpdate> updates = {due->front().update};
  Result<std::vector<UpdateOutcome>> outcomes = RunAwaitable(h.partner.Update(updates));
  ASSERT_OK(h.engine->RecordPushResults(kPartner, *due, *outcomes, Status::Ok()));
  h.Settle();
  // latest_change_wins (default for dates): the partner's later edit wins everywhere.
  EXPECT_EQ(Value(h.vendor.Get("V1"), Field::kCloseDate), "2026-12-20");
  EXPECT_EQ(Value(h.partner.Get("P1"), Field::kCloseDate), "2026-12-20");
  // The vendor's slip is flagged on its own; the two-sided conflict is recorded once.
  std::vector<Conflict> c = Conflicts(*h.engine, Field::kCloseDate);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].flags, std::vector<std::string>{"close_date_slip"});
  EXPECT_EQ(c[1].rule, "latest_change_wins");
  EXPECT_EQ(c[1].outcome_value, "2026-12-20");
}

TEST(EngineLinking, AmbiguousCandidatesAreReportedNotLinked) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-9", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-9", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P2", "REG-9", "proposal", "1000.00 USD", "2026-12-01"));
  h.Poll(h.partner);
  h.Poll(h.vendor);
  ASSERT_TRUE(h.engine->ListLinks("")->empty());
  Result<std::vector<LinkAmbiguity>> amb = h.engine->ListAmbiguities();
  ASSERT_OK(amb);
  ASSERT_EQ(amb->size(), 1u);
  EXPECT_EQ(amb->front().native_id, "V1");
  EXPECT_EQ(amb->front().candidates, (std::vector<std::string>{"northwind/P1", "northwind/P2"}));
  EXPECT_EQ(h.engine->UnlinkedRecords(kPartner)->size(), 2u);

  ASSERT_OK(h.engine->SetLink(kPartner, "V1", "P2", "alice"));
  EXPECT_EQ(h.engine->ListLinks("")->front().key_kind, "operator");
  EXPECT_TRUE(h.engine->ListAmbiguities()->empty());
  h.Settle();
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kProposal);
  EXPECT_EQ(h.engine->SetLink(kPartner, "V1", "P1", "bob").code(), StatusCode::kFailedPrecondition);
}

TEST(EngineLinking, BrokenLinkIsNotRemadeByTheSameKey) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  ASSERT_OK(h.engine->BreakLink("northwind/V1/P1", "alice"));
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kSolution; });
  h.partner.Edit("P1", [](Opportunity& o) { o.name = "renamed"; });
  h.Settle();
  EXPECT_TRUE(h.engine->ListLinks("")->empty());
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kQualified);
  EXPECT_EQ(h.engine->Counters()->unlinked_records, 2u);
}

TEST(EngineLinking, CounterpartIdAndMatchKeyLink) {
  EngineHarness h([](Config& c) { c.partners[0].link.by_match_key = true; });
  Opportunity p = Deal("P1", "", "qualified", "1000.00 USD", "2026-12-01");
  p.counterpart_id = "V1";
  h.partner.Put(p);
  h.vendor.Put(Deal("V1", "", "qualified", "1000.00 USD", "2026-12-01"));
  Opportunity v2 = Deal("V2", "", "qualified", "5000.00 USD", "2026-10-03");
  v2.account = "Globex GmbH";
  h.vendor.Put(v2);
  Opportunity p2 = Deal("P2", "", "qualified", "5200.00 USD", "2026-10-28");
  p2.account = "globex";
  h.partner.Put(p2);
  h.Settle();
  Result<std::vector<Link>> links = h.engine->ListLinks(kPartner);
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].key_kind, "counterpart_id");
  EXPECT_EQ((*links)[1].key_kind, "match_key");
  EXPECT_EQ((*links)[1].key_value, "globex|2026-10");
}

TEST(EngineJournal, RejectsAreJournaledAndUnlinkedPartnerDealsTracked) {
  EngineHarness h;
  FetchPage page;
  page.rejects.push_back({"X9", "stage \"Weird\" is not mapped", "{\"id\":\"X9\"}"});
  page.records.push_back(Deal("P7", "REG-404", "qualified", "10.00 USD", "2026-12-01"));
  page.next_cursor = "c1";
  Result<IngestStats> s = h.engine->IngestPage(kPartner, page);
  ASSERT_OK(s);
  EXPECT_EQ(s->rejects, 1u);
  EXPECT_EQ(s->changes_journaled, 1u);
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "c1");
  EXPECT_EQ(h.engine->Counters()->journal_entries, 2u);
  Result<std::vector<Opportunity>> unlinked = h.engine->UnlinkedRecords(kPartner);
  ASSERT_OK(unlinked);
  ASSERT_EQ(unlinked->size(), 1u);
  EXPECT_EQ(unlinked->front().native_id, "P7");
  EXPECT_EQ(h.engine->IngestPage("nobody", page).status().code(), StatusCode::kInvalidArgument);
}

TEST(EngineCrash, FailedWriteLeavesCursorAndStateUntouched) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  Result<FetchPage> page = RunAwaitable(h.vendor.FetchChanges(""));
  ASSERT_OK(page);
  h.store.FailNextWrites(1);
  EXPECT_FALSE(h.engine->IngestPage("vendor", *page).ok());
  EXPECT_EQ(*h.engine->LoadCursor("vendor"), "");
  EXPECT_EQ(h.store.Count(Column::kJournal), 0u);
  EXPECT_EQ(h.store.Count(Column::kRecords), 0u);
  h.Restart();
  ASSERT_OK(h.engine->IngestPage("vendor", *page));
  EXPECT_EQ(h.store.Count(Column::kJournal), 1u);
}

}  // namespace
}  // namespace dealsync::testing
