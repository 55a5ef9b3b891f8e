// Interop with the real thing: one of our Peers and one Debian prometheus-alertmanager 0.25 on
// 127.0.0.1 (every address explicit). They see each other (the Go node's /api/v2/status lists
// ours), silences travel both ways (push/pull full state, UDP gossip, and a >700-byte Part over
// TCP), our leave is honoured, and our cluster metrics have the Go daemon's names and help
// texts. Skipped when the binary is not installed. The Go process is stopped in every path.
#include <gtest/gtest.h>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cluster/peer.h"
#include "proto/silence.pb.h"

extern char** environ;

namespace am::cluster {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr const char* kGoAlertmanager = "/usr/bin/prometheus-alertmanager";

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
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

// HTTP/1.0 request to 127.0.0.1:port; returns the status (0 on connection failure).
int Http(uint16_t port, const std::string& method, const std::string& path, const std::string& body,
         std::string* resp) {
  try {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    struct timeval tv {
      5, 0
    };
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string req = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
    if (!body.empty()) {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    req += "\r\n" + body;
    asio::write(s, asio::buffer(req));
    std::string all;
    boost::system::error_code ec;
    char buf[8192];
    for (;;) {
      size_t n = s.read_some(asio::buffer(buf), ec);
      all.append(buf, n);
      if (ec) break;
    }
    size_t sp = all.find(' ');
    size_t hdr_end = all.find("\r\n\r\n");
    if (sp == std::string::npos || hdr_end == std::string::npos) return 0;
    if (resp) *resp = all.substr(hdr_end + 4);
    return std::atoi(all.c_str() + sp + 1);
  } catch (...) {
    return 0;
  }
}

// The Go daemon, stopped (SIGTERM, then SIGKILL) when this goes out of scope.
class GoAlertmanager {
 public:
  GoAlertmanager(const std::filesystem::path& dir, uint16_t web, uint16_t cluster,
                 const std::vector<std::string>& peers)
      : web_(web), cluster_(cluster) {
    std::filesystem::create_directories(dir / "data");
    std::ofstream(dir / "am.yml") << "route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n";
    std::vector<std::string> args = {
        kGoAlertmanager,
        "--config.file=" + (dir / "am.yml").string(),
        "--storage.path=" + (dir / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(web),
        "--cluster.listen-address=127.0.0.1:" + std::to_string(cluster),
        "--cluster.advertise-address=127.0.0.1:" + std::to_string(cluster),
        "--log.level=debug",
    };
    for (const auto& p : peers) args.push_back("--cluster.peer=" + p);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string log = (dir / "go.log").string();
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, kGoAlertmanager, &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~GoAlertmanager() { Stop(SIGTERM); }
  void Stop(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    for (int i = 0; i < 60; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  bool running() const { return pid_ > 0; }
  uint16_t web() const { return web_; }
  std::string cluster_addr() const { return "127.0.0.1:" + std::to_string(cluster_); }
  // cluster.peers of /api/v2/status as name -> address.
  std::map<std::string, std::string> Peers() const {
    std::string body;
    if (Http(web_, "GET", "/api/v2/status", "", &body) != 200) return {};
    std::map<std::string, std::string> out;
    try {
      auto j = nlohmann::json::parse(body);
      for (const auto& p : j["cluster"]["peers"]) out[p["name"]] = p["address"];
    } catch (...) {
    }
    return out;
  }
  std::string Name() const {
    std::string body;
    if (Http(web_, "GET", "/api/v2/status", "", &body) != 200) return "";
    try {
      return nlohmann::json::parse(body)["cluster"]["name"];
    } catch (...) {
      return "";
    }
  }
  bool HasSilence(const std::string& id) const {
    return Http(web_, "GET", "/api/v2/silence/" + id, "", nullptr) == 200;
  }

 private:
  pid_t pid_ = -1;
  uint16_t web_, cluster_;
};

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::string NewUuid() {
  std::random_device rd;
  char buf[37];
  uint32_t a = rd(), b = rd(), c = rd(), d = rd();
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-a%03x-%04x%08x", a, b & 0xffff,
                (b >> 16) & 0xfff, c & 0xfff, (c >> 16) & 0xffff, d);
  return buf;
}

// One delimited MeshSilence, as our silence store would hand it to the Broadcaster.
std::string MeshSilenceBytes(const std::string& id, const std::string& comment) {
  silencepb::MeshSilence ms;
  auto* s = ms.mutable_silence();
  s->set_id(id);
  auto* m = s->add_matchers();
  m->set_type(silencepb::Matcher::EQUAL);
  m->set_name("alertname");
  m->set_pattern("FromCpp");
  int64_t now = std::time(nullptr);
  s->mutable_starts_at()->set_seconds(now);
  s->mutable_ends_at()->set_seconds(now + 3600);
  s->mutable_updated_at()->set_seconds(now);
  s->set_created_by("cpp");
  s->set_comment(comment);
  ms.mutable_expires_at()->set_seconds(now + 3600 + 120 * 3600);
  std::string body = ms.SerializeAsString();
  std::string out;
  PutVarint(body.size(), &out);
  return out + body;
}

// The "sil" channel: keeps raw entries by silence id (what Merge saw is what MarshalBinary
// returns), newer updated_at wins.
class RecordingSilences : public StateChannel {
 public:
  void Add(const std::string& id, std::string delimited) {
    std::lock_guard<std::mutex> l(mu_);
    entries_[id] = std::move(delimited);
  }
  bool Has(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    return entries_.count(id) > 0;
  }
  std::string MarshalBinary() override {
    std::lock_guard<std::mutex> l(mu_);
    std::string out;
    for (const auto& [id, e] : entries_) out += e;
    return out;
  }
  bool Merge(std::string_view data) override {
    std::lock_guard<std::mutex> l(mu_);
    bool changed = false;
    while (!data.empty()) {
      uint64_t len = 0;
      int shift = 0;
      size_t i = 0;
      for (; i < data.size() && i < 10; ++i) {
        len |= static_cast<uint64_t>(data[i] & 0x7f) << shift;
        shift += 7;
        if (!(data[i] & 0x80)) break;
      }
      if (i >= data.size() || data.size() - i - 1 < len) throw std::runtime_error("bad varint");
      std::string_view body = data.substr(i + 1, len);
      silencepb::MeshSilence ms;
      if (!ms.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
        throw std::runtime_error("bad MeshSilence");
      }
      std::string whole(data.substr(0, i + 1 + len));
      auto it = entries_.find(ms.silence().id());
      if (it == entries_.end()) {
        entries_[ms.silence().id()] = whole;
        changed = true;
      }
      data.remove_prefix(i + 1 + len);
    }
    return changed;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> entries_;
};

class EmptyNflog : public StateChannel {
 public:
  std::string MarshalBinary() override { return ""; }
  bool Merge(std::string_view) override { return false; }
};

class Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kGoAlertmanager, X_OK) != 0) GTEST_SKIP() << kGoAlertmanager << " not installed";
    dir_ = std::filesystem::temp_directory_path() /
           ("cluster_interop_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    peer_.reset();
    go_.reset();
    std::this_thread::sleep_for(50ms);
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  PeerOptions Options(uint16_t port, std::vector<std::string> peers) {
    PeerOptions o;
    o.listen_address = "127.0.0.1:" + std::to_string(port);
    o.advertise_address = "127.0.0.1:" + std::to_string(port);
    o.peers = std::move(peers);
    o.settle_timeout = 15s;
    return o;
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  prometheus::Registry registry_;
  RecordingSilences sil_;
  EmptyNflog nfl_;
  std::unique_ptr<Peer> peer_;
  std::unique_ptr<GoAlertmanager> go_;
};

TEST_F(Interop, GoNodeJoinsUsAndSilencesFlowBothWays) {
  uint16_t ours = FreePort(), go_cluster = FreePort(), go_web = FreePort();
  ASSERT_TRUE(ours && go_cluster && go_web);
  // A silence we hold before the Go node exists: it must reach it by push/pull.
  std::string early_id = NewUuid();
  sil_.Add(early_id, MeshSilenceBytes(early_id, "known before the join"));

  peer_ = Peer::Create(io_, Options(ours, {}), registry_);
  Broadcaster& sil_b = peer_->AddState("sil", sil_);
  peer_->AddState("nfl", nfl_);
  peer_->Start();
  ASSERT_TRUE(WaitFor([&] { return peer_->Ready(); }, 2000ms));

  go_ = std::make_unique<GoAlertmanager>(
      dir_, go_web, go_cluster, std::vector<std::string>{"127.0.0.1:" + std::to_string(ours)});
  ASSERT_TRUE(go_->running());
  // The Go node lists us, with our advertised address; we list it.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto p = go_->Peers();
        return p.count(peer_->Name()) && p[peer_->Name()] == "127.0.0.1:" + std::to_string(ours);
      },
      20000ms))
      << "Go's /api/v2/status never listed " << peer_->Name();
  std::string go_name = go_->Name();
  ASSERT_TRUE(WaitFor([&] { return peer_->ClusterSize() == 2; }, 5000ms));
  auto ours_view = peer_->Peers();
  ASSERT_EQ(ours_view.size(), 2u);
  EXPECT_TRUE(ours_view[0].name == go_name || ours_view[1].name == go_name);
  EXPECT_EQ(peer_->Position(), peer_->Name() < go_name ? 0 : 1);

  // Full state through the join push/pull.
  EXPECT_TRUE(WaitFor([&] { return go_->HasSilence(early_id); }, 10000ms));

  // Go -> us: a silence created through the Go API arrives by gossip.
  std::time_t now = std::time(nullptr);
  char start[32], end[32];
  std::strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::time_t later = now + 3600;
  std::strftime(end, sizeof(end), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&later));
  std::string body =
      std::string(R"({"matchers":[{"name":"alertname","value":"FromGo","isRegex":false}],)") +
      R"("startsAt":")" + start + R"(","endsAt":")" + end +
      R"(","createdBy":"go","comment":"from the Go node"})";
  std::string resp;
  ASSERT_EQ(Http(go_->web(), "POST", "/api/v2/silences", body, &resp), 200) << resp;
  std::string go_id = nlohmann::json::parse(resp)["silenceID"];
  EXPECT_TRUE(WaitFor([&] { return sil_.Has(go_id); }, 10000ms));

  // Us -> Go by UDP gossip (a Part under 700 bytes).
  std::string small_id = NewUuid();
  std::string small = MeshSilenceBytes(small_id, "small");
  sil_.Add(small_id, small);
  sil_b.Broadcast(small);
  EXPECT_TRUE(WaitFor([&] { return go_->HasSilence(small_id); }, 10000ms));

  // Us -> Go over TCP: a 1,000-character comment makes the Part oversized.
  std::string big_id = NewUuid();
  std::string big = MeshSilenceBytes(big_id, std::string(1000, 'c'));
  ASSERT_GT(big.size(), 700u);
  sil_.Add(big_id, big);
  sil_b.Broadcast(big);
  EXPECT_TRUE(WaitFor([&] { return go_->HasSilence(big_id); }, 10000ms));

  // Our cluster metrics carry the Go daemon's names, types and help texts.
  std::string go_metrics;
  ASSERT_EQ(Http(go_->web(), "GET", "/metrics", "", &go_metrics), 200);
  std::string our_metrics = prometheus::TextSerializer().Serialize(registry_.Collect());
  std::istringstream in(go_metrics);
  std::string line;
  int compared = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) != 0 && line.rfind("# TYPE ", 0) != 0) continue;
    std::string name = line.substr(7, line.find(' ', 7) - 7);
    bool ours_kind = name.rfind("alertmanager_cluster_", 0) == 0 ||
                     name == "alertmanager_peer_position" ||
                     name.rfind("alertmanager_oversize", 0) == 0;
    if (!ours_kind || name == "alertmanager_cluster_enabled") continue;
    EXPECT_NE(our_metrics.find(line + "\n"), std::string::npos) << "missing or different: " << line;
    ++compared;
  }
  EXPECT_GE(compared, 40);

  // Our leave removes us from the Go node's view promptly (dead with From == Node).
  peer_->Leave(5s);
  EXPECT_TRUE(WaitFor([&] { return go_->Peers().count(peer_->Name()) == 0; }, 5000ms));
}

