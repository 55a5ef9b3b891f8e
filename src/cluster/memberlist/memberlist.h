// Memberlist: one node of a hashicorp/memberlist cluster, wire-compatible with Alertmanager 0.25.
// It owns its Transport (UDP+TCP on the bind address, same port; or Alertmanager's TLS transport
// when Config::tls is set), the node table,
// the SWIM failure detector (probe with ping/ack, indirect pings with nacks, TCP fallback ping,
// suspicion with confirmations and awareness, dead, refutation by incarnation), gossip of the
// retransmit-limited broadcast queue every GossipInterval, push/pull state sync (join and
// periodic), reliable and best-effort user messages, and leave.
//
// Threading and ownership: every piece of mutable protocol state (node table, timers, ack
// handlers, suspicions, sequence and incarnation numbers) lives on one strand of the io_context
// and is touched only by handlers running on it; the Delegate is called on that strand. Each
// stream connection runs its reads and parsing on its own strand and hands complete messages to
// the main strand. Thread-safe from anywhere: Name, BoundPort, Advertise*, Members, NumMembers,
// EstNumNodes, HealthScore (a mutex-guarded members snapshot and atomics) and the asynchronous
// operations, which post to the strand. Callbacks of asynchronous operations run on the strand.
// Lifetime: created through Create() as a shared_ptr; pending handlers keep it alive until
// Shutdown() has cancelled them. The Delegate is never called once Shutdown() has run on the
// strand. Pass its owner as `delegate_owner` to Create: memberlist then holds it weakly and
// skips every callback once the owner is gone, so owner and memberlist may own each other
// one way (owner -> memberlist) without a cycle.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cluster/memberlist/config.h"
#include "cluster/memberlist/delegate.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/node.h"
#include "cluster/memberlist/stream_message.h"
#include "cluster/memberlist/suspicion.h"
#include "cluster/memberlist/transmit_queue.h"
#include "cluster/memberlist/transport.h"

namespace am::cluster::memberlist {

class StreamConn;

// Counters for bad input, for logs and tests.
struct WireStats {
  std::atomic<uint64_t> packets_received{0};
  std::atomic<uint64_t> packets_dropped{0};  // label mismatch, bad CRC, undecodable
  std::atomic<uint64_t> streams_received{0};
  std::atomic<uint64_t> streams_rejected{0};
};

class Memberlist : public std::enable_shared_from_this<Memberlist> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Clock = std::chrono::steady_clock;
  // "" on success, otherwise the reason (Go-like wording, e.g. "dial tcp ...: Connection
  // refused").
  using DoneFn = std::function<void(const std::string& err)>;

  // Binds the transport on cfg.bind_addr:cfg.bind_port (UDP and TCP, or with cfg.tls the TLS
  // listener; port 0: one free port) and computes the advertise address. Throws
  // std::runtime_error (bind failure, bad address, an unspecified advertise address). Nothing
  // runs until Start().
  // With `delegate_owner`, each callback first locks it (and is skipped once it has expired).
  static std::shared_ptr<Memberlist> Create(boost::asio::io_context& io, Config cfg,
                                            Delegate* delegate,
                                            std::weak_ptr<void> delegate_owner = {});
  ~Memberlist();
  Memberlist(const Memberlist&) = delete;
  Memberlist& operator=(const Memberlist&) = delete;

  // Marks this node alive (incarnation 1) and starts the listeners and the probe, gossip and
  // push/pull timers (each after a random stagger, as Go does).
  void Start();

  const std::string& Name() const { return cfg_.name; }
  uint16_t BoundPort() const { return bound_port_; }
  const boost::asio::ip::address& AdvertiseIp() const { return advertise_ip_; }
  uint16_t AdvertisePort() const { return advertise_port_; }
  const Config& config() const { return cfg_; }
  Strand& strand() { return strand_; }
  const WireStats& stats() const { return stats_; }

  // Alive and suspect nodes, self included (Go's Members()). Thread-safe snapshot.
  std::vector<Node> Members() const;
  int NumMembers() const;
  // All nodes in the table, dead ones not yet reaped included (Go's estNumNodes).
  int EstNumNodes() const { return num_nodes_.load(); }
  int HealthScore() const { return awareness_.Score(); }
  // Our current incarnation (raised by each refutation).
  uint32_t LocalIncarnation() const { return local_incarnation_.load(); }

  // A full state exchange over TCP with `to` (Join = true for joins). `done` runs on the strand
  // after the remote state has been merged, or with the reason it failed.
  void PushPull(boost::asio::ip::tcp::endpoint to, bool join, DoneFn done);

  // A user message over TCP (08 + userMsgHeader + payload), for payloads too big for UDP.
  void SendReliable(const Node& to, std::string payload, DoneFn done);
  // A user message in one packet (with a CRC when the node understands it).
  void SendBestEffort(const Node& to, std::string payload);

  // Runs one gossip round now instead of waiting for the next tick (coalesced).
  void GossipNow();

  // Broadcasts our leave (dead with From = self) and calls `done` when it has been gossiped to
  // the retransmit limit, at once when nobody else is alive, or with an error after `timeout`.
  void Leave(std::chrono::nanoseconds timeout, DoneFn done);

  // Closes the transport and cancels every timer; pending callbacks are dropped. Idempotent.
  void Shutdown();

  // Test hook: a packet as if received from `from` (runs on the strand).
  void InjectPacket(std::string packet, boost::asio::ip::udp::endpoint from);

