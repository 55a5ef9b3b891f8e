// The Alertmanager layer with real sockets on 127.0.0.1 and short timings: settling, peer
// position and status, state channels (gossip, oversized over TCP, push/pull full state),
// reconnects, DNS refresh through an injected resolver, leave, metrics and the advertise rules.
#include <gtest/gtest.h>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cluster/advertise.h"
#include "cluster/peer.h"
#include "cluster/settle.h"
#include "cluster_test_util.h"
#include "core/log.h"

namespace am::cluster {
namespace {

using testutil::Hex;
using testutil::WaitFor;

using namespace std::chrono_literals;
namespace asio = boost::asio;

// Entries are strings, each framed by a 2-byte big-endian length (like delimited mesh entries).
class FakeState : public StateChannel {
 public:
  static std::string Frame(const std::string& e) {
    std::string out;
    out.push_back(static_cast<char>(e.size() >> 8));
    out.push_back(static_cast<char>(e.size() & 0xff));
    return out + e;
  }
  void Add(const std::string& e) {
    std::lock_guard<std::mutex> l(mu_);
    entries_.insert(e);
  }
  bool Has(const std::string& e) {
    std::lock_guard<std::mutex> l(mu_);
    return entries_.count(e) > 0;
  }
  std::string MarshalBinary() override {
    std::lock_guard<std::mutex> l(mu_);
    std::string out;
    for (const auto& e : entries_) out += Frame(e);
    return out;
  }
  bool Merge(std::string_view data) override {
    std::lock_guard<std::mutex> l(mu_);
    merges_++;
    bool changed = false;
    while (!data.empty()) {
      if (data.size() < 2) throw std::runtime_error("short frame");
      size_t n = (static_cast<uint8_t>(data[0]) << 8) | static_cast<uint8_t>(data[1]);
      if (data.size() < 2 + n) throw std::runtime_error("short entry");
      changed |= entries_.insert(std::string(data.substr(2, n))).second;
      data.remove_prefix(2 + n);
    }
    return changed;
  }
  void Propagated() override { propagated_++; }
  int merges() {
    std::lock_guard<std::mutex> l(mu_);
    return merges_;
  }
  std::atomic<int> propagated_{0};

 private:
  std::mutex mu_;
  std::set<std::string> entries_;
  int merges_ = 0;
};

// A resolver that knows a name only after `available_after`.
class LateResolver : public Resolver {
 public:
  LateResolver(std::string name, asio::ip::address ip, std::chrono::milliseconds available_after)
      : name_(std::move(name)),
        ip_(ip),
        available_at_(std::chrono::steady_clock::now() + available_after) {}
  void Resolve(const std::string& host, Done done) override {
    calls++;
    if (host == name_ && std::chrono::steady_clock::now() >= available_at_) {
      done({ip_}, "");
    } else {
      done({}, "lookup " + host + ": no such host");
    }
  }
  std::atomic<int> calls{0};

