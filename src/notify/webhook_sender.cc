#include "src/notify/webhook_sender.h"

#include <spdlog/spdlog.h>

namespace dealsync::notify {
namespace {

std::string HostOf(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    return "";
  }
  const size_t start = scheme + 3;
  const size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  // user:password@host is a secret too.
  const size_t at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

}  // namespace

Result<std::vector<Webhook>> ResolveWebhooks(const DaemonConfig& daemon) {
  std::vector<Webhook> hooks;
  for (const WebhookConfig& config : daemon.webhooks) {
    Result<std::string> url = ResolveCredential(config.url, daemon.credentials_dir);
    if (!url.ok()) {
      return url.status().Annotate("webhook \"" + config.name + "\" url");
    }
    std::string text = *url;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
      text.pop_back();
    }
    if (text.rfind("https://", 0) != 0 || HostOf(text).empty()) {
      return InvalidArgument("webhook \"" + config.name + "\": the URL in credential " +
                             config.url.Describe() + " must be https://host/...");
    }
    hooks.push_back(Webhook{config, text, HostOf(text)});
  }
  return hooks;
}

WebhookSender::WebhookSender(HttpTransport& http, Clock& clock, std::vector<Webhook> hooks,
                             QueueOptions options)
    : http_(http), clock_(clock), hooks_(std::move(hooks)), queue_(options) {}

size_t WebhookSender::Notify(const Notification& n) {
  size_t queued = 0;
  for (size_t i = 0; i < hooks_.size(); ++i) {
    if (!Wants(hooks_[i].config, n)) {
      continue;
    }
    if (!queue_.Add(i, Payload(n, hooks_[i].config.format), clock_.SteadyNow())) {
      spdlog::warn("notify: queue full; dropped the oldest waiting notification");
    }
    ++queued;
  }
  return queued;
}

Awaitable<void> WebhookSender::SendDue() {
  for (Delivery& d : queue_.TakeDue(clock_.SteadyNow())) {
    const Webhook& hook = hooks_[d.webhook];
    HttpRequest request;
    request.method = "POST";
    request.url = hook.url;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = std::move(d.body);
    request.timeout = std::chrono::seconds(15);
    Result<HttpResponse> r = co_await http_.Send(request);
    bool ok = false;
    bool retryable = true;
    std::optional<std::chrono::milliseconds> retry_after;
    std::string why;
    if (!r.ok()) {
      // The transport's message may quote the URL; only its code is logged.
      why = std::string(StatusCodeName(r.status().code()));
    } else {
      ok = r->ok();
      retryable = r->status == 408 || r->status == 429 || r->status >= 500;
      if (auto ra = r->header("Retry-After")) {
        retry_after = ParseRetryAfter(*ra);
      }
      why = "HTTP " + std::to_string(r->status);
    }
    // The queue kept its own copy of the body for a retry.
    const Outcome outcome = queue_.Report(d.id, ok, retryable, clock_.SteadyNow(), retry_after);
    switch (outcome) {
      case Outcome::kDelivered:
        ++delivered_;
        spdlog::debug("notify: webhook {} ({}): delivered", hook.config.name, hook.host);
        break;
      case Outcome::kRetrying:
        spdlog::warn("notify: webhook {} ({}): {} (attempt {}), will retry", hook.config.name,
                     hook.host, why, d.attempts + 1);
        break;
      case Outcome::kGaveUp:
        spdlog::error("notify: webhook {} ({}): {} (attempt {}), notification dropped",
                      hook.config.name, hook.host, why, d.attempts + 1);
        break;
    }
  }
}

}  // namespace dealsync::notify
