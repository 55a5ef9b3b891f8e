// am::cluster::Peer: Alertmanager's cluster.Peer on top of our memberlist. It owns the gossip
// node (UDP+TCP on --cluster.listen-address, or TLS only with --cluster.tls-config), the named
// state channels ("nfl", "sil") carried as clusterpb Parts and FullStates, peer resolution and
// bookkeeping (join, reconnect every --cluster.reconnect-interval until
// --cluster.reconnect-timeout, DNS refresh every 15 s),
// settling, the peer position used by the notification wait stage, /api/v2/status data and the
// cluster metrics.
//
// Typical use from cmd/ (see PeerOptions for the flags):
//   auto peer = cluster::Peer::Create(io, opts, registry);       // binds; throws on error
//   Broadcaster& nfl_b = peer->AddState("nfl", nflog_channel);   // before Start()
//   Broadcaster& sil_b = peer->AddState("sil", silence_channel);
//   peer->Start();                                               // resolve, join, settle
//   ... peer->Position(), peer->Status(), peer->Peers(), peer->WaitReady(cb) ...
//   peer->Leave(std::chrono::seconds(10));                       // on SIGTERM (blocking)
//
// Threading: all mutable state lives on the memberlist strand (timers, peer bookkeeping,
// settle tracking, delegate callbacks). Name, Status, Ready, Peers, Position, ClusterSize,
// WaitReady, AddState and the Broadcasters are thread-safe. Leave blocks and must not be called
// from an io_context thread when that context has a single thread.
// Ownership: the StateChannels passed to AddState and the Registry must outlive the Peer; the
// Broadcasters returned by AddState live as long as the Peer (stop using them before destroying
// it). Destroying the Peer without Leave shuts the node down (others will see it fail).
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/resolver.h"
#include "cluster/state_channel.h"
#include "core/broadcaster.h"
#include "notify/peer_info.h"

namespace prometheus {
class Registry;
}

namespace am::cluster {

// Every --cluster.* flag, with upstream's defaults.
struct PeerOptions {
  std::string listen_address = "0.0.0.0:9094";  // "" disables the cluster (do not create one)
  std::string advertise_address;                // "host:port"; host must be an IP
  std::string peer_name;                        // "" -> a new ULID
  std::vector<std::string> peers;               // "host:port", host a name or an IP
  std::chrono::nanoseconds peers_resolve_timeout = std::chrono::seconds(15);
  std::chrono::nanoseconds gossip_interval = std::chrono::milliseconds(200);
  std::chrono::nanoseconds pushpull_interval = std::chrono::seconds(60);
  std::chrono::nanoseconds tcp_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds probe_timeout = std::chrono::milliseconds(500);
  std::chrono::nanoseconds probe_interval = std::chrono::seconds(1);
  std::chrono::nanoseconds settle_timeout = std::chrono::seconds(60);
  std::chrono::nanoseconds reconnect_interval = std::chrono::seconds(10);  // 0: no reconnects
  std::chrono::nanoseconds reconnect_timeout = std::chrono::hours(6);      // 0: keep forever
  std::string tls_config;  // --cluster.tls-config: gossip over mutual TLS (tls_config.h)
  bool allow_insecure_public_advertise = false;
  std::string label;  // --cluster.label

  // Not flags (upstream constants), adjustable for tests.
  std::chrono::nanoseconds refresh_interval = std::chrono::seconds(15);
  std::chrono::nanoseconds remove_failed_interval = std::chrono::minutes(5);
  // nullptr: the system resolver (getaddrinfo), bounded by peers_resolve_timeout.
  std::shared_ptr<Resolver> resolver;
  // nullptr: the machine's interfaces (for the wildcard-bind advertise rule).
  std::function<std::vector<boost::asio::ip::address>()> interface_addresses;
};

struct PeerMember {
  std::string name;
  std::string address;  // "ip:port"
};

class Peer : public notify::PeerInfo {
 public:
  // Validates the options, resolves the advertise address, creates the node name and binds the
  // sockets. Throws std::runtime_error with upstream's wording on bad addresses or bind errors.
  static std::unique_ptr<Peer> Create(boost::asio::io_context& io, PeerOptions options,
                                      prometheus::Registry& registry);
  ~Peer() override;
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // Registers a state channel under `key` (exactly "nfl" / "sil" for Alertmanager peers) and
  // returns its Broadcaster. Call before Start() so the first push/pull carries the state.
  Broadcaster& AddState(const std::string& key, StateChannel& state);

  // Starts gossip, resolves --cluster.peer names, joins them and begins settling. Once.
  void Start();

  // This node's name (ULID or --cluster.peer-name).
  const std::string& Name() const;
  // "ready" once settled (or the settle timeout passed), "settling" before.
  std::string Status() const;
  bool Ready() const;
  // Alive and suspect members, self included, sorted by name.
  std::vector<PeerMember> Peers() const;
  int ClusterSize() const;
  // Index of our name among the members sorted by name.
  int Position() const override;
  // Runs `ready` once settled: inline if already, else on an io_context thread.
  void WaitReady(std::function<void()> ready) override;

  // The advertised "ip:port".
  std::string AdvertiseAddress() const;
  // The bound UDP/TCP port (useful with a ":0" listen address).
  uint16_t BoundPort() const;

  // Stops reconnect/refresh, gossips our leave and waits for it up to `timeout`, then shuts
  // the node down. Asynchronous form: `done` runs on an io_context thread.
  void Leave(std::chrono::nanoseconds timeout, std::function<void()> done);
  // Blocking form (upstream's peer.Leave(10s) on shutdown).
  void Leave(std::chrono::nanoseconds timeout);

  class Core;

 private:
  explicit Peer(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace am::cluster
