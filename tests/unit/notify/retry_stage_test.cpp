#include "notify/retry_stage.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

class RetryStageTest : public ::testing::Test {
 protected:
  RetryStageTest() : metrics_(registry_) {
    policy_.initial_interval = 10ms;
    policy_.randomization_factor = 0;
  }

  std::shared_ptr<RetryStage> Stage(std::shared_ptr<Notifier> n, bool send_resolved = true) {
    return std::make_shared<RetryStage>(Integration{"webhook", 0, send_resolved, std::move(n)},
                                        "web", &metrics_, policy_);
  }

  std::shared_ptr<ExecContext> Ctx(std::chrono::nanoseconds deadline = 5s) {
    auto ctx = MakeExec(io_, MakeFlush(Now(), deadline));
    return ctx;
  }

  double Failed(FailureReason r) { return metrics_.NotificationsFailed("webhook", r).Value(); }

  boost::asio::io_context io_;
  prometheus::Registry registry_;
  Metrics metrics_;
  BackoffPolicy policy_;
  Alerts alerts_ = {MakeAlert(LabelSet{{"a", "1"}}, Now()),
                    MakeAlert(LabelSet{{"a", "2"}}, Now(), Now() - 1s)};
};

TEST_F(RetryStageTest, SuccessFirstTry) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{NotifyResult::Success()});
  Result r;
  Stage(n)->Exec(Ctx(), alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  EXPECT_EQ(r.alerts.size(), 2u);
  EXPECT_EQ(n->calls(), 1u);
  EXPECT_EQ(n->sent()[0].size(), 2u);  // send_resolved: resolved alerts are sent too
  EXPECT_EQ(metrics_.Notifications("webhook").Value(), 1);
  EXPECT_EQ(metrics_.Requests("webhook").Value(), 1);
  EXPECT_EQ(metrics_.RequestsFailed("webhook").Value(), 0);
}

TEST_F(RetryStageTest, RetryableFailureIsRetriedWithBackoffThenSucceeds) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{
      NotifyResult::Failure("unexpected status code 500", true, FailureReason::kServerError),
      NotifyResult::Failure("unexpected status code 502", true, FailureReason::kServerError),
      NotifyResult::Success()});
  Result r;
  Stage(n)->Exec(Ctx(), alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  ASSERT_EQ(n->calls(), 3u);
  const auto t = n->times();
  // First retry after 10ms, second after 15ms (×1.5), counted from each attempt's start.
  EXPECT_GE(t[1] - t[0], 10ms);
  EXPECT_GE(t[2] - t[1], 15ms);
  EXPECT_EQ(metrics_.Requests("webhook").Value(), 3);
  EXPECT_EQ(metrics_.RequestsFailed("webhook").Value(), 2);
  EXPECT_EQ(metrics_.Notifications("webhook").Value(), 1);
  EXPECT_EQ(Failed(FailureReason::kServerError), 0);
}

TEST_F(RetryStageTest, NonRetryableFailureStopsAtOnceWithItsReason) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{NotifyResult::Failure(
      "unexpected status code 400: bad", false, FailureReason::kClientError)});
  Result r;
  Stage(n)->Exec(Ctx(), alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.error,
            "web/webhook[0]: notify retry canceled due to unrecoverable error after 1 attempts: "
            "unexpected status code 400: bad");
  EXPECT_EQ(r.status.reason, FailureReason::kClientError);
  EXPECT_EQ(n->calls(), 1u);
  EXPECT_EQ(Failed(FailureReason::kClientError), 1);
  EXPECT_EQ(metrics_.RequestsFailed("webhook").Value(), 1);
}

TEST_F(RetryStageTest, DeadlineEndsRetriesWithTheLastErrorsReason) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{
      NotifyResult::Failure("unexpected status code 503", true, FailureReason::kServerError)});
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  Stage(n)->Exec(Ctx(100ms), alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(
      io_, [&] { return r.done.load(); }, 3000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kServerError);
  EXPECT_NE(r.status.error.find("notify retry canceled after"), std::string::npos);
  EXPECT_NE(r.status.error.find("unexpected status code 503"), std::string::npos);
  EXPECT_GE(n->calls(), 3u);  // 10, 15, 22.5, 33.75ms ... within 100ms
  EXPECT_EQ(Failed(FailureReason::kServerError), 1);
}

