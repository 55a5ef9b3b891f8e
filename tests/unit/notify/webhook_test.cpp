// WebhookNotifier against a loopback HTTP server: the exact bytes, headers, status handling.
#include "notify/webhook.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "payload_util.h"
#include "test_server.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

class WebhookTest : public ::testing::Test {
 protected:
  WebhookTest() : http_(std::make_shared<HttpClient>(io_.get_executor())) {}
  ~WebhookTest() override {
    http_.reset();  // let the client shut down on the io_context it runs on
    io_.restart();
    io_.run_for(50ms);
  }

  std::shared_ptr<WebhookNotifier> Notifier(
      config::WebhookConfig conf, std::string external = "http://am.example:9093/prefix") {
    WebhookOptions o;
    o.http = http_;
    o.external_url = std::move(external);
    o.version = "0.25.0+cpp";
    o.now = [] { return CaptureNow(); };
    return std::make_shared<WebhookNotifier>(std::move(conf), std::move(o));
  }

  config::WebhookConfig Conf(const TestServer& s, const std::string& path = "/hook") {
    config::WebhookConfig c;
    c.url.value = s.url(path);
    return c;
  }

  NotifyResult Send(WebhookNotifier& n, std::shared_ptr<const ExecContext> ctx,
                    const Alerts& alerts) {
    std::optional<NotifyResult> result;
    n.Notify(ctx, alerts, [&](NotifyResult r) { result = std::move(r); });
    EXPECT_TRUE(RunUntil(
        io_, [&] { return result.has_value(); }, 10000ms));
    return result.value_or(NotifyResult::Failure("no result", false));
  }

  std::shared_ptr<ExecContext> CaptureCtx(const std::string& receiver, const std::string& name,
                                          std::chrono::nanoseconds deadline = 10s) {
    auto flush = MakeFlush(Now(), deadline);
    flush->receiver = receiver;
    flush->group_labels = LabelSet{{"alertname", name}};
    flush->group_key = "{}:{alertname=\"" + name + "\"}";
    return MakeExec(io_, flush);
  }

  boost::asio::io_context io_;
  std::shared_ptr<HttpClient> http_;
};

TEST_F(WebhookTest, PostsTheCapturedBodyByteForByte) {
  TestServer server;
  auto n = Notifier(Conf(server, "/full"));
  const auto alerts = CapturedAlerts("alerts_full.json", CaptureNow());
  const NotifyResult r = Send(*n, CaptureCtx("team.x-web", "Capture"), alerts);
  EXPECT_TRUE(r.ok) << r.error;
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body, ReadTestdata("webhook_full.json"));
  EXPECT_EQ(reqs[0].target, "/full");
  EXPECT_EQ(reqs[0].Header("User-Agent"), "Alertmanager/0.25.0+cpp");
  EXPECT_EQ(reqs[0].Header("Content-Type"), "application/json");
}

TEST_F(WebhookTest, MaxAlertsTruncatesAsCaptured) {
  TestServer server;
  config::WebhookConfig c = Conf(server, "/truncated");
  c.max_alerts = 2;
  auto n = Notifier(c);
  const auto alerts = CapturedAlerts("alerts_full.json", CaptureNow());
  EXPECT_TRUE(Send(*n, CaptureCtx("team.x-web", "Capture"), alerts).ok);
  ASSERT_EQ(server.count(), 1u);
  EXPECT_EQ(server.requests()[0].body, ReadTestdata("webhook_truncated.json"));
}

