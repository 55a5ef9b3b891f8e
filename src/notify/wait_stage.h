// WaitStage: the HA failover delay (upstream WaitStage with clusterWait): a replica at peer
// position p waits p × --cluster.peer-timeout before its dedup check, so that position 0's
// notification-log entry usually reaches it first and it stays quiet.
//
// BEYOND UPSTREAM (documented in docs/ha.md): after a non-zero wait, the stage replaces the
// flush's alerts with a fresh snapshot of the group (FlushContext::snapshot), re-filtered through
// the inhibit and silence stages, and keeps the tick's alerts in ExecContext::tick_alerts.
// DedupStage then notifies only when BOTH states are unknown to the log (see dedup_stage.h).
// Upstream dedups and sends the tick's alerts only; with our immediate gossip of log entries a
// later replica then often sees position 0's "resolved" entry before its own check and sends
// the stale "firing" again. At position 0 (no wait) the alerts are the tick's, as upstream.
//
// Immutable; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "notify/mute_stage.h"
#include "notify/stage.h"

namespace am::notify {

class WaitStage final : public Stage {
 public:
  // `wait` is asked at every Exec (the position changes as peers join and leave).
  // `refilters` are applied, in order, to a fresh snapshot.
  WaitStage(std::function<std::chrono::nanoseconds()> wait,
            std::vector<std::shared_ptr<const MuteStage>> refilters)
      : wait_(std::move(wait)), refilters_(std::move(refilters)) {}

  // Fails with contextDeadlineExceeded, after the time left, when the wait outlasts the flush
  // deadline, and with contextCanceled as soon as the flush is cancelled (upstream returns
  // ctx.Err()).
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  std::function<std::chrono::nanoseconds()> wait_;
  std::vector<std::shared_ptr<const MuteStage>> refilters_;
};

}  // namespace am::notify
