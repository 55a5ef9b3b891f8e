#include "notify/wait_stage.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

TEST(WaitStage, PositionZeroPassesTheTickAlertsAtOnce) {
  boost::asio::io_context io;
  auto flush = MakeFlush(Now());
  bool snapshot_called = false;
  flush->snapshot = [&](Time) {
    snapshot_called = true;
    return Alerts{};
  };
  auto stage = std::make_shared<WaitStage>([] { return std::chrono::nanoseconds::zero(); },
                                           std::vector<std::shared_ptr<const MuteStage>>{});
  Result r;
  stage->Exec(MakeExec(io, flush), {MakeAlert(LabelSet{{"a", "1"}}, Now())}, r.Callback());
  EXPECT_TRUE(r.done);  // synchronously
  EXPECT_EQ(r.alerts.size(), 1u);
  EXPECT_FALSE(snapshot_called);
}

TEST(WaitStage, WaitsThenTakesAFreshRefilteredSnapshot) {
  boost::asio::io_context io;
  const Time start = Now();
  auto flush = MakeFlush(start);
  // While we waited, alert 1 resolved and alert 2 arrived (silenced), alert 3 arrived.
  flush->snapshot = [start](Time now) {
    EXPECT_GE(now, start);
    return Alerts{MakeAlert(LabelSet{{"n", "1"}}, start, start + 1ms),
                  MakeAlert(LabelSet{{"n", "2"}, {"silenced", "yes"}}, start),
                  MakeAlert(LabelSet{{"n", "3"}}, start)};
  };
  FakeMuter silencer("silenced", "yes");
  auto mute = std::make_shared<MuteStage>(&silencer, kSuppressedSilence, nullptr);
  auto stage = std::make_shared<WaitStage>([] { return std::chrono::nanoseconds(40ms); },
                                           std::vector<std::shared_ptr<const MuteStage>>{mute});
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  stage->Exec(MakeExec(io, flush), {MakeAlert(LabelSet{{"n", "1"}}, start)}, r.Callback());
  EXPECT_FALSE(r.done);
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 40ms);
  EXPECT_TRUE(r.status.ok);
  ASSERT_EQ(r.alerts.size(), 2u);
  EXPECT_EQ(r.alerts[0].labels.Get("n"), "1");
  EXPECT_FALSE(IsZero(r.alerts[0].ends_at));  // now resolved
  EXPECT_EQ(r.alerts[1].labels.Get("n"), "3");
}

TEST(WaitStage, WithoutSnapshotKeepsTheTickAlerts) {
  boost::asio::io_context io;
  auto stage = std::make_shared<WaitStage>([] { return std::chrono::nanoseconds(5ms); },
                                           std::vector<std::shared_ptr<const MuteStage>>{});
  Result r;
  stage->Exec(MakeExec(io, MakeFlush(Now())), {MakeAlert(LabelSet{{"n", "1"}}, Now())},
              r.Callback());
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_EQ(r.alerts.size(), 1u);
}

TEST(WaitStage, GroupGoneMeansNothingToSend) {
  boost::asio::io_context io;
  auto flush = MakeFlush(Now());
  flush->snapshot = [](Time) { return Alerts{}; };
  auto stage = std::make_shared<WaitStage>([] { return std::chrono::nanoseconds(5ms); },
                                           std::vector<std::shared_ptr<const MuteStage>>{});
  Result r;
  stage->Exec(MakeExec(io, flush), {MakeAlert(LabelSet{{"n", "1"}}, Now())}, r.Callback());
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  EXPECT_TRUE(r.alerts.empty());
}

TEST(WaitStage, WaitLongerThanDeadlineFailsAtTheDeadline) {
  boost::asio::io_context io;
  auto stage = std::make_shared<WaitStage>([] { return std::chrono::nanoseconds(10s); },
                                           std::vector<std::shared_ptr<const MuteStage>>{});
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  stage->Exec(MakeExec(io, MakeFlush(Now(), 50ms)), {MakeAlert(LabelSet{{"n", "1"}}, Now())},
              r.Callback());
  ASSERT_TRUE(RunUntil(
      io, [&] { return r.done.load(); }, 3000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kContextDeadlineExceeded);
}

TEST(WaitStage, WaitIsAskedAtEveryExec) {
  boost::asio::io_context io;
  int position = 0;
  auto stage =
      std::make_shared<WaitStage>([&] { return position * std::chrono::nanoseconds(20ms); },
                                  std::vector<std::shared_ptr<const MuteStage>>{});
  Result r1;
  stage->Exec(MakeExec(io, MakeFlush(Now())), {MakeAlert(LabelSet{{"n", "1"}}, Now())},
              r1.Callback());
  EXPECT_TRUE(r1.done);
  position = 1;
  Result r2;
  stage->Exec(MakeExec(io, MakeFlush(Now())), {MakeAlert(LabelSet{{"n", "1"}}, Now())},
              r2.Callback());
  EXPECT_FALSE(r2.done);
  ASSERT_TRUE(RunUntil(io, [&] { return r2.done.load(); }));
}

TEST(WaitStage, CancellationEndsTheWaitEarly) {
  boost::asio::io_context io;
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto flush = MakeFlush(Now());
  flush->cancelled = flag;
  auto stage = std::make_shared<WaitStage>([] { return std::chrono::nanoseconds(5s); },
                                           std::vector<std::shared_ptr<const MuteStage>>{});
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  stage->Exec(MakeExec(io, flush), {MakeAlert(LabelSet{{"n", "1"}}, Now())}, r.Callback());
  RunUntil(
      io, [] { return false; }, 30ms);
  EXPECT_FALSE(r.done);
  *flag = true;
  ASSERT_TRUE(RunUntil(
      io, [&] { return r.done.load(); }, 2000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kContextCanceled);
  EXPECT_EQ(r.status.error, "context canceled");
}

}  // namespace
}  // namespace am::notify
