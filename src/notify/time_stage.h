// TimeActiveStage and TimeMuteStage: drop a whole flush when its route is outside its
// active_time_intervals, or inside one of its mute_time_intervals (upstream's stages of the same
// names). Both judge the flush tick (FlushContext::now), not the time the stage runs, so every
// replica decides alike. Dropped alerts are counted in notifications_suppressed_total.
// Immutable; thread-safe as long as the TimeMuter is.
#pragma once

#include "notify/metrics.h"
#include "notify/stage.h"
#include "notify/time_muter.h"

namespace am::notify {

// The intervals are evaluated by `muter` when given (tests), else by dispatch/time_interval.h over
// the flush's own config (FlushContext::config), so a reload never mixes two configs. A flush
// without a config passes with a warning. Pointers are not owned; `metrics` may be nullptr.
class TimeActiveStage final : public Stage {
 public:
  TimeActiveStage(const TimeMuter* muter, Metrics* metrics) : muter_(muter), metrics_(metrics) {}
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  const TimeMuter* muter_;
  Metrics* metrics_;
};

class TimeMuteStage final : public Stage {
 public:
  TimeMuteStage(const TimeMuter* muter, Metrics* metrics) : muter_(muter), metrics_(metrics) {}
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  const TimeMuter* muter_;
  Metrics* metrics_;
};

}  // namespace am::notify
