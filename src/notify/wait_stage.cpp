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
  if (wait > remaining) {
    AsyncSleep(ctx->executor, remaining, [done = std::move(done)] {
      done(Status::Error("context deadline exceeded", FailureReason::kContextDeadlineExceeded), {});
    });
    return;
  }
  auto self = std::static_pointer_cast<const WaitStage>(shared_from_this());
  AsyncSleep(ctx->executor, wait,
             [self, ctx, alerts = std::move(alerts), done = std::move(done)]() mutable {
               if (ctx->flush->snapshot) {
                 const Time now = ctx->now();
                 alerts = ctx->flush->snapshot(now);
                 for (const auto& f : self->refilters_) {
                   alerts = f->Filter(std::move(alerts), now, /*count=*/false);
                 }
               }
               done(Status::Ok(), std::move(alerts));
             });
}

}  // namespace am::notify
