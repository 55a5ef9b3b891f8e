#include "notify/time_stage.h"

#include <prometheus/counter.h>

#include <stdexcept>

#include "core/log.h"
#include "dispatch/time_interval.h"

namespace am::notify {
namespace {

// Evaluates `names` at the flush tick with the injected TimeMuter, else with dispatch's
// evaluation over the flush's config; on an unknown name returns the error upstream returns.
// `*evaluated` is false when neither is available.
Status InIntervals(const TimeMuter* muter, const ExecContext& ctx,
                   const std::vector<std::string>& names, bool* inside, bool* evaluated) {
  *evaluated = true;
  try {
    if (muter != nullptr) {
      *inside = muter->InAnyInterval(names, ctx.flush->now);
    } else if (ctx.flush->config) {
      *inside = dispatch::InTimeIntervals(*ctx.flush->config, names, ctx.flush->now);
    } else {
      *evaluated = false;
    }
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
  if (names.empty()) {
    done(Status::Ok(), std::move(alerts));
    return;
  }
  bool active = false;
  bool evaluated = false;
  Status s = InIntervals(muter_, *ctx, names, &active, &evaluated);
  if (!s.ok) {
    done(std::move(s), {});
    return;
  }
  if (!evaluated) {
    AM_LOG(kWarn, "dispatcher", "Time intervals not evaluated: flush without a config",
           {{"route", ctx->flush->route_id}});
    done(Status::Ok(), std::move(alerts));
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
  if (names.empty()) {
    done(Status::Ok(), std::move(alerts));
    return;
  }
  bool muted = false;
  bool evaluated = false;
  Status s = InIntervals(muter_, *ctx, names, &muted, &evaluated);
  if (!s.ok) {
    done(std::move(s), {});
    return;
  }
  if (!evaluated) {
    AM_LOG(kWarn, "dispatcher", "Time intervals not evaluated: flush without a config",
           {{"route", ctx->flush->route_id}});
    done(Status::Ok(), std::move(alerts));
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
