// Notifications without I/O: payloads, routing, the delivery queue's backoff
// on a fake clock, and what counts as news.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/notify/notify.h"
#include "src/platform/fake_clock.h"

namespace dealsync::notify {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Notification Held(const std::string& id, const std::string& partner = "northwind") {
  Notification n;
  n.event = Event::kHeldConflict;
  n.partner = partner;
  n.item_id = id;
  n.subject = "Conflict held for review: Deal <REG-1> & co (close_date)";
  n.text = "vendor 2026-12-15, partner 2027-02-01";
  n.at = Timestamp(milliseconds(1'790'000'000'000));
  return n;
}

TEST(NotifyPayload, GenericJsonCarriesEventPartnerAndId) {
  const nlohmann::json j =
      nlohmann::json::parse(Payload(Held("northwind/a/b/close_date/3"), "json"));
  EXPECT_EQ(j["event"], "held_conflict");
  EXPECT_EQ(j["partner"], "northwind");
  EXPECT_EQ(j["id"], "northwind/a/b/close_date/3");
  EXPECT_EQ(j["subject"], "Conflict held for review: Deal <REG-1> & co (close_date)");
  EXPECT_EQ(j["at"], "2026-09-21T14:13:20.000Z");
}

TEST(NotifyPayload, SlackIsOneEscapedTextField) {
  const nlohmann::json j = nlohmann::json::parse(Payload(Held("x"), "slack"));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j["text"],
            "*Conflict held for review: Deal &lt;REG-1&gt; &amp; co (close_date)*\n"
            "vendor 2026-12-15, partner 2027-02-01");
}

TEST(NotifyPayload, InvalidUtf8FromPartnerDataStillMakesJson) {
  Notification n = Held("x");
  n.text = "bad \xff byte";
  EXPECT_FALSE(nlohmann::json::parse(Payload(n, "json"))["text"].get<std::string>().empty());
  EXPECT_FALSE(nlohmann::json::parse(Payload(n, "slack"))["text"].get<std::string>().empty());
}

TEST(NotifyRoute, EventsAndPartnerScope) {
  WebhookConfig global;
  global.events = {"held_conflict", "dead_letter"};
  WebhookConfig northwind;
  northwind.events = {"held_conflict", "partner_failing", "digest"};
  northwind.partners = {"northwind"};
  EXPECT_TRUE(Wants(global, Held("x", "fabrikam")));
  EXPECT_TRUE(Wants(northwind, Held("x", "northwind")));
  EXPECT_FALSE(Wants(northwind, Held("x", "fabrikam")));
  Notification failing = Held("northwind");
  failing.event = Event::kPartnerFailing;
  EXPECT_FALSE(Wants(global, failing));
  EXPECT_TRUE(Wants(northwind, failing));
  Notification digest;
  digest.event = Event::kDigest;
  EXPECT_TRUE(Wants(northwind, digest));  // a digest has no partner
  EXPECT_FALSE(Wants(global, digest));
}

TEST(NotifyQueue, RetriesWithDoublingBackoffThenGivesUp) {
  FakeClock clock;
  Queue q(QueueOptions{.max_attempts = 4,
                       .first_backoff = seconds(5),
                       .max_backoff = seconds(12),
                       .max_queued = 10});
  ASSERT_TRUE(q.Add(0, "{}", clock.SteadyNow()));
  std::vector<milliseconds> waits;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::vector<Delivery> due = q.TakeDue(clock.SteadyNow());
    ASSERT_EQ(due.size(), 1u) << attempt;
    EXPECT_TRUE(q.TakeDue(clock.SteadyNow()).empty());  // in flight, not handed out twice
    EXPECT_EQ(q.Report(due[0].id, false, true, clock.SteadyNow()), Outcome::kRetrying);
    ASSERT_TRUE(q.NextDue());
    waits.push_back(std::chrono::duration_cast<milliseconds>(*q.NextDue() - clock.SteadyNow()));
    clock.Advance(waits.back() - milliseconds(1));
    EXPECT_TRUE(q.TakeDue(clock.SteadyNow()).empty()) << "not before its backoff";
    clock.Advance(milliseconds(1));
  }
  EXPECT_EQ(waits, (std::vector<milliseconds>{seconds(5), seconds(10), seconds(12)}));
  std::vector<Delivery> last = q.TakeDue(clock.SteadyNow());
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].attempts, 3);
  EXPECT_EQ(q.Report(last[0].id, false, true, clock.SteadyNow()), Outcome::kGaveUp);
  EXPECT_EQ(q.waiting() + q.in_flight(), 0u);
  EXPECT_EQ(q.dropped(), 1u);
}

