// SetNotifiesStage: records a delivered notification in the notification log (upstream
// SetNotifiesStage) with the hashes DedupStage computed and expiry 2 × repeat_interval; the log
// gossips the entry to peers. Reached only after RetryStage succeeded, which includes upstream's
// one exception (all resolved and send_resolved false: recorded without sending).
// Immutable; thread-safe.
#pragma once

#include "nflog/entry.h"
#include "nflog/nflog.h"
#include "notify/stage.h"

namespace am::notify {

class SetNotifiesStage final : public Stage {
 public:
  // `log` is not owned and must outlive every flush.
  SetNotifiesStage(nflog::Log* log, nflog::Receiver receiver)
      : log_(log), receiver_(std::move(receiver)) {}

  // Errors if DedupStage did not run first (upstream: "firing alerts missing").
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  nflog::Log* log_;
  nflog::Receiver receiver_;
};

}  // namespace am::notify
