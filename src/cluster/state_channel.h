// StateChannel: what the cluster needs from a replicated state ("nfl" = notification log,
// "sil" = silences), as Alertmanager's cluster.State. cmd/ adapts nflog::Log and
// silence::Store to it, so cluster/ never includes them.
// Threading: the cluster calls these from its strand (one call at a time per Peer); an
// implementation must be thread-safe against its own other users (the API, the pipeline).
#pragma once

#include <string>
#include <string_view>

namespace am::cluster {

class StateChannel {
 public:
  virtual ~StateChannel() = default;

  // The whole state, as the `data` of this channel's Part in a push/pull FullState
  // (varint-delimited mesh entries).
  virtual std::string MarshalBinary() = 0;

  // Merges a peer's bytes: a full state or one broadcast (both varint-delimited entries).
  // Returns true when anything was new; the cluster then re-gossips the same bytes (unless
  // oversized) and calls Propagated(). Throws (any std::exception) on malformed bytes.
  virtual bool Merge(std::string_view data) = 0;

  // The cluster re-gossiped bytes that Merge reported as new (for the
  // *_gossip_messages_propagated_total counters).
  virtual void Propagated() {}
};

}  // namespace am::cluster
