#include "notify/mute_stage.h"

#include <prometheus/counter.h>

#include "core/log.h"

namespace am::notify {

Alerts MuteStage::Filter(Alerts alerts, Time now, bool count) const {
  if (muter_ == nullptr) return alerts;
  Alerts kept;
  kept.reserve(alerts.size());
  size_t muted = 0;
  for (Alert& a : alerts) {
    if (muter_->MutedBy(a.labels, now).empty()) {
      kept.push_back(std::move(a));
    } else {
      ++muted;
    }
  }
  if (count && muted > 0) {
    if (metrics_) metrics_->Suppressed(reason_).Increment(static_cast<double>(muted));
    AM_LOG(kDebug, "dispatcher", "Notifications will not be sent for muted alerts",
           {{"alerts", muted}, {"reason", reason_}});
  }
  return kept;
}

void MuteStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  Alerts kept = Filter(std::move(alerts), ctx->now(), true);
  done(Status::Ok(), std::move(kept));
}

}  // namespace am::notify
