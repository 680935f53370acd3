// What the engine keeps for channel managers: refused records until a
// readable version arrives, "not the same deal" decisions that let the
// linker pair what is left, and the actions people took, with their names.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;

std::vector<RejectedRecord> Refused(SyncEngine& engine, std::string_view source) {
  Result<std::vector<RejectedRecord>> r = engine.RejectedRecords(source);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<RejectedRecord>{};
}

TEST(EngineRejects, AConnectorRejectIsListedUntilAReadableVersionArrives) {
  EngineHarness h;
  FetchPage page;
  page.rejects.push_back({"X9", "stage \"Verbal\" is not mapped", "{\"id\":\"X9\"}"});
  page.rejects.push_back({"", "record without an id", "{}"});  // journaled, cannot be listed
  page.next_cursor = "c1";
  ASSERT_OK(h.engine->IngestPage(kPartner, page));
  std::vector<RejectedRecord> refused = Refused(*h.engine, kPartner);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].source, kPartner);
  EXPECT_EQ(refused[0].native_id, "X9");
  EXPECT_EQ(refused[0].message, "stage \"Verbal\" is not mapped");
  EXPECT_EQ(refused[0].rejected_at, h.clock.Now());
  EXPECT_FALSE(refused[0].modified_at.has_value());
  EXPECT_EQ(refused[0].journal_seq, 1u);
  EXPECT_EQ(h.engine->Counters()->rejected_records, 1u);
  EXPECT_EQ(h.engine->Counters()->Of(kPartner).rejected_records, 1u);
  EXPECT_TRUE(Refused(*h.engine, "vendor").empty());
  EXPECT_EQ(Refused(*h.engine, "").size(), 1u);

  // Refused again later (still unmapped): one listing, the latest time.
  h.clock.Advance(minutes(5));
  ASSERT_OK(h.engine->IngestPage(kPartner, page));
  refused = Refused(*h.engine, kPartner);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].rejected_at, h.clock.Now());
  EXPECT_EQ(h.engine->Counters()->rejected_records, 1u);

  // The partner file is fixed and the record read again: it is no longer refused.
  FetchPage fixed;
  fixed.records.push_back(Deal("X9", "REG-9", "proposal", "10.00 USD", "2026-12-01"));
  fixed.next_cursor = "c1";
  ASSERT_OK(h.engine->IngestPage(kPartner, fixed));
  EXPECT_TRUE(Refused(*h.engine, kPartner).empty());
  EXPECT_EQ(h.engine->Counters()->rejected_records, 0u);
  EXPECT_EQ(h.engine->Counters()->Of(kPartner).rejected_records, 0u);
  ASSERT_TRUE(h.engine->GetRecord(kPartner, "X9")->has_value());
}

TEST(EngineRejects, AValueOutOfBoundsIsListedWithTheRefusedVersionUntilFixed) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(minutes(10));
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{-500, "USD"}; });
  const Timestamp refused_version = h.partner.Get("P1").modified_at;
  h.Settle();
  std::vector<RejectedRecord> refused = Refused(*h.engine, kPartner);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].native_id, "P1");
  EXPECT_NE(refused[0].message.find("is negative"), std::string::npos) << refused[0].message;
  ASSERT_TRUE(refused[0].modified_at.has_value());
  EXPECT_EQ(*refused[0].modified_at, refused_version);

  h.clock.Advance(minutes(10));
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{150000, "USD"}; });
  h.Settle();
  EXPECT_TRUE(Refused(*h.engine, kPartner).empty());
  EXPECT_EQ(h.vendor.Get("V1").amount->minor, 150000);
}

TEST(EngineRejects, ARecordTheSourceNoLongerHasIsNoLongerListed) {
  EngineHarness h;
  FetchPage page;
  page.rejects.push_back({"X1", "stage \"Verbal\" is not mapped", "{}"});
  page.rejects.push_back({"X2", "stage \"Verbal\" is not mapped", "{}"});
  page.next_cursor = "c1";
  ASSERT_OK(h.engine->IngestPage(kPartner, page));
  const uint64_t journal = h.engine->Counters()->journal_entries;
  ASSERT_OK(h.engine->ForgetRejected(kPartner, {"X1", "never-refused"}));
  std::vector<RejectedRecord> left = Refused(*h.engine, kPartner);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].native_id, "X2");
  EXPECT_EQ(h.engine->Counters()->rejected_records, 1u);
  EXPECT_EQ(h.engine->Counters()->journal_entries, journal);  // the reject stays journaled
  EXPECT_FALSE(h.engine->GetRecord(kPartner, "X1")->has_value());
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "c1");
}

