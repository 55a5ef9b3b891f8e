// SumCountSummary: a Prometheus summary with no quantiles, i.e. only `<name>_sum` and
// `<name>_count`, which is all a Go client Summary without objectives exposes (0.25's
// alertmanager_dispatcher_alert_processing_duration_seconds). prometheus-cpp's Summary feeds a
// CKMS estimator on every observation even with no quantiles: 14 % of the daemon's CPU under
// ingest load (perf, bench/ingest). This one is two atomics.
// Thread-safe: Observe and Collect from any thread. Served on /metrics as an extra collectable
// (api::Api::AddCollectable), not through the Registry, which only holds its own metric types.
#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace am::dispatch {

class SumCountSummary final : public prometheus::Collectable {
 public:
  SumCountSummary(std::string name, std::string help)
      : name_(std::move(name)), help_(std::move(help)) {}

  void Observe(double v) {
    sum_.fetch_add(v, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
  }

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name_;
  std::string help_;
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

}  // namespace am::dispatch
