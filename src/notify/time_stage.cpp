#include "notify/time_stage.h"

#include <prometheus/counter.h>

#include <stdexcept>

#include "core/log.h"

namespace am::notify {
namespace {

// Evaluates `names` at the flush tick; on an unknown name returns the error upstream returns.
Status InIntervals(const TimeMuter* muter, const std::vector<std::string>& names, Time tick,
                   bool* inside) {
  try {
    *inside = muter->InAnyInterval(names, tick);
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Error(e.what());
  }
}

void Suppress(Metrics* metrics, std::string_view reason, size_t n) {
  if (metrics) metrics->Suppressed(reason).Increment(static_cast<double>(n));
}

}  // namespace

void TimeActiveStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  const auto& names = ctx->flush->active_time_intervals;
  // No active intervals at all means always active.
  if (names.empty() || muter_ == nullptr) {
    if (!names.empty()) {
      AM_LOG(kWarn, "dispatcher", "Time intervals not evaluated: no time-interval source wired",
             {{"route", ctx->flush->route_id}});
    }
    done(Status::Ok(), std::move(alerts));
    return;
  }
  bool active = false;
  Status s = InIntervals(muter_, names, ctx->flush->now, &active);
  if (!s.ok) {
    done(std::move(s), {});
    return;
  }
  if (!active) {
    Suppress(metrics_, kSuppressedActiveTimeInterval, alerts.size());
    AM_LOG(kDebug, "dispatcher", "Notifications not sent, route is not within active time",
           {{"alerts", alerts.size()}});
    done(Status::Ok(), {});
    return;
  }
  done(Status::Ok(), std::move(alerts));
}

void TimeMuteStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  const auto& names = ctx->flush->mute_time_intervals;
  if (names.empty() || muter_ == nullptr) {
    if (!names.empty()) {
      AM_LOG(kWarn, "dispatcher", "Time intervals not evaluated: no time-interval source wired",
             {{"route", ctx->flush->route_id}});
    }
    done(Status::Ok(), std::move(alerts));
    return;
  }
  bool muted = false;
  Status s = InIntervals(muter_, names, ctx->flush->now, &muted);
  if (!s.ok) {
    done(std::move(s), {});
    return;
  }
  if (muted) {
    Suppress(metrics_, kSuppressedMuteTimeInterval, alerts.size());
    AM_LOG(kDebug, "dispatcher", "Notifications not sent, route is within mute time",
           {{"alerts", alerts.size()}});
    done(Status::Ok(), {});
    return;
  }
  done(Status::Ok(), std::move(alerts));
}

}  // namespace am::notify
