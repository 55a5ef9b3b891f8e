#include "notify/dedup_stage.h"

#include "core/log.h"

namespace am::notify {

void DedupStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  const Time now = ctx->now();
  std::vector<uint64_t> firing;
  std::vector<uint64_t> resolved;
  for (const Alert& a : alerts) {
    (a.ResolvedAt(now) ? resolved : firing).push_back(a.labels.XxHash());
  }
  const std::optional<nflog::Entry> entry = log_->Query(ctx->flush->group_key, receiver_);
  const nflog::NotifyReason reason =
      nflog::NeedsUpdate(firing, resolved, entry ? &*entry : nullptr, send_resolved_,
                         ctx->flush->repeat_interval, now);
  ctx->firing = std::move(firing);
  ctx->resolved = std::move(resolved);
  ctx->reason = reason;
  if (!nflog::ShouldNotify(reason)) {
    done(Status::Ok(), {});
    return;
  }
  AM_LOG(kDebug, "dispatcher", "Need to notify",
         {{"aggrGroup", ctx->flush->group_key},
          {"receiver", receiver_.group_name},
          {"integration", receiver_.integration},
          {"reason", std::string(nflog::ReasonString(reason))}});
  done(Status::Ok(), std::move(alerts));
}

}  // namespace am::notify
