// Review notifications for [[notify.webhooks]], sans-io: what happened
// (Notification), which webhooks want it (Route), the bytes each one is sent
// (generic JSON or a Slack-compatible {"text": ...}), and a delivery queue
// with exponential backoff driven by the caller's clock. Nothing here does
// I/O or reads the time itself, so every retry path runs in unit tests with a
// fake clock; src/notify/webhook_sender.* does the HTTP.
// Thread-safety: none; used from one executor.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/model.h"

namespace dealsync::notify {

enum class Event : uint8_t { kHeldConflict, kDeadLetter, kPartnerFailing, kDigest };
// "held_conflict", "dead_letter", "partner_failing", "digest" (as in the config).
std::string_view EventName(Event e);

struct Notification {
  Event event = Event::kHeldConflict;
  std::string partner;  // "" when no partner is concerned (a digest)
  std::string subject;  // one line for people: "Conflict held for review: Deal REG-1 (close_date)"
  std::string text;     // the details, a few lines
  std::string item_id;  // conflict id, dead letter id, or "" (for the JSON payload)
  Timestamp at{};
};

// The body a webhook of `format` ("json" or "slack") is sent.
std::string Payload(const Notification& n, std::string_view format);

// Whether `hook` wants `n`: its events name the event, and its partners (if
// any) include the notification's partner. A digest has no partner and goes
// to every webhook that asks for digests.
bool Wants(const WebhookConfig& hook, const Notification& n);

struct QueueOptions {
  int max_attempts = 8;  // then the delivery is dropped (and logged by the sender)
  std::chrono::milliseconds first_backoff{std::chrono::seconds(5)};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
  size_t max_queued = 1000;  // beyond this the oldest waiting delivery is dropped
};

struct Delivery {
  uint64_t id = 0;
  size_t webhook = 0;  // index into the configured webhooks
  std::string body;
  int attempts = 0;  // failed attempts so far
  std::chrono::steady_clock::time_point not_before{};
};

enum class Outcome : uint8_t { kDelivered, kRetrying, kGaveUp };

// Deliveries waiting to be sent. Take() hands out the due ones (they are then
// in flight until Report()); a failed retryable one comes back after
// first_backoff * 2^(attempts-1) (at most max_backoff, at least Retry-After).
class Queue {
 public:
  explicit Queue(QueueOptions options = {}) : options_(options) {}

  // Returns false (and drops the oldest waiting delivery) when the queue was full.
  bool Add(size_t webhook, std::string body, std::chrono::steady_clock::time_point now);
  std::vector<Delivery> TakeDue(std::chrono::steady_clock::time_point now);
  Outcome Report(uint64_t id, bool ok, bool retryable, std::chrono::steady_clock::time_point now,
                 std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  // When the next waiting delivery is due; nullopt when none waits.
  std::optional<std::chrono::steady_clock::time_point> NextDue() const;
  size_t waiting() const { return waiting_.size(); }
  size_t in_flight() const { return in_flight_.size(); }
  uint64_t dropped() const { return dropped_; }

 private:
  QueueOptions options_;
  uint64_t next_id_ = 1;
  uint64_t dropped_ = 0;
  std::deque<Delivery> waiting_;
  std::map<uint64_t, Delivery> in_flight_;
};

// Turns observations into notifications once each: a held conflict or a dead
// letter is notified the first time it is seen, and a partner once it has
// failed for longer than the shortest failing_after of the webhooks that want
// it (again only after it recovered). Items seen in the first observation of
// a kind after start are the backlog: they are remembered, not notified (a
// restart does not repeat what was sent before it).
class Detector {
 public:
  // Held conflicts now (id -> notification).
  std::vector<Notification> HeldConflicts(const std::vector<Notification>& held);
  std::vector<Notification> DeadLetters(const std::vector<Notification>& dead);
  // `failing_since`: when the partner's current run of failures began, or nullopt if healthy.
  std::optional<Notification> PartnerHealth(const std::string& partner,
                                            std::optional<Timestamp> failing_since,
                                            std::chrono::milliseconds threshold, Timestamp now,
                                            const std::string& last_error);

 private:
  std::vector<Notification> Fresh(std::set<std::string>& seen, bool& primed,
                                  const std::vector<Notification>& now);
  std::set<std::string> conflicts_seen_;
  std::set<std::string> dead_seen_;
  bool conflicts_primed_ = false;
  bool dead_primed_ = false;
  std::set<std::string> failing_notified_;
};

}  // namespace dealsync::notify
