// Real memberlist nodes in one process, on 127.0.0.1 with kernel-chosen ports and short timings:
// they form one cluster, gossip broadcasts, detect a stopped node, refute suspicion, survive
// garbage, and keep labelled clusters apart. Every wait is bounded.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/memberlist.h"
#include "cluster_test_util.h"

namespace am::cluster::memberlist {
namespace {

using testutil::Hex;
using testutil::WaitFor;

using namespace std::chrono_literals;
using namespace std::string_literals;
namespace asio = boost::asio;

// Waits up to `limit` for `pred`, polling.
class TestDelegate : public Delegate {
 public:
  void NotifyMsg(std::string_view msg) override {
    std::lock_guard<std::mutex> l(mu);
    received.emplace_back(msg);
  }
  std::vector<std::string> GetBroadcasts(int overhead, int limit) override {
    std::lock_guard<std::mutex> l(mu);
    std::vector<std::string> out;
    // Each queued message is handed out 3 times (a tiny retransmit-limited queue).
    for (auto& [msg, left] : outgoing) {
      if (left > 0 && static_cast<int>(msg.size()) + overhead <= limit) {
        out.push_back(msg);
        --left;
        limit -= static_cast<int>(msg.size()) + overhead;
      }
    }
    return out;
  }
  std::string LocalState(bool) override { return "state-of-" + name; }
  void MergeRemoteState(std::string_view s, bool) override {
    std::lock_guard<std::mutex> l(mu);
    merged.emplace_back(s);
  }
  void NotifyJoin(const Node& n) override {
    std::lock_guard<std::mutex> l(mu);
    joins.push_back(n.name);
  }
  void NotifyLeave(const Node& n) override {
    std::lock_guard<std::mutex> l(mu);
    leaves.push_back(n.name);
  }
  bool Received(const std::string& m) {
    std::lock_guard<std::mutex> l(mu);
    return std::find(received.begin(), received.end(), m) != received.end();
  }
  bool Merged(const std::string& m) {
    std::lock_guard<std::mutex> l(mu);
    return std::find(merged.begin(), merged.end(), m) != merged.end();
  }
  void Queue(std::string m) {
    std::lock_guard<std::mutex> l(mu);
    outgoing.emplace_back(std::move(m), 3);
  }

