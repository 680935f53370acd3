#include "connectors/common/overlap_window.h"

#include <gtest/gtest.h>

#include "src/platform/fake_clock.h"
#include "support/test_support.h"

namespace dealsync::connectors {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Opportunity Deal(std::string id, int64_t amount_minor) {
  Opportunity o;
  o.native_id = std::move(id);
  o.amount = Money{amount_minor, "EUR"};
  o.stage = Stage::kProposal;
  return o;
}

class OverlapWindowTest : public ::testing::Test {
 protected:
  // Reads one record during the pass in progress.
  OverlapWindow::Admission Read(const Opportunity& o, Timestamp modified) {
    return window_.Admit(o.native_id, modified, ContentHash(o), clock_.Now(), settings_);
  }
  // A whole pass over `records` at the clock's current time; returns the delivered ids.
  std::vector<std::string> Pass(const std::vector<std::pair<Opportunity, Timestamp>>& records) {
    window_.BeginPass(clock_.Now());
    std::vector<std::string> out;
    for (const auto& [o, t] : records) {
      if (Read(o, t).deliver) {
        out.push_back(o.native_id);
      }
    }
    window_.FinishPass(settings_);
    return out;
  }
  // Round-trips the window through its persisted form, as every page does.
  void Persist() {
    auto back = OverlapWindow::FromJson(nlohmann::json::parse(window_.ToJson().dump()));
    ASSERT_OK(back);
    window_ = std::move(*back);
  }

