// RetryStage: delivers through one integration, retrying with exponential backoff until it
// succeeds, a non-retryable error occurs, the flush deadline passes or the flush is cancelled
// (upstream RetryStage). A request already in flight is not aborted by a cancellation; it ends at
// the deadline at the latest.
// The first attempt is immediate; the backoff interval counts from the start of the previous
// attempt, as upstream's ticker does. With send_resolved false, resolved alerts are not sent and
// a flush with nothing firing succeeds without sending (so SetNotifiesStage records the
// resolution). Counts notifications_total / notifications_failed_total{reason} per flush and
// notification_requests_* / notification_latency_seconds per attempt.
// Immutable; thread-safe: each Exec has its own retry state.
#pragma once

#include <functional>
#include <string>

#include "notify/backoff.h"
#include "notify/integration.h"
#include "notify/metrics.h"
#include "notify/stage.h"

namespace am::notify {

class RetryStage final : public Stage {
 public:
  // `metrics` is not owned and may be nullptr. `random01` feeds the backoff jitter (tests).
  RetryStage(Integration integration, std::string group_name, Metrics* metrics,
             BackoffPolicy policy = {}, std::function<double()> random01 = nullptr)
      : integration_(std::move(integration)),
        group_name_(std::move(group_name)),
        metrics_(metrics),
        policy_(policy),
        random01_(std::move(random01)) {}

  // Passes its input alerts on after a successful delivery. Needs DedupStage's hashes when
  // send_resolved is false.
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

  const Integration& integration() const { return integration_; }

 private:
  struct Loop;
  void Attempt(std::shared_ptr<Loop> loop) const;
  void Canceled(std::shared_ptr<Loop> loop) const;

  Integration integration_;
  std::string group_name_;
  Metrics* metrics_;
  BackoffPolicy policy_;
  std::function<double()> random01_;
};

}  // namespace am::notify
