// SourceRunner list passes against connectors with request latency: the
// pusher does not write between the pages of an offset-paged pass (every
// record is read), a cursor cycle of any length is detected and not persisted,
// a page cursor refused part way restarts the pass soon from its start, and an
// odd first page or a refused stored cursor is retried soon, not in 15 minutes;
// dead letters are logged at warning and counted per target.
#include "src/daemon/source_runner.h"

#include <gtest/gtest.h>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "src/daemon/daemon_metrics.h"
#include "tests/support/test_support.h"
#include "tests/unit/engine/engine_fixture.h"

namespace dealsync::testing {
namespace {

namespace asio = boost::asio;
using std::chrono::minutes;

// Lets every other ready coroutine run `n` times: the time a request spends
// on the network, during which the source's other loop may act.
Awaitable<void> Latency(int n) {
  auto executor = co_await asio::this_coro::executor;
  for (int i = 0; i < n; ++i) {
    co_await asio::post(executor, asio::use_awaitable);
  }
}

// A connector whose requests take time: the remote answers a list request
// from its state when the request arrives, and applies an update half way.
class LatentConnector final : public Connector {
 public:
  LatentConnector(Connector& inner, int latency) : inner_(inner), latency_(latency) {}
  const Capabilities& capabilities() const override { return inner_.capabilities(); }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override {
    if (fail_next_fetch) {
      fail_next_fetch = false;
      co_return Unavailable("connect: Connection refused");
    }
    Result<FetchPage> page = co_await inner_.FetchChanges(std::move(cursor));
    co_await Latency(latency_);
    co_return page;
  }
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string> ids) override {
    co_return co_await inner_.FetchByIds(std::move(ids));
  }
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate> u) override {
    co_await Latency(latency_ / 2);
    Result<std::vector<UpdateOutcome>> out = co_await inner_.Update(std::move(u));
    co_await Latency(latency_ / 2);
    co_return out;
  }

  bool fail_next_fetch = false;

 private:
  Connector& inner_;
  int latency_;
};

// Scripted pages: cursor "" -> "a" -> "b" -> "a" ... (a two-step cycle), a
// four-step cycle "c1" -> "c2" -> "c3" -> "c4" -> "c1", a page cursor refused
// with 400 invalid_cursor, a stored cursor refused so ("expired"; CursorAt
// makes "at:<time>"), or a first page whose body does not parse.
class ScriptedPager final : public Connector {
 public:
  enum class Mode { kCycle, kLongCycle, kRefusePageCursor, kRefuseStoredCursor, kOddBody };
  explicit ScriptedPager(Mode mode) : mode_(mode) { caps_.max_batch_size = 10; }
  const Capabilities& capabilities() const override { return caps_; }
  Awaitable<Result<FetchPage>> FetchChanges(std::string cursor) override {
    ++fetches;
    co_await Latency(2);
    if (fetches > 200) {  // a remote that finally stops (so the old code ends too)
      FetchPage last;
      last.next_cursor = cursor;
      co_return last;
    }
    FetchPage page;
    Opportunity o;
    o.native_id = "R" + std::to_string(fetches);
    o.stage = Stage::kQualified;
    o.modified_at = Timestamp(std::chrono::milliseconds(1'789'000'000'000 + fetches));
    page.records.push_back(o);
    page.has_more = true;
    if ((mode_ == Mode::kRefusePageCursor && cursor == "p2") ||
        (mode_ == Mode::kRefuseStoredCursor && cursor == "expired")) {
      co_return InvalidArgument("list: HTTP 400 invalid_cursor: cursor expired");
    }
    if (mode_ == Mode::kOddBody) {
      co_return DataLoss("list: the body is not JSON: <html>Service maintenance</html>");
    }
    if (mode_ == Mode::kCycle) {
      page.next_cursor = cursor == "a" ? "b" : "a";
    } else if (mode_ == Mode::kLongCycle) {
      page.next_cursor = "c" + std::to_string(cursor.size() == 2 ? cursor[1] - '0' + 1 : 1);
      if (page.next_cursor == "c5") {
        page.next_cursor = "c1";
      }
    } else if (mode_ == Mode::kRefuseStoredCursor) {
      page.has_more = false;
      page.next_cursor = cursor;
    } else {
      page.next_cursor = cursor.empty() ? "p1" : "p2";
    }
    co_return page;
  }
  Awaitable<Result<std::vector<Opportunity>>> FetchByIds(std::vector<std::string>) override {
    co_return std::vector<Opportunity>{};
  }
  Awaitable<Result<std::vector<UpdateOutcome>>> Update(std::vector<RecordUpdate>) override {
    co_return std::vector<UpdateOutcome>{};
  }
  Result<std::string> CursorAt(Timestamp since) const override {
    return "at:" + FormatTimestamp(since);
  }
  int fetches = 0;

