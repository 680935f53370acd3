// The [store] table at work: the store's memory budget (StoreOptionsOf) and
// journal retention (keep_journal). Shortly after start and then every
// kRetentionEvery the daemon prunes entries older than the configured age, in
// batches of kPruneBatch with the loop free between them, so polls, pushes and
// the admin API keep their pace however much there is to prune.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "src/daemon/daemon.h"
#include "src/daemon/daemon_metrics.h"

namespace dealsync {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
constexpr milliseconds kRetentionFirst{60'000};
constexpr milliseconds kRetentionEvery{3'600'000};
constexpr size_t kPruneBatch = 2000;

// "365d", "12h", "90s": the largest whole unit, as the config spells it.
std::string KeepText(milliseconds keep) {
  const int64_t ms = keep.count();
  for (auto [unit, name] : {std::pair{int64_t{86'400'000}, "d"}, std::pair{int64_t{3'600'000}, "h"},
                            std::pair{int64_t{60'000}, "m"}, std::pair{int64_t{1000}, "s"}}) {
    if (ms % unit == 0) {
      return std::to_string(ms / unit) + name;
    }
  }
  return std::to_string(ms) + "ms";
}
}  // namespace

StoreOptions StoreOptionsOf(const StoreSettings& settings) {
  StoreOptions options;
  if (settings.block_cache_bytes) {
    options.block_cache_bytes = *settings.block_cache_bytes;
  }
  if (settings.memtable_bytes) {
    options.memtable_bytes = *settings.memtable_bytes;
  }
  return options;
}

Awaitable<JournalPruneStats> Daemon::PruneJournalNow() {
  JournalPruneStats total;
  const milliseconds keep = loaded_->config.daemon.store.keep_journal;
  if (keep.count() == 0 || engine_ == nullptr) {
    total.finished = true;
    co_return total;
  }
  const Timestamp cutoff = deps_.clock.Now() - keep;
  while (!stopping_) {
    Result<JournalPruneStats> pass = engine_->PruneJournal(cutoff, kPruneBatch);
    if (!pass.ok()) {
      spdlog::warn("journal: pruning entries older than {} failed: {}", KeepText(keep),
                   pass.status().ToString());
      break;
    }
    total.examined += pass->examined;
    total.deleted += pass->deleted;
    total.kept += pass->kept;
    metrics_.Increment(metric::kJournalPruned, {}, static_cast<double>(pass->deleted));
    if (pass->finished) {
      total.finished = true;
      break;
    }
    co_await asio::post(io_, asio::use_awaitable);  // let other work run between batches
  }
  if (total.deleted > 0) {
    spdlog::info(
        "journal: pruned {} entries recorded more than {} ago ({} kept: latest versions and "
        "evidence of open conflicts or refused records)",
        total.deleted, KeepText(keep), total.kept);
  }
  co_return total;
}

Awaitable<void> Daemon::RetentionLoop() {
  milliseconds wait = kRetentionFirst;
  while (!stopping_) {
    retention_timer_.expires_after(wait);
    boost::system::error_code ec;
    co_await retention_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) {
      break;
    }
    co_await PruneJournalNow();
    wait = kRetentionEvery;
  }
}

}  // namespace dealsync
