// PushOnce: the one coroutine of the engine. Sends due outbox entries in
// batches of the connector's size and records each batch's outcome before the
// next, so a crash repeats at most one (idempotent) batch.
#include "dealsync/clock.h"
#include "dealsync/engine.h"
#include "src/engine/engine_impl.h"

namespace dealsync {

Awaitable<Result<PushStats>> SyncEngine::PushOnce(std::string_view target_view,
                                                  Connector& connector) {
  const std::string target(target_view);  // the caller's view may not outlive a suspension
  PushStats total;
  const size_t batch = std::max<size_t>(1, connector.capabilities().max_batch_size);
  // Every round removes or defers (backoff) every entry it sends; the bound is
  // a guard against a connector that reports success without effect.
  for (int round = 0; round < 10'000; ++round) {
    Result<std::vector<OutboxEntry>> due = impl_->DuePushes(target, batch, impl_->clock.Now());
    if (!due.ok()) {
      co_return due.status();
    }
    if (due->empty()) {
      break;
    }
    std::vector<RecordUpdate> updates;
    for (const OutboxEntry& e : *due) {
      updates.push_back(e.update);
    }
    Result<std::vector<UpdateOutcome>> sent = co_await connector.Update(std::move(updates));
    Status batch_error = sent.status();
    std::vector<UpdateOutcome> outcomes;
    if (sent.ok()) {
      outcomes = std::move(*sent);
      if (outcomes.size() != due->size()) {
        batch_error = Internal("connector returned " + std::to_string(outcomes.size()) +
                               " outcomes for " + std::to_string(due->size()) + " updates");
        outcomes.clear();
      }
    }
    Result<PushStats> stats = impl_->RecordPushResults(target, *due, outcomes, batch_error);
    if (!stats.ok()) {
      co_return stats.status();
    }
    total.sent += stats->sent;
    total.succeeded += stats->succeeded;
    total.failed += stats->failed;
    total.dead_lettered += stats->dead_lettered;
    for (auto& record : stats->dead_lettered_records) {
      total.dead_lettered_records.push_back(std::move(record));
    }
    total.write_back_delays_s.insert(total.write_back_delays_s.end(),
                                     stats->write_back_delays_s.begin(),
                                     stats->write_back_delays_s.end());
  }
  co_return total;
}

}  // namespace dealsync