  std::string name;
  std::mutex mu;
  std::vector<std::string> received, merged, joins, leaves;
  std::deque<std::pair<std::string, int>> outgoing;
};

Config FastConfig(const std::string& name) {
  Config c;
  c.name = name;
  c.bind_addr = "127.0.0.1";
  c.bind_port = 0;
  c.gossip_interval = 20ms;
  c.probe_interval = 100ms;
  c.probe_timeout = 50ms;
  c.pushpull_interval = 2s;
  c.tcp_timeout = 1s;
  return c;
}

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    for (auto& n : nodes_) n->Shutdown();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  std::shared_ptr<Memberlist> Add(const std::string& name, Config cfg = {}) {
    if (cfg.name.empty()) cfg = FastConfig(name);
    auto d = std::make_unique<TestDelegate>();
    d->name = name;
    auto m = Memberlist::Create(io_, cfg, d.get());
    m->Start();
    delegates_.push_back(std::move(d));
    nodes_.push_back(m);
    return m;
  }
  TestDelegate& D(size_t i) { return *delegates_[i]; }
  std::string Join(const std::shared_ptr<Memberlist>& m, const std::shared_ptr<Memberlist>& to,
                   bool join = true) {
    return testutil::PushPullSync(m, to, join);
  }
  static bool HasMember(const std::shared_ptr<Memberlist>& m, const std::string& name,
                        NodeStateType state = kStateAlive) {
    for (const auto& n : m->Members()) {
      if (n.name == name) return n.state == state;
    }
    return false;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<TestDelegate>> delegates_;
  std::vector<std::shared_ptr<Memberlist>> nodes_;
};

TEST_F(Cluster, ThreeNodesFormOneClusterAndExchangeState) {
  auto a = Add("node-a");
  auto b = Add("node-b");
  auto c = Add("node-c");
  EXPECT_TRUE(WaitFor([&] { return a->Members().size() == 1u; }, 1000ms));
  EXPECT_EQ(Join(b, a), "");
  EXPECT_EQ(Join(c, a), "");
  for (auto& n : {a, b, c}) {
    EXPECT_TRUE(WaitFor([&] { return n->NumMembers() == 3; })) << n->Name();
  }
  // The push/pull carried the user state both ways.
  EXPECT_TRUE(D(0).Merged("state-of-node-b"));
  EXPECT_TRUE(D(1).Merged("state-of-node-a"));
  // Advertised as 127.0.0.1 with the bound port.
  for (const auto& n : c->Members()) {
    if (n.name == "node-a") {
      EXPECT_EQ(n.Address(), "127.0.0.1:" + std::to_string(a->BoundPort()));
    }
  }
}

TEST_F(Cluster, BroadcastReachesEveryNode) {
  auto a = Add("node-a");
  auto b = Add("node-b");
  auto c = Add("node-c");
  ASSERT_EQ(Join(b, a), "");
  ASSERT_EQ(Join(c, b), "");
  ASSERT_TRUE(WaitFor([&] { return a->NumMembers() == 3 && c->NumMembers() == 3; }));
  D(0).Queue("hello from a");
  EXPECT_TRUE(
      WaitFor([&] { return D(1).Received("hello from a") && D(2).Received("hello from a"); }));
  // Reliable (TCP) user messages, bigger than a datagram.
  std::string big(100000, 'z');
  std::mutex mu;
  std::string err = "pending";
  Node target;
  for (const auto& n : a->Members()) {
    if (n.name == "node-c") target = n;
  }
  a->SendReliable(target, big, [&](const std::string& e) {
    std::lock_guard<std::mutex> l(mu);
    err = e;
  });
  EXPECT_TRUE(WaitFor([&] { return D(2).Received(big); }));
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> l(mu);
    return err == "";
  }));
}

TEST_F(Cluster, StoppedNodeIsDeclaredDead) {
  auto a = Add("node-a");
  auto b = Add("node-b");
  auto c = Add("node-c");
  ASSERT_EQ(Join(b, a), "");
  ASSERT_EQ(Join(c, a), "");
  ASSERT_TRUE(WaitFor([&] { return a->NumMembers() == 3 && b->NumMembers() == 3; }));
  c->Shutdown();  // no leave: a crash as far as the others can tell
  // Probe 100 ms, suspicion 4 x 100 ms: well under 5 s.
  EXPECT_TRUE(WaitFor([&] { return a->NumMembers() == 2 && b->NumMembers() == 2; }));
  std::lock_guard<std::mutex> l(D(0).mu);
  EXPECT_NE(std::find(D(0).leaves.begin(), D(0).leaves.end(), "node-c"), D(0).leaves.end());
}

TEST_F(Cluster, LeaveIsSeenAtOnce) {
  auto a = Add("node-a");
  auto b = Add("node-b");
  ASSERT_EQ(Join(b, a), "");
  ASSERT_TRUE(WaitFor([&] { return a->NumMembers() == 2; }));
  std::mutex mu;
  std::string err = "pending";
  b->Leave(2s, [&](const std::string& e) {
    std::lock_guard<std::mutex> l(mu);
    err = e;
  });
  EXPECT_TRUE(WaitFor([&] { return a->NumMembers() == 1; }, 2000ms));
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> l(mu);
    return err == "";
  }));
}