  FakeClock clock_;
  OverlapSettings settings_{minutes(2), minutes(5), 1000};
  OverlapWindow window_;
};

TEST_F(OverlapWindowTest, FirstPassStartsAtTheEpochAndNextAtPollTimeMinusOverlap) {
  EXPECT_EQ(window_.BeginPass(clock_.Now()), Timestamp{});
  window_.FinishPass(settings_);
  EXPECT_EQ(window_.since(), clock_.Now() - minutes(2));
}

TEST_F(OverlapWindowTest, RepeatWithSameTimeAndValuesIsDroppedInTheNextPass) {
  const Timestamp t = clock_.Now() - seconds(30);
  EXPECT_EQ(Pass({{Deal("a", 100), t}}), std::vector<std::string>{"a"});
  Persist();
  clock_.Advance(minutes(1));
  EXPECT_TRUE(Pass({{Deal("a", 100), t}}).empty());
}

TEST_F(OverlapWindowTest, SameSecondEditWithChangedValuesIsDelivered) {
  // Coarse-timestamp CRMs stamp whole seconds: our write and a person's edit in
  // the same second carry the same modified time but different values.
  const Timestamp t = clock_.Now() - seconds(1);
  EXPECT_EQ(Pass({{Deal("a", 100), t}}), std::vector<std::string>{"a"});
  Persist();
  clock_.Advance(seconds(30));
  EXPECT_EQ(Pass({{Deal("a", 250), t}}), std::vector<std::string>{"a"});
  // ... and that version in turn is a repeat.
  clock_.Advance(seconds(30));
  EXPECT_TRUE(Pass({{Deal("a", 250), t}}).empty());
}

TEST_F(OverlapWindowTest, OlderVersionReadAgainIsNotDelivered) {
  const Timestamp t = clock_.Now() - seconds(10);
  Pass({{Deal("a", 300), t}});
  clock_.Advance(seconds(30));
  EXPECT_TRUE(Pass({{Deal("a", 100), t - seconds(5)}}).empty());
}

TEST_F(OverlapWindowTest, FutureModifiedTimeWarnsAndDoesNotPoisonTheWindow) {
  const Timestamp poll = clock_.Now();
  window_.BeginPass(poll);
  auto far = Read(Deal("f", 1), poll + std::chrono::hours(24 * 365));
  EXPECT_TRUE(far.deliver);
  ASSERT_TRUE(far.warning.has_value());
  EXPECT_NE(far.warning->find("ahead of this host's clock"), std::string::npos) << *far.warning;
  auto near = Read(Deal("n", 1), poll + minutes(4));  // within the 5m skew allowance
  EXPECT_TRUE(near.deliver);
  EXPECT_FALSE(near.warning.has_value());
  window_.FinishPass(settings_);
  // The next pass starts below the newest admissible time, not a year ahead.
  EXPECT_EQ(window_.since(), poll + minutes(4) - minutes(2));
  // The far-future record is not delivered (nor warned about) again unchanged.
  clock_.Advance(minutes(10));
  window_.BeginPass(clock_.Now());
  EXPECT_FALSE(Read(Deal("f", 1), poll + std::chrono::hours(24 * 365)).deliver);
  window_.FinishPass(settings_);
  EXPECT_EQ(window_.since(), clock_.Now() - minutes(2));
}

TEST_F(OverlapWindowTest, QuietSourceWindowFollowsThePollTimeNotTheNewestRecord) {
  const Timestamp old_record = clock_.Now() - std::chrono::hours(72);
  Pass({{Deal("a", 1), old_record}});
  for (int poll = 0; poll < 5; ++poll) {
    clock_.Advance(minutes(5));
    EXPECT_TRUE(Pass({}).empty());
    EXPECT_EQ(window_.since(), clock_.Now() - minutes(2));
  }
  EXPECT_EQ(window_.remembered(), 0u);  // nothing the next pass could re-read
}

TEST_F(OverlapWindowTest, RemembersOnlyKeysInsideTheOverlapAndAtMostMaxKeys) {
  // A first full read of 5000 old records remembers none of them.
  window_.BeginPass(clock_.Now());
  for (int i = 0; i < 5000; ++i) {
    EXPECT_TRUE(Read(Deal("old" + std::to_string(i), i),
                     clock_.Now() - std::chrono::hours(1) + milliseconds(i))
                    .deliver);
  }
  EXPECT_EQ(window_.remembered(), 0u);
  // Records inside the overlap are remembered, bounded by max_keys.
  for (int i = 0; i < 3000; ++i) {
    Read(Deal("new" + std::to_string(i), i), clock_.Now() - seconds(60) + milliseconds(i));
    EXPECT_LE(window_.remembered(), settings_.max_keys);
  }
  window_.FinishPass(settings_);
  EXPECT_LE(window_.remembered(), settings_.max_keys);
  EXPECT_GT(window_.remembered(), settings_.max_keys / 2);
  // The newest are the ones kept: the last one read is still a repeat.
  clock_.Advance(seconds(1));
  window_.BeginPass(clock_.Now());
  EXPECT_FALSE(
      Read(Deal("new2999", 2999), clock_.Now() - seconds(61) + milliseconds(2999)).deliver);
}

TEST_F(OverlapWindowTest, StartingAtRereadsEverythingFromThatInstant) {
  Pass({{Deal("a", 1), clock_.Now() - seconds(1)}});
  const Timestamp since = clock_.Now() - std::chrono::hours(48);
  window_ = OverlapWindow::StartingAt(since);
  EXPECT_EQ(window_.BeginPass(clock_.Now()), since);
  EXPECT_TRUE(Read(Deal("a", 1), clock_.Now() - seconds(1)).deliver);
}

TEST_F(OverlapWindowTest, PassInProgressSurvivesPersistence) {
  clock_.Advance(minutes(10));
  Pass({});
  const Timestamp since = window_.since();
  clock_.Advance(minutes(5));
  window_.BeginPass(clock_.Now());
  Read(Deal("a", 1), clock_.Now() - seconds(5));
  Persist();
  EXPECT_TRUE(window_.in_pass());
  EXPECT_EQ(window_.BeginPass(clock_.Now() + minutes(1)), since);  // same pass continues
  EXPECT_FALSE(Read(Deal("a", 1), clock_.Now() - seconds(5)).deliver);
}

TEST_F(OverlapWindowTest, CorruptStateIsDataLoss) {
  for (const char* text : {R"([1])", R"({"seen":{}})", R"({"from":1,"seen":{"a":[1]}})",
                           R"({"from":1,"pass":"x","up":1})"}) {
    EXPECT_EQ(OverlapWindow::FromJson(nlohmann::json::parse(text)).status().code(),
              StatusCode::kDataLoss)
        << text;
  }
}

TEST(ContentHashTest, ChangesWithEveryMappedValue) {
  Opportunity base = Deal("a", 100);
  const uint64_t h = ContentHash(base);
  Opportunity o = base;
  o.stage = Stage::kClosedWon;
  EXPECT_NE(ContentHash(o), h);
  o = base;
  o.close_date = CalendarDate{2026, 12, 1};
  EXPECT_NE(ContentHash(o), h);
  o = base;
  o.amount->currency = "USD";
  EXPECT_NE(ContentHash(o), h);
  o = base;
  o.deleted = true;
  EXPECT_NE(ContentHash(o), h);
  o = base;
  o.modified_at += seconds(1);
  o.native_payload = "{}";
  EXPECT_EQ(ContentHash(o), h);
}

}  // namespace
}  // namespace dealsync::connectors
