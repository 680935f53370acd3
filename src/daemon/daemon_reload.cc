// Daemon: SIGHUP reload, gauges and STATUS=, and the AdminBackend methods.
#include <spdlog/spdlog.h>

#include <set>

#include "src/daemon/daemon.h"
#include "src/daemon/daemon_metrics.h"
#include "src/daemon/process_metrics.h"
#include "src/daemon/source_runner.h"

namespace dealsync {

ReloadVerdict Daemon::Reload() { return ReloadConfig("admin API"); }

ReloadVerdict Daemon::ReloadConfig(const char* trigger) {
  ReloadVerdict verdict;
  spdlog::info("{}: reloading configuration from {}", trigger, options_.config_dir);
  deps_.notifier.Notify("RELOADING=1\nSTATUS=reloading configuration");
  Result<LoadedConfig> loaded = Load(&verdict.errors);
  if (!loaded.ok()) {
    spdlog::error("reload rejected, keeping the running configuration: {}",
                  loaded.status().message());
    deps_.notifier.Notify(
        "READY=1\nSTATUS=reload rejected (see log); running the old configuration");
    verdict.errors.push_back(loaded.status().message());
    return verdict;
  }
  // Build every new or changed source before touching the running ones. A
  // source that cannot be built (or whose file no longer loads) is failed;
  // the others go ahead.
  std::map<std::string, std::shared_ptr<SourceRunner>> fresh;
  std::set<std::string> wanted;
  std::map<std::string, std::string> failed;
  LoadedConfig previous = std::move(*loaded_);
  loaded_ = std::move(*loaded);
  for (const FailedPartner& f : loaded_->failed_partners) {
    failed[f.id] = std::to_string(f.errors.size()) + " error(s) in " + f.file +
                   (f.errors.empty() ? "" : ", first: " + f.errors.front().ToString());
  }
  for (const auto& [id, fingerprint] : loaded_->fingerprints) {
    wanted.insert(id);
    auto old = previous.fingerprints.find(id);
    if (old != previous.fingerprints.end() && old->second == fingerprint && runners_.contains(id)) {
      continue;  // unchanged: keep polling without interruption
    }
    const SourceConfig* source = loaded_->config.FindSource(id);
    Result<std::shared_ptr<SourceRunner>> runner =
        source ? CreateRunner(*source) : Result<std::shared_ptr<SourceRunner>>(Internal("missing"));
    if (!runner.ok()) {
      failed[id] = runner.status().ToString();
      verdict.errors.push_back("source " + id + ": " + runner.status().ToString());
      continue;
    }
    fresh[id] = std::move(*runner);
  }
  if (previous.config.daemon.admin_listen != loaded_->config.daemon.admin_listen) {
    spdlog::warn("daemon.admin_listen changed to {}: takes effect at the next restart",
                 loaded_->config.daemon.admin_listen);
  }
  engine_->UpdateConfig(loaded_->config);
  ApplyLogLevel();
  // The admin server's users, sessions and routes stay as started (the
  // workspace holds them and signed-in people keep their sessions).
  if (previous.admin_token != loaded_->admin_token ||
      previous.config.daemon.admin_users.size() != loaded_->config.daemon.admin_users.size() ||
      previous.config.daemon.admin_allowed_hosts != loaded_->config.daemon.admin_allowed_hosts) {
    spdlog::warn("[admin] token, users or allowed_hosts changed: takes effect at the next restart");
  }

  // Removed and failed sources stop; changed ones stop and restart once the
  // old loops have exited (never two pollers for one cursor); new ones start now.
  for (auto it = runners_.begin(); it != runners_.end();) {
    const std::string id = it->first;
    const bool removed = !wanted.contains(id) && !failed.contains(id);
    if (removed || fresh.contains(id) || failed.contains(id)) {
      spdlog::info("source {}: {}", id,
                   removed                 ? "removed"
                   : failed.contains(id) ? "stopping (its new configuration failed)"
                                           : "configuration changed");
      it->second->Stop();
      retiring_.push_back(it->second);
      if (fresh.contains(id)) {
        waiting_[id] = fresh[id];
        fresh.erase(id);
      }
      it = runners_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [id, runner] : fresh) {
    metrics_.Set(metric::kSourceUp, {{"source", id}}, 1);
    if (waiting_.contains(id)) {
      waiting_[id] = runner;  // changed again before its restart: the newest wins
      continue;
    }
    spdlog::info("source {}: added", id);
    StartRunner(runner);
  }
  for (const auto& [id, reason] : failed_) {
    if (!failed.contains(id) && !wanted.contains(id)) {
      metrics_.RemoveSeries(metric::kSourceUp, "source", id);  // removed while failed
    }
  }
  failed_.clear();
  for (const auto& [id, reason] : failed) {
    waiting_.erase(id);
    MarkFailed(id, reason);
  }
  verdict.applied = true;
  verdict.summary = std::to_string(runners_.size()) + " sources running, " +
                    std::to_string(waiting_.size()) + " restarting, " +
                    std::to_string(failed_.size()) + " failed";
  spdlog::info("reload done: {}", verdict.summary);
  deps_.notifier.Notify("READY=1");
  ReportStatus();
  return verdict;
}

void Daemon::RefreshGauges() {
  ExportProcessMetrics(metrics_, ReadProcessStats(), started_at_);
  if (!engine_) {
    return;
  }
  if (Result<EngineCounters> c = engine_->Counters(); c.ok()) {
    metrics_.Set(metric::kOutboxDepth, static_cast<double>(c->outbox_depth));
    metrics_.Set(metric::kDeadLetters, static_cast<double>(c->dead_letters));
    metrics_.Set(metric::kConflicts, {{"status", "auto_resolved"}},
                 static_cast<double>(c->conflicts_auto_resolved));
    metrics_.Set(metric::kConflicts, {{"status", "held_for_review"}},
                 static_cast<double>(c->conflicts_held));
    metrics_.Set(metric::kConflicts, {{"status", "resolved_by_operator"}},
                 static_cast<double>(c->conflicts_resolved_by_operator));
    // Every configured source has its series (0 when it owns nothing).
    auto set_source_gauges = [&](const std::string& id) {
      const SourceCounters counts = c->Of(id);
      metrics_.Set(metric::kSourceHeldConflicts, {{"source", id}},
                   static_cast<double>(counts.conflicts_held));
      metrics_.Set(metric::kSourceQueuedPushes, {{"source", id}},
                   static_cast<double>(counts.outbox_depth));
      metrics_.Set(metric::kSourceDeadLetters, {{"source", id}},
                   static_cast<double>(counts.dead_letters));
      metrics_.Set(metric::kSourceLinks, {{"source", id}}, static_cast<double>(counts.links));
      metrics_.Set(metric::kSourceRejectedRecords, {{"source", id}},
                   static_cast<double>(counts.rejected_records));
    };
    for (const auto& [id, runner] : runners_) {
      set_source_gauges(id);
    }
    for (const auto& [id, reason] : failed_) {
      set_source_gauges(id);
    }
  } else {
    spdlog::warn("engine counters unavailable: {}", c.status().ToString());
  }
  metrics_.Set(metric::kJournalBytes,
               static_cast<double>(store_->ApproximateSize(Column::kJournal)));
  const StoreHealth store_health = store_->Health();
  if (store_health.free_bytes) {
    metrics_.Set(metric::kStoreFreeBytes, static_cast<double>(*store_health.free_bytes));
  }
  metrics_.Set(metric::kStoreWriteFailing, store_health.status.ok() ? 0 : 1);
  const Timestamp now = deps_.clock.Now();
  for (const auto& [id, runner] : runners_) {
    runner->ExportTransportCounters();
    const SourceHealth h = runner->Health();
    // Credentials the CRM rejects leave the source running (it retries at its
    // longest backoff) but not syncing: report it down until a poll succeeds.
    const bool auth_failed = h.last_error.starts_with("UNAUTHENTICATED") ||
                             h.last_error.starts_with("PERMISSION_DENIED");
    metrics_.Set(metric::kSourceUp, {{"source", id}}, auth_failed ? 0 : 1);
    if (h.last_successful_poll) {
      const double lag = std::chrono::duration<double>(now - *h.last_successful_poll).count();
      metrics_.Set(metric::kPollLag, {{"source", id}}, lag);
    }
    if (Result<SourceState> st = engine_->GetSourceState(id); st.ok() && st->watermark) {
      metrics_.Set(metric::kSourceWatermark, {{"source", id}},
                   static_cast<double>(EpochMs(*st->watermark)) / 1000.0);
    }
  }
}

void Daemon::ReportStatus() {
  RefreshGauges();
  DaemonSnapshot snapshot;
  snapshot.sources = runners_.size() + failed_.size();
  snapshot.failing_sources = failed_.size();
  snapshot.stopping = stopping_;
  for (const auto& [id, runner] : runners_) {
    snapshot.failing_sources += runner->failing() ? 1 : 0;
  }
  snapshot.pushes_queued = static_cast<uint64_t>(metrics_.Value(metric::kOutboxDepth));
  snapshot.conflicts_held =
      static_cast<uint64_t>(metrics_.Value(metric::kConflicts, {{"status", "held_for_review"}}));
  snapshot.dead_letters = static_cast<uint64_t>(metrics_.Value(metric::kDeadLetters));
  deps_.notifier.Notify("STATUS=" + StatusLine(snapshot));
}

std::vector<SourceHealth> Daemon::Sources() {
  std::vector<SourceHealth> out;
  for (const auto& [id, runner] : runners_) {
    out.push_back(runner->Health());
  }
  for (const auto& [id, reason] : failed_) {
    SourceHealth h;
    h.id = id;
    h.last_error = reason;
    h.failed = true;
    out.push_back(std::move(h));
  }
  return out;
}

std::string Daemon::RenderMetrics() {
  RefreshGauges();
  return metrics_.RenderText();
}

Result<std::vector<Link>> Daemon::ListLinks(std::string_view partner) {
  return engine_->ListLinks(partner);
}

Status Daemon::SetLink(std::string_view partner, std::string_view vendor_id,
                       std::string_view partner_id, std::string_view by) {
  Status s = engine_->SetLink(partner, vendor_id, partner_id, by);
  if (s.ok()) {
    spdlog::info("admin: link set by {}: partner={} vendor_id={} partner_id={}", by, partner,
                 vendor_id, partner_id);
    WakeAllPushers();
  }
  return s;
}

Status Daemon::BreakLink(std::string_view link_id, std::string_view by) {
  Status s = engine_->BreakLink(link_id, by);
  if (s.ok()) {
    spdlog::info("admin: link {} broken by {}", link_id, by);
  }
  return s;
}

Status Daemon::MarkNotSameDeal(std::string_view partner, std::string_view vendor_id,
                               std::string_view partner_id, std::string_view by) {
  Status s = engine_->MarkNotSameDeal(partner, vendor_id, partner_id, by);
  if (s.ok()) {
    spdlog::info("admin: {} and {} of partner {} marked as different deals by {}", vendor_id,
                 partner_id, partner, by);
    WakeAllPushers();  // either record may have been linked anew
  }
  return s;
}

Result<std::vector<Conflict>> Daemon::ListConflicts(const ConflictFilter& filter) {
  return engine_->ListConflicts(filter);
}

Result<Conflict> Daemon::GetConflict(std::string_view id) {
  return engine_->GetConflict(id);
}

Status Daemon::ResolveConflict(std::string_view id, const Resolution& resolution) {
  Status s = engine_->ResolveConflict(id, resolution);
  if (s.ok()) {
    spdlog::info("admin: conflict {} resolved by {}", id, resolution.resolved_by);
    WakeAllPushers();
  }
  return s;
}

}  // namespace dealsync
