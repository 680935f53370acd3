#include "src/daemon/source_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "src/daemon/daemon_metrics.h"

namespace dealsync {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

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
      push_timer_(executor),
      pass_gate_(executor),
      push_gate_(executor) {
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
  pass_gate_.cancel();
  push_gate_.cancel();
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
  if (std::optional<QuotaUsage> quota = ReportedQuota(*parts_.counters)) {
    metrics_.Set(metric::kApiQuotaUsed, {{"source", id()}}, static_cast<double>(quota->used));
    metrics_.Set(metric::kApiQuotaLimit, {{"source", id()}}, static_cast<double>(quota->limit));
  }
}

Status SourceRunner::Rewind(Timestamp since) {
  Result<std::string> cursor = parts_.connector->CursorAt(since);
  if (!cursor.ok()) {
    return cursor.status();
  }
  DEALSYNC_RETURN_IF_ERROR(engine_.ResetCursor(id(), *cursor, since));
  // A pass in flight continues from its page cursor; the next one starts at `since`.
  log_->warn("cursor rewound to {}", FormatTimestamp(since));
  return Status::Ok();
}

void SourceRunner::Reread(std::vector<std::string> native_ids, std::string by) {
  ++running_loops_;  // Stop() waits for it like for the loops
  auto self = shared_from_this();
  asio::co_spawn(executor_, RereadLoop(std::move(native_ids), std::move(by)),
                 [self](std::exception_ptr e) {
                   if (e) {
                     self->log_->critical("re-read ended by an exception");
                   }
                   self->LoopExited();
                 });
}

Awaitable<void> SourceRunner::RereadLoop(std::vector<std::string> native_ids, std::string by) {
  if (stopping_) {
    co_return;
  }
  const size_t asked = native_ids.size();
  Result<std::vector<Opportunity>> records = co_await parts_.connector->FetchByIds(native_ids);
  if (!records.ok()) {
    log_->warn("re-read of {} record(s) asked by {} failed: {}", asked, by,
               records.status().ToString());
    co_return;
  }
  // Asked for and not returned: the source no longer has them (404).
  std::vector<std::string> gone;
  for (const std::string& asked_id : native_ids) {
    if (std::none_of(records->begin(), records->end(),
                     [&](const Opportunity& o) { return o.native_id == asked_id; })) {
      gone.push_back(asked_id);
    }
  }
  if (!gone.empty()) {
    if (Status s = engine_.ForgetRejected(id(), gone); !s.ok()) {
      log_->warn("re-read asked by {}: {}", by, s.ToString());
      co_return;
    }
    log_->info("re-read asked by {}: {} record(s) no longer at the source, no longer listed as "
               "refused",
               by, gone.size());
  }
  FetchPage page;
  page.records = std::move(*records);
  // Loaded with no suspension before the ingest: a pass in flight keeps its place.
  Result<std::string> cursor = engine_.LoadCursor(id());
  if (!cursor.ok()) {
    log_->warn("re-read asked by {}: {}", by, cursor.status().ToString());
    co_return;
  }
  page.next_cursor = *cursor;
  Result<IngestStats> stats = engine_.IngestPage(id(), page);
  if (!stats.ok()) {
    log_->warn("re-read asked by {}: journaling failed: {}", by, stats.status().ToString());
    co_return;
  }
  for (const auto& [native_id, message] : stats->bounds_rejects) {
    log_->warn("record rejected: id={} reason={}", native_id, message);
  }
  log_->info("re-read asked by {}: {} of {} record(s) found, changes={} rejects={} conflicts={}",
             by, stats->records, asked, stats->changes_journaled, stats->rejects, stats->conflicts);
  if (stats->pushes_queued > 0 && hooks_.pushes_queued) {
    hooks_.pushes_queued();
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
  if (std::optional<QuotaUsage> quota = ReportedQuota(*parts_.counters)) {
    h.quota_used = quota->used;
    h.quota_limit = quota->limit;
  }
  return h;
}

Awaitable<void> SourceRunner::WaitWhile(asio::steady_timer& gate,
                                        const std::function<bool()>& blocked) {
  while (blocked() && !stopping_) {
    gate.expires_after(std::chrono::hours(1));  // woken by cancel() when unblocked
    boost::system::error_code ec;
    co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void SourceRunner::EndPass() {
  pass_in_flight_ = false;
  pass_cursors_.clear();
  push_gate_.cancel();
}

void SourceRunner::Redrive(const char* why) {
  Result<size_t> n = engine_.RedrivePushes(id());
  if (!n.ok()) {
    log_->warn("re-driving parked pushes failed: {}", n.status().ToString());
    return;
  }
  if (*n > 0) {
    log_->info("{}: re-driving {} parked pushes", why, *n);
  }
  WakePusher();
}

Status SourceRunner::PassFailed(const Status& error, const std::string& failed_cursor) {
  const bool past_first_page = failed_cursor != pass_anchor_;
  const std::string anchor = pass_anchor_;
  const size_t pages = pass_pages_;
  EndPass();
  if (!past_first_page) {
    return FirstPageFailed(error, anchor);
  }
  // Resuming later from the page cursor could skip records (pushes in between
  // reorder offset lists) or be refused (expired page cursors): start over.
  if (Status s = engine_.ResetCursor(id(), anchor); !s.ok()) {
    log_->error("restarting the list pass failed: {}", s.ToString());
    return error;
  }
  metrics_.Increment(metric::kPassRestarts, {{"source", id()}});
  const StatusCode code = error.code();
  const bool refused_page = code == StatusCode::kInvalidArgument ||
                            code == StatusCode::kFailedPrecondition ||
                            code == StatusCode::kDataLoss;
  // A refused page cursor ("400 invalid_cursor") or an odd body part way
  // through a pass: the documented remedy is to start the listing again, soon
  // -- not to wait the long backoff of an error that needs a person. Only a
  // few times in a row, so a partner that always refuses is not hammered.
  if (refused_page && quick_restarts_ < kQuickRestartsInARow) {
    ++quick_restarts_;
    log_->warn("list pass failed after {} pages ({}); restarting it from its start", pages,
               error.ToString());
    return Unavailable(error.message() + " (the list pass restarts from its start)");
  }
  log_->warn("list pass failed after {} pages; the next poll restarts it from its start", pages);
  return error;
}

Status SourceRunner::FirstPageFailed(const Status& error, const std::string& cursor) {
  const StatusCode code = error.code();
  // An odd body (a proxy's or a maintenance page, a truncated answer) or a
  // stored cursor the remote no longer accepts (an expired page token) is
  // retried soon, a few times in a row; anything else, or the same failure
  // again and again, waits the long backoff of an error that needs a person.
  if ((code != StatusCode::kDataLoss && code != StatusCode::kInvalidArgument) ||
      quick_restarts_ >= kQuickRestartsInARow) {
    return error;
  }
  ++quick_restarts_;
  if (code == StatusCode::kInvalidArgument && !cursor.empty()) {
    // The documented remedy for a refused cursor is to list again from a
    // point in time: the watermark (the connector adds its overlap), with
    // what was seen de-duplicated on ingest.
    Result<SourceState> state = engine_.GetSourceState(id());
    if (state.ok() && state->watermark) {
      Result<std::string> fresh = parts_.connector->CursorAt(*state->watermark);
      if (fresh.ok() && *fresh != cursor && engine_.ResetCursor(id(), *fresh).ok()) {
        metrics_.Increment(metric::kPassRestarts, {{"source", id()}});
        log_->warn("the stored cursor was refused ({}); listing again from the watermark {}",
                   error.ToString(), FormatTimestamp(*state->watermark));
        return Unavailable(error.message() + " (listing again from the watermark)");
      }
    }
  }
  log_->warn("the first page of a pass failed ({}); retrying soon", error.ToString());
  return Unavailable(error.message() + " (retried soon)");
}

Awaitable<Result<bool>> SourceRunner::PollOnePage() {
  last_failure_local_ = true;  // until the remote is reached: a store failure
  Result<std::string> cursor = engine_.LoadCursor(id());
  if (!cursor.ok()) {
    co_return cursor.status();
  }
  if (!pass_in_flight_) {
    // A new pass: wait for an in-flight push so no write lands between pages.
    co_await WaitWhile(pass_gate_, [this] { return push_in_flight_; });
    if (stopping_) {
      co_return Unavailable("stopping");
    }
    pass_in_flight_ = true;
    pass_anchor_ = *cursor;
    pass_cursors_ = {*cursor};
    pass_pages_ = 0;
  }
  last_failure_local_ = false;
  Result<FetchPage> page = co_await parts_.connector->FetchChanges(*cursor);
  if (!page.ok()) {
    co_return PassFailed(page.status(), *cursor);
  }
  ++pass_pages_;
  Status cycle = Status::Ok();
  if (page->has_more && !pass_cursors_.insert(page->next_cursor).second) {
    // Following it would never end; persisting it would poison the source.
    cycle = Unavailable("cursor cycle: after " + std::to_string(pass_pages_) +
                        " pages the remote returned a next-page cursor already seen in this "
                        "pass; the pass ends here and the next one starts where this one began");
    page->next_cursor = pass_anchor_;
    page->has_more = false;
  }
  Result<IngestStats> stats = engine_.IngestPage(id(), *page);
  if (!stats.ok()) {
    last_failure_local_ = true;
    co_return PassFailed(stats.status().Annotate("journaling the page"), *cursor);
  }
  metrics_.Increment(metric::kRecordsFetched, {{"source", id()}},
                     static_cast<double>(stats->records));
  metrics_.Increment(metric::kChangesJournaled, {{"source", id()}},
                     static_cast<double>(stats->changes_journaled));
  CountPage(metrics_, id(), PageCounts{stats->rejects, stats->conflicts});
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
  for (const auto& [native_id, message] : stats->bounds_rejects) {
    log_->warn("record rejected: id={} reason={}", native_id, message);
  }
  for (const auto& [native_id, message] : stats->warning_records) {
    log_->warn("record warning: id={} {}", native_id, message);
  }
  metrics_.Increment(metric::kRecordWarnings, {{"source", id()}},
                     static_cast<double>(stats->warnings));
  if (stats->pushes_queued > 0 && hooks_.pushes_queued) {
    hooks_.pushes_queued();
  }
  if (!cycle.ok()) {
    metrics_.Increment(metric::kPassRestarts, {{"source", id()}});
    EndPass();
    co_return cycle;
  }
  if (!page->has_more) {
    quick_restarts_ = 0;
    EndPass();
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
    const Timestamp started = clock_.Now();
    Result<bool> more = co_await PollOnePage();
    const Timestamp now = clock_.Now();
    ObservePoll(metrics_, id(), std::chrono::duration<double>(now - started).count());
    if (more.ok()) {
      metrics_.Increment(metric::kPolls, {{"source", id()}, {"result", "ok"}});
      if (!last_error_.empty()) {
        log_->info("poll recovered after {} failures", scheduler_.consecutive_failures());
        Redrive("source recovered");
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
      next = last_failure_local_ ? scheduler_.OnLocalFailure(more.status())
                                 : scheduler_.OnPollFailed(more.status());
      log_->warn("poll failed ({} in a row), next try in {}ms: {}",
                 scheduler_.consecutive_failures(), next.delay.count(), last_error_);
    }
  }
}

Awaitable<Result<PushStats>> SourceRunner::PushOnceAndCount() {
  // Never write while this source's list pass is between pages.
  co_await WaitWhile(push_gate_, [this] { return pass_in_flight_; });
  if (stopping_) {
    co_return PushStats{};
  }
  push_in_flight_ = true;
  const Timestamp started = clock_.Now();
  Result<PushStats> stats = co_await engine_.PushOnce(id(), *parts_.connector);
  const Timestamp finished = clock_.Now();
  push_in_flight_ = false;
  pass_gate_.cancel();
  CountPush(metrics_, id(),
            stats.ok() ? PushCounts{true, stats->succeeded, stats->dead_lettered,
                                    stats->write_back_delays_s}
                       : PushCounts{},
            std::chrono::duration<double>(finished - started).count(), UnixSeconds(finished));
  if (!stats.ok()) {
    log_->warn("push failed: {}", stats.status().ToString());
    metrics_.Increment(metric::kPushFailures, {{"target", id()}});
    co_return stats;
  }
  for (const auto& [native_id, reason] : stats->dead_lettered_records) {
    log_->warn("push dead-lettered: record={} reason={}", native_id, reason);
  }
  if (stats->sent > 0) {
    metrics_.Increment(metric::kPushes, {{"target", id()}, {"result", "ok"}},
                       static_cast<double>(stats->succeeded));
    metrics_.Increment(metric::kPushes, {{"target", id()}, {"result", "error"}},
                       static_cast<double>(stats->failed + stats->dead_lettered));
    metrics_.Increment(metric::kPushFailures, {{"target", id()}},
                       static_cast<double>(stats->failed + stats->dead_lettered));
    log_->info("pushed: sent={} succeeded={} failed={} dead_lettered={}", stats->sent,
               stats->succeeded, stats->failed, stats->dead_lettered);
    if (stats->succeeded > 0) {
      last_push_ = clock_.Now();
    }
    if (stats->succeeded == 0 && stats->failed > 0) {
      pushes_failing_ = true;
    } else if (stats->succeeded > 0 && pushes_failing_) {
      pushes_failing_ = false;
      Redrive("target accepts pushes again");
    }
  }
  co_return stats;
}

Awaitable<void> SourceRunner::PushLoop() {
  while (!stopping_) {
    if (!push_wake_pending_) {
      co_await WaitOn(push_timer_, push_retry_tick_);
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
    if (!last_error_.empty()) {
      Redrive("source recovered");
    }
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
