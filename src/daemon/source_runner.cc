#include "src/daemon/source_runner.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "src/daemon/daemon_metrics.h"

namespace dealsync {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// How often a push loop looks for outbox entries whose backoff has expired.
constexpr milliseconds kPushRetryTick{15000};

// Waits on `timer` for `delay`; returns early (without error) when cancelled.
Awaitable<void> WaitOn(asio::steady_timer& timer, milliseconds delay) {
  timer.expires_after(delay);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

double UnixSeconds(Timestamp t) {
  return static_cast<double>(EpochMs(t)) / 1000.0;
}

}  // namespace

Awaitable<Result<HttpResponse>> CountingTransport::Send(HttpRequest request) {
  metrics_.Increment(metric::kApiCalls, {{"source", source_}});
  co_return co_await inner_.Send(std::move(request));
}

SourceRunner::SourceRunner(asio::any_io_executor executor, SourceRunnerParts parts,
                           SyncEngine& engine, Clock& clock, Random& random,
                           MetricsRegistry& metrics, PollSchedulerConfig schedule, Hooks hooks)
    : executor_(executor),
      parts_(std::move(parts)),
      engine_(engine),
      clock_(clock),
      metrics_(metrics),
      scheduler_(schedule, random),
      hooks_(std::move(hooks)),
      log_(spdlog::default_logger()->clone("connector." + parts_.config->id)),
      poll_timer_(executor),
      push_timer_(executor) {
  InitSourceSeries(metrics_, id());
}

SourceRunner::~SourceRunner() = default;

void SourceRunner::Start() {
  running_loops_ = 2;
  auto self = shared_from_this();
  // The lambdas hold `self` so the runner outlives its coroutines after Stop().
  asio::co_spawn(executor_, PollLoop(), [self](std::exception_ptr e) {
    if (e) {
      self->log_->critical("poll loop ended by an exception");
    }
    self->LoopExited();
  });
  asio::co_spawn(executor_, PushLoop(), [self](std::exception_ptr e) {
    if (e) {
      self->log_->critical("push loop ended by an exception");
    }
    self->LoopExited();
  });
  log_->info(
      "started: connector={} poll_interval={}s", parts_.config->connector,
      std::chrono::duration_cast<std::chrono::seconds>(parts_.config->poll_interval).count());
}

void SourceRunner::Stop() {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  poll_timer_.cancel();
  push_timer_.cancel();
}

void SourceRunner::LoopExited() {
  if (--running_loops_ == 0) {
    log_->info("stopped");
    if (hooks_.finished) {
      hooks_.finished();
    }
  }
}

void SourceRunner::WakePusher() {
  push_wake_pending_ = true;
  push_timer_.cancel();
}

void SourceRunner::ExportTransportCounters() {
  if (!parts_.counters) {
    return;
  }
  const uint64_t waits = parts_.counters->rate_limit_waits.load(std::memory_order_relaxed);
  if (waits > exported_rate_limit_waits_) {
    metrics_.Increment(metric::kRateLimitWaits, {{"source", id()}},
                       static_cast<double>(waits - exported_rate_limit_waits_));
    exported_rate_limit_waits_ = waits;
  }
}

SourceHealth SourceRunner::Health() const {
  SourceHealth h;
  h.id = id();
  h.poll_interval = parts_.config->poll_interval;
  h.last_successful_poll = last_success_;
  h.last_error = last_error_;
  h.last_successful_push = last_push_;
  h.api_calls = parts_.counters->api_calls.load(std::memory_order_relaxed);
  for (const auto& n : parts_.counters->failures_by_code) {
    h.failed_calls += n.load(std::memory_order_relaxed);
  }
  h.rate_limit_waits = parts_.counters->rate_limit_waits.load(std::memory_order_relaxed);
  h.rate_limit = parts_.config->connection.rate_limit;
  return h;
}

Awaitable<Result<bool>> SourceRunner::PollOnePage() {
  Result<std::string> cursor = engine_.LoadCursor(id());
  if (!cursor.ok()) {
    co_return cursor.status();
  }
  Result<FetchPage> page = co_await parts_.connector->FetchChanges(*cursor);
  if (!page.ok()) {
    co_return page.status();
  }
  Result<IngestStats> stats = engine_.IngestPage(id(), *page);
  if (!stats.ok()) {
    co_return stats.status().Annotate("journaling the page");
  }
  metrics_.Increment(metric::kRecordsFetched, {{"source", id()}},
                     static_cast<double>(stats->records));
  metrics_.Increment(metric::kChangesJournaled, {{"source", id()}},
                     static_cast<double>(stats->changes_journaled));
  if (stats->changes_journaled > 0 || stats->rejects > 0 || stats->conflicts > 0) {
    log_->info(
        "page journaled: records={} changes={} duplicates={} echoes={} rejects={} conflicts={} "
        "pushes_queued={} more={}",
        stats->records, stats->changes_journaled, stats->duplicates, stats->echoes, stats->rejects,
        stats->conflicts, stats->pushes_queued, page->has_more);
  } else {
    log_->debug("page: records={} (nothing new) more={}", stats->records, page->has_more);
  }
  for (const RecordReject& reject : page->rejects) {
    log_->warn("record rejected: id={} reason={}", reject.native_id, reject.message);
  }
  if (stats->pushes_queued > 0 && hooks_.pushes_queued) {
    hooks_.pushes_queued();
  }
  co_return page->has_more;
}

Awaitable<void> SourceRunner::PollLoop() {
  NextPoll next = scheduler_.Start();
  while (!stopping_) {
    if (next.delay.count() > 0) {
      co_await WaitOn(poll_timer_, next.delay);
      if (stopping_) {
        break;
      }
    }
    Result<bool> more = co_await PollOnePage();
    const Timestamp now = clock_.Now();
    if (more.ok()) {
      metrics_.Increment(metric::kPolls, {{"source", id()}, {"result", "ok"}});
      if (!last_error_.empty()) {
        log_->info("poll recovered after {} failures", scheduler_.consecutive_failures());
      }
      last_error_.clear();
      if (!*more) {
        last_success_ = now;  // caught up: the data is as fresh as this poll
        metrics_.Set(metric::kLastSuccessfulPoll, {{"source", id()}}, UnixSeconds(now));
      }
      next = scheduler_.OnPageSucceeded(*more);
    } else {
      metrics_.Increment(metric::kPolls, {{"source", id()}, {"result", "error"}});
      last_error_ = more.status().ToString();
      next = scheduler_.OnPollFailed(more.status());
      log_->warn("poll failed ({} in a row), next try in {}ms: {}",
                 scheduler_.consecutive_failures(), next.delay.count(), last_error_);
    }
  }
}

Awaitable<Result<PushStats>> SourceRunner::PushOnceAndCount() {
  Result<PushStats> stats = co_await engine_.PushOnce(id(), *parts_.connector);
  if (!stats.ok()) {
    log_->warn("push failed: {}", stats.status().ToString());
    metrics_.Increment(metric::kPushFailures);
    co_return stats;
  }
  if (stats->sent > 0) {
    metrics_.Increment(metric::kPushes, {{"target", id()}, {"result", "ok"}},
                       static_cast<double>(stats->succeeded));
    metrics_.Increment(metric::kPushes, {{"target", id()}, {"result", "error"}},
                       static_cast<double>(stats->failed + stats->dead_lettered));
    metrics_.Increment(metric::kPushFailures, {},
                       static_cast<double>(stats->failed + stats->dead_lettered));
    log_->info("pushed: sent={} succeeded={} failed={} dead_lettered={}", stats->sent,
               stats->succeeded, stats->failed, stats->dead_lettered);
    if (stats->succeeded > 0) {
      last_push_ = clock_.Now();
    }
  }
  co_return stats;
}

Awaitable<void> SourceRunner::PushLoop() {
  while (!stopping_) {
    if (!push_wake_pending_) {
      co_await WaitOn(push_timer_, kPushRetryTick);
      if (stopping_) {
        break;
      }
    }
    push_wake_pending_ = false;
    (void)co_await PushOnceAndCount();
  }
}

Awaitable<Status> SourceRunner::PollUntilCaughtUp() {
  for (;;) {
    Result<bool> more = co_await PollOnePage();
    if (!more.ok()) {
      metrics_.Increment(metric::kPolls, {{"source", id()}, {"result", "error"}});
      last_error_ = more.status().ToString();
      log_->error("poll failed: {}", last_error_);
      co_return more.status();
    }
    metrics_.Increment(metric::kPolls, {{"source", id()}, {"result", "ok"}});
    last_error_.clear();
    if (!*more) {
      last_success_ = clock_.Now();
      metrics_.Set(metric::kLastSuccessfulPoll, {{"source", id()}}, UnixSeconds(*last_success_));
      co_return Status::Ok();
    }
  }
}

Awaitable<Result<PushStats>> SourceRunner::PushDue() {
  return PushOnceAndCount();
}

}  // namespace dealsync
