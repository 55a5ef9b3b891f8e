// The whole pipeline, as the dispatcher drives it, against loopback HTTP servers and a real
// notification log.
#include "notify/pipeline.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "payload_util.h"
#include "test_server.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() : metrics_(registry_), http_(std::make_shared<HttpClient>(io_.get_executor())) {
    options_.executor = io_.get_executor();
    options_.nflog = &log_;
    options_.metrics = &metrics_;
    options_.http = http_;
    options_.external_url = "http://am.example:9093/prefix";
    options_.version = "0.25.0+cpp";
    options_.backoff.initial_interval = 20ms;
    options_.backoff.randomization_factor = 0;
  }
  ~PipelineTest() override {
    pipeline_.reset();
    options_.http.reset();
    http_.reset();
    io_.restart();
    io_.run_for(50ms);
  }

  config::Receiver Webhooks(const std::string& name, std::vector<std::string> urls,
                            bool send_resolved = true) {
    config::Receiver r;
    r.name = name;
    for (const auto& u : urls) {
      config::WebhookConfig w;
      w.url.value = u;
      w.send_resolved = send_resolved;
      r.webhook_configs.push_back(w);
    }
    return r;
  }

  void Build(std::vector<config::Receiver> receivers) {
    auto cfg = std::make_shared<config::Config>();
    cfg->receivers = std::move(receivers);
    pipeline_ = Pipeline::Build(cfg, options_);
  }

  std::shared_ptr<dispatch::FlushContext> Ctx(const std::string& receiver,
                                              const std::string& name = "A",
                                              std::chrono::nanoseconds deadline = 10s) {
    auto f = MakeFlush(Now(), deadline);
    f->receiver = receiver;
    f->group_labels = LabelSet{{"alertname", name}};
    f->group_key = "{}:{alertname=\"" + name + "\"}";
    return f;
  }

  // Flushes and runs the io_context until done; returns the flush's result.
  std::optional<bool> Flush(std::shared_ptr<dispatch::FlushContext> ctx, Alerts alerts,
                            std::chrono::milliseconds timeout = 10000ms) {
    std::optional<bool> result;
    pipeline_->Flush(ctx, std::move(alerts), [&](bool ok) { result = ok; });
    RunUntil(
        io_, [&] { return result.has_value(); }, timeout);
    return result;
  }

  Alert Firing(const std::string& name, const std::string& n) {
    return MakeAlert(LabelSet{{"alertname", name}, {"n", n}}, start_);
  }
  Alert Resolved(const std::string& name, const std::string& n) {
    return MakeAlert(LabelSet{{"alertname", name}, {"n", n}}, start_, Now() - 1s);
  }

  boost::asio::io_context io_;
  prometheus::Registry registry_;
  Metrics metrics_;
  nflog::Log log_;
  std::shared_ptr<HttpClient> http_;
  PipelineOptions options_;
  std::shared_ptr<Pipeline> pipeline_;
  Time start_ = *ParseRFC3339("2026-01-02T03:04:05Z");
};

TEST_F(PipelineTest, OneFlushOneNotificationThenDeduplicated) {
  TestServer sink;
  Build({Webhooks("team.x-web", {sink.url("/full")})});
  auto ctx = Ctx("team.x-web", "Capture");
  // The captured group, as a flush hands it over (now decides resolution).
  const auto alerts = CapturedAlerts("alerts_full.json", Now());
  EXPECT_EQ(Flush(ctx, alerts), std::optional<bool>(true));
  ASSERT_EQ(sink.count(), 1u);
  EXPECT_EQ(sink.requests()[0].body, ReadTestdata("webhook_full.json"));
  // The log has the entry: the same group flushed again sends nothing and succeeds.
  auto e = log_.Query(ctx->group_key, nflog::Receiver{"team.x-web", "webhook", 0});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->firing_alerts.size(), 2u);
  EXPECT_EQ(e->resolved_alerts.size(), 1u);
  EXPECT_EQ(Flush(Ctx("team.x-web", "Capture"), alerts), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 1u);
  // A new alert in the group notifies again.
  auto more = alerts;
  more.push_back(Firing("Capture", "new"));
  EXPECT_EQ(Flush(Ctx("team.x-web", "Capture"), more), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 2u);
  EXPECT_EQ(metrics_.Notifications("webhook").Value(), 2);
}

