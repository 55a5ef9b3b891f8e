// DedupStage: decides, against the notification log, whether this integration must be notified
// about the group's alerts now (upstream DedupStage; the decision itself is nflog::NeedsUpdate).
// Records the firing and resolved alert hashes in the ExecContext for RetryStage and
// SetNotifiesStage. Immutable; thread-safe (nflog::Log is).
#pragma once

#include "nflog/entry.h"
#include "nflog/nflog.h"
#include "notify/stage.h"

namespace am::notify {

class DedupStage final : public Stage {
 public:
  // `log` is not owned and must outlive every flush.
  DedupStage(nflog::Log* log, nflog::Receiver receiver, bool send_resolved)
      : log_(log), receiver_(std::move(receiver)), send_resolved_(send_resolved) {}

  // Passes every alert on when a notification is needed, none otherwise.
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  nflog::Log* log_;
  nflog::Receiver receiver_;
  bool send_resolved_;
};

}  // namespace am::notify