 private:
  Mode mode_;
  Capabilities caps_;
};

std::shared_ptr<SourceRunner> MakeRunner(asio::io_context& io, EngineHarness& h,
                                         std::unique_ptr<Connector> connector,
                                         MetricsRegistry& metrics, Random& random) {
  SourceRunnerParts parts;
  parts.config = std::make_unique<SourceConfig>(h.config.partners[0]);
  parts.connector = std::move(connector);
  return std::make_shared<SourceRunner>(io.get_executor(), std::move(parts), *h.engine, h.clock,
                                        random, metrics, PollSchedulerConfig{},
                                        SourceRunner::Hooks{});
}

constexpr int kDeals = 30;

TEST(ConsistentListPass, PushesWaitForAnOffsetPagedPassSoEveryRecordIsRead) {
  EngineHarness h;
  for (int i = 0; i < kDeals; ++i) {
    const std::string n = std::to_string(i);
    h.vendor.Put(Deal("V" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
    h.partner.Put(Deal("P" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
  }
  h.Settle();
  ASSERT_EQ(h.engine->ListLinks(kPartner)->size(), size_t{kDeals});
  h.clock.Advance(minutes(10));
  // Partner users edit every amount; the vendor moves the first deals on, so
  // pushes to the partner are queued for records of the pass's first pages.
  for (int i = 0; i < kDeals; ++i) {
    h.partner.Edit("P" + std::to_string(i), [&](Opportunity& o) {
      o.amount = Money{200000 + i, "USD"};
    });
  }
  for (int i = 0; i < 9; ++i) {
    h.vendor.Edit("V" + std::to_string(i), [](Opportunity& o) { o.stage = Stage::kDiscovery; });
  }
  h.Poll(h.vendor);

  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto runner = MakeRunner(io, h, std::make_unique<LatentConnector>(h.partner, 6), metrics, random);
  Status polled = Internal("not run");
  Result<PushStats> pushed = Internal("not run");
  asio::co_spawn(io, runner->PollUntilCaughtUp(),
                 [&](std::exception_ptr, Status s) { polled = std::move(s); });
  auto push = [&]() -> Awaitable<void> { pushed = co_await runner->PushDue(); };
  asio::co_spawn(io, push(), asio::detached);
  io.run();
  ASSERT_OK(polled);
  ASSERT_OK(pushed);
  EXPECT_EQ(pushed->succeeded, 9u);

  int missed = 0;
  for (int i = 0; i < kDeals; ++i) {
    Result<std::optional<Opportunity>> r = h.engine->GetRecord(kPartner, "P" + std::to_string(i));
    ASSERT_OK(r);
    ASSERT_TRUE(r->has_value());
    missed += (*r)->amount->minor == 200000 + i ? 0 : 1;
  }
  EXPECT_EQ(missed, 0) << "records the pass skipped";
}

// A partner that was down: its pushes back off (10 s, then longer); the first
// good poll re-drives them at once instead of leaving them parked.
// A push the CRM refuses for a reason a retry cannot fix is a dead letter at
// once: a warning naming the record and the CRM's reason, and the target's
// dead-letter counter, so ops see it without reading the store.
TEST(DeadLetters, AreLoggedAtWarningWithTheRecordAndCountedPerTarget) {
  EngineHarness h;
  for (const char* n : {"1", "2"}) {
    h.vendor.Put(Deal(std::string("V") + n, std::string("REG-") + n, "qualified", "1000.00 USD",
                      "2026-12-01"));
    h.partner.Put(Deal(std::string("P") + n, std::string("REG-") + n, "qualified", "1000.00 USD",
                       "2026-12-01"));
  }
  h.Settle();
  h.clock.Advance(minutes(1));
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.vendor.Edit("V2", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.Poll(h.vendor);
  h.partner.FailUpdatesFor("P1", InvalidArgument("FIELD_CUSTOM_VALIDATION_EXCEPTION: no amount"));

  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  const std::shared_ptr<spdlog::logger> saved = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto runner = MakeRunner(io, h, std::make_unique<LatentConnector>(h.partner, 2), metrics, random);
  Result<PushStats> pushed = Internal("not run");
  auto run = [&](Awaitable<void> a) {  // the coroutine's lambda outlives io.run()
    asio::co_spawn(io, std::move(a), asio::detached);
    io.run();
  };
  run([&]() -> Awaitable<void> { pushed = co_await runner->PushDue(); }());
  spdlog::set_default_logger(saved);

  ASSERT_OK(pushed);
  EXPECT_EQ(pushed->succeeded, 1u);
  EXPECT_EQ(pushed->dead_lettered, 1u);
  size_t warnings = 0;
  for (const std::string& line : sink->last_formatted()) {
    if (line.find("push dead-lettered") == std::string::npos) {
      continue;
    }
    ++warnings;
    EXPECT_NE(line.find("[warning]"), std::string::npos) << line;
    EXPECT_NE(line.find("record=P1 "), std::string::npos) << line;
    EXPECT_NE(line.find("FIELD_CUSTOM_VALIDATION_EXCEPTION: no amount"), std::string::npos) << line;
  }
  EXPECT_EQ(warnings, 1u);
  const std::string text = metrics.RenderText();
  EXPECT_NE(text.find("dealsync_dead_letters_total{target=\"northwind\"} 1\n"), std::string::npos)
      << text;
  EXPECT_EQ(h.engine->DeadLetters(kPartner)->size(), 1u);
}

// A channel manager asks for refused records to be read again: the readable
// one is journaled, the one the source no longer has leaves the list, and the
// source's list cursor stays where it was.
TEST(Reread, RefusedRecordsAreReadAgainAndThoseGoneLeaveTheList) {
  EngineHarness h;
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  FetchPage refused;
  refused.rejects.push_back({"P1", "stage \"Verbal\" is not in [stages]", "{}"});
  refused.rejects.push_back({"GONE", "stage \"Verbal\" is not in [stages]", "{}"});
  refused.next_cursor = "c9";
  ASSERT_OK(h.engine->IngestPage(kPartner, refused));
  ASSERT_EQ(h.engine->RejectedRecords(kPartner)->size(), 2u);

  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto runner = MakeRunner(io, h, std::make_unique<LatentConnector>(h.partner, 0), metrics, random);
  runner->Reread({"P1", "GONE"}, "rita");
  EXPECT_FALSE(runner->finished());  // Stop() waits for it like for the loops
  io.run();
  EXPECT_TRUE(runner->finished());
  EXPECT_TRUE(h.engine->RejectedRecords(kPartner)->empty());
  Result<std::optional<Opportunity>> read = h.engine->GetRecord(kPartner, "P1");
  ASSERT_OK(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->stage, Stage::kQualified);
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "c9");
}

TEST(Recovery, FirstGoodPollRedrivesParkedPushes) {
  EngineHarness h;
  h.vendor.Put(Deal("V1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.partner.Put(Deal("P1", "REG-1", "qualified", "1000.00 USD", "2026-12-01"));
  h.Settle();
  h.clock.Advance(minutes(1));
  h.vendor.Edit("V1", [](Opportunity& o) { o.stage = Stage::kProposal; });
  h.Poll(h.vendor);
  h.partner.FailUpdatesUntil(h.clock.Now() + std::chrono::seconds(1), Unavailable("502"));

  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto latent = std::make_unique<LatentConnector>(h.partner, 2);
  LatentConnector* connector = latent.get();
  auto runner = MakeRunner(io, h, std::move(latent), metrics, random);
  auto run = [&](Awaitable<void> a) {
    asio::co_spawn(io, std::move(a), asio::detached);
    io.restart();
    io.run();
  };
  Result<PushStats> pushed = Internal("not run");
  Status polled = Status::Ok();
  run([&]() -> Awaitable<void> { pushed = co_await runner->PushDue(); }());
  ASSERT_OK(pushed);
  EXPECT_EQ(pushed->failed, 1u);
  h.clock.Advance(std::chrono::seconds(2));  // the partner is back; the push still backs off
  connector->fail_next_fetch = true;
  run([&]() -> Awaitable<void> { polled = co_await runner->PollUntilCaughtUp(); }());
  EXPECT_FALSE(polled.ok());
  EXPECT_TRUE(h.engine->DuePushes(kPartner, 10, h.clock.Now())->empty());
  run([&]() -> Awaitable<void> { polled = co_await runner->PollUntilCaughtUp(); }());
  ASSERT_OK(polled);
  EXPECT_EQ(h.engine->DuePushes(kPartner, 10, h.clock.Now())->size(), 1u);  // re-driven
  run([&]() -> Awaitable<void> { pushed = co_await runner->PushDue(); }());
  ASSERT_OK(pushed);
  EXPECT_EQ(pushed->succeeded, 1u);
  EXPECT_EQ(h.partner.Get("P1").stage, Stage::kProposal);
}

TEST(ConsistentListPass, CursorCycleIsDetectedAndNotPersisted) {
  EngineHarness h;
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto pager = std::make_unique<ScriptedPager>(ScriptedPager::Mode::kCycle);
  ScriptedPager* p = pager.get();
  ASSERT_OK(h.engine->ResetCursor(kPartner, "anchor"));
  auto runner = MakeRunner(io, h, std::move(pager), metrics, random);
  Status polled = Status::Ok();
  asio::co_spawn(io, runner->PollUntilCaughtUp(),
                 [&](std::exception_ptr, Status s) { polled = std::move(s); });
  io.run();
  EXPECT_EQ(polled.code(), StatusCode::kUnavailable);
  EXPECT_NE(polled.message().find("cursor cycle"), std::string::npos) << polled.ToString();
  EXPECT_LE(p->fetches, 3);  // anchor -> a -> b -> a: stopped at the first repeat
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "anchor");
  EXPECT_NE(metrics.RenderText().find("dealsync_list_pass_restarts_total{source=\"northwind\"} 1"),
            std::string::npos);
}

TEST(ConsistentListPass, CursorCycleOfFourStepsIsDetectedAndNotPersisted) {
  EngineHarness h;
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto pager = std::make_unique<ScriptedPager>(ScriptedPager::Mode::kLongCycle);
  ScriptedPager* p = pager.get();
  ASSERT_OK(h.engine->ResetCursor(kPartner, "anchor"));
  auto runner = MakeRunner(io, h, std::move(pager), metrics, random);
  Status polled = Status::Ok();
  asio::co_spawn(io, runner->PollUntilCaughtUp(),
                 [&](std::exception_ptr, Status s) { polled = std::move(s); });
  io.run();
  EXPECT_EQ(polled.code(), StatusCode::kUnavailable);
  EXPECT_NE(polled.message().find("cursor cycle"), std::string::npos) << polled.ToString();
  EXPECT_LE(p->fetches, 5);  // anchor -> c1 -> c2 -> c3 -> c4 -> c1: stopped at the repeat
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "anchor");
}

// An odd body on the first page (a maintenance page behind a proxy) is retried
// soon three times in a row, then waits the long backoff; the cursor stays.
TEST(ConsistentListPass, OddBodyOnTheFirstPageIsRetriedSoonAFewTimes) {
  EngineHarness h;
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  ASSERT_OK(h.engine->ResetCursor(kPartner, "anchor"));
  auto runner = MakeRunner(io, h, std::make_unique<ScriptedPager>(ScriptedPager::Mode::kOddBody),
                           metrics, random);
  std::vector<Status> polled;
  asio::co_spawn(
      io,
      [&]() -> Awaitable<void> {
        for (int i = 0; i < 4; ++i) {
          polled.push_back(co_await runner->PollUntilCaughtUp());
        }
      },
      asio::detached);
  io.run();
  ASSERT_EQ(polled.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(polled[i].code(), StatusCode::kUnavailable) << polled[i].ToString();
    EXPECT_NE(polled[i].message().find("retried soon"), std::string::npos);
  }
  EXPECT_EQ(polled[3].code(), StatusCode::kDataLoss) << polled[3].ToString();
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "anchor");
}

// A stored cursor the remote refuses (an expired token) is re-made from the
// watermark, and the next poll lists from there.
TEST(ConsistentListPass, RefusedStoredCursorListsAgainFromTheWatermark) {
  EngineHarness h;
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  const Timestamp watermark = *ParseTimestamp("2026-11-20T08:00:00Z");
  ASSERT_OK(h.engine->ResetCursor(kPartner, "expired", watermark));
  auto pager = std::make_unique<ScriptedPager>(ScriptedPager::Mode::kRefuseStoredCursor);
  ScriptedPager* p = pager.get();
  auto runner = MakeRunner(io, h, std::move(pager), metrics, random);
  std::vector<Status> polled;
  asio::co_spawn(
      io,
      [&]() -> Awaitable<void> {
        polled.push_back(co_await runner->PollUntilCaughtUp());
        polled.push_back(co_await runner->PollUntilCaughtUp());
      },
      asio::detached);
  io.run();
  ASSERT_EQ(polled.size(), 2u);
  EXPECT_EQ(polled[0].code(), StatusCode::kUnavailable) << polled[0].ToString();
  EXPECT_NE(polled[0].message().find("from the watermark"), std::string::npos);
  EXPECT_OK(polled[1]);
  EXPECT_EQ(p->fetches, 2);
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "at:2026-11-20T08:00:00.000Z");
  EXPECT_NE(metrics.RenderText().find("dealsync_list_pass_restarts_total{source=\"northwind\"} 1"),
            std::string::npos);
}

TEST(ConsistentListPass, RefusedPageCursorRestartsThePassSoonFromItsStart) {
  EngineHarness h;
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto runner =
      MakeRunner(io, h, std::make_unique<ScriptedPager>(ScriptedPager::Mode::kRefusePageCursor),
                 metrics, random);
  Status polled = Status::Ok();
  asio::co_spawn(io, runner->PollUntilCaughtUp(),
                 [&](std::exception_ptr, Status s) { polled = std::move(s); });
  io.run();
  // Retryable (short backoff), not InvalidArgument (the long wait for a person).
  EXPECT_EQ(polled.code(), StatusCode::kUnavailable) << polled.ToString();
  EXPECT_NE(polled.message().find("invalid_cursor"), std::string::npos);
  EXPECT_EQ(*h.engine->LoadCursor(kPartner), "");  // where the pass began, not "p2"
  // The records read before the refusal are journaled; re-reading them is harmless.
  EXPECT_TRUE(h.engine->GetRecord(kPartner, "R1")->has_value());
}

// A full disk: pages are read but cannot be journaled. The stored cursor must
// not move past them, so once writes succeed again (same process, no restart)
// the next pass reads and journals every edit made meanwhile, on either page.
TEST(StorageFaults, PagesThatCouldNotBeJournaledAreReadAgain) {
  EngineHarness h;
  for (int i = 1; i <= 5; ++i) {  // two pages of three
    const std::string n = std::to_string(i);
    h.partner.Put(Deal("P" + n, "REG-" + n, "qualified", "1000.00 USD", "2026-12-01"));
  }
  h.Settle();
  asio::io_context io;
  MetricsRegistry metrics;
  DeclareDaemonMetrics(metrics);
  ScriptedRandom random;
  auto runner = MakeRunner(io, h, std::make_unique<LatentConnector>(h.partner, 2), metrics, random);
  auto poll = [&] {
    Status polled = Internal("not run");
    asio::co_spawn(io, runner->PollUntilCaughtUp(),
                   [&](std::exception_ptr, Status s) { polled = std::move(s); });
    io.restart();
    io.run();
    return polled;
  };
  ASSERT_OK(poll());
  const std::string cursor = *h.engine->LoadCursor(kPartner);
  const size_t journaled = h.store.Count(Column::kJournal);

  h.clock.Advance(minutes(1));
  h.partner.Edit("P1", [](Opportunity& o) { o.amount = Money{250000, "USD"}; });
  h.partner.Edit("P5", [](Opportunity& o) { o.amount = Money{350000, "USD"}; });
  h.store.FailNextWrites(1000);
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_FALSE(poll().ok());
    EXPECT_EQ(*h.engine->LoadCursor(kPartner), cursor);
  }
  EXPECT_EQ(h.store.Count(Column::kJournal), journaled);

  h.store.FailNextWrites(0);  // space is back
  ASSERT_OK(poll());
  EXPECT_EQ(h.store.Count(Column::kJournal), journaled + 2);
  EXPECT_EQ((*h.engine->GetRecord(kPartner, "P1"))->amount->minor, 250000);
  EXPECT_EQ((*h.engine->GetRecord(kPartner, "P5"))->amount->minor, 350000);

  // A failure on the second page of a pass: the first page is journaled, the
  // pass restarts from its start, and the second page's edit is not lost.
  h.clock.Advance(minutes(1));
  for (const char* id : {"P1", "P2", "P3"}) {  // the first page of the pass
    h.partner.Edit(id, [](Opportunity& o) { o.amount = Money{260000, "USD"}; });
  }
  h.partner.Edit("P5", [](Opportunity& o) { o.amount = Money{360000, "USD"}; });
  h.store.FailNextWrites(1000, /*after=*/1);
  EXPECT_FALSE(poll().ok());
  EXPECT_EQ((*h.engine->GetRecord(kPartner, "P1"))->amount->minor, 260000);  // page 1 made it
  EXPECT_EQ((*h.engine->GetRecord(kPartner, "P5"))->amount->minor, 350000);
  h.store.FailNextWrites(0);
  ASSERT_OK(poll());
  EXPECT_EQ((*h.engine->GetRecord(kPartner, "P1"))->amount->minor, 260000);
  EXPECT_EQ((*h.engine->GetRecord(kPartner, "P5"))->amount->minor, 360000);
}

}  // namespace
}  // namespace dealsync::testing
