#include "notify/settle_stage.h"

#include "notify/timer.h"

namespace am::notify {

void GossipSettleStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts,
                             StageDone done) const {
  if (peer_ == nullptr) {
    done(Status::Ok(), std::move(alerts));
    return;
  }
  auto wait = TimedWait::Start(
      ctx->executor, ctx->Remaining(), ctx->CancelledFn(),
      [alerts = std::move(alerts), done = std::move(done)](TimedWait::Outcome o) mutable {
        switch (o) {
          case TimedWait::Outcome::kFired:
            done(Status::Ok(), std::move(alerts));
            return;
          case TimedWait::Outcome::kTimedOut:
            done(
                Status::Error("context deadline exceeded", FailureReason::kContextDeadlineExceeded),
                {});
            return;
          case TimedWait::Outcome::kCancelled:
            done(Status::Error("context canceled", FailureReason::kContextCanceled), {});
            return;
        }
      });
  peer_->WaitReady([wait] { wait->Fire(); });
}

}  // namespace am::notify
