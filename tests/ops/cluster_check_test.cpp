// The mesh health check's decision logic on canned /api/v2/status bodies (shapes captured from
// Debian's Alertmanager 0.25), its flag parsing, and its HTTP fetch against a one-shot loopback
// server.
#include "api/cluster_check.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace am::api {
namespace {

const char* kA = "01M818M1X09VMZT2D4M2DP3DEK";
const char* kB = "01M818M1X1017EG56G52VT4009";
const char* kC = "01M818M1V3H1MR1KM086369TY4";  // sorts first

struct P {
  const char* name;
  const char* addr;
};

// A body as 0.25 writes it (keys in its order, plus the parts the check ignores).
std::string StatusBody(const std::string& name, const std::string& status,
                       const std::vector<P>& peers) {
  std::string s = R"({"cluster":{)";
  if (!name.empty()) s += R"("name":")" + name + R"(",)";
  s += R"("peers":[)";
  for (size_t i = 0; i < peers.size(); ++i) {
    if (i) s += ",";
    s += R"({"address":")" + std::string(peers[i].addr) + R"(","name":")" + peers[i].name + R"("})";
  }
  s += R"(],"status":")" + status + R"("},"config":{"original":"route: {}\n"},)";
  s += R"("uptime":"2026-11-22T09:15:30.080Z","versionInfo":{"version":"0.25.0"}})";
  return s;
}

const std::vector<P> kAll = {
    {kC, "127.0.0.1:19394"}, {kA, "127.0.0.1:19194"}, {kB, "127.0.0.1:19294"}};

std::vector<ReplicaReport> WholeMesh() {
  return {ParseStatusResponse("http://127.0.0.1:19193", StatusBody(kA, "ready", kAll)),
          ParseStatusResponse("http://127.0.0.1:19293", StatusBody(kB, "ready", kAll)),
          ParseStatusResponse("http://127.0.0.1:19393", StatusBody(kC, "ready", kAll))};
}

ReplicaReport Unreachable(const std::string& url) {
  ReplicaReport r;
  r.url = url;
  r.error = "GET " + url + "/api/v2/status: Failed to connect to 127.0.0.1 port 19393";
  return r;
}

std::string Report(const std::vector<ReplicaReport>& rs, const MeshVerdict& v) {
  std::ostringstream out;
  PrintClusterReport(out, rs, v);
  return out.str();
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(ClusterCheckParse, ReadsNameStatusAndPeersSortedByName) {
  auto r = ParseStatusResponse("http://a", StatusBody(kA, "settling", kAll));
  ASSERT_TRUE(r.Answered()) << r.error;
  EXPECT_EQ(r.name, kA);
  EXPECT_EQ(r.status, "settling");
  ASSERT_EQ(r.peers.size(), 3u);
  EXPECT_EQ(r.peers[0].name, kC);
  EXPECT_EQ(r.peers[0].address, "127.0.0.1:19394");
  EXPECT_EQ(r.peers[1].name, kA);
  EXPECT_EQ(r.peers[2].name, kB);
}

TEST(ClusterCheckParse, PositionIsIndexOfOwnNameAmongSortedPeerNames) {
  auto rs = WholeMesh();
  EXPECT_EQ(rs[0].Position(), 1);  // kA
  EXPECT_EQ(rs[1].Position(), 2);  // kB
  EXPECT_EQ(rs[2].Position(), 0);  // kC sorts first: it notifies without waiting
}

TEST(ClusterCheckParse, DisabledClusterHasNoNameAndEmptyPeers) {
  auto r = ParseStatusResponse("http://a", R"({"cluster":{"peers":[],"status":"disabled"}})");
  ASSERT_TRUE(r.Answered()) << r.error;
  EXPECT_FALSE(r.Clustered());
  EXPECT_EQ(r.Position(), -1);
}

TEST(ClusterCheckParse, MalformedBodiesBecomeErrorsNotExceptions) {
  EXPECT_FALSE(ParseStatusResponse("u", "<html>").Answered());
  EXPECT_FALSE(ParseStatusResponse("u", R"({"status":"success","data":{}})").Answered());
  EXPECT_FALSE(ParseStatusResponse("u", R"({"cluster":{"peers":[]}})").Answered());
  EXPECT_FALSE(ParseStatusResponse("u", R"({"cluster":{"status":"ready","peers":{}}})").Answered());
  EXPECT_FALSE(
      ParseStatusResponse("u", R"({"cluster":{"status":"ready","peers":[{"address":"x"}]}})")
          .Answered());
  EXPECT_FALSE(ParseStatusResponse("u", R"({"cluster":{"status":"ready","name":7}})").Answered());
  EXPECT_FALSE(ParseStatusResponse("u", "").Answered());
}

TEST(ClusterCheckVerdict, ThreeReplicasListingTheSameThreeNamesAreWhole) {
  auto rs = WholeMesh();
  auto v = EvaluateMesh(rs);
  EXPECT_TRUE(v.whole);
  EXPECT_EQ(v.Summary(), "whole");
  EXPECT_TRUE(v.problems.empty());
  ASSERT_EQ(v.views.size(), 1u);
  std::string out = Report(rs, v);
  EXPECT_TRUE(Contains(out, "mesh: WHOLE (3 replicas agree on 3 members)")) << out;
  EXPECT_TRUE(Contains(out, "position: 0 of 3")) << out;
  EXPECT_TRUE(Contains(out, std::string(kA) + "  127.0.0.1:19194  (self)")) << out;
}

TEST(ClusterCheckVerdict, SettlingIsANoteNotAFailure) {
  auto rs = WholeMesh();
  rs[1] = ParseStatusResponse(rs[1].url, StatusBody(kB, "settling", kAll));
  auto v = EvaluateMesh(rs);
  EXPECT_TRUE(v.whole);
  ASSERT_EQ(v.notes.size(), 1u);
  EXPECT_TRUE(Contains(v.notes[0], "still settling")) << v.notes[0];
}

TEST(ClusterCheckVerdict, UnansweredReplicaIsMissingAndNamedByUrl) {
  auto rs = WholeMesh();
  rs[2] = Unreachable("http://127.0.0.1:19393");
  auto v = EvaluateMesh(rs);
  EXPECT_FALSE(v.whole);
  EXPECT_TRUE(v.missing);
  EXPECT_FALSE(v.split);
  EXPECT_EQ(v.Summary(), "missing members");
  std::string out = Report(rs, v);
  EXPECT_TRUE(Contains(out, "replica http://127.0.0.1:19393 did not answer")) << out;
  // The survivors still list the dead one (memberlist keeps a suspect until its timeout); the
  // check links that member to the URL that did not answer.
  EXPECT_TRUE(Contains(out, std::string("member ") + kC + " (127.0.0.1:19394) is listed")) << out;
  EXPECT_TRUE(Contains(out, "probably http://127.0.0.1:19393")) << out;
  EXPECT_TRUE(Contains(out, "mesh: MISSING MEMBERS")) << out;
}

TEST(ClusterCheckVerdict, UnansweredReplicaAlreadyDroppedByTheOthersIsStillMissing) {
  std::vector<P> two = {{kA, "127.0.0.1:19194"}, {kB, "127.0.0.1:19294"}};
  std::vector<ReplicaReport> rs = {
      ParseStatusResponse("http://127.0.0.1:19193", StatusBody(kA, "ready", two)),
      ParseStatusResponse("http://127.0.0.1:19293", StatusBody(kB, "ready", two)),
      Unreachable("http://127.0.0.1:19393")};
  auto v = EvaluateMesh(rs);
  EXPECT_FALSE(v.whole);
  EXPECT_TRUE(v.missing);
  EXPECT_FALSE(v.split);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_TRUE(Contains(v.problems[0], "http://127.0.0.1:19393 did not answer"));
}

TEST(ClusterCheckVerdict, PartitionedReplicasAreSplitWithOneViewPerSide) {
  std::vector<P> ab = {{kA, "127.0.0.1:19194"}, {kB, "127.0.0.1:19294"}};
  std::vector<P> c = {{kC, "127.0.0.1:19394"}};
  std::vector<ReplicaReport> rs = {
      ParseStatusResponse("http://127.0.0.1:19193", StatusBody(kA, "ready", ab)),
      ParseStatusResponse("http://127.0.0.1:19293", StatusBody(kB, "ready", ab)),
      ParseStatusResponse("http://127.0.0.1:19393", StatusBody(kC, "ready", c))};
  auto v = EvaluateMesh(rs);
  EXPECT_FALSE(v.whole);
  EXPECT_TRUE(v.split);
  EXPECT_FALSE(v.missing);
  EXPECT_EQ(v.Summary(), "split");
  ASSERT_EQ(v.views.size(), 2u);
  EXPECT_EQ(v.views[0], (std::vector<size_t>{0, 1}));
  EXPECT_EQ(v.views[1], (std::vector<size_t>{2}));
  std::string out = Report(rs, v);
  EXPECT_TRUE(Contains(out, "mesh: SPLIT")) << out;
  EXPECT_TRUE(Contains(out, "view 1: http://127.0.0.1:19193, http://127.0.0.1:19293 see 2")) << out;
  EXPECT_TRUE(Contains(out, "view 2: http://127.0.0.1:19393 see 1")) << out;
  // kA is first in {kA,kB}; kC alone is first in its view: two senders.
  EXPECT_TRUE(
      Contains(out, "http://127.0.0.1:19193, http://127.0.0.1:19393 are each at position 0"))
      << out;
}

TEST(ClusterCheckVerdict, SplitAndUnansweredReportsBoth) {
  std::vector<P> a = {{kA, "127.0.0.1:19194"}};
  std::vector<P> b = {{kB, "127.0.0.1:19294"}};
  std::vector<ReplicaReport> rs = {
      ParseStatusResponse("http://127.0.0.1:19193", StatusBody(kA, "ready", a)),
      ParseStatusResponse("http://127.0.0.1:19293", StatusBody(kB, "ready", b)),
      Unreachable("http://127.0.0.1:19393")};
  auto v = EvaluateMesh(rs);
  EXPECT_TRUE(v.split);
  EXPECT_TRUE(v.missing);
  EXPECT_EQ(v.Summary(), "split, missing members");
}

TEST(ClusterCheckVerdict, ReplicaWithoutClusterIsMissing) {
  auto rs = WholeMesh();
  rs[2] = ParseStatusResponse("http://127.0.0.1:19393",
                              R"({"cluster":{"peers":[],"status":"disabled"}})");
  auto v = EvaluateMesh(rs);
  EXPECT_FALSE(v.whole);
  EXPECT_TRUE(v.missing);
  std::string out = Report(rs, v);
  EXPECT_TRUE(Contains(out, "http://127.0.0.1:19393 runs without a cluster")) << out;
}

TEST(ClusterCheckVerdict, SameReplicaAskedTwiceIsNotWhole) {
  auto rs = WholeMesh();
  rs[2] = ParseStatusResponse("http://localhost:19193", StatusBody(kA, "ready", kAll));
  auto v = EvaluateMesh(rs);
  EXPECT_FALSE(v.whole);
  EXPECT_TRUE(v.duplicate);
  EXPECT_TRUE(Contains(v.Summary(), "duplicate replicas"));
}

TEST(ClusterCheckVerdict, ExtraMemberNotAskedIsANote) {
  std::vector<P> four = kAll;
  four.push_back({"01ZZZZZZZZZZZZZZZZZZZZZZZZ", "10.0.0.4:9094"});
  std::vector<ReplicaReport> rs = {
      ParseStatusResponse("http://127.0.0.1:19193", StatusBody(kA, "ready", four)),
      ParseStatusResponse("http://127.0.0.1:19293", StatusBody(kB, "ready", four)),
      ParseStatusResponse("http://127.0.0.1:19393", StatusBody(kC, "ready", four))};
  auto v = EvaluateMesh(rs);
  EXPECT_TRUE(v.whole);
  ASSERT_EQ(v.notes.size(), 1u);
  EXPECT_TRUE(Contains(v.notes[0], "01ZZZZZZZZZZZZZZZZZZZZZZZZ (10.0.0.4:9094)")) << v.notes[0];
}

TEST(ClusterCheckVerdict, ReplicaMissingFromItsOwnListIsNotWhole) {
  std::vector<P> others = {{kB, "127.0.0.1:19294"}};
  std::vector<ReplicaReport> rs = {
      ParseStatusResponse("http://127.0.0.1:19193", StatusBody(kA, "ready", others)),
      ParseStatusResponse("http://127.0.0.1:19293", StatusBody(kB, "ready", others))};
  auto v = EvaluateMesh(rs);
  EXPECT_FALSE(v.whole);
  EXPECT_TRUE(v.missing);
}

TEST(ClusterCheckVerdict, NoReplicaIsNotWhole) { EXPECT_FALSE(EvaluateMesh({}).whole); }

// Command line.

int RunCli(const std::vector<std::string>& args, std::string* out_text = nullptr,
           std::string* err_text = nullptr) {
  std::ostringstream out, err;
  int rc = RunClusterCheckCli(args, out, err);
  if (out_text) *out_text = out.str();
  if (err_text) *err_text = err.str();
  return rc;
}

TEST(ClusterCheckCli, UsageErrorsExitTwo) {
  std::string err;
  EXPECT_EQ(RunCli({}, nullptr, &err), 2);
  EXPECT_EQ(RunCli({"status"}, nullptr, &err), 2);
  EXPECT_TRUE(Contains(err, "expected command check")) << err;
  EXPECT_EQ(RunCli({"check"}, nullptr, &err), 2);
  EXPECT_TRUE(Contains(err, "required flag --url not provided")) << err;
  EXPECT_EQ(RunCli({"check", "--url=http://a", "--bogus=1"}, nullptr, &err), 2);
  EXPECT_TRUE(Contains(err, "unknown long flag '--bogus'")) << err;
  EXPECT_EQ(RunCli({"check", "--url"}, nullptr, &err), 2);
  EXPECT_EQ(RunCli({"check", "--url=http://a", "--timeout=soon"}, nullptr, &err), 2);
  EXPECT_TRUE(Contains(err, "invalid value for --timeout")) << err;
  EXPECT_EQ(RunCli({"check", "--url=http://a", "--timeout=0s"}, nullptr, &err), 2);
  EXPECT_EQ(RunCli({"check", "http://a"}, nullptr, &err), 2);
}

TEST(ClusterCheckCli, HelpExitsZero) {
  std::string out;
  EXPECT_EQ(RunCli({"check", "--help"}, &out), 0);
  EXPECT_TRUE(Contains(out, "--url=URL")) << out;
}

int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);  // nothing listens there now
  return ntohs(a.sin_port);
}

