#include "notify/dedup_stage.h"

#include "core/log.h"

namespace am::notify {

namespace {

void Split(const Alerts& alerts, Time at, std::vector<uint64_t>* firing,
           std::vector<uint64_t>* resolved) {
  for (const Alert& a : alerts) {
    (a.ResolvedAt(at) ? *resolved : *firing).push_back(a.labels.XxHash());
  }
}

}  // namespace

void DedupStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  const Time now = ctx->now();
  std::vector<uint64_t> firing;
  std::vector<uint64_t> resolved;
  Split(alerts, now, &firing, &resolved);
  const std::optional<nflog::Entry> entry = log_->Query(ctx->flush->group_key, receiver_);
  const nflog::Entry* prev = entry ? &*entry : nullptr;
  nflog::NotifyReason reason =
      nflog::NeedsUpdate(firing, resolved, prev, send_resolved_, ctx->flush->repeat_interval, now);
  if (nflog::ShouldNotify(reason) && ctx->tick_alerts) {
    std::vector<uint64_t> tick_firing;
    std::vector<uint64_t> tick_resolved;
    Split(*ctx->tick_alerts, ctx->flush->now, &tick_firing, &tick_resolved);
    if (!nflog::ShouldNotify(nflog::NeedsUpdate(tick_firing, tick_resolved, prev, send_resolved_,
                                                ctx->flush->repeat_interval, now))) {
      AM_LOG(kDebug, "dispatcher",
             "state at the flush tick already notified; later changes are left to the next tick",
             {{"aggrGroup", ctx->flush->group_key}, {"receiver", receiver_.group_name}});
      reason = nflog::NotifyReason::kDoNotNotify;
    }
  }
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
