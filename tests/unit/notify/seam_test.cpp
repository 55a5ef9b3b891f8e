// The dispatch/notify seam end to end: the real alert store, dispatcher and notification
// pipeline in one process, a loopback webhook receiver, real timers. What the daemon wires.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "alert/store.h"
#include "config/loader.h"
#include "dispatch/dispatcher.h"
#include "notify/pipeline.h"
#include "test_server.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

class SeamTest : public ::testing::Test {
 protected:
  void Start(const std::string& url, const std::string& extra = "") {
    config_ = config::LoadString(
        "route:\n"
        "  receiver: web\n"
        "  group_by: [alertname]\n"
        "  group_wait: 300ms\n"
        "  group_interval: 1s\n"
        "receivers:\n"
        "- name: web\n"
        "  webhook_configs:\n"
        "  - url: " +
            url + "\n" + extra,
        "seam.yml", "");
    http_ = std::make_shared<HttpClient>(io_.get_executor());
    PipelineOptions o;
    o.executor = io_.get_executor();
    o.nflog = &log_;
    o.http = http_;
    o.external_url = "http://am.test:9093";
    o.version = "0.25.0+cpp";
    pipeline_ = Pipeline::Build(config_, o);
    dispatcher_ = std::make_unique<dispatch::Dispatcher>(io_, config_, store_, *pipeline_,
                                                         registry_, dispatch::DispatcherOptions{});
    dispatcher_->Run();
  }

  ~SeamTest() override {
    if (dispatcher_) dispatcher_->Stop();
    dispatcher_.reset();
    pipeline_.reset();
    http_.reset();
    io_.restart();
    io_.run_for(100ms);
  }

  Alert Firing(const std::string& n) {
    Alert a;
    a.labels = LabelSet{{"alertname", "Seam"}, {"n", n}};
    a.annotations = LabelSet{{"summary", "s <" + n + ">"}};
    a.starts_at = Now();
    a.ends_at = a.starts_at + std::chrono::minutes(5);  // resolve_timeout, as the API sets it
    a.updated_at = a.starts_at;
    a.timeout = true;
    return a;
  }

  boost::asio::io_context io_;
  prometheus::Registry registry_;
  alert::Store store_;
  nflog::Log log_;
  std::shared_ptr<const config::Config> config_;
  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<Pipeline> pipeline_;
  std::unique_ptr<dispatch::Dispatcher> dispatcher_;
};

TEST_F(SeamTest, OneAlertOneNotificationAfterGroupWaitThenOneMorePerChange) {
  TestServer sink;
  Start(sink.url("/hook"));
  const auto t0 = std::chrono::steady_clock::now();
  Alert a1 = Firing("1");
  store_.Put({a1});
  ASSERT_TRUE(RunUntil(
      io_, [&] { return sink.count() >= 1; }, 5000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  RunUntil(
      io_, [] { return false; }, 1500ms);  // more group_interval ticks: nothing new
  ASSERT_EQ(sink.count(), 1u);
  const std::string body = sink.requests()[0].body;
  EXPECT_EQ(
      body.rfind("{\"receiver\":\"web\",\"status\":\"firing\",\"alerts\":[{\"status\":"
                 "\"firing\",\"labels\":{\"alertname\":\"Seam\",\"n\":\"1\"},"
                 "\"annotations\":{\"summary\":\"s \\u003c1\\u003e\"},\"startsAt\":\"" +
                     FormatRFC3339Nano(a1.starts_at) + "\",\"endsAt\":\"0001-01-01T00:00:00Z\"",
                 0),
      0u)
      << body;
  EXPECT_NE(body.find("\"groupKey\":\"{}:{alertname=\\\"Seam\\\"}\""), std::string::npos);
  // A second alert: one more notification with both.
  store_.Put({Firing("2")});
  ASSERT_TRUE(RunUntil(
      io_, [&] { return sink.count() >= 2; }, 5000ms));
  EXPECT_NE(sink.requests()[1].body.find("\"n\":\"2\""), std::string::npos);
  // Resolve both: one resolved notification, then silence.
  Alert r1 = a1;
  r1.ends_at = Now();
  r1.updated_at = Now();
  r1.timeout = false;
  Alert r2 = Firing("2");
  r2.ends_at = Now();
  r2.timeout = false;
  store_.Put({r1, r2});
  ASSERT_TRUE(RunUntil(
      io_, [&] { return sink.count() >= 3; }, 5000ms));
  EXPECT_NE(sink.requests()[2].body.find("{\"receiver\":\"web\",\"status\":\"resolved\""),
            std::string::npos);
  RunUntil(
      io_, [] { return false; }, 2500ms);
  EXPECT_EQ(sink.count(), 3u);
}

TEST_F(SeamTest, ServerErrorIsRetriedWithinTheFlush) {
  std::atomic<int> n{0};
  TestServer sink([&](const Request&) { return Reply{n++ == 0 ? 503 : 200, ""}; });
  Start(sink.url("/hook"));
  store_.Put({Firing("1")});
  ASSERT_TRUE(RunUntil(
      io_, [&] { return sink.count() >= 2; }, 5000ms));
  RunUntil(
      io_, [] { return false; }, 2500ms);
  EXPECT_EQ(sink.count(), 2u);
  const auto reqs = sink.requests();
  EXPECT_EQ(reqs[0].body, reqs[1].body);
}

}  // namespace
}  // namespace am::notify
