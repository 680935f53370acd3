// WebhookSender: delivers notifications to [[notify.webhooks]] over HTTPS
// (through an HttpTransport: the daemon's BeastHttpClient, so certificates and
// host names are verified), retried with backoff by notify::Queue. A webhook
// URL carries its secret (Slack's path is the key), so it is never logged or
// put in an error: messages name the webhook and its host only.
// Thread-safety: none; use from one executor.
#pragma once

#include <string>
#include <vector>

#include "dealsync/clock.h"
#include "dealsync/config.h"
#include "dealsync/http.h"
#include "src/notify/notify.h"

namespace dealsync::notify {

struct Webhook {
  WebhookConfig config;
  std::string url;   // from the credential; secret
  std::string host;  // for logs
};

// Reads every webhook's URL from its credential. Refuses plain http:// (the
// URL's secret would travel in clear) and URLs without a host; messages name
// the webhook, never the URL.
Result<std::vector<Webhook>> ResolveWebhooks(const DaemonConfig& daemon);

class WebhookSender {
 public:
  WebhookSender(HttpTransport& http, Clock& clock, std::vector<Webhook> hooks,
                QueueOptions options = {});

  // Queues `n` for every webhook that wants it; returns how many.
  size_t Notify(const Notification& n);
  // Sends every delivery that is due now, one after another, and records the
  // outcomes (retryable failures come back after their backoff).
  Awaitable<void> SendDue();
  // When SendDue next has something to do; nullopt when nothing waits.
  std::optional<std::chrono::steady_clock::time_point> NextDue() const { return queue_.NextDue(); }

  const Queue& queue() const { return queue_; }
  uint64_t delivered() const { return delivered_; }
  const std::vector<Webhook>& hooks() const { return hooks_; }

 private:
  HttpTransport& http_;
  Clock& clock_;
  std::vector<Webhook> hooks_;
  Queue queue_;
  uint64_t delivered_ = 0;
};

}  // namespace dealsync::notify
