// Helpers for end-to-end tests that run real binaries: start a process with
// its output in a log file, signal it, wait for its exit with a deadline, and
// small HTTP/file helpers. Waiting polls with short sleeps: these tests drive
// real processes over real sockets, where there is no fake clock to advance.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dealsync::e2e {

class Process {
 public:
  Process() = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();  // SIGKILLs a process still running

  // fork + exec `argv[0]` with stdout and stderr appended to `log_path`.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path);
  void Signal(int sig) const;
  // The exit status once it exits within `timeout` (128 + signal if killed).
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
// Runs a shell command; returns its exit status, output in `output`.
int RunCommand(const std::string& command, std::string* output);
// A TCP port that was free a moment ago on 127.0.0.1.
int FreeLoopbackPort();

}  // namespace dealsync::e2e
