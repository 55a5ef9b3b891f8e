// PeerInfo: what the notification pipeline needs from the cluster (upstream notify.Peer plus the
// peer position behind clusterWait). cluster/ implements it; without a cluster the daemon passes
// nullptr, which the pipeline treats as position 0 and ready at once.
// Implementations must be thread-safe: both methods are called from any thread.
#pragma once

#include <functional>

namespace am::notify {

class PeerInfo {
 public:
  virtual ~PeerInfo() = default;

  // This node's index among the members sorted by name (0 sends at once; position p waits
  // p × --cluster.peer-timeout before its dedup check).
  virtual int Position() const = 0;

  // Calls `ready` exactly once when the gossip has settled (settled or timed out, as upstream's
  // Peer.Settle), at once (possibly inline) if that has already happened. From any thread.
  virtual void WaitReady(std::function<void()> ready) = 0;
};

}  // namespace am::notify