TEST(NotifyQueue, DeliveredLeavesAndPermanentFailureIsNotRetried) {
  FakeClock clock;
  Queue q;
  q.Add(0, "a", clock.SteadyNow());
  q.Add(1, "b", clock.SteadyNow());
  std::vector<Delivery> due = q.TakeDue(clock.SteadyNow());
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].body, "a");
  EXPECT_EQ(due[1].webhook, 1u);
  EXPECT_EQ(q.Report(due[0].id, true, false, clock.SteadyNow()), Outcome::kDelivered);
  EXPECT_EQ(q.Report(due[1].id, false, false, clock.SteadyNow()), Outcome::kGaveUp);  // a 404
  EXPECT_FALSE(q.NextDue());
}

TEST(NotifyQueue, RetryAfterIsHonouredAndTheQueueIsBounded) {
  FakeClock clock;
  Queue q(QueueOptions{
      .max_attempts = 5, .first_backoff = seconds(1), .max_backoff = minutes(5), .max_queued = 2});
  q.Add(0, "first", clock.SteadyNow());
  std::vector<Delivery> due = q.TakeDue(clock.SteadyNow());
  q.Report(due[0].id, false, true, clock.SteadyNow(), seconds(30));  // 429 Retry-After: 30
  EXPECT_EQ(*q.NextDue() - clock.SteadyNow(), seconds(30));
  q.Add(0, "second", clock.SteadyNow());
  EXPECT_FALSE(q.Add(0, "third", clock.SteadyNow()));  // full: the oldest waiting one goes
  EXPECT_EQ(q.waiting(), 2u);
  EXPECT_EQ(q.dropped(), 1u);
  clock.Advance(minutes(1));
  due = q.TakeDue(clock.SteadyNow());
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].body, "second");
  EXPECT_EQ(due[1].body, "third");
}

TEST(NotifyDetector, NewItemsOnceAndTheBacklogAtStartNever) {
  Detector d;
  EXPECT_TRUE(d.HeldConflicts({Held("old")}).empty());  // held before the start
  std::vector<Notification> fresh = d.HeldConflicts({Held("old"), Held("new")});
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].item_id, "new");
  EXPECT_TRUE(d.HeldConflicts({Held("old"), Held("new")}).empty());
  EXPECT_TRUE(d.HeldConflicts({Held("old")}).empty());                // "new" was settled
  EXPECT_EQ(d.HeldConflicts({Held("old"), Held("new")}).size(), 1u);  // and held again
  EXPECT_TRUE(d.DeadLetters({}).empty());
  EXPECT_EQ(d.DeadLetters({Held("northwind/nw-1")}).size(), 1u);
}

TEST(NotifyDetector, PartnerFailingOnceAfterTheThresholdAndAgainAfterRecovery) {
  FakeClock clock;
  const Timestamp since = clock.Now();
  Detector d;
  clock.Advance(minutes(59));
  EXPECT_FALSE(d.PartnerHealth("northwind", since, minutes(60), clock.Now(), "401"));
  clock.Advance(minutes(2));
  std::optional<Notification> n = d.PartnerHealth("northwind", since, minutes(60), clock.Now(),
                                                  "GET https://crm.example/api: 401");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->event, Event::kPartnerFailing);
  EXPECT_EQ(n->subject, "Partner northwind has not synced for 61 min");
  EXPECT_NE(n->text.find("401"), std::string::npos);
  EXPECT_FALSE(d.PartnerHealth("northwind", since, minutes(60), clock.Now(), "401"));
  EXPECT_FALSE(d.PartnerHealth("northwind", std::nullopt, minutes(60), clock.Now(), ""));
  clock.Advance(minutes(61));
  EXPECT_TRUE(
      d.PartnerHealth("northwind", clock.Now() - minutes(61), minutes(60), clock.Now(), ""));
}

}  // namespace
}  // namespace dealsync::notify
