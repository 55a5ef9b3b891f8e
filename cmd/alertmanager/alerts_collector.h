// alertmanager_alerts{state="active"|"suppressed"|"unprocessed"}: alerts in the store that are not
// resolved, by the state the API would report for them. Computed at scrape time from the backend,
// so it needs no bookkeeping on the ingest path. Thread-safe (the backend is).
#pragma once

#include <prometheus/collectable.h>

#include "api/backend.h"

namespace am::cmd {

class AlertsCollector final : public prometheus::Collectable {
 public:
  explicit AlertsCollector(const api::Backend& backend) : backend_(backend) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const api::Backend& backend_;
};

}  // namespace am::cmd
