#include "src/daemon/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace dealsync {

namespace {
constexpr std::string_view kCpu = "process_cpu_seconds_total";
constexpr std::string_view kResident = "process_resident_memory_bytes";
constexpr std::string_view kVirtual = "process_virtual_memory_bytes";
constexpr std::string_view kOpenFds = "process_open_fds";
constexpr std::string_view kMaxFds = "process_max_fds";
constexpr std::string_view kStartTime = "process_start_time_seconds";
}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats s;
  struct rusage usage {};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    s.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  std::ifstream statm("/proc/self/statm");
  double pages_total = 0;
  double pages_resident = 0;
  if (statm >> pages_total >> pages_resident) {
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    s.virtual_bytes = pages_total * page;
    s.resident_bytes = pages_resident * page;
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  s.open_fds = fds;
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    s.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return s;
}

void DeclareProcessMetrics(MetricsRegistry& r) {
  r.Declare(kCpu, MetricType::kCounter, "Total user and system CPU time spent in seconds.");
  r.Declare(kResident, MetricType::kGauge, "Resident memory size in bytes.");
  r.Declare(kVirtual, MetricType::kGauge, "Virtual memory size in bytes.");
  r.Declare(kOpenFds, MetricType::kGauge, "Number of open file descriptors.");
  r.Declare(kMaxFds, MetricType::kGauge, "Maximum number of open file descriptors.");
  r.Declare(kStartTime, MetricType::kGauge,
            "Start time of the process since unix epoch in seconds.");
}

void ExportProcessMetrics(MetricsRegistry& r, const ProcessStats& s,
                          double start_time_unix_seconds) {
  const double cpu_delta = s.cpu_seconds - r.Value(kCpu);
  r.Increment(kCpu, {}, cpu_delta > 0 ? cpu_delta : 0);
  r.Set(kResident, s.resident_bytes);
  r.Set(kVirtual, s.virtual_bytes);
  r.Set(kOpenFds, s.open_fds);
  r.Set(kMaxFds, s.max_fds);
  r.Set(kStartTime, start_time_unix_seconds);
}

}  // namespace dealsync
