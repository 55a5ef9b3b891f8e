#include "notify/retry_stage.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <optional>

#include "core/log.h"
#include "notify/timer.h"

namespace am::notify {

struct RetryStage::Loop {
  std::shared_ptr<ExecContext> ctx;
  Alerts alerts;  // passed on after success
  Alerts sent;    // what is delivered
  StageDone done;
  ExponentialBackoff backoff;
  int attempts = 0;
  // The last error seen while the deadline had not passed (upstream's iErr).
  std::optional<NotifyResult> last_error;
};

void RetryStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  if (metrics_) metrics_->Notifications(integration_.name).Increment();
  Alerts sent;
  if (!integration_.send_resolved) {
    if (!ctx->firing) {
      if (metrics_)
        metrics_->NotificationsFailed(integration_.name, FailureReason::kOther).Increment();
      done(Status::Error("firing alerts missing"), {});
      return;
    }
    if (ctx->firing->empty()) {
      done(Status::Ok(), std::move(alerts));
      return;
    }
    const Time now = ctx->now();
    for (const Alert& a : alerts) {
      if (!a.ResolvedAt(now)) sent.push_back(a);
    }
  } else {
    sent = alerts;
  }
  auto loop = std::make_shared<Loop>(Loop{std::move(ctx), std::move(alerts), std::move(sent),
                                          std::move(done), ExponentialBackoff(policy_, random01_),
                                          0, std::nullopt});
  Attempt(std::move(loop));
}

void RetryStage::Attempt(std::shared_ptr<Loop> loop) const {
  ++loop->attempts;
  // Always check the context first, so that an expired or cancelled flush never notifies again.
  if (loop->ctx->Cancelled() || loop->ctx->Expired()) {
    Canceled(std::move(loop));
    return;
  }
  auto self = std::static_pointer_cast<const RetryStage>(shared_from_this());
  const auto start = std::chrono::steady_clock::now();
  integration_.notifier->Notify(loop->ctx, loop->sent, [self, loop, start](NotifyResult r) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const std::string& name = self->integration_.name;
    if (self->metrics_) {
      self->metrics_->Latency(name).Observe(std::chrono::duration<double>(elapsed).count());
      self->metrics_->Requests(name).Increment();
    }
    if (r.ok) {
      if (loop->attempts > 1) {
        AM_LOG(kInfo, "dispatcher", "Notify success",
               {{"receiver", self->group_name_},
                {"integration", self->integration_.String()},
                {"attempts", loop->attempts}});
      } else {
        AM_LOG(kDebug, "dispatcher", "Notify success",
               {{"receiver", self->group_name_},
                {"integration", self->integration_.String()},
                {"attempts", loop->attempts}});
      }
      loop->done(Status::Ok(), std::move(loop->alerts));
      return;
    }
    if (self->metrics_) self->metrics_->RequestsFailed(name).Increment();
    if (!r.retry) {
      if (self->metrics_) self->metrics_->NotificationsFailed(name, r.reason).Increment();
      loop->done(Status::Error(self->group_name_ + "/" + self->integration_.String() +
                                   ": notify retry canceled due to unrecoverable error after " +
                                   std::to_string(loop->attempts) + " attempts: " + r.error,
                               r.reason),
                 {});
      return;
    }
    if (!loop->ctx->Expired() && !loop->ctx->Cancelled()) {
      if (!loop->last_error || loop->last_error->error != r.error) {
        AM_LOG(kWarn, "dispatcher", "Notify attempt failed, will retry later",
               {{"receiver", self->group_name_},
                {"integration", self->integration_.String()},
                {"attempts", loop->attempts},
                {"err", r.error}});
      }
      loop->last_error = std::move(r);
    }
    auto wait =
        loop->backoff.Next() - std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed);
    if (wait < std::chrono::nanoseconds::zero()) wait = std::chrono::nanoseconds::zero();
    const auto remaining = loop->ctx->Remaining();
    if (wait >= remaining) {
      // The deadline comes first: upstream's loop increments its counter and then sees ctx.Done.
      CancellableSleep(loop->ctx->executor, remaining, loop->ctx->CancelledFn(),
                       [self, loop](bool) {
                         ++loop->attempts;
                         self->Canceled(loop);
                       });
      return;
    }
    CancellableSleep(loop->ctx->executor, wait, loop->ctx->CancelledFn(),
                     [self, loop](bool cancelled) {
                       if (cancelled) {
                         ++loop->attempts;
                         self->Canceled(loop);
                         return;
                       }
                       self->Attempt(loop);
                     });
  });
}

void RetryStage::Canceled(std::shared_ptr<Loop> loop) const {
  // Upstream reports the last error an attempt returned, else the context's own error.
  const bool cancelled = loop->ctx->Cancelled();
  FailureReason reason =
      cancelled ? FailureReason::kContextCanceled : FailureReason::kContextDeadlineExceeded;
  std::string err = cancelled ? "context canceled" : "context deadline exceeded";
  if (loop->last_error) {
    reason = loop->last_error->reason;
    err = loop->last_error->error;
  }
  if (metrics_) metrics_->NotificationsFailed(integration_.name, reason).Increment();
  loop->done(
      Status::Error(group_name_ + "/" + integration_.String() + ": notify retry canceled after " +
                        std::to_string(loop->attempts) + " attempts: " + err,
                    reason),
      {});
}

}  // namespace am::notify
