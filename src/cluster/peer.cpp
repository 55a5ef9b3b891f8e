#include "cluster/peer.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>

#include "cluster/advertise.h"
#include "cluster/channel.h"
#include "cluster/memberlist/memberlist.h"
#include "cluster/memberlist/transmit_queue.h"
#include "cluster/memberlist/ulid.h"
#include "cluster/metrics.h"
#include "cluster/settle.h"
#include "cluster/tls_config.h"
#include "core/duration.h"
#include "core/log.h"
#include "proto/cluster.pb.h"

namespace am::cluster {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

namespace {

constexpr size_t kMaxQueueSize = 4096;
constexpr auto kPruneInterval = std::chrono::minutes(15);
constexpr auto kMetricsInterval = std::chrono::seconds(1);

std::string JoinErrors(const std::vector<std::string>& errs) {
  // go-multierror's format, as upstream logs it.
  std::string out =
      std::to_string(errs.size()) + (errs.size() == 1 ? " error" : " errors") + " occurred:\n";
  for (const auto& e : errs) out += "\t* " + e + "\n";
  return out + "\n";
}

std::optional<tcp::endpoint> ParseEndpoint(const std::string& hostport) {
  std::string host, port;
  if (!memberlist::SplitHostPort(hostport, &host, &port)) return std::nullopt;
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  try {
    size_t used = 0;
    int p = std::stoi(port, &used);
    if (used != port.size() || p < 0 || p > 65535) return std::nullopt;
    return tcp::endpoint(ip, static_cast<uint16_t>(p));
  } catch (...) {
    return std::nullopt;
  }
}

// The TLS transport's options from the --cluster.tls-config file, counting into upstream's
// alertmanager_tls_transport_* metrics.
std::shared_ptr<const memberlist::TlsOptions> LoadTlsTransport(const std::string& path,
                                                               prometheus::Registry& reg) {
  memberlist::TlsOptions o = MakeTlsOptions(LoadTlsTransportConfig(path));
  auto counter = [&reg](const std::string& name, const std::string& help,
                        const prometheus::Labels& labels = {}) {
    return &prometheus::BuildCounter()
                .Name("alertmanager_tls_transport_" + name)
                .Help(help)
                .Register(reg)
                .Add(labels);
  };
  auto& m = o.metrics;
  m.packet_bytes_sent = counter(
      "packet_bytes_sent_total",
      "The number of packet bytes sent to outgoing connections (excluding internal metadata).");
  m.packet_bytes_received = counter("packet_bytes_received_total",
                                    "The number of packet bytes received from incoming "
                                    "connections (excluding internal metadata).");
  m.stream_connections_sent =
      counter("stream_connections_sent_total", "The number of stream connections sent.");
  m.stream_connections_received =
      counter("stream_connections_received_total", "The number of stream connections received.");
  m.read_errors = counter("read_errors_total",
                          "The number of errors encountered while reading from incoming "
                          "connections.");
  const std::string werr =
      "The number of errors encountered while writing to outgoing connections.";
  m.write_errors_packet = counter("write_errors_total", werr, {{"connection_type", "packet"}});
  m.write_errors_stream = counter("write_errors_total", werr, {{"connection_type", "stream"}});
  return std::make_shared<const memberlist::TlsOptions>(std::move(o));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

class Peer::Core : public memberlist::Delegate, public std::enable_shared_from_this<Core> {
 public:
  Core(asio::io_context& io, PeerOptions opts, prometheus::Registry& registry)
      : io_(io), opts_(std::move(opts)), registry_(registry) {}

  void Init();
  void Start();
  void Shutdown();
  void Leave(nanoseconds timeout, std::function<void()> done);
  Broadcaster& AddState(const std::string& key, StateChannel& state);

  std::vector<memberlist::Node> SortedMembers() const {
    auto m = ml_->Members();
    std::sort(m.begin(), m.end(),
              [](const memberlist::Node& a, const memberlist::Node& b) { return a.name < b.name; });
    return m;
  }
  int Position() const {
    auto m = SortedMembers();
    int k = 0;
    for (const auto& n : m) {
      if (n.name == name_) break;
      ++k;
    }
    return k;
  }
  void WaitReady(std::function<void()> ready) {
    {
      std::lock_guard<std::mutex> l(ready_mu_);
      if (!ready_.load()) {
        waiters_.push_back(std::move(ready));
        return;
      }
    }
    ready();
  }

  // --- memberlist::Delegate (on the strand) ---
  memberlist::GoBytes NodeMeta(size_t) override { return std::string(); }
  void NotifyMsg(std::string_view msg) override;
  std::vector<std::string> GetBroadcasts(int overhead, int limit) override;
  std::string LocalState(bool join) override;
  void MergeRemoteState(std::string_view state, bool join) override;
  void NotifyJoin(const memberlist::Node& n) override;
  void NotifyLeave(const memberlist::Node& n) override;
  void NotifyUpdate(const memberlist::Node& n) override;
  bool NotifyAlive(const memberlist::Node& n) override {
    metrics_->alive_messages->Add({{"peer", n.name}}).Increment();
    return true;
  }
  memberlist::GoBytes AckPayload() override { return std::string(); }
  void NotifyPingComplete(const memberlist::Node& n, nanoseconds rtt, std::string_view) override {
    metrics_->pings_seconds
        ->Add({{"peer", n.name}},
              prometheus::Histogram::BucketBoundaries{.005, .01, .025, .05, .1, .25, .5})
        .Observe(std::chrono::duration<double>(rtt).count());
  }

  asio::io_context& io_;
  PeerOptions opts_;
  prometheus::Registry& registry_;
  std::string name_;
  std::string self_address_;
  std::unique_ptr<ClusterMetrics> metrics_;
  std::shared_ptr<memberlist::Memberlist> ml_;
  std::unique_ptr<memberlist::TransmitLimitedQueue> bcast_;
  std::shared_ptr<Resolver> resolver_;

  struct State {
    StateChannel* state;
    std::shared_ptr<Channel> channel;
  };
  mutable std::mutex states_mu_;
  std::map<std::string, State> states_;

  std::atomic<bool> ready_{false};
  std::mutex ready_mu_;
  std::vector<std::function<void()>> waiters_;
  std::atomic<bool> started_{false};

 private:
  enum class Status { kAlive, kFailed };
  struct PeerEntry {
    Status status = Status::kAlive;
    Clock::time_point leave_time;
    std::string name;
  };

  // `resolved`: "ip:port" strings; `unresolved`: "Failed to resolve <peer>: <err>" per name
  // that did not resolve (memberlist's wording, since upstream hands such names to Join).
  using ResolvedFn =
      std::function<void(std::vector<std::string> resolved, std::vector<std::string> unresolved)>;
  void ResolvePeers(ResolvedFn done);
  void JoinAll(const std::vector<std::string>& addrs,
               std::function<void(int ok, std::vector<std::string> errs)> done);
  void SetInitialFailed(const std::vector<std::string>& addrs);
  void Reconnect();
  void RemoveFailedPeers();
  void Refresh();
  void CheckSettle();
  void SettlePoll();
  void FinishSettle(bool settled);
  void UpdateGauges();
  void Rebroadcast(const std::string& key, const std::string& data);
  void Every(asio::steady_timer& t, nanoseconds d, std::function<void()> f);
  void RemoveFailed(const std::string& addr);

  // On the strand:
  std::map<std::string, PeerEntry> peers_;  // by "ip:port"
  std::vector<std::string> failed_;         // addresses, in failure order
  SettleTracker settle_;
  Clock::time_point settle_start_;
  int settle_polls_ = 0;
  int settle_last_n_ = 0;
  bool stopped_ = false;
  bool settling_ = false;
  std::unique_ptr<asio::steady_timer> reconnect_timer_, remove_timer_, refresh_timer_,
      settle_poll_timer_, settle_timeout_timer_, prune_timer_, metrics_timer_;
};

void Peer::Core::Init() {
  // --cluster.tls-config: read and checked (certificates loaded) before anything binds.
  std::shared_ptr<const memberlist::TlsOptions> tls;
  if (!opts_.tls_config.empty()) tls = LoadTlsTransport(opts_.tls_config, registry_);
  std::string bind_host, bind_port_s;
  if (!memberlist::SplitHostPort(opts_.listen_address, &bind_host, &bind_port_s)) {
    throw std::runtime_error("invalid listen address: address " + opts_.listen_address +
                             ": missing port in address");
  }
  int bind_port = 0;
  try {
    size_t used = 0;
    bind_port = std::stoi(bind_port_s, &used);
    if (used != bind_port_s.size() || bind_port < 0 || bind_port > 65535) throw 0;
  } catch (...) {
    throw std::runtime_error("address " + opts_.listen_address + ": invalid port");
  }
  std::string adv_host;
  int adv_port = 0;
  if (!opts_.advertise_address.empty()) {
    std::string p;
    if (!memberlist::SplitHostPort(opts_.advertise_address, &adv_host, &p)) {
      throw std::runtime_error("invalid advertise address: address " + opts_.advertise_address +
                               ": missing port in address");
    }
    try {
      size_t used = 0;
      adv_port = std::stoi(p, &used);
      if (used != p.size() || adv_port < 0 || adv_port > 65535) throw 0;
    } catch (...) {
      throw std::runtime_error("address " + opts_.advertise_address + ": invalid port");
    }
  }
  for (const auto& peer : opts_.peers) {
    std::string h, p;
    if (!memberlist::SplitHostPort(peer, &h, &p)) {
      throw std::runtime_error("resolve peers: split host/port for peer " + peer + ": address " +
                               peer + ": missing port in address");
    }
  }

  auto ifaces = opts_.interface_addresses
                    ? opts_.interface_addresses
                    : std::function<std::vector<asio::ip::address>()>(SystemInterfaceAddresses);
  AdvertiseChoice adv =
      CalculateAdvertiseAddress(bind_host, adv_host, opts_.allow_insecure_public_advertise, ifaces);
  if (!adv.err.empty()) {
    AM_LOG(kWarn, "cluster", "", {{"err", "couldn't deduce an advertise address: " + adv.err}});
    throw std::runtime_error("create memberlist: Failed to get final advertise address: " +
                             adv.err);
  }
  if (HasNonlocal(opts_.peers) && IsUnroutable(adv.ip.to_string())) {
    AM_LOG(kWarn, "cluster", "",
           {{"err", "this node advertises itself on an unroutable address"},
            {"addr", adv.ip.to_string()}});
    AM_LOG(kWarn, "cluster", "", {{"err", "this node will be unreachable in the cluster"}});
    AM_LOG(kWarn, "cluster", "",
           {{"err", "provide --cluster.advertise-address as a routable IP address or hostname"}});
  } else if (IsAnyHost(bind_host) && adv_host.empty()) {
    AM_LOG(kInfo, "cluster", "setting advertise address explicitly",
           {{"addr", adv.ip.to_string()}, {"port", bind_port}});
  }

  name_ = opts_.peer_name.empty() ? memberlist::NewUlid() : opts_.peer_name;
  metrics_ = std::make_unique<ClusterMetrics>(registry_, name_);

  int retransmit = std::max<int>(3, static_cast<int>(opts_.peers.size() / 2));
  bcast_ = std::make_unique<memberlist::TransmitLimitedQueue>(
      retransmit, [this] { return ml_ ? std::max(1, ml_->NumMembers()) : 1; });

  memberlist::Config cfg;
  cfg.name = name_;
  cfg.bind_addr = IsAnyHost(bind_host)
                      ? (bind_host.find(':') != std::string::npos ? "::" : "0.0.0.0")
                      : bind_host;
  cfg.bind_port = static_cast<uint16_t>(bind_port);
  cfg.advertise_addr = adv.ip.to_string();
  cfg.advertise_port = static_cast<uint16_t>(adv_port);
  cfg.label = opts_.label;
  cfg.gossip_interval = opts_.gossip_interval;
  cfg.gossip_nodes = retransmit;
  cfg.pushpull_interval = opts_.pushpull_interval;
  cfg.tcp_timeout = opts_.tcp_timeout;
  cfg.probe_interval = opts_.probe_interval;
  cfg.probe_timeout = opts_.probe_timeout;
  cfg.udp_buffer_size = kMaxGossipPacketSize;
  if (tls) {
    AM_LOG(kInfo, "cluster", "using TLS for gossip");
    cfg.tls = tls;
  }
  try {
    ml_ = memberlist::Memberlist::Create(io_, cfg, this, weak_from_this());
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("create memberlist: ") + e.what());
  }
  self_address_ = memberlist::JoinHostPort(ml_->AdvertiseIp(), ml_->AdvertisePort());
  resolver_ =
      opts_.resolver ? opts_.resolver : MakeSystemResolver(io_, opts_.peers_resolve_timeout);
  auto mk = [this] { return std::make_unique<asio::steady_timer>(ml_->strand()); };
  reconnect_timer_ = mk();
  remove_timer_ = mk();
  refresh_timer_ = mk();
  settle_poll_timer_ = mk();
  settle_timeout_timer_ = mk();
  prune_timer_ = mk();
  metrics_timer_ = mk();
}

Broadcaster& Peer::Core::AddState(const std::string& key, StateChannel& state) {
  std::lock_guard<std::mutex> l(states_mu_);
  auto it = states_.find(key);
  if (it != states_.end()) {
    it->second.state = &state;
    return *it->second.channel;
  }
  metrics_->AddChannel(key);
  Channel::Hooks hooks;
  std::weak_ptr<Core> weak = weak_from_this();
  hooks.send = [weak](std::string part) {
    if (auto self = weak.lock()) {
      self->bcast_->Queue(std::move(part));
      // Beyond upstream: new entries go out now, not on the next gossip tick.
      self->ml_->GossipNow();
    }
  };
  hooks.peers = [weak]() {
    std::vector<memberlist::Node> out;
    if (auto self = weak.lock()) {
      for (auto& n : self->ml_->Members()) {
        if (n.name != self->name_) out.push_back(std::move(n));
      }
    }
    return out;
  };
  hooks.send_oversize = [weak](const memberlist::Node& n, std::string part,
                               std::function<void(const std::string&)> done) {
    if (auto self = weak.lock()) {
      self->ml_->SendReliable(n, std::move(part), std::move(done));
    } else {
      done("peer is gone");
    }
  };
  auto ch = std::make_shared<Channel>(key, std::move(hooks), ml_->strand(), metrics_.get());
  states_[key] = State{&state, ch};
  return *ch;
}

void Peer::Core::Every(asio::steady_timer& t, nanoseconds d, std::function<void()> f) {
  if (d.count() <= 0) return;
  t.expires_after(d);
  t.async_wait([self = shared_from_this(), &t, d, f](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    f();
    self->Every(t, d, f);
  });
}

void Peer::Core::Start() {
  if (started_.exchange(true)) return;
  asio::post(ml_->strand(), [self = shared_from_this()] {
    if (self->stopped_) return;
    nanoseconds interval = self->opts_.gossip_interval * 10;
    AM_LOG(kInfo, "cluster", "Waiting for gossip to settle...", {{"interval", interval}});
    self->settle_start_ = Clock::now();
    self->settle_.SetResolving(1);  // until the configured names are resolved
    self->settling_ = true;
    self->ml_->Start();
    if (self->opts_.settle_timeout.count() > 0) {
      self->settle_timeout_timer_->expires_after(self->opts_.settle_timeout);
      self->settle_timeout_timer_->async_wait([self](const boost::system::error_code& ec) {
        if (ec || self->stopped_ || self->ready_) return;
        self->FinishSettle(false);
      });
    }
    self->Every(*self->settle_poll_timer_, interval, [self] { self->SettlePoll(); });
    self->Every(*self->metrics_timer_, kMetricsInterval, [self] { self->UpdateGauges(); });
    self->Every(*self->prune_timer_, kPruneInterval, [self] {
      size_t n = self->bcast_->NumQueued();
      if (n > kMaxQueueSize) {
        AM_LOG(kWarn, "cluster", "dropping messages because too many are queued",
               {{"current", static_cast<unsigned long>(n)},
                {"limit", static_cast<unsigned long>(kMaxQueueSize)}});
        self->bcast_->Prune(kMaxQueueSize);
        self->metrics_->messages_pruned->Increment(static_cast<double>(n - kMaxQueueSize));
      }
    });

    self->ResolvePeers([self](std::vector<std::string> resolved,
                              std::vector<std::string> unresolved) {
      if (self->stopped_) return;
      std::string joined;
      for (const auto& r : resolved) joined += (joined.empty() ? "" : ",") + r;
      AM_LOG(kDebug, "cluster", "resolved peers to following addresses", {{"peers", joined}});
      self->SetInitialFailed(resolved);
      std::vector<std::string> targets;
      for (const auto& r : resolved) {
        if (r == self->self_address_) continue;
        self->settle_.AddConfigured(r);
        self->settle_.Started(r);
        targets.push_back(r);
      }
      self->settle_.SetResolving(0);
      self->JoinAll(targets, [self, n = targets.size() + unresolved.size(), unresolved](
                                 int ok, std::vector<std::string> errs) {
        // Upstream passes a name that did not resolve on to memberlist's Join, so its failure
        // is part of the same error list, first, as Join tries the names in order.
        errs.insert(errs.begin(), unresolved.begin(), unresolved.end());
        if (ok == 0 && n > 0) {
          std::string err = JoinErrors(errs);
          AM_LOG(kWarn, "cluster", "failed to join cluster", {{"err", err}});
          if (self->opts_.reconnect_interval.count() != 0) {
            AM_LOG(kInfo, "cluster",
                   "will retry joining cluster every " +
                       FormatGoDuration(self->opts_.reconnect_interval));
          }
          // main.go's line for the same error, without a component.
          AM_LOG(kWarn, "", "unable to join gossip mesh", {{"err", err}});
        } else {
          AM_LOG(kDebug, "cluster", "joined cluster", {{"peers", ok}});
        }
        self->CheckSettle();
      });
      self->Every(*self->reconnect_timer_, self->opts_.reconnect_interval,
                  [self] { self->Reconnect(); });
      if (self->opts_.reconnect_timeout.count() != 0) {
        self->Every(*self->remove_timer_, self->opts_.remove_failed_interval,
                    [self] { self->RemoveFailedPeers(); });
      }
      self->Every(*self->refresh_timer_, self->opts_.refresh_interval, [self] { self->Refresh(); });
      self->CheckSettle();
    });
  });
}

// Resolves every --cluster.peer to "ip:port" strings. A name that fails to resolve or has no
// addresses yet contributes nothing (it counts as a failed peer for settling; the refresh
// keeps trying it).
void Peer::Core::ResolvePeers(ResolvedFn done) {
  struct Acc {
    std::vector<std::vector<std::string>> per_peer;
    std::vector<std::string> unresolved;
    size_t pending = 0;
    ResolvedFn done;
  };
  auto acc = std::make_shared<Acc>();
  acc->per_peer.resize(opts_.peers.size());
  acc->done = std::move(done);
  acc->pending = opts_.peers.size() + 1;
  auto finish_one = [self = shared_from_this(), acc]() {
    if (--acc->pending > 0) return;
    std::vector<std::string> all;
    for (auto& v : acc->per_peer) {
      for (auto& a : v) {
        if (std::find(all.begin(), all.end(), a) == all.end()) all.push_back(std::move(a));
      }
    }
    acc->done(std::move(all), std::move(acc->unresolved));
  };
  for (size_t i = 0; i < opts_.peers.size(); ++i) {
    std::string host, port;
    memberlist::SplitHostPort(opts_.peers[i], &host, &port);
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(host, ec);
    if (!ec) {
      acc->per_peer[i].push_back(opts_.peers[i].front() == '[' ? "[" + ip.to_string() + "]:" + port
                                                               : ip.to_string() + ":" + port);
      finish_one();
      continue;
    }
    resolver_->Resolve(
        host, [self = shared_from_this(), acc, i, port, finish_one, peer = opts_.peers[i]](
                  std::vector<asio::ip::address> ips, std::string err) {
          asio::post(self->ml_->strand(),
                     [self, acc, i, port, finish_one, peer, ips = std::move(ips), err] {
                       if (!err.empty())
                         acc->unresolved.push_back("Failed to resolve " + peer + ": " + err);
                       for (const auto& a : ips) {
                         uint16_t p = static_cast<uint16_t>(std::atoi(port.c_str()));
                         std::string addr = memberlist::JoinHostPort(a, p);
                         if (addr == self->self_address_) continue;
                         acc->per_peer[i].push_back(addr);
                       }
                       finish_one();
                     });
        });
  }
  finish_one();
}

void Peer::Core::JoinAll(const std::vector<std::string>& addrs,
                         std::function<void(int, std::vector<std::string>)> done) {
  struct Acc {
    int ok = 0;
    size_t pending;
    std::vector<std::string> errs;
  };
  auto acc = std::make_shared<Acc>();
  acc->pending = addrs.size();
  if (addrs.empty()) {
    done(0, {});
    return;
  }
  auto d = std::make_shared<std::function<void(int, std::vector<std::string>)>>(std::move(done));
  for (const auto& a : addrs) {
    auto finish = [self = shared_from_this(), acc, d, a](const std::string& err) {
      self->settle_.Done(a);
      if (err.empty()) {
        acc->ok++;
      } else {
        std::string host, port;
        memberlist::SplitHostPort(a, &host, &port);
        acc->errs.push_back("Failed to join " + host + ": " + err);
        AM_LOG(kDebug, "cluster", "",
               {{"memberlist", "[DEBUG] memberlist: Failed to join " + host + ": " + err}});
      }
      if (--acc->pending == 0) (*d)(acc->ok, acc->errs);
      self->CheckSettle();
    };
    auto ep = ParseEndpoint(a);
    if (!ep) {
      finish("Failed to resolve " + a);
      continue;
    }
    ml_->PushPull(*ep, true, finish);
  }
}

void Peer::Core::SetInitialFailed(const std::vector<std::string>& addrs) {
  auto now = Clock::now();
  for (const auto& a : addrs) {
    if (a == self_address_ || !ParseEndpoint(a)) continue;
    if (peers_.count(a)) continue;
    PeerEntry e;
    e.status = Status::kFailed;
    e.leave_time = now;
    peers_[a] = e;
    failed_.push_back(a);
  }
  metrics_->failed_peers->Set(static_cast<double>(failed_.size()));
}

void Peer::Core::RemoveFailed(const std::string& addr) {
  failed_.erase(std::remove(failed_.begin(), failed_.end(), addr), failed_.end());
  metrics_->failed_peers->Set(static_cast<double>(failed_.size()));
}

void Peer::Core::Reconnect() {
  std::vector<std::string> targets = failed_;
  for (const auto& a : targets) {
    auto ep = ParseEndpoint(a);
    if (!ep) continue;
    std::string name = peers_.count(a) ? peers_[a].name : std::string();
    ml_->PushPull(*ep, true, [self = shared_from_this(), a, name](const std::string& err) {
      if (err.empty()) {
        self->metrics_->reconnections->Increment();
        AM_LOG(kDebug, "cluster", "reconnect",
               {{"result", "success"}, {"peer", name}, {"addr", a}});
      } else {
        self->metrics_->reconnections_failed->Increment();
        AM_LOG(kDebug, "cluster", "reconnect",
               {{"result", "failure"}, {"peer", name}, {"addr", a}, {"err", err}});
      }
    });
  }
}

void Peer::Core::RemoveFailedPeers() {
  auto now = Clock::now();
  std::vector<std::string> keep;
  for (const auto& a : failed_) {
    auto it = peers_.find(a);
    if (it == peers_.end()) continue;
    if (it->second.leave_time + opts_.reconnect_timeout > now) {
      keep.push_back(a);
    } else {
      AM_LOG(kDebug, "cluster", "failed peer has timed out",
             {{"peer", it->second.name}, {"addr", a}});
      peers_.erase(it);
    }
  }
  failed_ = std::move(keep);
  metrics_->failed_peers->Set(static_cast<double>(failed_.size()));
}

void Peer::Core::Refresh() {
  ResolvePeers([self = shared_from_this()](std::vector<std::string> resolved,
                                           std::vector<std::string> unresolved) {
    if (self->stopped_) return;
    // Upstream re-joins each configured name that is not a member; one that does not resolve
    // fails that Join and is reported like any other failed refresh.
    for (const auto& u : unresolved) {
      self->metrics_->refresh_join_failed->Increment();
      std::string peer = u.substr(std::string_view("Failed to resolve ").size());
      peer = peer.substr(0, peer.find(": "));
      AM_LOG(kWarn, "cluster", "refresh",
             {{"result", "failure"}, {"addr", peer}, {"err", JoinErrors({u})}});
    }
    auto members = self->ml_->Members();
    for (const auto& a : resolved) {
      bool found = std::any_of(members.begin(), members.end(),
                               [&](const memberlist::Node& n) { return n.Address() == a; });
      if (found || a == self->self_address_) continue;
      auto ep = ParseEndpoint(a);
      if (!ep) continue;
      self->ml_->PushPull(*ep, true, [self, a](const std::string& err) {
        if (err.empty()) {
          self->metrics_->refresh_join->Increment();
          AM_LOG(kDebug, "cluster", "refresh", {{"result", "success"}, {"addr", a}});
        } else {
          self->metrics_->refresh_join_failed->Increment();
          std::string host, port;
          memberlist::SplitHostPort(a, &host, &port);
          AM_LOG(kWarn, "cluster", "refresh",
                 {{"result", "failure"},
                  {"addr", a},
                  {"err", JoinErrors({"Failed to join " + host + ": " + err})}});
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Settle

void Peer::Core::CheckSettle() {
  if (ready_ || stopped_ || !settling_) return;
  std::vector<std::string> others;
  for (const auto& n : ml_->Members()) {
    if (n.name != name_) others.push_back(n.Address());
  }
  for (const auto& a : settle_.ToSync(others)) {
    auto ep = ParseEndpoint(a);
    settle_.Started(a);
    if (!ep) {
      settle_.Done(a);
      continue;
    }
    ml_->PushPull(*ep, false, [self = shared_from_this(), a](const std::string& err) {
      if (!err.empty()) {
        AM_LOG(kDebug, "cluster", "settle push/pull failed", {{"addr", a}, {"err", err}});
      }
      self->settle_.Done(a);
      self->CheckSettle();
    });
  }
  if (settle_.Settled(others)) FinishSettle(true);
}

void Peer::Core::SettlePoll() {
  if (ready_) return;
  nanoseconds elapsed = Clock::now() - settle_start_;
  int n = static_cast<int>(ml_->Members().size());
  if (n == settle_last_n_) {
    AM_LOG(kDebug, "cluster", "gossip looks settled", {{"elapsed", elapsed}});
  } else {
    AM_LOG(
        kInfo, "cluster", "gossip not settled",
        {{"polls", settle_polls_}, {"before", settle_last_n_}, {"now", n}, {"elapsed", elapsed}});
  }
  settle_last_n_ = n;
  ++settle_polls_;
  CheckSettle();
}

void Peer::Core::FinishSettle(bool settled) {
  if (ready_) return;
  nanoseconds elapsed = Clock::now() - settle_start_;
  if (settled) {
    AM_LOG(kInfo, "cluster", "gossip settled; proceeding", {{"elapsed", elapsed}});
  } else {
    AM_LOG(kInfo, "cluster", "gossip not settled but continuing anyway",
           {{"polls", settle_polls_}, {"elapsed", elapsed}});
  }
  settle_poll_timer_->cancel();
  settle_timeout_timer_->cancel();
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> l(ready_mu_);
    ready_ = true;
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) asio::post(io_, std::move(w));
}

// ---------------------------------------------------------------------------------------------
// Delegate

void Peer::Core::UpdateGauges() {
  metrics_->members->Set(ml_->NumMembers());
  metrics_->position->Set(Position());
  metrics_->health_score->Set(ml_->HealthScore());
  metrics_->messages_queued->Set(static_cast<double>(bcast_->NumQueued()));
  metrics_->failed_peers->Set(static_cast<double>(failed_.size()));
}

void Peer::Core::Rebroadcast(const std::string& key, const std::string& data) {
  std::shared_ptr<Channel> ch;
  StateChannel* st = nullptr;
  {
    std::lock_guard<std::mutex> l(states_mu_);
    auto it = states_.find(key);
    if (it == states_.end()) return;
    ch = it->second.channel;
    st = it->second.state;
  }
  // Oversized payloads were sent to every member directly: never re-gossip them.
  if (OversizedMessage(data.size())) return;
  ch->Broadcast(data);
  st->Propagated();
}

void Peer::Core::NotifyMsg(std::string_view msg) {
  metrics_->received_update->Increment();
  metrics_->received_size_update->Increment(static_cast<double>(msg.size()));
  clusterpb::Part p;
  if (!p.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) {
    AM_LOG(kWarn, "cluster", "decode broadcast", {{"err", "proto: cannot parse Part"}});
    return;
  }
  StateChannel* st = nullptr;
  {
    std::lock_guard<std::mutex> l(states_mu_);
    auto it = states_.find(p.key());
    if (it == states_.end()) return;
    st = it->second.state;
  }
  bool changed = false;
  try {
    changed = st->Merge(p.data());
  } catch (const std::exception& e) {
    AM_LOG(kWarn, "cluster", "merge broadcast", {{"err", e.what()}, {"key", p.key()}});
    return;
  }
  if (changed) Rebroadcast(p.key(), p.data());
}

std::vector<std::string> Peer::Core::GetBroadcasts(int overhead, int limit) {
  auto msgs = bcast_->GetBroadcasts(overhead, limit);
  metrics_->sent_update->Increment(static_cast<double>(msgs.size()));
  for (const auto& m : msgs) metrics_->sent_size_update->Increment(static_cast<double>(m.size()));
  return msgs;
}

std::string Peer::Core::LocalState(bool) {
  clusterpb::FullState all;
  {
    std::lock_guard<std::mutex> l(states_mu_);
    for (const auto& [key, s] : states_) {
      try {
        auto* part = all.add_parts();
        part->set_key(key);
        part->set_data(s.state->MarshalBinary());
      } catch (const std::exception& e) {
        AM_LOG(kWarn, "cluster", "encode local state", {{"err", e.what()}, {"key", key}});
        return {};
      }
    }
  }
  std::string b = all.SerializeAsString();
  metrics_->sent_full_state->Increment();
  metrics_->sent_size_full_state->Increment(static_cast<double>(b.size()));
  return b;
}

void Peer::Core::MergeRemoteState(std::string_view buf, bool) {
  metrics_->received_full_state->Increment();
  metrics_->received_size_full_state->Increment(static_cast<double>(buf.size()));
  clusterpb::FullState fs;
  if (!fs.ParseFromArray(buf.data(), static_cast<int>(buf.size()))) {
    AM_LOG(kWarn, "cluster", "merge remote state", {{"err", "proto: cannot parse FullState"}});
    return;
  }
  for (const auto& p : fs.parts()) {
    StateChannel* st = nullptr;
    {
      std::lock_guard<std::mutex> l(states_mu_);
      auto it = states_.find(p.key());
      if (it != states_.end()) st = it->second.state;
    }
    if (!st) {
      AM_LOG(kWarn, "cluster", "",
             {{"received", "unknown state key"},
              {"len", static_cast<unsigned long>(buf.size())},
              {"key", p.key()}});
      continue;
    }
    bool changed = false;
    try {
      changed = st->Merge(p.data());
    } catch (const std::exception& e) {
      // As upstream: a bad part aborts the remaining ones.
      AM_LOG(kWarn, "cluster", "merge remote state", {{"err", e.what()}, {"key", p.key()}});
      return;
    }
    if (changed) Rebroadcast(p.key(), p.data());
  }
}

void Peer::Core::NotifyJoin(const memberlist::Node& n) {
  std::string addr = n.Address();
  AM_LOG(kDebug, "cluster", "", {{"received", "NotifyJoin"}, {"node", n.name}, {"addr", addr}});
  auto it = peers_.find(addr);
  bool was_failed = it != peers_.end() && it->second.status == Status::kFailed;
  PeerEntry& e = peers_[addr];
  e.status = Status::kAlive;
  e.leave_time = {};
  e.name = n.name;
  metrics_->peers_joined->Increment();
  if (was_failed) {
    AM_LOG(kDebug, "cluster", "peer rejoined", {{"peer", n.name}});
    RemoveFailed(addr);
  }
  UpdateGauges();
  CheckSettle();
}

void Peer::Core::NotifyLeave(const memberlist::Node& n) {
  std::string addr = n.Address();
  AM_LOG(kDebug, "cluster", "", {{"received", "NotifyLeave"}, {"node", n.name}, {"addr", addr}});
  auto it = peers_.find(addr);
  if (it == peers_.end()) return;
  it->second.status = Status::kFailed;
  it->second.leave_time = Clock::now();
  if (std::find(failed_.begin(), failed_.end(), addr) == failed_.end()) failed_.push_back(addr);
  metrics_->peers_left->Increment();
  AM_LOG(kDebug, "cluster", "peer left", {{"peer", n.name}});
  UpdateGauges();
  CheckSettle();
}

void Peer::Core::NotifyUpdate(const memberlist::Node& n) {
  AM_LOG(kDebug, "cluster", "",
         {{"received", "NotifyUpdate"}, {"node", n.name}, {"addr", n.Address()}});
  auto it = peers_.find(n.Address());
  if (it == peers_.end()) return;
  it->second.name = n.name;
  metrics_->peers_update->Increment();
  AM_LOG(kDebug, "cluster", "peer updated", {{"peer", n.name}});
}

// ---------------------------------------------------------------------------------------------
// Leave / shutdown

void Peer::Core::Shutdown() {
  asio::post(ml_->strand(), [self = shared_from_this()] {
    self->stopped_ = true;
    for (auto* t :
         {self->reconnect_timer_.get(), self->remove_timer_.get(), self->refresh_timer_.get(),
          self->settle_poll_timer_.get(), self->settle_timeout_timer_.get(),
          self->prune_timer_.get(), self->metrics_timer_.get()}) {
      t->cancel();
    }
    std::lock_guard<std::mutex> l(self->states_mu_);
    for (auto& [k, s] : self->states_) s.channel->Stop();
  });
  ml_->Shutdown();
}

void Peer::Core::Leave(nanoseconds timeout, std::function<void()> done) {
  asio::post(ml_->strand(), [self = shared_from_this(), timeout, done = std::move(done)] {
    self->stopped_ = true;
    for (auto* t :
         {self->reconnect_timer_.get(), self->remove_timer_.get(), self->refresh_timer_.get(),
          self->settle_poll_timer_.get(), self->settle_timeout_timer_.get(),
          self->prune_timer_.get(), self->metrics_timer_.get()}) {
      t->cancel();
    }
    {
      std::lock_guard<std::mutex> l(self->states_mu_);
      for (auto& [k, s] : self->states_) s.channel->Stop();
    }
    AM_LOG(kDebug, "cluster", "leaving cluster");
    // Weak captures: this callback is stored inside the memberlist until the leave completes.
    std::weak_ptr<memberlist::Memberlist> weak_ml = self->ml_;
    asio::io_context* io = &self->io_;
    self->ml_->Leave(timeout, [weak_ml, io, done](const std::string& err) {
      if (!err.empty()) AM_LOG(kDebug, "cluster", "leave", {{"err", err}});
      if (auto ml = weak_ml.lock()) ml->Shutdown();
      if (done) asio::post(*io, done);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Peer (the public handle)

std::unique_ptr<Peer> Peer::Create(asio::io_context& io, PeerOptions options,
                                   prometheus::Registry& registry) {
  auto core = std::make_shared<Core>(io, std::move(options), registry);
  core->Init();
  return std::unique_ptr<Peer>(new Peer(std::move(core)));
}

Peer::Peer(std::shared_ptr<Core> core) : core_(std::move(core)) {}

Peer::~Peer() { core_->Shutdown(); }

Broadcaster& Peer::AddState(const std::string& key, StateChannel& state) {
  return core_->AddState(key, state);
}

void Peer::Start() { core_->Start(); }

const std::string& Peer::Name() const { return core_->name_; }

std::string Peer::Status() const { return Ready() ? "ready" : "settling"; }

bool Peer::Ready() const { return core_->ready_.load(); }

std::vector<PeerMember> Peer::Peers() const {
  std::vector<PeerMember> out;
  for (const auto& n : core_->SortedMembers()) out.push_back({n.name, n.Address()});
  return out;
}

int Peer::ClusterSize() const { return core_->ml_->NumMembers(); }

int Peer::Position() const { return core_->Position(); }

void Peer::WaitReady(std::function<void()> ready) { core_->WaitReady(std::move(ready)); }

std::string Peer::AdvertiseAddress() const { return core_->self_address_; }

uint16_t Peer::BoundPort() const { return core_->ml_->BoundPort(); }

void Peer::Leave(nanoseconds timeout, std::function<void()> done) {
  core_->Leave(timeout, std::move(done));
}

void Peer::Leave(nanoseconds timeout) {
  auto p = std::make_shared<std::promise<void>>();
  auto f = p->get_future();
  core_->Leave(timeout, [p] { p->set_value(); });
  // The leave itself is bounded by `timeout`; allow the shutdown a moment more.
  f.wait_for(timeout + std::chrono::seconds(1));
}

}  // namespace am::cluster
