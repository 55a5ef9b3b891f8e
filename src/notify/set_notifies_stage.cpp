#include "notify/set_notifies_stage.h"

namespace am::notify {

void SetNotifiesStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  if (!ctx->firing) {
    done(Status::Error("firing alerts missing"), {});
    return;
  }
  if (!ctx->resolved) {
    done(Status::Error("resolved alerts missing"), {});
    return;
  }
  // Returns false only when a peer's newer entry is already stored; that is not a failure.
  log_->Record(receiver_, ctx->flush->group_key, *ctx->firing, *ctx->resolved,
               2 * ctx->flush->repeat_interval);
  done(Status::Ok(), std::move(alerts));
}

}  // namespace am::notify