TEST_F(Interop, WeJoinAGoNodeSettleAndDetectItsDeath) {
  uint16_t ours = FreePort(), go_cluster = FreePort(), go_web = FreePort();
  ASSERT_TRUE(ours && go_cluster && go_web);
  go_ = std::make_unique<GoAlertmanager>(dir_, go_web, go_cluster, std::vector<std::string>{});
  ASSERT_TRUE(WaitFor([&] { return go_->Peers().size() == 1; }, 10000ms));

  PeerOptions o = Options(ours, {go_->cluster_addr()});
  o.reconnect_interval = 1s;
  peer_ = Peer::Create(io_, o, registry_);
  peer_->AddState("sil", sil_);
  peer_->AddState("nfl", nfl_);
  auto start = std::chrono::steady_clock::now();
  peer_->Start();
  // Settled as soon as the join push/pull completed (not after upstream's ~10 s of polls).
  ASSERT_TRUE(WaitFor([&] { return peer_->Ready(); }, 5000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(peer_->ClusterSize(), 2);
  EXPECT_TRUE(WaitFor([&] { return go_->Peers().count(peer_->Name()) == 1; }, 5000ms));
  // Stay a healthy member for a few probe rounds: the Go node must not suspect us.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(go_->Peers().size(), 2u);
  EXPECT_EQ(peer_->ClusterSize(), 2);

  // SIGKILL the Go node: we suspect it and declare it dead (probe 1 s, suspicion 4 s).
  go_->Stop(SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return peer_->ClusterSize() == 1; }, 15000ms));
}

}  // namespace
}  // namespace am::cluster
