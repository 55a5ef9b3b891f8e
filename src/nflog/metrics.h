// The alertmanager_nflog_* metrics, with upstream's names, help texts and types. Registered once
// per Log in the registry it is given. prometheus-cpp metrics are thread-safe; the references
// point into the registry, which must outlive this object.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>

namespace am::nflog {

class Metrics {
 public:
  explicit Metrics(prometheus::Registry& registry);

  prometheus::Summary& gc_duration;
  prometheus::Summary& snapshot_duration;
  prometheus::Gauge& snapshot_size;
  prometheus::Counter& maintenance_total;
  prometheus::Counter& maintenance_errors_total;
  prometheus::Counter& queries_total;
  prometheus::Counter& query_errors_total;
  prometheus::Histogram& query_duration;
  prometheus::Counter& propagated_messages_total;
};

}  // namespace am::nflog
