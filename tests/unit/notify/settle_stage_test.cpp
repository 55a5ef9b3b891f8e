#include "notify/settle_stage.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

Alerts One() { return {MakeAlert(LabelSet{{"a", "1"}}, Now())}; }

TEST(GossipSettleStage, NoPeerPassesAtOnce) {
  boost::asio::io_context io;
  Result r;
  GossipSettleStage(nullptr).Exec(MakeExec(io, MakeFlush(Now())), One(), r.Callback());
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.alerts.size(), 1u);
}

TEST(GossipSettleStage, WaitsUntilReady) {
  boost::asio::io_context io;
  FakePeer peer;
  auto stage = std::make_shared<GossipSettleStage>(&peer);
  Result r;
  stage->Exec(MakeExec(io, MakeFlush(Now())), One(), r.Callback());
  RunUntil(
      io, [] { return false; }, 50ms);
  EXPECT_FALSE(r.done);
  peer.MakeReady();
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
  EXPECT_EQ(r.alerts.size(), 1u);
}

TEST(GossipSettleStage, AlreadyReadyPasses) {
  boost::asio::io_context io;
  FakePeer peer;
  peer.MakeReady();
  Result r;
  std::make_shared<GossipSettleStage>(&peer)->Exec(MakeExec(io, MakeFlush(Now())), One(),
                                                   r.Callback());
  ASSERT_TRUE(RunUntil(io, [&] { return r.done.load(); }));
  EXPECT_TRUE(r.status.ok);
}

TEST(GossipSettleStage, DeadlineEndsTheWait) {
  boost::asio::io_context io;
  FakePeer peer;
  Result r;
  std::make_shared<GossipSettleStage>(&peer)->Exec(MakeExec(io, MakeFlush(Now(), 30ms)), One(),
                                                   r.Callback());
  ASSERT_TRUE(RunUntil(
      io, [&] { return r.done.load(); }, 2000ms));
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.reason, FailureReason::kContextDeadlineExceeded);
  // Becoming ready later does not complete the flush a second time.
  peer.MakeReady();
  RunUntil(
      io, [] { return false; }, 20ms);
}

TEST(GossipSettleStage, CancellationEndsTheWait) {
  boost::asio::io_context io;
  FakePeer peer;
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto flush = MakeFlush(Now());
  flush->cancelled = flag;
  Result r;
  std::make_shared<GossipSettleStage>(&peer)->Exec(MakeExec(io, flush), One(), r.Callback());
  RunUntil(
      io, [] { return false; }, 30ms);
  EXPECT_FALSE(r.done);
  *flag = true;
  ASSERT_TRUE(RunUntil(
      io, [&] { return r.done.load(); }, 2000ms));
  EXPECT_EQ(r.status.reason, FailureReason::kContextCanceled);
}

}  // namespace
}  // namespace am::notify
