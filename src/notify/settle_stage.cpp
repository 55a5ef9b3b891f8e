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
      ctx->executor, ctx->Remaining(),
      [alerts = std::move(alerts), done = std::move(done)](bool ready) mutable {
        if (ready) {
          done(Status::Ok(), std::move(alerts));
        } else {
          done(Status::Error("context deadline exceeded", FailureReason::kContextDeadlineExceeded),
               {});
        }
      });
  peer_->WaitReady([wait] { wait->Fire(); });
}

}  // namespace am::notify
