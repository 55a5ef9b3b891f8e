#include "notify/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "test_server.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

// Runs an io_context on a background thread for the test's lifetime.
class IoThread {
 public:
  IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<HttpResponse> resp;
  std::function<void(HttpResponse)> Callback() {
    return [this](HttpResponse r) {
      std::lock_guard<std::mutex> lock(mu);
      resp = std::move(r);
      cv.notify_all();
    };
  }
  bool Wait(std::chrono::milliseconds t = 5000ms) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, t, [&] { return resp.has_value(); });
  }
};

HttpRequest Post(const std::string& url, std::string body = "{}") {
  HttpRequest r;
  r.url = url;
  r.body = std::move(body);
  r.headers = {{"User-Agent", "Alertmanager/0.25.0+cpp"}, {"Content-Type", "application/json"}};
  r.timeout = 3000ms;
  return r;
}

TEST(HttpClient, PostsLikeGoClient) {
  IoThread io;
  TestServer server([](const Request&) { return Reply{200, "ok"}; });
  HttpClient client(io.executor());
  Waiter w;
  const std::string body(5000, 'x');  // > 1 KiB: curl would add "Expect: 100-continue"
  client.Do(Post(server.url("/hook?a=1"), body), w.Callback());
  ASSERT_TRUE(w.Wait());
  EXPECT_EQ(w.resp->status, 200);
  EXPECT_EQ(w.resp->body, "ok");
  EXPECT_EQ(w.resp->error, "");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const Request& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook?a=1");
  EXPECT_EQ(r.Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.Header("User-Agent"), "Alertmanager/0.25.0+cpp");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.Header("Content-Length"), "5000");
  EXPECT_FALSE(r.HasHeader("Accept"));
  EXPECT_FALSE(r.HasHeader("Expect"));
  EXPECT_FALSE(r.HasHeader("Accept-Encoding"));
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(client.InFlight(), 0u);
}

TEST(HttpClient, ReturnsStatusAndLimitsBody) {
  IoThread io;
  TestServer server([](const Request&) { return Reply{503, std::string(100000, 'e')}; });
  HttpClient client(io.executor());
  Waiter w;
  HttpRequest req = Post(server.url());
  req.max_response_body = 10;
  client.Do(req, w.Callback());
  ASSERT_TRUE(w.Wait());
  EXPECT_EQ(w.resp->status, 503);
  EXPECT_EQ(w.resp->body, std::string(10, 'e'));
}

TEST(HttpClient, ConnectionRefusedIsATransportError) {
  IoThread io;
  int port;
  {
    TestServer s;
    port = s.port();
  }
  HttpClient client(io.executor());
  Waiter w;
  client.Do(Post("http://127.0.0.1:" + std::to_string(port) + "/"), w.Callback());
  ASSERT_TRUE(w.Wait());
  EXPECT_EQ(w.resp->status, 0);
  EXPECT_FALSE(w.resp->error.empty());
  EXPECT_FALSE(w.resp->timed_out);
}

TEST(HttpClient, TimeoutEndsAHungRequest) {
  IoThread io;
  TestServer server([](const Request&) { return Reply{200, "", 0ms, /*hang=*/true}; });
  HttpClient client(io.executor());
  Waiter w;
  HttpRequest req = Post(server.url());
  req.timeout = 150ms;
  const auto t0 = std::chrono::steady_clock::now();
  client.Do(req, w.Callback());
  ASSERT_TRUE(w.Wait());
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(w.resp->timed_out);
  EXPECT_EQ(w.resp->status, 0);
  EXPECT_GE(took, 140ms);
  EXPECT_LT(took, 2s);
}

TEST(HttpClient, AHungReceiverDoesNotDelayAnother) {
  // Waiters outlive the io thread: the client's shutdown posts their callbacks.
  std::vector<std::unique_ptr<Waiter>> hung;
  Waiter w;
  IoThread io;
  TestServer dead([](const Request&) { return Reply{200, "", 0ms, true}; });
  TestServer alive([](const Request&) { return Reply{200, "fine"}; });
  HttpClient client(io.executor());
  for (int i = 0; i < 20; ++i) {
    hung.push_back(std::make_unique<Waiter>());
    HttpRequest req = Post(dead.url());
    req.timeout = 10000ms;
    client.Do(req, hung.back()->Callback());
  }
  ASSERT_TRUE(dead.WaitForCount(20, 5000ms));
  const auto t0 = std::chrono::steady_clock::now();
  client.Do(Post(alive.url()), w.Callback());
  ASSERT_TRUE(w.Wait());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_EQ(w.resp->status, 200);
  EXPECT_EQ(client.InFlight(), 20u);
}

TEST(HttpClient, ManyConcurrentRequestsAndConnectionReuse) {
  IoThread io;
  TestServer server([](const Request& r) { return Reply{200, r.body}; });
  HttpClient client(io.executor());
  {
    // Sequential requests reuse one connection, as Go's transport does.
    for (int i = 0; i < 3; ++i) {
      Waiter w;
      client.Do(Post(server.url(), std::to_string(i)), w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->body, std::to_string(i));
    }
    EXPECT_EQ(server.connections(), 1u);
  }
  std::vector<std::unique_ptr<Waiter>> ws;
  for (int i = 0; i < 50; ++i) {
    ws.push_back(std::make_unique<Waiter>());
    client.Do(Post(server.url(), "b" + std::to_string(i)), ws.back()->Callback());
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(ws[i]->Wait());
    EXPECT_EQ(ws[i]->resp->status, 200);
    EXPECT_EQ(ws[i]->resp->body, "b" + std::to_string(i));
  }
}