TEST_F(RetryStageTest, ExpiredDeadlineNeverNotifies) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{});
  Result r;
  Stage(n)->Exec(Ctx(-1s), alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kContextDeadlineExceeded);
  EXPECT_EQ(r.status.error,
            "web/webhook[0]: notify retry canceled after 1 attempts: context deadline exceeded");
  EXPECT_EQ(n->calls(), 0u);
  EXPECT_EQ(Failed(FailureReason::kContextDeadlineExceeded), 1);
}

TEST_F(RetryStageTest, SendResolvedFalseDropsResolvedAlerts) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{});
  auto ctx = Ctx();
  ctx->firing = std::vector<uint64_t>{1};
  ctx->resolved = std::vector<uint64_t>{2};
  Result r;
  Stage(n, /*send_resolved=*/false)->Exec(ctx, alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  ASSERT_EQ(n->calls(), 1u);
  ASSERT_EQ(n->sent()[0].size(), 1u);
  EXPECT_EQ(n->sent()[0][0].labels.Get("a"), "1");
  EXPECT_EQ(r.alerts.size(), 2u);  // SetNotifies still sees everything
}

TEST_F(RetryStageTest, SendResolvedFalseWithNothingFiringSucceedsWithoutSending) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{});
  auto ctx = Ctx();
  ctx->firing = std::vector<uint64_t>{};
  ctx->resolved = std::vector<uint64_t>{2};
  Result r;
  Stage(n, false)->Exec(ctx, {alerts_[1]}, r.Callback());
  ASSERT_TRUE(r.done);
  EXPECT_TRUE(r.status.ok);
  EXPECT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(n->calls(), 0u);
  EXPECT_EQ(metrics_.Notifications("webhook").Value(), 1);  // counted as upstream does
  EXPECT_EQ(metrics_.Requests("webhook").Value(), 0);
}

TEST_F(RetryStageTest, SendResolvedFalseNeedsDedupHashes) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{});
  Result r;
  Stage(n, false)->Exec(Ctx(), alerts_, r.Callback());
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.error, "firing alerts missing");
}

TEST_F(RetryStageTest, LatencyIsObservedPerAttempt) {
  auto n = std::make_shared<ScriptedNotifier>(
      std::vector<NotifyResult>{NotifyResult::Failure("x", true), NotifyResult::Success()});
  Result r;
  Stage(n)->Exec(Ctx(), alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  auto m = metrics_.Latency("webhook").Collect();
  EXPECT_EQ(m.histogram.sample_count, 2u);
}

TEST_F(RetryStageTest, CancelledFlushNeverNotifies) {
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{});
  auto ctx = Ctx();
  auto flush = std::make_shared<dispatch::FlushContext>(*ctx->flush);
  flush->cancelled = std::make_shared<std::atomic<bool>>(true);
  ctx->flush = flush;
  Result r;
  Stage(n)->Exec(ctx, alerts_, r.Callback());
  ASSERT_TRUE(RunUntil(io_, [&] { return r.done.load(); }));
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kContextCanceled);
  EXPECT_EQ(r.status.error,
            "web/webhook[0]: notify retry canceled after 1 attempts: context canceled");
  EXPECT_EQ(n->calls(), 0u);
  EXPECT_EQ(Failed(FailureReason::kContextCanceled), 1);
}

TEST_F(RetryStageTest, CancellationDuringBackoffReportsTheLastError) {
  policy_.initial_interval = 2s;
  auto n = std::make_shared<ScriptedNotifier>(std::vector<NotifyResult>{
      NotifyResult::Failure("unexpected status code 503", true, FailureReason::kServerError)});
  auto ctx = Ctx();
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto flush = std::make_shared<dispatch::FlushContext>(*ctx->flush);
  flush->cancelled = flag;
  ctx->flush = flush;
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  Stage(n)->Exec(ctx, alerts_, r.Callback());
  RunUntil(
      io_, [] { return false; }, 30ms);
  EXPECT_EQ(n->calls(), 1u);
  *flag = true;
  ASSERT_TRUE(RunUntil(
      io_, [&] { return r.done.load(); }, 3000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kServerError);
  EXPECT_EQ(r.status.error,
            "web/webhook[0]: notify retry canceled after 2 attempts: unexpected status code 503");
  EXPECT_EQ(n->calls(), 1u);
}

}  // namespace
}  // namespace am::notify