TEST_F(Cluster, SuspectedNodeRefutes) {
  auto a = Add("node-a");
  auto b = Add("node-b");
  auto c = Add("node-c");
  ASSERT_EQ(Join(b, a), "");
  ASSERT_EQ(Join(c, a), "");
  ASSERT_TRUE(WaitFor([&] { return b->NumMembers() == 3 && c->NumMembers() == 3; }));
  // Tell b and c that a is suspect (incarnation 1, as a started with): a hears it through gossip
  // and must refute with a higher incarnation before the 400 ms suspicion timeout.
  Suspect s;
  s.incarnation = 1;
  s.node = "node-a";
  s.from = "node-x";
  std::string pkt = EncodeMessage(MessageType::kSuspect, s);
  asio::ip::udp::endpoint from(asio::ip::make_address("127.0.0.1"), 1);
  EXPECT_EQ(a->LocalIncarnation(), 1u);
  b->InjectPacket(pkt, from);
  c->InjectPacket(pkt, from);
  EXPECT_TRUE(WaitFor([&] { return a->LocalIncarnation() > 1; }, 2000ms));
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(HasMember(b, "node-a", kStateAlive));
  EXPECT_TRUE(HasMember(c, "node-a", kStateAlive));
  EXPECT_GE(a->HealthScore(), 0);
}

TEST_F(Cluster, GarbageDoesNotHurtALiveNode) {
  auto a = Add("node-a");
  auto b = Add("node-b");
  ASSERT_EQ(Join(b, a), "");
  ASSERT_TRUE(WaitFor([&] { return a->NumMembers() == 2; }));
  std::mt19937 rng(5);
  asio::io_context local;
  asio::ip::udp::socket u(local, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), a->BoundPort());
  for (int i = 0; i < 2000; ++i) {
    std::string junk(1 + rng() % 300, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    junk[0] = static_cast<char>(rng() % 14);
    u.send_to(asio::buffer(junk), to);
  }
  // Streams: garbage, a huge declared user state, a declared compress buffer never sent.
  for (const std::string& junk :
       {"\x06\xde\xff\xff"s, "\x08\x81\xaaUserMsgLen\xce\x7f\xff\xff\xff"s,
        "\x09\x82\xa4"
        "Algo\x00\xa3"
        "Buf\xdb\x00\xff\xff\xff"s,
        std::string(1000, '\x55')}) {
    asio::ip::tcp::socket s(local);
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), a->BoundPort()));
    asio::write(s, asio::buffer(junk));
    s.close();
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(HasMember(b, "node-a", kStateAlive));
  EXPECT_TRUE(HasMember(a, "node-b", kStateAlive));
  EXPECT_GT(a->stats().packets_dropped.load(), 0u);
  // Still answering push/pulls.
  auto c = Add("node-c");
  EXPECT_EQ(Join(c, a), "");
}

TEST_F(Cluster, LabelsKeepClustersApart) {
  Config ca = FastConfig("node-a");
  ca.label = "blue";
  Config cb = FastConfig("node-b");
  cb.label = "blue";
  Config cc = FastConfig("node-c");
  cc.label = "green";
  auto a = Add("node-a", ca);
  auto b = Add("node-b", cb);
  auto c = Add("node-c", cc);
  EXPECT_EQ(Join(b, a), "");
  EXPECT_TRUE(WaitFor([&] { return a->NumMembers() == 2; }));
  EXPECT_NE(Join(c, a), "");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(a->NumMembers(), 2);
  EXPECT_EQ(c->NumMembers(), 1);
}

TEST_F(Cluster, RefusedJoinReportsTheError) {
  auto a = Add("node-a");
  // A port nothing listens on (bound then closed).
  uint16_t port;
  {
    asio::io_context local;
    asio::ip::tcp::acceptor acc(local,
                                asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = acc.local_endpoint().port();
  }
  std::mutex mu;
  std::condition_variable cv;
  std::string err = "pending";
  a->PushPull(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), true,
              [&](const std::string& e) {
                std::lock_guard<std::mutex> l(mu);
                err = e;
                cv.notify_all();
              });
  std::unique_lock<std::mutex> l(mu);
  ASSERT_TRUE(cv.wait_for(l, 3s, [&] { return err != "pending"; }));
  EXPECT_NE(err.find("dial tcp 127.0.0.1:" + std::to_string(port)), std::string::npos) << err;
}

}  // namespace
}  // namespace am::cluster::memberlist
