// WaitStage: the HA failover delay (upstream WaitStage with clusterWait): a replica at peer
// position p waits p × --cluster.peer-timeout before its dedup check, so that position 0's
// notification-log entry usually reaches it first and it stays quiet.
//
// BEYOND UPSTREAM (documented in docs): after a non-zero wait, the stage replaces the flush's
// alerts with a fresh snapshot of the group (FlushContext::snapshot), re-filtered through the
// inhibit and silence stages, so the dedup check and the notification reflect the group as it is
// now. Upstream sends the alerts as they were at the tick, so with position × peer_timeout >
// group_interval a stale "firing" can follow the "resolved" another replica already sent. At
// position 0 (no wait) the alerts are the tick's, exactly as upstream.
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
