#include "notify/dedup_stage.h"

#include <gtest/gtest.h>

#include "notify/set_notifies_stage.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

class DedupStageTest : public ::testing::Test {
 protected:
  DedupStageTest() : log_(MakeOptions()) {}

  nflog::Options MakeOptions() {
    nflog::Options o;
    o.now = [this] { return now_; };
    return o;
  }

  // Runs DedupStage then, when it passes alerts on, SetNotifiesStage (a successful send).
  // Returns whether a notification was needed.
  bool Flush(const Alerts& alerts, bool send_resolved = true) {
    auto flush = MakeFlush(now_);
    auto ctx = MakeExec(io_, flush, [this] { return now_; });
    auto dedup = std::make_shared<DedupStage>(&log_, recv_, send_resolved);
    Result r;
    dedup->Exec(ctx, alerts, r.Callback());
    EXPECT_TRUE(r.done);
    EXPECT_TRUE(r.status.ok);
    last_reason_ = ctx->reason;
    last_firing_ = *ctx->firing;
    last_resolved_ = *ctx->resolved;
    if (r.alerts.empty()) return false;
    Result s;
    SetNotifiesStage(&log_, recv_).Exec(ctx, r.alerts, s.Callback());
    EXPECT_TRUE(s.status.ok);
    return true;
  }

  Alert Firing(const char* n) { return MakeAlert(LabelSet{{"alertname", "A"}, {"n", n}}, t0_); }
  Alert Resolved(const char* n) {
    return MakeAlert(LabelSet{{"alertname", "A"}, {"n", n}}, t0_, now_ - 1s);
  }

  boost::asio::io_context io_;
  Time t0_ = *ParseRFC3339("2026-03-01T10:00:00Z");
  Time now_ = t0_;
  nflog::Log log_;
  nflog::Receiver recv_{"web", "webhook", 0};
  nflog::NotifyReason last_reason_ = nflog::NotifyReason::kUnknown;
  std::vector<uint64_t> last_firing_;
  std::vector<uint64_t> last_resolved_;
};

TEST_F(DedupStageTest, FirstNotificationThenNothingUntilRepeatInterval) {
  EXPECT_TRUE(Flush({Firing("1")}));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kFirstNotification);
  now_ += 5min;
  EXPECT_FALSE(Flush({Firing("1")}));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kDoNotNotify);
  now_ += 4h;
  EXPECT_TRUE(Flush({Firing("1")}));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kRepeatIntervalElapsed);
}

TEST_F(DedupStageTest, NewAlertInGroup) {
  EXPECT_TRUE(Flush({Firing("1")}));
  now_ += 5min;
  EXPECT_TRUE(Flush({Firing("1"), Firing("2")}));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kNewAlertsInGroup);
}

TEST_F(DedupStageTest, OnlyResolvedAndNoEntryDoesNotNotify) {
  now_ += 1min;
  EXPECT_FALSE(Flush({Resolved("1")}));
}

TEST_F(DedupStageTest, SomeResolvedNotifiesOnlyWithSendResolved) {
  EXPECT_TRUE(Flush({Firing("1"), Firing("2")}));
  now_ += 5min;
  EXPECT_FALSE(Flush({Firing("1"), Resolved("2")}, /*send_resolved=*/false));
  EXPECT_TRUE(Flush({Firing("1"), Resolved("2")}, /*send_resolved=*/true));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kNewResolvedAlerts);
}

TEST_F(DedupStageTest, AllResolvedNotifiesEvenWithoutSendResolved) {
  EXPECT_TRUE(Flush({Firing("1")}, false));
  now_ += 5min;
  EXPECT_TRUE(Flush({Resolved("1")}, false));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kAllAlertsResolved);
  // Recorded with nothing firing: a re-fire notifies at once.
  now_ += 5min;
  EXPECT_TRUE(Flush({Firing("1")}, false));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kFirstNotification);
}

TEST_F(DedupStageTest, HashesAreXxHashOfLabelsSplitByResolution) {
  Flush({Firing("1"), Resolved("2")});
  ASSERT_EQ(last_firing_.size(), 1u);
  ASSERT_EQ(last_resolved_.size(), 1u);
  EXPECT_EQ(last_firing_[0], (LabelSet{{"alertname", "A"}, {"n", "1"}}.XxHash()));
  EXPECT_EQ(last_resolved_[0], (LabelSet{{"alertname", "A"}, {"n", "2"}}.XxHash()));
}

TEST_F(DedupStageTest, RecordedEntryHasExpiryTwiceRepeatInterval) {
  EXPECT_TRUE(Flush({Firing("1")}));
  auto e = log_.Query("{}:{alertname=\"A\"}", recv_);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->timestamp, now_);
  EXPECT_EQ(e->expires_at, now_ + 8h);
  EXPECT_EQ(e->firing_alerts.size(), 1u);
}

TEST_F(DedupStageTest, OtherIntegrationIndexIsSeparate) {
  EXPECT_TRUE(Flush({Firing("1")}));
  recv_.idx = 1;
  EXPECT_TRUE(Flush({Firing("1")}));
  EXPECT_EQ(last_reason_, nflog::NotifyReason::kFirstNotification);
}

TEST(SetNotifiesStage, FailsWithoutDedupHashes) {
  boost::asio::io_context io;
  nflog::Log log;
  Result r;
  SetNotifiesStage(&log, {"web", "webhook", 0})
      .Exec(MakeExec(io, MakeFlush(Now())), {MakeAlert(LabelSet{{"a", "1"}}, Now())}, r.Callback());
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.error, "firing alerts missing");
  EXPECT_EQ(log.size(), 0u);
}

}  // namespace
}  // namespace am::notify
