#include "src/notify/notify.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace dealsync::notify {

std::string_view EventName(Event e) {
  switch (e) {
    case Event::kHeldConflict:
      return "held_conflict";
    case Event::kDeadLetter:
      return "dead_letter";
    case Event::kPartnerFailing:
      return "partner_failing";
    case Event::kDigest:
      return "digest";
  }
  return "unknown";
}

std::string Payload(const Notification& n, std::string_view format) {
  if (format == "slack") {
    // Slack (and Mattermost, Rocket.Chat, Teams' Slack-compatible hooks) read
    // "text"; *bold* is their markup. Their escaping rule: & < > only.
    std::string text = "*" + n.subject + "*";
    if (!n.text.empty()) {
      text += "\n" + n.text;
    }
    std::string escaped;
    for (char c : text) {
      switch (c) {
        case '&':
          escaped += "&amp;";
          break;
        case '<':
          escaped += "&lt;";
          break;
        case '>':
          escaped += "&gt;";
          break;
        default:
          escaped += c;
      }
    }
    return nlohmann::json{{"text", escaped}}.dump(-1, ' ', false,
                                                  nlohmann::json::error_handler_t::replace);
  }
  nlohmann::json j = {{"event", std::string(EventName(n.event))},
                      {"partner", n.partner},
                      {"subject", n.subject},
                      {"text", n.text},
                      {"id", n.item_id},
                      {"at", FormatTimestamp(n.at)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool Wants(const WebhookConfig& hook, const Notification& n) {
  const std::string_view name = EventName(n.event);
  if (std::find(hook.events.begin(), hook.events.end(), name) == hook.events.end()) {
    return false;
  }
  if (n.partner.empty() || hook.partners.empty()) {
    return true;
  }
  return std::find(hook.partners.begin(), hook.partners.end(), n.partner) != hook.partners.end();
}

bool Queue::Add(size_t webhook, std::string body, std::chrono::steady_clock::time_point now) {
  bool room = true;
  if (waiting_.size() + in_flight_.size() >= options_.max_queued && !waiting_.empty()) {
    // A webhook that is down for long must not grow memory without bound;
    // the oldest news is the least useful.
    waiting_.pop_front();
    ++dropped_;
    room = false;
  }
  waiting_.push_back(Delivery{next_id_++, webhook, std::move(body), 0, now});
  return room;
}

std::vector<Delivery> Queue::TakeDue(std::chrono::steady_clock::time_point now) {
  std::vector<Delivery> due;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->not_before <= now) {
      in_flight_.emplace(it->id, *it);
      due.push_back(std::move(*it));
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

Outcome Queue::Report(uint64_t id, bool ok, bool retryable,
                      std::chrono::steady_clock::time_point now,
                      std::optional<std::chrono::milliseconds> retry_after) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) {
    return Outcome::kGaveUp;
  }
  Delivery d = std::move(it->second);
  in_flight_.erase(it);
  if (ok) {
    return Outcome::kDelivered;
  }
  ++d.attempts;
  if (!retryable || d.attempts >= options_.max_attempts) {
    ++dropped_;
    return Outcome::kGaveUp;
  }
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int i = 1; i < d.attempts && backoff < options_.max_backoff; ++i) {
    backoff *= 2;
  }
  backoff = std::min(backoff, options_.max_backoff);
  if (retry_after && *retry_after > backoff) {
    backoff = std::min(*retry_after, options_.max_backoff);
  }
  d.not_before = now + backoff;
  waiting_.push_back(std::move(d));
  return Outcome::kRetrying;
}

std::optional<std::chrono::steady_clock::time_point> Queue::NextDue() const {
  std::optional<std::chrono::steady_clock::time_point> next;
  for (const Delivery& d : waiting_) {
    if (!next || d.not_before < *next) {
      next = d.not_before;
    }
  }
  return next;
}

std::vector<Notification> Detector::Fresh(std::set<std::string>& seen, bool& primed,
                                          const std::vector<Notification>& now) {
  std::vector<Notification> fresh;
  std::set<std::string> current;
  for (const Notification& n : now) {
    current.insert(n.item_id);
    if (primed && seen.count(n.item_id) == 0) {
      fresh.push_back(n);
    }
  }
  // Forget what is gone, so a conflict held again later is news again.
  seen = std::move(current);
  primed = true;
  return fresh;
}

std::vector<Notification> Detector::HeldConflicts(const std::vector<Notification>& held) {
  return Fresh(conflicts_seen_, conflicts_primed_, held);
}

std::vector<Notification> Detector::DeadLetters(const std::vector<Notification>& dead) {
  return Fresh(dead_seen_, dead_primed_, dead);
}

std::optional<Notification> Detector::PartnerHealth(const std::string& partner,
                                                    std::optional<Timestamp> failing_since,
                                                    std::chrono::milliseconds threshold,
                                                    Timestamp now, const std::string& last_error) {
  if (!failing_since) {
    failing_notified_.erase(partner);
    return std::nullopt;
  }
  if (now - *failing_since < threshold || failing_notified_.count(partner) != 0) {
    return std::nullopt;
  }
  failing_notified_.insert(partner);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(now - *failing_since);
  Notification n;
  n.event = Event::kPartnerFailing;
  n.partner = partner;
  n.item_id = partner;
  n.at = now;
  n.subject =
      "Partner " + partner + " has not synced for " + std::to_string(minutes.count()) + " min";
  n.text = "Failing since " + FormatTimestamp(*failing_since) +
           (last_error.empty() ? "" : ". Last error: " + last_error.substr(0, 500));
  return n;
}

}  // namespace dealsync::notify