TEST(ClusterCheckCli, UnreachableReplicaExitsOneAndIsNamed) {
  std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  std::string out;
  EXPECT_EQ(RunCli({"check", "--url", url, "--timeout=2s"}, &out), 1);
  EXPECT_TRUE(Contains(out, "replica " + url + " did not answer")) << out;
  EXPECT_TRUE(Contains(out, "mesh: MISSING MEMBERS")) << out;
}

// Serves one canned HTTP response per accepted connection, `count` times, on 127.0.0.1.
class OneShotServer {
 public:
  OneShotServer(std::string response, int count) : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, count] {
      for (int i = 0; i < count; ++i) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        last_request_ = req;
        (void)!write(c, response_.data(), response_.size());
        close(c);
      }
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string last_request_;

 private:
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string HttpResponse(int code, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST(ClusterCheckFetch, ReadsStatusFromApiV2) {
  OneShotServer server(HttpResponse(200, StatusBody(kA, "ready", kAll)), 1);
  auto r = FetchReplicaStatus(server.Url() + "/", std::chrono::seconds(2));
  ASSERT_TRUE(r.Answered()) << r.error;
  EXPECT_EQ(r.url, server.Url());  // trailing slash dropped
  EXPECT_EQ(r.name, kA);
  EXPECT_EQ(r.peers.size(), 3u);
  EXPECT_EQ(server.last_request_.rfind("GET /api/v2/status HTTP/1.1\r\n", 0), 0u)
      << server.last_request_;
}

TEST(ClusterCheckFetch, KeepsRoutePrefixAndAcceptsHostPort) {
  OneShotServer server(HttpResponse(200, StatusBody(kA, "ready", kAll)), 1);
  std::string hostport = server.Url().substr(std::string("http://").size());
  auto r = FetchReplicaStatus(hostport + "/am", std::chrono::seconds(2));
  ASSERT_TRUE(r.Answered()) << r.error;
  EXPECT_EQ(server.last_request_.rfind("GET /am/api/v2/status ", 0), 0u) << server.last_request_;
}

TEST(ClusterCheckFetch, NonOkStatusIsAnError) {
  OneShotServer server(HttpResponse(503, "Service Unavailable"), 1);
  auto r = FetchReplicaStatus(server.Url(), std::chrono::seconds(2));
  EXPECT_FALSE(r.Answered());
  EXPECT_TRUE(Contains(r.error, "HTTP 503: Service Unavailable")) << r.error;
}

TEST(ClusterCheckFetch, SilentServerTimesOut) {
  // Accepts (the kernel's backlog does) but never answers.
  OneShotServer server("", 0);
  auto start = std::chrono::steady_clock::now();
  auto r = FetchReplicaStatus(server.Url(), std::chrono::milliseconds(300));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.Answered());
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(ClusterCheckCli, WholeMeshFromThreeServersExitsZero) {
  OneShotServer a(HttpResponse(200, StatusBody(kA, "ready", kAll)), 1);
  OneShotServer b(HttpResponse(200, StatusBody(kB, "ready", kAll)), 1);
  OneShotServer c(HttpResponse(200, StatusBody(kC, "ready", kAll)), 1);
  std::string out;
  EXPECT_EQ(RunCli({"check", "--url=" + a.Url(), "--url=" + b.Url(), "--url", c.Url()}, &out), 0);
  EXPECT_TRUE(Contains(out, "mesh: WHOLE")) << out;
}

}  // namespace
}  // namespace am::api
