// Per-source reading state: the watermark (newest modified time read that is
// not in the future), a poisoned modified time journaled as a warning without
// moving the watermark, and a rewind that re-reads without duplicating.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

using std::chrono::minutes;

size_t JournalKindCount(MemoryStore& store, std::string_view kind) {
  size_t n = 0;
  EXPECT_TRUE(store
                  .Scan(Column::kJournal, "",
                        [&](std::string_view, std::string_view v) {
                          n += v.find("\"kind\":\"" + std::string(kind) + "\"") !=
                                       std::string_view::npos
                                   ? 1
                                   : 0;
                          return true;
                        })
                  .ok());
  return n;
}

TEST(SourceState, WatermarkFollowsTheNewestModifiedTimeRead) {
  EngineHarness h;
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.clock.Advance(minutes(1));
  h.partner.Put(Deal("P2", "REG-2", "qualified", "1000.00 USD", "2026-12-01"));
  h.Poll(h.partner);
  Result<SourceState> st = h.engine->GetSourceState(kPartner);
  ASSERT_OK(st);
  ASSERT_TRUE(st->watermark.has_value());
  EXPECT_EQ(*st->watermark, h.partner.Get("P2").modified_at);
  EXPECT_EQ(st->cursor, *h.engine->LoadCursor(kPartner));
  EXPECT_GE(st->pages, 1u);
  ASSERT_TRUE(st->last_page_at.has_value());
  EXPECT_EQ(*st->last_page_at, h.clock.Now());
  EXPECT_EQ(h.engine->GetSourceState("nobody").status().code(), StatusCode::kNotFound);
}

TEST(SourceState, FarFutureModifiedTimeIsAWarningAndDoesNotMoveTheWatermark) {
  EngineHarness h;
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Poll(h.partner);
  const Timestamp good = *h.engine->GetSourceState(kPartner)->watermark;
  std::map<std::string, Opportunity> all = h.partner.records();
  Opportunity poisoned = Deal("P9", "REG-9", "proposal", "500.00 USD", "2026-12-01");
  poisoned.source = kPartner;
  poisoned.modified_at = *ParseTimestamp("2999-12-31T00:00:00Z");
  all["P9"] = poisoned;
  h.partner.Load(all);
  IngestStats s = h.Poll(h.partner);
  EXPECT_EQ(s.warnings, 1u);
  Result<SourceState> st = h.engine->GetSourceState(kPartner);
  ASSERT_OK(st);
  EXPECT_EQ(*st->watermark, good);
  EXPECT_EQ(st->warnings, 1u);
  EXPECT_EQ(JournalKindCount(h.store, "warning"), 1u);
  EXPECT_TRUE(h.engine->GetRecord(kPartner, "P9")->has_value());  // the record itself is read
  h.Poll(h.partner);  // read again: one warning per version, not per poll
  EXPECT_EQ(JournalKindCount(h.store, "warning"), 1u);
}

TEST(SourceState, ConnectorWarningsAreJournaledOncePerRecord) {
  EngineHarness h;
  FetchPage page;
  Opportunity o = Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01");
  o.modified_at = *ParseTimestamp("2999-12-31T00:00:00Z");
  page.records.push_back(o);
  page.warnings.push_back({"P1", "modified_at 2999-12-31 is beyond now + skew; cursor held"});
  page.next_cursor = "c1";
  Result<IngestStats> s = h.engine->IngestPage(kPartner, page);
  ASSERT_OK(s);
  EXPECT_EQ(s->warnings, 1u);  // the connector's, not a second one of the engine's own
  ASSERT_EQ(s->warning_records.size(), 1u);
  EXPECT_NE(s->warning_records[0].second.find("cursor held"), std::string::npos);
  EXPECT_EQ(JournalKindCount(h.store, "warning"), 1u);
  EXPECT_EQ(h.engine->GetSourceState(kPartner)->warnings, 1u);
  ASSERT_OK(h.engine->IngestPage(kPartner, page));  // the same page again (the next poll)
  EXPECT_EQ(JournalKindCount(h.store, "warning"), 1u);
}

TEST(SourceState, RewindReReadsWithoutJournalingTwice) {
  EngineHarness h;
  for (const char* id : {"P1", "P2", "P3", "P4"}) {
    h.partner.Put(Deal(id, std::string("REG-") + id, "qualified", "1000.00 USD", "2026-12-01"));
    h.clock.Advance(minutes(1));
  }
  h.Poll(h.partner);
  const size_t changes = JournalKindCount(h.store, "change");
  ASSERT_EQ(changes, 4u);
  const Timestamp since = h.partner.Get("P1").modified_at;
  ASSERT_OK(h.engine->ResetCursor(kPartner, "", since));
  EXPECT_EQ(*h.engine->GetSourceState(kPartner)->watermark, since);
  IngestStats again = h.Poll(h.partner);
  EXPECT_EQ(again.records, 4u);
  EXPECT_EQ(again.duplicates, 4u);
  EXPECT_EQ(JournalKindCount(h.store, "change"), changes);
  EXPECT_EQ(h.engine->ResetCursor("nobody", "").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace dealsync::testing
