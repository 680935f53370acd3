// Process metrics in the Prometheus client-library convention (process_*),
// read from the kernel at scrape time: constant cost, no store access.
#pragma once

#include <optional>

#include "src/daemon/metrics_registry.h"

namespace dealsync {

struct ProcessStats {
  double cpu_seconds = 0;       // user + system CPU time
  double resident_bytes = 0;    // resident set size
  double virtual_bytes = 0;     // virtual memory size
  double open_fds = 0;          // entries in /proc/self/fd
  double max_fds = 0;           // RLIMIT_NOFILE soft limit
};

// Reads /proc/self and getrusage/getrlimit; fields it cannot read stay 0.
ProcessStats ReadProcessStats();

// Declares process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds.
void DeclareProcessMetrics(MetricsRegistry& registry);
void ExportProcessMetrics(MetricsRegistry& registry, const ProcessStats& stats,
                          double start_time_unix_seconds);

}  // namespace dealsync
