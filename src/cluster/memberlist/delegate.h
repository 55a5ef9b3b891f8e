// Delegate: the hooks through which the layer above memberlist (Alertmanager's cluster.Peer)
// takes part in the protocol: memberlist's Delegate, EventDelegate, AliveDelegate,
// ConflictDelegate and PingDelegate folded into one interface with do-nothing defaults.
// Threading: memberlist calls every hook on its strand, one at a time, so hooks must not block
// for long (they delay pings and acks) and must not call back into Memberlist synchronously
// waiting for a result. GetBroadcasts may also be called from the strand only.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/node.h"

namespace am::cluster::memberlist {

class Delegate {
 public:
  virtual ~Delegate() = default;

  // Meta for our alive messages (at most `limit` bytes). Alertmanager's is empty, non-nil.
  virtual GoBytes NodeMeta(size_t limit) { return std::string(); }

  // A user message arrived (UDP gossip or TCP reliable send). The view is valid during the call.
  virtual void NotifyMsg(std::string_view msg) {}

  // User broadcasts to piggy-back: messages fitting `limit` bytes with `overhead` per message.
  virtual std::vector<std::string> GetBroadcasts(int overhead, int limit) { return {}; }

  // The user state sent in a push/pull, and the peer's one received.
  virtual std::string LocalState(bool join) { return {}; }
  virtual void MergeRemoteState(std::string_view state, bool join) {}

  // Membership events: a node became alive (from nothing, dead or left), died or left, or
  // changed its meta.
  virtual void NotifyJoin(const Node& n) {}
  virtual void NotifyLeave(const Node& n) {}
  virtual void NotifyUpdate(const Node& n) {}

  // Every alive message about any node, before it is applied; false drops it.
  virtual bool NotifyAlive(const Node& n) { return true; }

  // Another node claims a known name with a different address.
  virtual void NotifyConflict(const Node& existing, const Node& other) {}

  // The payload of our acks, and the round-trip time of a successful direct probe.
  virtual GoBytes AckPayload() { return std::string(); }
  virtual void NotifyPingComplete(const Node& n, std::chrono::nanoseconds rtt,
                                  std::string_view payload) {}
};

}  // namespace am::cluster::memberlist
