// MuteStage: drops the alerts a Muter mutes (upstream MuteStage over the inhibitor or the
// silencer) and counts them in alertmanager_notifications_suppressed_total{reason}. Immutable;
// thread-safe as long as the Muter is.
#pragma once

#include <string>
#include <string_view>

#include "notify/metrics.h"
#include "notify/muter.h"
#include "notify/stage.h"

namespace am::notify {

class MuteStage final : public Stage {
 public:
  // `muter` nullptr mutes nothing (e.g. silences not wired yet). `reason` is the suppressed
  // counter's label: kSuppressedInhibition or kSuppressedSilence. Pointers are not owned and
  // must outlive every flush; `metrics` may be nullptr.
  MuteStage(Muter* muter, std::string_view reason, Metrics* metrics)
      : muter_(muter), reason_(reason), metrics_(metrics) {}

  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

  // The alerts not muted at `now`, in order. Counts the muted ones only when `count` (WaitStage
  // re-applies the filter to a fresh snapshot without counting twice).
  Alerts Filter(Alerts alerts, Time now, bool count) const;

 private:
  Muter* muter_;
  std::string reason_;
  Metrics* metrics_;
};

}  // namespace am::notify
