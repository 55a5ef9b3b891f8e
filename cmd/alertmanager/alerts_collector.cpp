#include "alerts_collector.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <string>

namespace am::cmd {

std::vector<prometheus::MetricFamily> AlertsCollector::Collect() const {
  double active = 0, suppressed = 0, unprocessed = 0;
  Time now = Now();
  for (const auto& a : backend_.Alerts()) {
    if (a->ResolvedAt(now)) continue;
    std::string_view st = backend_.Status(*a).state;
    if (st == "suppressed") {
      ++suppressed;
    } else if (st == "unprocessed") {
      ++unprocessed;
    } else {
      ++active;
    }
  }
  prometheus::MetricFamily fam;
  fam.name = "alertmanager_alerts";
  fam.help = "How many alerts by state.";
  fam.type = prometheus::MetricType::Gauge;
  for (auto [state, value] : {std::pair<const char*, double>{"active", active},
                              {"suppressed", suppressed},
                              {"unprocessed", unprocessed}}) {
    prometheus::ClientMetric m;
    m.label.push_back({"state", state});
    m.gauge.value = value;
    fam.metric.push_back(std::move(m));
  }
  return {std::move(fam)};
}

}  // namespace am::cmd
