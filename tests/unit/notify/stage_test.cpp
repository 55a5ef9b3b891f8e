#include "notify/stage.h"

#include <gtest/gtest.h>

#include <thread>

#include "notify/timer.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

// Records that it ran and passes on a transformed list.
class FnStage : public Stage {
 public:
  explicit FnStage(std::function<void(std::shared_ptr<ExecContext>, Alerts, StageDone)> f)
      : f_(std::move(f)) {}
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override {
    f_(std::move(ctx), std::move(alerts), std::move(done));
  }

 private:
  std::function<void(std::shared_ptr<ExecContext>, Alerts, StageDone)> f_;
};

Alerts Two() {
  return {MakeAlert(LabelSet{{"a", "1"}}, Now()), MakeAlert(LabelSet{{"a", "2"}}, Now())};
}

TEST(MultiStage, RunsInOrderAndPassesAlertsOn) {
  boost::asio::io_context io;
  std::vector<int> order;
  auto s1 = std::make_shared<FnStage>([&](auto, Alerts a, StageDone d) {
    order.push_back(1);
    a.pop_back();
    d(Status::Ok(), std::move(a));
  });
  auto s2 = std::make_shared<FnStage>([&](auto ctx, Alerts a, StageDone d) {
    order.push_back(2);
    // Asynchronous completion.
    AsyncSleep(ctx->executor, 1ms,
               [a = std::move(a), d = std::move(d)]() mutable { d(Status::Ok(), std::move(a)); });
  });
  MultiStage ms({s1, s2});
  Result r;
  ms.Exec(MakeExec(io, MakeFlush(Now())), Two(), r.Callback());
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  EXPECT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(MultiStage, StopsQuietlyWhenNoAlertIsLeft) {
  boost::asio::io_context io;
  bool second_ran = false;
  auto drop = std::make_shared<FnStage>([](auto, Alerts, StageDone d) { d(Status::Ok(), {}); });
  auto second = std::make_shared<FnStage>([&](auto, Alerts a, StageDone d) {
    second_ran = true;
    d(Status::Ok(), std::move(a));
  });
  MultiStage ms({drop, second});
  Result r;
  ms.Exec(MakeExec(io, MakeFlush(Now())), Two(), r.Callback());
  ASSERT_TRUE(r.done);
  EXPECT_TRUE(r.status.ok);
  EXPECT_TRUE(r.alerts.empty());
  EXPECT_FALSE(second_ran);
}

TEST(MultiStage, EmptyInputRunsNothing) {
  boost::asio::io_context io;
  bool ran = false;
  auto s = std::make_shared<FnStage>([&](auto, Alerts a, StageDone d) {
    ran = true;
    d(Status::Ok(), std::move(a));
  });
  Result r;
  MultiStage({s}).Exec(MakeExec(io, MakeFlush(Now())), {}, r.Callback());
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.status.ok);
  EXPECT_FALSE(ran);
}

TEST(MultiStage, ErrorStopsTheChain) {
  boost::asio::io_context io;
  bool second_ran = false;
  auto fail = std::make_shared<FnStage>(
      [](auto, Alerts a, StageDone d) { d(Status::Error("boom"), std::move(a)); });
  auto second = std::make_shared<FnStage>([&](auto, Alerts a, StageDone d) {
    second_ran = true;
    d(Status::Ok(), std::move(a));
  });
  Result r;
  MultiStage({fail, second}).Exec(MakeExec(io, MakeFlush(Now())), Two(), r.Callback());
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.error, "boom");
  EXPECT_TRUE(r.alerts.empty());
  EXPECT_FALSE(second_ran);
}

TEST(FanoutStage, RunsBranchesConcurrentlyWithOwnContexts) {
  boost::asio::io_context io;
  std::atomic<int> started{0};
  // Each branch writes its own firing set; a shared context would mix them.
  auto branch = [&](uint64_t tag, std::chrono::milliseconds delay) {
    return std::make_shared<FnStage>([&, tag, delay](auto ctx, Alerts a, StageDone d) {
      started++;
      ctx->firing = std::vector<uint64_t>{tag};
      AsyncSleep(ctx->executor, delay, [ctx, tag, a = std::move(a), d = std::move(d)]() mutable {
        EXPECT_EQ(ctx->firing->at(0), tag);
        d(Status::Ok(), std::move(a));
      });
    });
  };
  FanoutStage fs({branch(1, 30ms), branch(2, 1ms)});
  auto ctx = MakeExec(io, MakeFlush(Now()));
  Result r;
  fs.Exec(ctx, Two(), r.Callback());
  EXPECT_EQ(started.load(), 2);  // both started before either finished
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  EXPECT_EQ(r.alerts.size(), 2u);
  EXPECT_FALSE(ctx->firing.has_value());
}

TEST(FanoutStage, AnyFailureFailsAndJoinsMessages) {
  boost::asio::io_context io;
  auto ok = std::make_shared<FnStage>([](auto, Alerts a, StageDone d) { d(Status::Ok(), a); });
  auto bad1 = std::make_shared<FnStage>(
      [](auto, Alerts, StageDone d) { d(Status::Error("e1", FailureReason::kServerError), {}); });
  auto bad2 =
      std::make_shared<FnStage>([](auto, Alerts, StageDone d) { d(Status::Error("e2"), {}); });
  Result r;
  FanoutStage({ok, bad1, bad2}).Exec(MakeExec(io, MakeFlush(Now())), Two(), r.Callback());
  ASSERT_TRUE(r.done);
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.error, "e1; e2");
  EXPECT_EQ(r.alerts.size(), 2u);  // the input is passed on, as upstream's FanoutStage
}

TEST(FanoutStage, CompletionFromManyThreadsReportsOnce) {
  boost::asio::io_context io;
  std::vector<StagePtr> branches;
  for (int i = 0; i < 16; ++i) {
    branches.push_back(std::make_shared<FnStage>([](auto, Alerts a, StageDone d) {
      std::thread([a = std::move(a), d = std::move(d)]() mutable { d(Status::Ok(), a); }).detach();
    }));
  }
  std::atomic<int> calls{0};
  std::atomic<bool> done{false};
  FanoutStage(branches).Exec(MakeExec(io, MakeFlush(Now())), Two(), [&](Status s, Alerts) {
    EXPECT_TRUE(s.ok);
    calls++;
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(calls.load(), 1);
}

TEST(ExecContext, RemainingAndExpired) {
  boost::asio::io_context io;
  Time t = Now();
  auto flush = MakeFlush(t, 10s);
  auto ctx = MakeExec(io, flush, [&] { return t; });
  EXPECT_EQ(ctx->Remaining(), std::chrono::nanoseconds(10s));
  EXPECT_FALSE(ctx->Expired());
  t += 11s;
  EXPECT_EQ(ctx->Remaining(), std::chrono::nanoseconds::zero());
  EXPECT_TRUE(ctx->Expired());
  flush->deadline = kZeroTime;
  EXPECT_FALSE(ctx->Expired());
  EXPECT_EQ(ctx->Remaining(), std::chrono::nanoseconds::max());
}

}  // namespace
}  // namespace am::notify
