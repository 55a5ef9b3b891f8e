#include "dispatch/sum_count_summary.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

namespace am::dispatch {

std::vector<prometheus::MetricFamily> SumCountSummary::Collect() const {
  prometheus::MetricFamily fam;
  fam.name = name_;
  fam.help = help_;
  fam.type = prometheus::MetricType::Summary;
  prometheus::ClientMetric m;
  m.summary.sample_count = count_.load(std::memory_order_relaxed);
  m.summary.sample_sum = sum_.load(std::memory_order_relaxed);
  fam.metric.push_back(std::move(m));
  return {std::move(fam)};
}

}  // namespace am::dispatch
