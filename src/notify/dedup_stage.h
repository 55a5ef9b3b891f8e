// DedupStage: decides, against the notification log, whether this integration must be notified
// about the group's alerts now (upstream DedupStage; the decision itself is nflog::NeedsUpdate).
// Records the firing and resolved alert hashes in the ExecContext for RetryStage and
// SetNotifiesStage. Immutable; thread-safe (nflog::Log is).
//
// BEYOND UPSTREAM: when the wait stage left the tick's alerts in ExecContext::tick_alerts (a
// replica past position 0), a notification needs both the tick's state and the current state to
// be unknown to the log. The tick's state already logged means an earlier replica sent it and
// any change since belongs to the next tick (upstream's rule: no duplicate when the group changed
// during the wait). The current state already logged means the receiver knows it (no stale
// "firing" after another replica's "resolved"). Neither case loses a change: the next tick sees
// it. What is sent is the current state.
#pragma once

#include "nflog/entry.h"
#include "nflog/nflog.h"
#include "notify/stage.h"

namespace am::notify {

class DedupStage final : public Stage {
 public:
  // `log` is not owned and must outlive every flush.
  DedupStage(nflog::Log* log, nflog::Receiver receiver, bool send_resolved)
      : log_(log), receiver_(std::move(receiver)), send_resolved_(send_resolved) {}

  // Passes every alert on when a notification is needed, none otherwise.
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  nflog::Log* log_;
  nflog::Receiver receiver_;
  bool send_resolved_;
};

}  // namespace am::notify