TEST(HttpClient, ProxyGetsTheAbsoluteUrl) {
  IoThread io;
  TestServer proxy([](const Request&) { return Reply{200, "via proxy"}; });
  HttpClient client(io.executor());
  Waiter w;
  HttpRequest req = Post("http://sink.invalid:1234/hook");
  req.proxy = proxy.url("");
  client.Do(req, w.Callback());
  ASSERT_TRUE(w.Wait());
  EXPECT_EQ(w.resp->status, 200);
  const auto reqs = proxy.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "http://sink.invalid:1234/hook");
  EXPECT_EQ(reqs[0].Header("Host"), "sink.invalid:1234");
}

TEST(HttpClient, EnvironmentProxyIsIgnored) {
  IoThread io;
  TestServer proxy([](const Request&) { return Reply{200, "proxy"}; });
  TestServer sink([](const Request&) { return Reply{200, "sink"}; });
  setenv("http_proxy", proxy.url("").c_str(), 1);
  setenv("ALL_PROXY", proxy.url("").c_str(), 1);
  HttpClient client(io.executor());
  Waiter w;
  client.Do(Post(sink.url()), w.Callback());
  ASSERT_TRUE(w.Wait());
  unsetenv("http_proxy");
  unsetenv("ALL_PROXY");
  EXPECT_EQ(w.resp->body, "sink");
  EXPECT_EQ(proxy.count(), 0u);
}

class HttpClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("notify-tls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir() const { return dir_.string(); }
  std::filesystem::path dir_;
};

TEST_F(HttpClientTls, VerifiesAgainstTheConfiguredCaOnly) {
  ASSERT_TRUE(MakeTestCertificates(dir(), "sink.test", /*include_ip=*/true));
  SSL_CTX* ctx = MakeServerTlsContext(dir());
  ASSERT_NE(ctx, nullptr);
  {
    IoThread io;
    TestServer server([](const Request&) { return Reply{200, "tls"}; }, ctx);
    HttpClient client(io.executor());
    {
      Waiter w;  // system roots do not know the test CA
      client.Do(Post(server.url()), w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 0);
      EXPECT_FALSE(w.resp->error.empty());
    }
    {
      Waiter w;
      HttpRequest req = Post(server.url());
      req.tls.ca_file = dir() + "/ca.pem";
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 200) << w.resp->error;
    }
    {
      Waiter w;  // inline PEM
      HttpRequest req = Post(server.url());
      std::ifstream f(dir() + "/ca.pem");
      req.tls.ca_pem.assign(std::istreambuf_iterator<char>(f), {});
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 200) << w.resp->error;
    }
    {
      Waiter w;
      HttpRequest req = Post(server.url());
      req.tls.insecure_skip_verify = true;
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 200) << w.resp->error;
    }
  }
  SSL_CTX_free(ctx);
}

TEST_F(HttpClientTls, ServerNameChangesVerificationButNotHostHeader) {
  ASSERT_TRUE(MakeTestCertificates(dir(), "sink.test", /*include_ip=*/false));
  SSL_CTX* ctx = MakeServerTlsContext(dir());
  ASSERT_NE(ctx, nullptr);
  {
    IoThread io;
    TestServer server([](const Request&) { return Reply{200, "tls"}; }, ctx);
    HttpClient client(io.executor());
    {
      Waiter w;  // the certificate does not name 127.0.0.1
      HttpRequest req = Post(server.url("/p"));
      req.tls.ca_file = dir() + "/ca.pem";
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 0);
    }
    {
      Waiter w;
      HttpRequest req = Post(server.url("/p"));
      req.tls.ca_file = dir() + "/ca.pem";
      req.tls.server_name = "sink.test";
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 200) << w.resp->error;
      const auto reqs = server.requests();
      ASSERT_FALSE(reqs.empty());
      EXPECT_EQ(reqs.back().Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
      EXPECT_EQ(reqs.back().target, "/p");
    }
  }
  SSL_CTX_free(ctx);
}

TEST_F(HttpClientTls, ClientCertificate) {
  ASSERT_TRUE(MakeTestCertificates(dir(), "sink.test", true));
  SSL_CTX* ctx = MakeServerTlsContext(dir(), /*require_client_cert=*/true);
  ASSERT_NE(ctx, nullptr);
  {
    IoThread io;
    TestServer server([](const Request&) { return Reply{200, "tls"}; }, ctx);
    HttpClient client(io.executor());
    {
      Waiter w;
      HttpRequest req = Post(server.url());
      req.tls.ca_file = dir() + "/ca.pem";
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_NE(w.resp->status, 200);
    }
    {
      Waiter w;
      HttpRequest req = Post(server.url());
      req.tls.ca_file = dir() + "/ca.pem";
      req.tls.cert_file = dir() + "/client.pem";
      req.tls.key_file = dir() + "/client.key";
      client.Do(req, w.Callback());
      ASSERT_TRUE(w.Wait());
      EXPECT_EQ(w.resp->status, 200) << w.resp->error;
    }
  }
  SSL_CTX_free(ctx);
}

TEST(HttpClient, DestroyingTheClientFailsTransfersInFlight) {
  Waiter w;
  IoThread io;
  TestServer dead([](const Request&) { return Reply{200, "", 0ms, true}; });
  {
    HttpClient client(io.executor());
    HttpRequest req = Post(dead.url());
    req.timeout = 10000ms;
    client.Do(req, w.Callback());
    ASSERT_TRUE(dead.WaitForCount(1, 5000ms));
  }
  ASSERT_TRUE(w.Wait(3000ms));
  EXPECT_EQ(w.resp->status, 0);
  EXPECT_EQ(w.resp->error, "http client shut down");
}

}  // namespace
}  // namespace am::notify
