#include "notify/wait_stage.h"

#include "notify/timer.h"

namespace am::notify {

void WaitStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  const std::chrono::nanoseconds wait = wait_ ? wait_() : std::chrono::nanoseconds::zero();
  if (wait <= std::chrono::nanoseconds::zero()) {
    done(Status::Ok(), std::move(alerts));
    return;
  }
  const std::chrono::nanoseconds remaining = ctx->Remaining();
  const bool outlasts_deadline = wait > remaining;
  auto self = std::static_pointer_cast<const WaitStage>(shared_from_this());
  CancellableSleep(
      ctx->executor, outlasts_deadline ? remaining : wait, ctx->CancelledFn(),
      [self, ctx, outlasts_deadline, alerts = std::move(alerts),
       done = std::move(done)](bool cancelled) mutable {
        if (cancelled) {
          done(Status::Error("context canceled", FailureReason::kContextCanceled), {});
          return;
        }
        if (outlasts_deadline) {
          done(Status::Error("context deadline exceeded", FailureReason::kContextDeadlineExceeded),
               {});
          return;
        }
        if (ctx->flush->snapshot) {
          const Time now = ctx->now();
          ctx->tick_alerts = std::move(alerts);
          alerts = ctx->flush->snapshot(now);
          for (const auto& f : self->refilters_) {
            alerts = f->Filter(std::move(alerts), now, /*count=*/false);
          }
        }
        done(Status::Ok(), std::move(alerts));
      });
}

}  // namespace am::notify
