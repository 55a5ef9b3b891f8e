// Channel: one named state channel's Broadcaster ("nfl", "sil"), as Alertmanager's
// cluster.Channel. Broadcast wraps the bytes in a clusterpb.Part{key, data}; a Part of at most
// 700 bytes (MaxGossipPacketSize/2) is queued for UDP gossip (and gossiped at once, beyond
// upstream); a larger one goes on a 200-slot queue whose worker sends it as a TCP user message
// to every other member in parallel, one message at a time (a full queue drops and counts).
// Threading: Broadcast may be called from any thread. The oversized queue and its worker live on
// the Peer's strand. Ownership: held by shared_ptr (the Peer's); pending work keeps it alive.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/memberlist/node.h"
#include "core/broadcaster.h"

namespace am::cluster {

class ClusterMetrics;

// Upstream cluster.MaxGossipPacketSize and OversizedMessage.
inline constexpr size_t kMaxGossipPacketSize = 1400;
inline bool OversizedMessage(size_t n) { return n > kMaxGossipPacketSize / 2; }

class Channel : public Broadcaster, public std::enable_shared_from_this<Channel> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  struct Hooks {
    // Queues a marshalled Part for gossip (thread-safe).
    std::function<void(std::string part)> send;
    // The other members (self excluded); called on the strand.
    std::function<std::vector<memberlist::Node>()> peers;
    // Sends a marshalled Part reliably; `done` ("" or the error) runs on the strand.
    std::function<void(const memberlist::Node&, std::string part,
                       std::function<void(const std::string& err)> done)>
        send_oversize;
  };
  static constexpr size_t kOversizedQueue = 200;

  Channel(std::string key, Hooks hooks, Strand strand, ClusterMetrics* metrics);

  void Broadcast(std::string bytes) override;

  // Stops the oversized worker; later broadcasts are dropped.
  void Stop();

  const std::string& key() const { return key_; }

 private:
  void Pump();

  const std::string key_;
  Hooks hooks_;
  Strand strand_;
  ClusterMetrics* metrics_;
  // On strand_:
  std::deque<std::string> oversized_;
  bool sending_ = false;
  bool stopped_ = false;
};

}  // namespace am::cluster
