// GossipSettleStage: holds a flush until the cluster's gossip has settled (upstream
// GossipSettleStage), so a freshly started replica does not notify before it has learnt the
// notification log from its peers. Bounded by the flush deadline. Immutable; thread-safe.
#pragma once

#include "notify/peer_info.h"
#include "notify/stage.h"

namespace am::notify {

class GossipSettleStage final : public Stage {
 public:
  // `peer` may be nullptr (no cluster): the stage passes alerts on at once. Not owned; must
  // outlive every flush.
  explicit GossipSettleStage(PeerInfo* peer) : peer_(peer) {}
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;

 private:
  PeerInfo* peer_;
};

}  // namespace am::notify