TEST_F(WebhookTest, StatusCodesDecideRetryAndReason) {
  struct Case {
    int status;
    bool ok;
    bool retry;
    FailureReason reason;
  };
  for (const Case& c : {Case{200, true, false, FailureReason::kOther},
                        Case{204, true, false, FailureReason::kOther},
                        Case{500, false, true, FailureReason::kServerError},
                        Case{503, false, true, FailureReason::kServerError},
                        Case{400, false, false, FailureReason::kClientError},
                        Case{404, false, false, FailureReason::kClientError},
                        Case{401, false, false, FailureReason::kAuthError},
                        Case{403, false, false, FailureReason::kAuthError},
                        Case{429, false, false, FailureReason::kRateLimited},
                        Case{302, false, false, FailureReason::kOther}}) {
    TestServer server([&](const Request&) { return Reply{c.status, "details"}; });
    config::WebhookConfig conf = Conf(server);
    conf.http_config.follow_redirects = false;
    auto n = Notifier(conf);
    const NotifyResult r =
        Send(*n, CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())});
    EXPECT_EQ(r.ok, c.ok) << c.status;
    if (!c.ok) {
      EXPECT_EQ(r.retry, c.retry) << c.status;
      EXPECT_EQ(r.reason, c.reason) << c.status;
      EXPECT_EQ(r.error, "unexpected status code " + std::to_string(c.status) + ": details");
    }
  }
}

TEST_F(WebhookTest, NetworkErrorIsRetryableAndHidesTheUrl) {
  int port;
  {
    TestServer s;
    port = s.port();
  }
  config::WebhookConfig c;
  c.url.value = "http://127.0.0.1:" + std::to_string(port) + "/secret-token";
  auto n = Notifier(c);
  const NotifyResult r =
      Send(*n, CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retry);
  EXPECT_EQ(r.reason, FailureReason::kOther);
  EXPECT_EQ(r.error.rfind("Post \"<redacted>\": ", 0), 0u) << r.error;
  EXPECT_EQ(r.error.find("secret-token"), std::string::npos);
}

TEST_F(WebhookTest, ConfiguredTimeout) {
  TestServer server([](const Request&) { return Reply{200, "", 0ms, true}; });
  config::WebhookConfig c = Conf(server);
  c.timeout = std::chrono::milliseconds(100);
  auto n = Notifier(c);
  const auto t0 = std::chrono::steady_clock::now();
  const NotifyResult r =
      Send(*n, CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retry);
  EXPECT_NE(r.error.find("configured webhook timeout reached (100ms)"), std::string::npos)
      << r.error;
}

TEST_F(WebhookTest, FlushDeadlineBoundsTheRequest) {
  TestServer server([](const Request&) { return Reply{200, "", 0ms, true}; });
  auto n = Notifier(Conf(server));
  const auto t0 = std::chrono::steady_clock::now();
  const NotifyResult r =
      Send(*n, CaptureCtx("web", "A", 200ms), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_FALSE(r.ok);
}

TEST_F(WebhookTest, UrlFileIsReadAtSendTime) {
  TestServer server;
  char name[] = "/tmp/notify-url-XXXXXX";
  close(mkstemp(name));
  std::ofstream(name) << "  " << server.url("/from-file") << "\n";
  config::WebhookConfig c;
  c.url_file = name;
  auto n = Notifier(c);
  EXPECT_TRUE(
      Send(*n, CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())}).ok);
  ASSERT_EQ(server.count(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/from-file");
  std::remove(name);
  const NotifyResult r =
      Send(*n, CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())});
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retry);
}

TEST_F(WebhookTest, BasicAuthAndBearerReachTheServer) {
  TestServer server;
  config::WebhookConfig c = Conf(server);
  c.http_config.basic_auth = config::BasicAuth{"alice", "", config::Secret{"pw"}, ""};
  EXPECT_TRUE(
      Send(*Notifier(c), CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())})
          .ok);
  c.http_config.basic_auth.reset();
  c.http_config.authorization = config::Authorization{"Bearer", config::Secret{"t0k"}, ""};
  EXPECT_TRUE(
      Send(*Notifier(c), CaptureCtx("web", "A"), {MakeAlert(LabelSet{{"alertname", "A"}}, Now())})
          .ok);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].Header("Authorization"), "Basic YWxpY2U6cHc=");
  EXPECT_EQ(reqs[1].Header("Authorization"), "Bearer t0k");
}

}  // namespace
}  // namespace am::notify
