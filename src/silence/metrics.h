// The alertmanager_silences_* metrics with upstream's names, help texts and types (0.25 set plus
// the 0.26 maintenance counters). Registered once per Store on the registry it is given, which
// must outlive this object. prometheus-cpp metrics are thread-safe. alertmanager_silences{state}
// is not here: it is computed at scrape time (Store::StateCollectable), as upstream's GaugeFunc.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>

namespace am::silence {

class Metrics {
 public:
  explicit Metrics(prometheus::Registry& registry);

  prometheus::Summary& gc_duration;
  prometheus::Summary& snapshot_duration;
  prometheus::Gauge& snapshot_size;
  prometheus::Counter& queries_total;
  prometheus::Counter& query_errors_total;
  prometheus::Histogram& query_duration;
  prometheus::Counter& propagated_messages_total;
  prometheus::Counter& maintenance_total;
  prometheus::Counter& maintenance_errors_total;
};

}  // namespace am::silence