TEST_F(PipelineTest, UnknownReceiverFails) {
  Build({});
  EXPECT_EQ(Flush(Ctx("nope"), {Firing("A", "1")}), std::optional<bool>(false));
}

TEST_F(PipelineTest, ReceiverWithoutIntegrationsSucceeds) {
  config::Receiver r;
  r.name = "null";
  Build({r});
  EXPECT_EQ(Flush(Ctx("null"), {Firing("A", "1")}), std::optional<bool>(true));
}

TEST_F(PipelineTest, FanoutToEveryIntegrationWithOwnLogEntries) {
  TestServer a, b;
  Build({Webhooks("web", {a.url(), b.url()})});
  EXPECT_EQ(Flush(Ctx("web"), {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(a.count(), 1u);
  EXPECT_EQ(b.count(), 1u);
  EXPECT_TRUE(log_.Query(Ctx("web")->group_key, {"web", "webhook", 0}).has_value());
  EXPECT_TRUE(log_.Query(Ctx("web")->group_key, {"web", "webhook", 1}).has_value());
  ASSERT_EQ(pipeline_->Integrations("web").size(), 2u);
  EXPECT_EQ(pipeline_->Integrations("web")[1].String(), "webhook[1]");
}

TEST_F(PipelineTest, ServerErrorThenSuccessDeliversOnceAfterARetry) {
  std::atomic<int> n{0};
  TestServer sink([&](const Request&) { return Reply{n++ == 0 ? 500 : 200, "x"}; });
  Build({Webhooks("web", {sink.url()})});
  EXPECT_EQ(Flush(Ctx("web"), {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 2u);
  EXPECT_EQ(metrics_.Requests("webhook").Value(), 2);
  EXPECT_EQ(metrics_.RequestsFailed("webhook").Value(), 1);
  EXPECT_EQ(metrics_.NotificationsFailed("webhook", FailureReason::kServerError).Value(), 0);
  EXPECT_TRUE(log_.Query(Ctx("web")->group_key, {"web", "webhook", 0}).has_value());
}

TEST_F(PipelineTest, ClientErrorIsNotRetriedNotRecordedAndCounted) {
  TestServer sink([](const Request&) { return Reply{400, "bad"}; });
  Build({Webhooks("web", {sink.url()})});
  EXPECT_EQ(Flush(Ctx("web"), {Firing("A", "1")}), std::optional<bool>(false));
  RunUntil(
      io_, [] { return false; }, 100ms);
  EXPECT_EQ(sink.count(), 1u);
  EXPECT_EQ(metrics_.NotificationsFailed("webhook", FailureReason::kClientError).Value(), 1);
  EXPECT_FALSE(log_.Query(Ctx("web")->group_key, {"web", "webhook", 0}).has_value());
}

TEST_F(PipelineTest, AllResolvedWithoutSendResolvedIsRecordedWithoutSending) {
  TestServer sink;
  Build({Webhooks("web", {sink.url()}, /*send_resolved=*/false)});
  EXPECT_EQ(Flush(Ctx("web"), {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 1u);
  EXPECT_EQ(Flush(Ctx("web"), {Resolved("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 1u);  // nothing sent
  auto e = log_.Query(Ctx("web")->group_key, {"web", "webhook", 0});
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->firing_alerts.empty());
  EXPECT_EQ(e->resolved_alerts.size(), 1u);
  // The re-fire notifies at once.
  EXPECT_EQ(Flush(Ctx("web"), {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 2u);
}

TEST_F(PipelineTest, ResolvedWithSendResolvedSendsOneResolvedNotification) {
  TestServer sink;
  Build({Webhooks("web", {sink.url()})});
  EXPECT_EQ(Flush(Ctx("web"), {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(Flush(Ctx("web"), {Resolved("A", "1")}), std::optional<bool>(true));
  ASSERT_EQ(sink.count(), 2u);
  EXPECT_NE(sink.requests()[1].body.find("\"status\":\"resolved\""), std::string::npos);
  EXPECT_EQ(Flush(Ctx("web"), {Resolved("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 2u);
}

TEST_F(PipelineTest, DeadReceiverDoesNotDelayAnotherGroup) {
  TestServer dead([](const Request&) { return Reply{200, "", 0ms, true}; });
  TestServer alive;
  Build({Webhooks("dead", {dead.url()}), Webhooks("alive", {alive.url()})});
  std::optional<bool> dead_result;
  pipeline_->Flush(Ctx("dead", "D", 2s), {Firing("D", "1")}, [&](bool ok) { dead_result = ok; });
  RunUntil(
      io_, [&] { return dead.count() >= 1; }, 3000ms);
  ASSERT_EQ(dead.count(), 1u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Flush(Ctx("alive", "L"), {Firing("L", "1")}), std::optional<bool>(true));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_EQ(alive.count(), 1u);
  EXPECT_FALSE(dead_result.has_value());
  // The dead one ends at its deadline, as a failure counted as deadline exceeded.
  RunUntil(
      io_, [&] { return dead_result.has_value(); }, 5000ms);
  EXPECT_EQ(dead_result, std::optional<bool>(false));
  EXPECT_EQ(
      metrics_.NotificationsFailed("webhook", FailureReason::kContextDeadlineExceeded).Value(), 1);
}

TEST_F(PipelineTest, InhibitedAndSilencedAlertsAreNotSent) {
  TestServer sink;
  FakeMuter inhibitor("n", "inhibited");
  FakeMuter silencer("n", "silenced");
  options_.inhibitor = &inhibitor;
  options_.silencer = &silencer;
  Build({Webhooks("web", {sink.url()})});
  EXPECT_EQ(
      Flush(Ctx("web"), {Firing("A", "inhibited"), Firing("A", "silenced"), Firing("A", "sent")}),
      std::optional<bool>(true));
  ASSERT_EQ(sink.count(), 1u);
  const std::string body = sink.requests()[0].body;
  EXPECT_NE(body.find("\"n\":\"sent\""), std::string::npos);
  EXPECT_EQ(body.find("inhibited"), std::string::npos);
  EXPECT_EQ(body.find("silenced"), std::string::npos);
  EXPECT_EQ(metrics_.Suppressed("inhibition").Value(), 1);
  EXPECT_EQ(metrics_.Suppressed("silence").Value(), 1);
  // Everything muted: nothing sent, success.
  EXPECT_EQ(Flush(Ctx("web", "B"), {Firing("B", "silenced")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 1u);
}

TEST_F(PipelineTest, MuteTimeIntervalSuppressesTheFlush) {
  TestServer sink;
  FakeTimeMuter tm;
  tm.inside = "night";
  options_.time_muter = &tm;
  Build({Webhooks("web", {sink.url()})});
  auto ctx = Ctx("web");
  ctx->mute_time_intervals = {"night"};
  EXPECT_EQ(Flush(ctx, {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 0u);
  EXPECT_EQ(metrics_.Suppressed("mute_time_interval").Value(), 1);
}

TEST_F(PipelineTest, PeerPositionWaitsAndDedupsAgainstWhatPeerZeroSent) {
  TestServer sink;
  FakePeer peer;
  peer.position = 1;
  peer.MakeReady();
  options_.peer = &peer;
  options_.peer_timeout = 100ms;
  Build({Webhooks("web", {sink.url()})});
  auto ctx = Ctx("web");
  const Alerts alerts = {Firing("A", "1")};
  ctx->snapshot = [alerts](Time) { return alerts; };
  std::optional<bool> result;
  const auto t0 = std::chrono::steady_clock::now();
  pipeline_->Flush(ctx, alerts, [&](bool ok) { result = ok; });
  // While we wait, "peer 0" records the same notification (as gossip would deliver it).
  RunUntil(
      io_, [] { return false; }, 30ms);
  log_.Record({"web", "webhook", 0}, ctx->group_key, {alerts[0].labels.XxHash()}, {}, 8h);
  ASSERT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
  EXPECT_EQ(result, std::optional<bool>(true));
  EXPECT_EQ(sink.count(), 0u);
}

TEST_F(PipelineTest, AfterTheWaitAResolvedAlertIsSentResolvedNotStaleFiring) {
  TestServer sink;
  FakePeer peer;
  peer.position = 1;
  peer.MakeReady();
  options_.peer = &peer;
  options_.peer_timeout = 50ms;
  Build({Webhooks("web", {sink.url()})});
  auto ctx = Ctx("web");
  // Resolved while this replica waited its turn.
  ctx->snapshot = [this](Time) { return Alerts{Resolved("A", "1"), Firing("A", "2")}; };
  EXPECT_EQ(Flush(ctx, {Firing("A", "1"), Firing("A", "2")}), std::optional<bool>(true));
  ASSERT_EQ(sink.count(), 1u);
  const std::string body = sink.requests()[0].body;
  EXPECT_NE(body.find("{\"status\":\"resolved\",\"labels\":{\"alertname\":\"A\",\"n\":\"1\"}"),
            std::string::npos)
      << body;
}

// The two races of a replica past position 0 whose group changed while it waited (found with
// Prometheus resolving an alert in tests/cluster/test_prometheus.py).
class LaterPositionTest : public PipelineTest {
 protected:
  struct Logged {
    std::vector<uint64_t> firing, resolved;
  };
  // Flushes `tick` as the replica at position 1 (50 ms peer timeout) whose group reads `now`
  // after the wait, with what position 0 logged (or nothing); the bodies the receiver got.
  std::vector<std::string> Run(const Alerts& tick, const Alerts& now,
                               std::optional<Logged> logged) {
    TestServer sink;
    FakePeer peer;
    peer.position = 1;
    peer.MakeReady();
    options_.peer = &peer;
    options_.peer_timeout = 50ms;
    Build({Webhooks("web", {sink.url()})});
    auto ctx = Ctx("web");
    ctx->snapshot = [now](Time) { return now; };
    if (logged)
      log_.Record({"web", "webhook", 0}, ctx->group_key, logged->firing, logged->resolved, 8h);
    EXPECT_EQ(Flush(ctx, tick), std::optional<bool>(true));
    std::vector<std::string> bodies;
    for (const auto& r : sink.requests()) bodies.push_back(r.body);
    return bodies;
  }
  static uint64_t Hash(const Alert& a) { return a.labels.XxHash(); }
};

TEST_F(LaterPositionTest, ResolvedDuringTheWaitIsLeftToTheNextTickWhenTheTickStateWasSent) {
  // Position 0 sent the firing state of the tick; its "resolved" comes with its next tick.
  const Alerts tick = {Firing("A", "1")};
  EXPECT_TRUE(Run(tick, {Resolved("A", "1")}, Logged{{Hash(tick[0])}, {}}).empty());
}

TEST_F(LaterPositionTest, StaleFiringIsNotSentAfterAnEarlierReplicaLoggedResolved) {
  // Position 0's "resolved" record arrived before this replica's check.
  const Alerts tick = {Firing("A", "1")};
  EXPECT_TRUE(Run(tick, {Resolved("A", "1")}, Logged{{}, {Hash(tick[0])}}).empty());
}

TEST_F(LaterPositionTest, ChangeSinceTheTickIsSentWhenNobodySentTheTickState) {
  // Position 0 is gone: neither state is in the log, so this replica sends the current one.
  auto bodies = Run({Firing("A", "1")}, {Firing("A", "1"), Firing("A", "2")}, std::nullopt);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_NE(bodies[0].find("\"n\":\"2\""), std::string::npos);
}

TEST_F(PipelineTest, SettleIsAwaitedBeforeAnything) {
  TestServer sink;
  FakePeer peer;
  options_.peer = &peer;
  Build({Webhooks("web", {sink.url()})});
  std::optional<bool> result;
  pipeline_->Flush(Ctx("web"), {Firing("A", "1")}, [&](bool ok) { result = ok; });
  RunUntil(
      io_, [] { return false; }, 50ms);
  EXPECT_EQ(sink.count(), 0u);
  peer.MakeReady();
  ASSERT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
  EXPECT_EQ(sink.count(), 1u);
}

TEST_F(PipelineTest, EmailWithoutFactoryIsLeftOut) {
  config::Receiver r;
  r.name = "mail";
  r.email_configs.push_back(config::EmailConfig{});
  Build({r});
  EXPECT_TRUE(pipeline_->Integrations("mail").empty());
  auto scripted = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{});
  options_.make_email = [&](const config::EmailConfig&) { return scripted; };
  Build({r});
  ASSERT_EQ(pipeline_->Integrations("mail").size(), 1u);
  EXPECT_EQ(Flush(Ctx("mail"), {Firing("A", "1")}), std::optional<bool>(true));
  EXPECT_EQ(scripted->calls(), 1u);
}

TEST(PipelineBuild, RequiresExecutorAndLog) {
  auto cfg = std::make_shared<config::Config>();
  EXPECT_THROW(Pipeline::Build(cfg, {}), std::invalid_argument);
}

}  // namespace
}  // namespace am::notify
