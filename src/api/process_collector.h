// Process metrics with the names, types and help texts of client_golang's process collector
// (process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_virtual_memory_max_bytes, process_start_time_seconds, process_open_fds,
// process_max_fds), read from /proc/self on every Collect() so /metrics looks as upstream's.
// Linux only; a value that cannot be read is left out rather than reported wrong.
// Thread-safety: Collect() is const, keeps no state and may run concurrently.
#pragma once

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace am::api {

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace am::api