 private:
  struct NodeState {
    Node node;
    uint32_t incarnation = 0;
    Clock::time_point state_change;
    bool DeadOrLeft() const { return node.state == kStateDead || node.state == kStateLeft; }
  };
  struct AckHandler {
    std::function<void(const std::string& payload, Clock::time_point at)> ack;
    std::function<void()> nack;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  struct SuspicionTimer {
    std::unique_ptr<Suspicion> s;
    std::shared_ptr<boost::asio::steady_timer> timer;
    Clock::time_point change_time;
  };
  struct ProbeRun;

  Memberlist(boost::asio::io_context& io, Config cfg, Delegate* delegate);
  void Bind();

  // --- all below run on strand_ ---
  void SetAlive();
  void Schedule();
  void OnInboundStream(std::shared_ptr<StreamConn> conn);
  void ScheduleProbe(Clock::duration after);
  void ScheduleGossip(Clock::duration after);
  void SchedulePushPull(Clock::duration after);

  void IngestPacket(std::string_view buf, const boost::asio::ip::udp::endpoint& from,
                    Clock::time_point at);
  void HandleCommand(std::string_view buf, const boost::asio::ip::udp::endpoint& from,
                     Clock::time_point at, int depth);
  void HandlePing(std::string_view body, const boost::asio::ip::udp::endpoint& from);
  void HandleIndirectPing(std::string_view body, const boost::asio::ip::udp::endpoint& from);
  void HandleAck(std::string_view body, Clock::time_point at);
  void HandleNack(std::string_view body);
  void HandleStream(std::shared_ptr<StreamConn> conn, StreamMessage msg);

  void Probe();
  void ProbeNode(const NodeState& node);
  void FinishProbe(const std::shared_ptr<ProbeRun>& run);
  void ResetNodes();
  void Gossip();
  void PeriodicPushPull();
  void TcpPing(const Node& node, const Ping& ping, Clock::time_point deadline,
               std::function<void(bool)> done);

  void AliveNode(const Alive& a, bool bootstrap, std::function<void()> notify = {});
  void SuspectNode(const Suspect& s);
  void DeadNode(const Dead& d);
  void Refute(NodeState& me, uint32_t accused_inc);
  std::string VerifyProtocol(const std::vector<PushNodeState>& remote) const;
  void MergeState(const std::vector<PushNodeState>& remote);
  std::string MergeRemoteState(bool join, const std::vector<PushNodeState>& nodes,
                               const std::string& user_state);
  std::string LocalStateMessage(bool join);

  void SetAckHandler(uint32_t seq, AckHandler h, Clock::duration timeout);
  void InvokeAck(const AckResp& ack, Clock::time_point at);
  void EncodeAndBroadcast(const std::string& node, std::string msg,
                          std::function<void()> finished = {});
  std::vector<std::string> GetBroadcasts(int overhead, int limit);
  void SendMsg(const boost::asio::ip::udp::endpoint& to, std::string msg);
  void RawSendMsgPacket(const boost::asio::ip::udp::endpoint& to, const Node* node,
                        std::string msg);
  void SendUdp(const boost::asio::ip::udp::endpoint& to, std::string data);
  std::string PrepareStream(std::string msg) const;
  std::vector<std::shared_ptr<NodeState>> RandomNodes(
      size_t k, const std::function<bool(const NodeState&)>& exclude);
  bool AnyAlive() const;
  void RefreshMembers();
  uint32_t NextSeq() { return ++seq_; }
  uint32_t NextIncarnation() { return ++incarnation_; }
  StreamLimits Limits() const;

  boost::asio::io_context& io_;
  Config cfg_;
  // The delegate for one callback, its owner locked for the duration of the call.
  struct DelegateRef {
    std::shared_ptr<void> owner;
    Delegate* d = nullptr;
    Delegate* operator->() const { return d; }
    explicit operator bool() const { return d != nullptr; }
  };
  DelegateRef Del() const;

  Delegate* delegate_;
  std::weak_ptr<void> delegate_owner_;
  bool has_delegate_owner_ = false;
  Strand strand_;
  std::shared_ptr<Transport> transport_;
  uint16_t bound_port_ = 0;
  boost::asio::ip::address advertise_ip_;
  uint16_t advertise_port_ = 0;

  boost::asio::steady_timer probe_timer_;
  boost::asio::steady_timer gossip_timer_;
  boost::asio::steady_timer pushpull_timer_;

  std::vector<std::shared_ptr<NodeState>> nodes_;
  std::unordered_map<std::string, std::shared_ptr<NodeState>> node_map_;
  std::map<uint32_t, AckHandler> ack_handlers_;
  std::map<std::string, SuspicionTimer> node_timers_;
  TransmitLimitedQueue broadcasts_;
  Awareness awareness_;
  std::mt19937_64 rng_;
  size_t probe_index_ = 0;
  bool probing_ = false;
  bool gossip_now_pending_ = false;
  bool left_ = false;
  std::atomic<bool> shutdown_{false};
  bool started_ = false;
  uint32_t seq_ = 0;
  uint32_t incarnation_ = 0;
  int inbound_pushpulls_ = 0;
  std::function<void()> leave_notify_;

  std::atomic<uint32_t> local_incarnation_{0};
  // Inbound stream connections being read; more than max_concurrent_pushpull are refused at accept
  // so a flood of half-sent streams cannot pin unbounded buffers.
  std::atomic<int> inbound_streams_{0};
  std::atomic<int> num_nodes_{0};
  std::atomic<int> num_members_{0};
  mutable std::mutex members_mu_;
  std::vector<Node> members_;  // guarded by members_mu_
  WireStats stats_;
};

}  // namespace am::cluster::memberlist
