// Review notifications: every kNotifyEvery the daemon reads what a channel
// manager should hear about (conflicts held for review, dead letters, partners
// failing for longer than a webhook's failing_after) from the engine and the
// sources' health, lets notify::Detector pick what is new, and hands that to
// the WebhookSender. Observing the store instead of hooking every code path
// that holds a conflict or dead-letters a push sees every cause the same way
// (ingest, reload, an operator's action), at the cost of up to kNotifyEvery
// of delay.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "src/daemon/daemon.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dealsync {
namespace {

constexpr std::chrono::seconds kNotifyEvery{10};

std::string Clip(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

}  // namespace

Status Daemon::StartNotifications() {
  const DaemonConfig& d = loaded_->config.daemon;
  if (d.webhooks.empty()) {
    return Status::Ok();
  }
  Result<std::vector<notify::Webhook>> hooks = notify::ResolveWebhooks(d);
  if (!hooks.ok()) {
    return hooks.status().Annotate("[[notify.webhooks]]");
  }
  // System CAs, certificates and host names verified: a webhook is a third party.
  // HTTPS_PROXY / NO_PROXY apply as they do to every source without its own proxy.
  Result<std::unique_ptr<HttpTransport>> http =
      deps_.make_http_client(io_.get_executor(), ConnectionConfig{}, d.credentials_dir);
  if (!http.ok()) {
    return http.status().Annotate("[[notify.webhooks]] HTTP client");
  }
  notify_http_ = std::move(*http);
  for (const notify::Webhook& h : *hooks) {
    spdlog::info("notify: webhook {} ({}, {} format)", h.config.name, h.host, h.config.format);
  }
  notify_ = std::make_unique<notify::WebhookSender>(*notify_http_, deps_.clock, std::move(*hooks));
  notify_started_ = deps_.clock.Now();
  return Status::Ok();
}

void Daemon::ObserveForNotifications() {
  const Timestamp now = deps_.clock.Now();
  ConflictFilter held_filter;
  held_filter.status = ConflictStatus::kHeldForReview;
  if (Result<std::vector<Conflict>> held = engine_->ListConflicts(held_filter); held.ok()) {
    std::vector<notify::Notification> found;
    for (const Conflict& c : *held) {
      notify::Notification n;
      n.event = notify::Event::kHeldConflict;
      n.partner = c.partner;
      n.item_id = c.id;
      n.at = c.detected_at;
      n.subject = "Conflict held for review: " + c.deal_name + " (" +
                  std::string(FieldName(c.field)) + ", partner " + c.partner + ")";
      n.text = "Vendor: " + (c.vendor.value.empty() ? "(empty)" : c.vendor.value) + "; partner: " +
               (c.partner_change.value.empty() ? "(empty)" : c.partner_change.value) + ". " +
               Clip(c.explanation, 400) + "\nSettle: dealsyncctl conflicts resolve " + c.id +
               " --take vendor|partner --by NAME --reason WHY";
      found.push_back(std::move(n));
    }
    for (const notify::Notification& n : notify_detector_.HeldConflicts(found)) {
      notify_->Notify(n);
    }
  }
  if (Result<std::vector<OutboxEntry>> dead = engine_->DeadLetters(""); dead.ok()) {
    std::vector<notify::Notification> found;
    for (const OutboxEntry& e : *dead) {
      notify::Notification n;
      n.event = notify::Event::kDeadLetter;
      n.partner = e.link_id.substr(0, e.link_id.find('/'));
      n.item_id = e.target + "/" + e.update.native_id;
      n.at = now;
      n.subject = "Push to " + e.target + " gave up after " + std::to_string(e.attempts) +
                  " attempts: " + n.item_id;
      n.text = Clip(e.last_error, 500) + "\nOnce fixed: dealsyncctl deadletters retry " + n.item_id;
      found.push_back(std::move(n));
    }
    for (const notify::Notification& n : notify_detector_.DeadLetters(found)) {
      notify_->Notify(n);
    }
  }
  for (const SourceHealth& h : Sources()) {
    // The shortest threshold among the webhooks that want this partner's failures.
    std::optional<std::chrono::milliseconds> threshold;
    notify::Notification probe;
    probe.event = notify::Event::kPartnerFailing;
    probe.partner = h.id;
    for (const notify::Webhook& w : notify_->hooks()) {
      if (notify::Wants(w.config, probe)) {
        threshold = std::min(threshold.value_or(w.config.failing_after), w.config.failing_after);
      }
    }
    if (!threshold) {
      continue;
    }
    std::optional<Timestamp> since;
    if (h.failed || !h.last_error.empty()) {
      since = h.last_successful_poll.value_or(notify_started_);
    }
    if (auto n = notify_detector_.PartnerHealth(h.id, since, *threshold, now, h.last_error)) {
      notify_->Notify(*n);
    }
  }
}

Awaitable<void> Daemon::NotifyLoop() {
  while (!stopping_) {
    ObserveForNotifications();
    co_await notify_->SendDue();
    notify_timer_.expires_after(kNotifyEvery);
    boost::system::error_code ec;
    co_await notify_timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

}  // namespace dealsync