 private:
  std::string name_;
  asio::ip::address ip_;
  std::chrono::steady_clock::time_point available_at_;
};

PeerOptions Fast() {
  PeerOptions o;
  o.listen_address = "127.0.0.1:0";
  o.gossip_interval = 20ms;
  o.probe_interval = 100ms;
  o.probe_timeout = 50ms;
  o.pushpull_interval = 1s;
  o.tcp_timeout = 1s;
  o.settle_timeout = 5s;
  o.reconnect_interval = 300ms;
  o.refresh_interval = 1s;
  return o;
}

class PeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    peers_.clear();  // shuts the nodes down
    std::this_thread::sleep_for(50ms);
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  Peer* Make(PeerOptions o, FakeState* nfl = nullptr, FakeState* sil = nullptr, bool start = true) {
    registries_.push_back(std::make_unique<prometheus::Registry>());
    auto p = Peer::Create(io_, std::move(o), *registries_.back());
    if (nfl) broadcasters_.push_back(&p->AddState("nfl", *nfl));
    if (sil) p->AddState("sil", *sil);
    if (start) p->Start();
    peers_.push_back(std::move(p));
    return peers_.back().get();
  }
  std::string Metrics(size_t i) {
    return prometheus::TextSerializer().Serialize(registries_[i]->Collect());
  }
  static std::string Addr(Peer* p) { return "127.0.0.1:" + std::to_string(p->BoundPort()); }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<prometheus::Registry>> registries_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<Broadcaster*> broadcasters_;
};

TEST_F(PeerTest, LoneNodeIsReadyAtOnce) {
  Peer* p = Make(Fast());
  EXPECT_TRUE(WaitFor([&] { return p->Ready(); }, 1000ms));
  EXPECT_EQ(p->Status(), "ready");
  ASSERT_EQ(p->Peers().size(), 1u);
  EXPECT_EQ(p->Peers()[0].name, p->Name());
  EXPECT_EQ(p->Peers()[0].address, Addr(p));
  EXPECT_EQ(p->Position(), 0);
  EXPECT_EQ(p->Name().size(), 26u);  // a ULID
  std::atomic<bool> called{false};
  p->WaitReady([&] { called = true; });
  EXPECT_TRUE(called);
}

TEST_F(PeerTest, PeerNameFlagIsUsed) {
  PeerOptions o = Fast();
  o.peer_name = "am-0";
  Peer* p = Make(o);
  EXPECT_EQ(p->Name(), "am-0");
}

TEST_F(PeerTest, ThreeNodesFormOneClusterWithConsistentPositions) {
  PeerOptions oa = Fast();
  oa.peer_name = "c-node";
  Peer* a = Make(oa);
  PeerOptions ob = Fast();
  ob.peer_name = "a-node";
  ob.peers = {Addr(a)};
  Peer* b = Make(ob);
  PeerOptions oc = Fast();
  oc.peer_name = "b-node";
  oc.peers = {Addr(a), Addr(b)};
  Peer* c = Make(oc);
  for (Peer* p : {a, b, c}) {
    EXPECT_TRUE(WaitFor([&] { return p->Ready() && p->ClusterSize() == 3; })) << p->Name();
  }
  auto peers = c->Peers();
  ASSERT_EQ(peers.size(), 3u);
  EXPECT_EQ(peers[0].name, "a-node");
  EXPECT_EQ(peers[1].name, "b-node");
  EXPECT_EQ(peers[2].name, "c-node");
  EXPECT_EQ(peers[2].address, Addr(a));
  EXPECT_EQ(b->Position(), 0);
  EXPECT_EQ(c->Position(), 1);
  EXPECT_EQ(a->Position(), 2);
  // The joiners settled after their push/pulls, well before the settle timeout.
  EXPECT_TRUE(WaitFor(
      [&] {
        return Metrics(0).find("alertmanager_cluster_members 3") != std::string::npos &&
               Metrics(0).find("alertmanager_peer_position 2") != std::string::npos;
      },
      3000ms));
}

// A port free for both TCP and UDP on 127.0.0.1 (bound then released).
uint16_t FreePort() {
  asio::io_context io;
  for (int i = 0; i < 50; ++i) {
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    uint16_t port = a.local_endpoint().port();
    boost::system::error_code ec;
    asio::ip::udp::socket u(io);
    u.open(asio::ip::udp::v4());
    u.bind(asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) return port;
  }
  return 0;
}

TEST_F(PeerTest, ThreeNodesStartedTogetherEachListingTheOthersAsPeers) {
  std::vector<uint16_t> ports = {FreePort(), FreePort(), FreePort()};
  std::vector<Peer*> nodes;
  for (int i = 0; i < 3; ++i) {
    PeerOptions o = Fast();
    o.listen_address = "127.0.0.1:" + std::to_string(ports[i]);
    o.advertise_address = o.listen_address;
    for (int j = 0; j < 3; ++j) {
      o.peers.push_back("127.0.0.1:" + std::to_string(ports[j]));  // self included, as in k8s
    }
    nodes.push_back(Make(o, nullptr, nullptr, /*start=*/false));
  }
  for (Peer* p : nodes) p->Start();
  for (Peer* p : nodes) {
    EXPECT_TRUE(WaitFor([&] { return p->Ready() && p->Peers().size() == 3; }, 5000ms)) << p->Name();
  }
  std::set<int> positions;
  for (Peer* p : nodes) positions.insert(p->Position());
  EXPECT_EQ(positions, (std::set<int>{0, 1, 2}));
}

TEST_F(PeerTest, BroadcastsAndFullStateReplicate) {
  FakeState nfl_a, nfl_b, nfl_c, sil_a, sil_b, sil_c;
  nfl_a.Add("entry-before-join");
  Peer* a = Make(Fast(), &nfl_a, &sil_a);
  PeerOptions ob = Fast();
  ob.peers = {Addr(a)};
  Peer* b = Make(ob, &nfl_b, &sil_b);
  ASSERT_TRUE(WaitFor([&] { return a->ClusterSize() == 2 && b->Ready(); }));
  // The join's push/pull carried the full state.
  EXPECT_TRUE(WaitFor([&] { return nfl_b.Has("entry-before-join"); }));
  PeerOptions oc = Fast();
  oc.peers = {Addr(b)};
  Peer* c = Make(oc, &nfl_c, &sil_c);
  ASSERT_TRUE(WaitFor([&] { return c->ClusterSize() == 3 && a->ClusterSize() == 3; }));

  // A UDP-sized broadcast from a reaches both.
  nfl_a.Add("small");
  broadcasters_[0]->Broadcast(FakeState::Frame("small"));
  EXPECT_TRUE(WaitFor([&] { return nfl_b.Has("small") && nfl_c.Has("small"); }));
  // Receivers that learned something re-gossip it (and count it).
  EXPECT_TRUE(WaitFor([&] { return nfl_b.propagated_ > 0 || nfl_c.propagated_ > 0; }));

  // An oversized one (Part > 700 bytes) goes over TCP to every other member.
  std::string big(1000, 'S');
  nfl_a.Add(big);
  broadcasters_[0]->Broadcast(FakeState::Frame(big));
  EXPECT_TRUE(WaitFor([&] { return nfl_b.Has(big) && nfl_c.Has(big); }));
  EXPECT_TRUE(WaitFor([&] {
    return Metrics(0).find("alertmanager_oversized_gossip_message_sent_total{key=\"nfl\"} 2") !=
           std::string::npos;
  }));
  // Channels are independent.
  EXPECT_FALSE(sil_b.Has("small"));
}

TEST_F(PeerTest, UnresolvableNameJoinsOnceDnsAnswers) {
  // A StatefulSet whose DNS is not ready at start: --cluster.peer=peer-a.example:<port> resolves
  // only after 20 s. The node settles alone at once (the unresolvable name counts as failed),
  // the refresh at 15 s (upstream's interval, not scaled) fails and says so, the one at 30 s
  // finds the address and joins it.
  Peer* a = Make(Fast());
  auto resolver =
      std::make_shared<LateResolver>("peer-a.example", asio::ip::make_address("127.0.0.1"), 20s);
  PeerOptions ob = Fast();
  ob.peers = {"peer-a.example:" + std::to_string(a->BoundPort())};
  ob.resolver = resolver;
  ob.refresh_interval = 15s;
  auto start = std::chrono::steady_clock::now();
  Peer* b = Make(ob);
  EXPECT_TRUE(WaitFor([&] { return b->Ready(); }, 1000ms));
  EXPECT_EQ(b->ClusterSize(), 1);
  EXPECT_TRUE(WaitFor(
      [&] {
        return Metrics(1).find("alertmanager_cluster_refresh_join_failed_total 1") !=
               std::string::npos;
      },
      17s));
  EXPECT_EQ(b->ClusterSize(), 1);
  EXPECT_TRUE(WaitFor([&] { return a->ClusterSize() == 2 && b->ClusterSize() == 2; }, 20s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20s);
  EXPECT_GE(resolver->calls.load(), 3);
  EXPECT_TRUE(WaitFor([&] {
    return Metrics(1).find("alertmanager_cluster_refresh_join_total 1") != std::string::npos;
  }));
}

TEST_F(PeerTest, RefusedPeerIsRetriedUntilItComesUp) {
  // Reserve a port, then free it: the configured peer refuses connections at first.
  uint16_t port;
  {
    asio::io_context local;
    asio::ip::tcp::acceptor acc(local,
                                asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = acc.local_endpoint().port();
  }
  PeerOptions ob = Fast();
  ob.peers = {"127.0.0.1:" + std::to_string(port)};
  Peer* b = Make(ob);
  EXPECT_TRUE(WaitFor([&] { return b->Ready(); }, 1000ms));  // refused counts as failed
  EXPECT_TRUE(WaitFor(
      [&] { return Metrics(0).find("alertmanager_cluster_failed_peers 1") != std::string::npos; },
      2000ms));
  PeerOptions oa = Fast();
  oa.listen_address = "127.0.0.1:" + std::to_string(port);
  Peer* a = Make(oa);
  EXPECT_TRUE(WaitFor([&] { return a->ClusterSize() == 2 && b->ClusterSize() == 2; }, 5000ms));
  EXPECT_TRUE(WaitFor(
      [&] {
        return Metrics(0).find("alertmanager_cluster_failed_peers 0") != std::string::npos &&
               Metrics(0).find("alertmanager_cluster_reconnections_total 1") != std::string::npos;
      },
      3000ms));
}

// A TCP server on 127.0.0.1 that accepts connections and never answers.
class SilentServer {
 public:
  SilentServer() : acc_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SilentServer() {
    io_.stop();
    thread_.join();
  }
  std::string Address() const {
    return "127.0.0.1:" + std::to_string(acc_.local_endpoint().port());
  }

 private:
  void Accept() {
    acc_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
      if (ec) return;
      held_.push_back(std::move(s));
      Accept();
    });
  }
  asio::io_context io_;
  asio::ip::tcp::acceptor acc_;
  std::vector<asio::ip::tcp::socket> held_;
  std::thread thread_;
};

TEST_F(PeerTest, SettleWaitsForASlowPeerUpToTheTcpTimeout) {
  SilentServer silent;
  PeerOptions ob = Fast();
  ob.tcp_timeout = 800ms;
  ob.peers = {silent.Address()};
  auto start = std::chrono::steady_clock::now();
  Peer* b = Make(ob);
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(b->Ready());
  EXPECT_EQ(b->Status(), "settling");
  EXPECT_TRUE(WaitFor([&] { return b->Ready(); }, 3000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 700ms);
}

TEST_F(PeerTest, SettleTimeoutCapsSettling) {
  asio::io_context local;
  asio::ip::tcp::acceptor acc(local,
                              asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  PeerOptions ob = Fast();
  ob.tcp_timeout = 10s;
  ob.settle_timeout = 400ms;
  ob.peers = {"127.0.0.1:" +
              std::to_string(acc.local_endpoint().port())};  // listens, never accepts
  Peer* b = Make(ob);
  std::atomic<bool> ready_cb{false};
  b->WaitReady([&] { ready_cb = true; });
  EXPECT_TRUE(WaitFor([&] { return ready_cb.load(); }, 2000ms));
  EXPECT_EQ(b->Status(), "ready");
}

TEST_F(PeerTest, LeaveIsSeenByOthersAndMarksThePeerFailed) {
  Peer* a = Make(Fast());
  PeerOptions ob = Fast();
  ob.peers = {Addr(a)};
  Peer* b = Make(ob);
  ASSERT_TRUE(WaitFor([&] { return a->ClusterSize() == 2; }));
  b->Leave(2s);
  EXPECT_TRUE(WaitFor([&] { return a->ClusterSize() == 1; }, 2000ms));
  EXPECT_TRUE(WaitFor(
      [&] {
        std::string m = Metrics(0);
        return m.find("alertmanager_cluster_peers_left_total 1") != std::string::npos &&
               m.find("alertmanager_cluster_failed_peers 1") != std::string::npos;
      },
      3000ms));
}

TEST_F(PeerTest, MetricsHaveUpstreamNamesAndLabels) {
  FakeState nfl, sil;
  Peer* a = Make(Fast(), &nfl, &sil);
  ASSERT_TRUE(WaitFor([&] { return a->Ready(); }));
  std::string m = Metrics(0);
  for (const char* want : {
           "alertmanager_cluster_peer_info{peer=\"",
           "alertmanager_cluster_failed_peers 0",
           "alertmanager_cluster_reconnections_failed_total 0",
           "alertmanager_cluster_reconnections_total 0",
           "alertmanager_cluster_refresh_join_failed_total 0",
           "alertmanager_cluster_refresh_join_total 0",
           "alertmanager_cluster_peers_left_total 0",
           "alertmanager_cluster_peers_update_total 0",
           "alertmanager_cluster_peers_joined_total 1",
           "alertmanager_cluster_messages_received_total{msg_type=\"full_state\"} 0",
           "alertmanager_cluster_messages_received_size_total{msg_type=\"update\"} 0",
           "alertmanager_cluster_messages_sent_total{msg_type=\"full_state\"} 0",
           "alertmanager_cluster_messages_sent_size_total{msg_type=\"update\"} 0",
           "alertmanager_cluster_messages_pruned_total 0",
           "alertmanager_cluster_members 1",
           "alertmanager_peer_position 0",
           "alertmanager_cluster_health_score 0",
           "alertmanager_cluster_messages_queued 0",
           "alertmanager_oversized_gossip_message_failure_total{key=\"nfl\"} 0",
           "alertmanager_oversized_gossip_message_sent_total{key=\"sil\"} 0",
           "alertmanager_oversized_gossip_message_dropped_total{key=\"nfl\"} 0",
           "alertmanager_oversize_gossip_message_duration_seconds_bucket{key=\"sil\",le=\"10\"} 0",
           "# HELP alertmanager_peer_position Position the Alertmanager instance believes it's in. "
           "The position determines a peer's behavior in the cluster.",
       }) {
    EXPECT_NE(m.find(want), std::string::npos) << want;
  }
}

TEST_F(PeerTest, SettleLogsTheLinesOperatorsGrepFor) {
  char path[] = "/tmp/cluster_log_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  log::Configure(log::Level::kInfo, log::Format::kLogfmt, fd);
  Peer* p = Make(Fast());
  ASSERT_TRUE(WaitFor([&] { return p->Ready(); }));
  std::this_thread::sleep_for(50ms);
  log::Configure(log::Level::kInfo, log::Format::kLogfmt, 2);
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string logs = ss.str();
  close(fd);
  std::remove(path);
  EXPECT_NE(logs.find("component=cluster msg=\"Waiting for gossip to settle...\" interval=200ms"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find("component=cluster msg=\"gossip settled; proceeding\" elapsed="),
            std::string::npos)
      << logs;
}

TEST_F(PeerTest, BadOptionsAreRejected) {
  prometheus::Registry r;
  PeerOptions o = Fast();
  o.listen_address = "127.0.0.1";
  EXPECT_THROW(Peer::Create(io_, o, r), std::runtime_error);
  o = Fast();
  o.peers = {"no-port"};
  EXPECT_THROW(Peer::Create(io_, o, r), std::runtime_error);
  o = Fast();
  o.advertise_address = "not-an-ip:9094";
  EXPECT_THROW(Peer::Create(io_, o, r), std::runtime_error);
  o = Fast();
  o.tls_config = "tls.yml";
  EXPECT_THROW(Peer::Create(io_, o, r), std::runtime_error);
}

TEST(Advertise, ExplicitAddressWinsThenBindThenPrivateInterfaces) {
  auto ifaces = [] {
    return std::vector<asio::ip::address>{asio::ip::make_address("8.8.4.4"),
                                          asio::ip::make_address("10.1.2.3")};
  };
  auto public_only = [] {
    return std::vector<asio::ip::address>{asio::ip::make_address("8.8.4.4")};
  };
  EXPECT_EQ(CalculateAdvertiseAddress("0.0.0.0", "127.0.0.1", false, ifaces).ip.to_string(),
            "127.0.0.1");
  EXPECT_EQ(CalculateAdvertiseAddress("192.168.1.5", "", false, ifaces).ip.to_string(),
            "192.168.1.5");
  EXPECT_EQ(CalculateAdvertiseAddress("0.0.0.0", "", false, ifaces).ip.to_string(), "10.1.2.3");
  EXPECT_EQ(CalculateAdvertiseAddress("", "", false, ifaces).ip.to_string(), "10.1.2.3");
  // A public address is never picked unless explicitly allowed.
  AdvertiseChoice c = CalculateAdvertiseAddress("0.0.0.0", "", false, public_only);
  EXPECT_EQ(c.err, "no private IP found, explicit advertise addr not provided");
  EXPECT_EQ(CalculateAdvertiseAddress("0.0.0.0", "", true, public_only).ip.to_string(), "8.8.4.4");
  EXPECT_FALSE(CalculateAdvertiseAddress("0.0.0.0", "peer.example", false, ifaces).err.empty());
  EXPECT_TRUE(IsPrivateIp(asio::ip::make_address("172.20.0.1")));
  EXPECT_TRUE(IsPrivateIp(asio::ip::make_address("fd00::1")));
  EXPECT_FALSE(IsPrivateIp(asio::ip::make_address("172.32.0.1")));
  EXPECT_FALSE(IsPrivateIp(asio::ip::make_address("2a00::1")));
  EXPECT_TRUE(HasNonlocal({"10.0.0.1:9094"}));
  EXPECT_TRUE(HasNonlocal({"am-1.example:9094"}));
  EXPECT_FALSE(HasNonlocal({"127.0.0.1:9094", "localhost:9094"}));
  EXPECT_TRUE(IsUnroutable("0.0.0.0:9094"));
  EXPECT_TRUE(IsUnroutable("127.0.0.1"));
  EXPECT_FALSE(IsUnroutable("10.0.0.1:9094"));
}

TEST(SettleTracker, WaitsForConfiguredPeersAndMembersLearnedMeanwhile) {
  SettleTracker t;
  EXPECT_TRUE(t.Settled({}));  // no peers: settled at once
  t.AddConfigured("10.0.0.1:9094");
  t.Started("10.0.0.1:9094");
  EXPECT_FALSE(t.Settled({}));
  t.Done("10.0.0.1:9094");
  EXPECT_TRUE(t.Settled({"10.0.0.1:9094"}));
  // A member learned through gossip needs one push/pull of its own.
  std::vector<std::string> members{"10.0.0.1:9094", "10.0.0.2:9094"};
  EXPECT_FALSE(t.Settled(members));
  auto todo = t.ToSync(members);
  ASSERT_EQ(todo.size(), 1u);
  EXPECT_EQ(todo[0], "10.0.0.2:9094");
  t.Started(todo[0]);
  EXPECT_TRUE(t.ToSync(members).empty());
  t.Done(todo[0]);
  EXPECT_TRUE(t.Settled(members));
  t.SetResolving(1);
  EXPECT_FALSE(t.Settled(members));
}

}  // namespace
}  // namespace am::cluster
