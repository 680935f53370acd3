// Notifier: the daemon's channel to its service manager (sd_notify). The
// systemd implementation is a no-op when $NOTIFY_SOCKET is unset (run by hand,
// tests); tests can record messages with RecordingNotifier.
// Thread-safety: Notify() may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dealsync {

class Notifier {
 public:
  Notifier() = default;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  virtual ~Notifier() = default;

  // `state` is one or more "KEY=value" lines ("READY=1\nSTATUS=...").
  virtual void Notify(const std::string& state) = 0;
  // How often to send WATCHDOG=1 (half of WATCHDOG_USEC), nullopt when the
  // service manager does not watch us.
  virtual std::optional<std::chrono::milliseconds> WatchdogPetInterval() = 0;
};

class SystemdNotifier final : public Notifier {
 public:
  void Notify(const std::string& state) override;
  std::optional<std::chrono::milliseconds> WatchdogPetInterval() override;
};

class RecordingNotifier final : public Notifier {
 public:
  void Notify(const std::string& state) override {
    std::lock_guard lock(mu_);
    messages_.push_back(state);
  }
  std::optional<std::chrono::milliseconds> WatchdogPetInterval() override { return watchdog_; }
  void set_watchdog(std::optional<std::chrono::milliseconds> w) { watchdog_ = w; }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
  std::optional<std::chrono::milliseconds> watchdog_;
};

}  // namespace dealsync