// V1's registration id matches P1 and P2: ambiguous until a person decides.
class Ambiguous : public ::testing::Test {
 protected:
  void SetUp() override {
    h.vendor.Put(Deal("V1", "REG-9", "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P1", "REG-9", "proposal", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P2", "REG-9", "qualified", "1000.00 USD", "2026-12-01"));
    h.Poll(h.partner);
    h.Poll(h.vendor);
    ASSERT_EQ(h.engine->ListAmbiguities()->size(), 1u);
    h.clock.Advance(minutes(3));
  }
  EngineHarness h;
};

TEST_F(Ambiguous, NotTheSameDealLinksTheOnlyCandidateLeftAndIsKeptWithTheUser) {
  const uint64_t journal_before = h.engine->Counters()->journal_entries;
  EXPECT_EQ(h.engine->MarkNotSameDeal(kPartner, "V1", "P2", "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(h.engine->MarkNotSameDeal(kPartner, "V1", "P404", "alice").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(h.engine->MarkNotSameDeal("vendor", "V1", "P2", "alice").code(),
            StatusCode::kInvalidArgument);
  ASSERT_OK(h.engine->MarkNotSameDeal(kPartner, "V1", "P2", "alice"));
  Result<std::vector<Link>> links = h.engine->ListLinks(kPartner);
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ(links->front().partner_id, "P1");
  EXPECT_EQ(links->front().key_kind, "registration_id");
  EXPECT_TRUE(h.engine->ListAmbiguities()->empty());
  EXPECT_EQ(h.engine->Counters()->ambiguous_records, 0u);
  // Reconciled in the same step: P1's stage is queued for the vendor.
  ASSERT_OK(h.engine->PlanNextCycle());
  EXPECT_EQ(h.engine->PlanNextCycle()->pushes.size(), 1u);
  // Journaled, and kept with the pair's history under the person's name.
  EXPECT_EQ(h.engine->Counters()->journal_entries, journal_before + 1);
  Result<std::vector<OperatorAction>> actions = h.engine->LinkActions("northwind/V1/P2");
  ASSERT_OK(actions);
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_EQ(actions->front().by, "alice");
  EXPECT_EQ(actions->front().action, "not_the_same_deal");
  EXPECT_EQ(actions->front().at, h.clock.Now());
  EXPECT_NE(actions->front().detail.find("V1 and P2 are different deals"), std::string::npos);

  // Later edits never pair V1 with P2 again.
  h.Settle();
  h.partner.Edit("P2", [](Opportunity& o) { o.name = "renamed"; });
  h.Settle();
  EXPECT_EQ(h.engine->ListLinks(kPartner)->size(), 1u);
  EXPECT_EQ(h.vendor.Get("V1").stage, Stage::kProposal);
}

TEST_F(Ambiguous, LinkingByHandAndUnlinkingAreKeptInTheLinksHistory) {
  ASSERT_OK(h.engine->SetLink(kPartner, "V1", "P2", "bob"));
  h.clock.Advance(minutes(1));
  ASSERT_OK(h.engine->BreakLink("northwind/V1/P2", "carol"));
  Result<std::vector<OperatorAction>> actions = h.engine->LinkActions("northwind/V1/P2");
  ASSERT_OK(actions);
  ASSERT_EQ(actions->size(), 2u);
  EXPECT_EQ((*actions)[0].action, "linked");
  EXPECT_EQ((*actions)[0].by, "bob");
  EXPECT_EQ((*actions)[1].action, "not_the_same_deal");
  EXPECT_EQ((*actions)[1].by, "carol");
  EXPECT_LT((*actions)[0].at, (*actions)[1].at);
  // Another pair's history holds none of it.
  EXPECT_TRUE(h.engine->LinkActions("northwind/V1/P1")->empty());
  // A linked pair marked as different deals is unlinked for good.
  ASSERT_OK(h.engine->SetLink(kPartner, "V1", "P1", "bob"));
  ASSERT_OK(h.engine->MarkNotSameDeal(kPartner, "V1", "P1", "dora"));
  EXPECT_TRUE(h.engine->ListLinks(kPartner)->empty());
  h.Settle();
  EXPECT_TRUE(h.engine->ListLinks(kPartner)->empty());
}

}  // namespace
}  // namespace dealsync::testing
