#include "notify/time_stage.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

Alerts One() { return {MakeAlert(LabelSet{{"a", "1"}}, Now())}; }

TEST(TimeActiveStage, NoActiveIntervalsMeansAlwaysActive) {
  boost::asio::io_context io;
  FakeTimeMuter tm;
  TimeActiveStage stage(&tm, nullptr);
  Result r;
  stage.Exec(MakeExec(io, MakeFlush(Now())), One(), r.Callback());
  EXPECT_EQ(r.alerts.size(), 1u);
}

TEST(TimeActiveStage, OutsideActiveIntervalDropsAllAndCounts) {
  boost::asio::io_context io;
  prometheus::Registry reg;
  Metrics metrics(reg);
  FakeTimeMuter tm;
  tm.inside = "weekend";
  TimeActiveStage stage(&tm, &metrics);
  auto flush = MakeFlush(Now());
  flush->active_time_intervals = {"business-hours"};
  Result r;
  stage.Exec(MakeExec(io, flush),
             {MakeAlert(LabelSet{{"a", "1"}}, Now()), MakeAlert(LabelSet{{"a", "2"}}, Now())},
             r.Callback());
  EXPECT_TRUE(r.status.ok);
  EXPECT_TRUE(r.alerts.empty());
  EXPECT_EQ(metrics.Suppressed("active_time_interval").Value(), 2);
}

TEST(TimeActiveStage, InsideActiveIntervalPassesAndJudgesTheFlushTick) {
  boost::asio::io_context io;
  FakeTimeMuter tm;
  tm.inside = "business-hours";
  TimeActiveStage stage(&tm, nullptr);
  const Time tick = Now() - std::chrono::hours(3);
  auto flush = MakeFlush(tick);
  flush->active_time_intervals = {"x", "business-hours"};
  Result r;
  stage.Exec(MakeExec(io, flush), One(), r.Callback());
  EXPECT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(tm.last_now, tick);
}

TEST(TimeMuteStage, InsideMuteIntervalDropsAllAndCounts) {
  boost::asio::io_context io;
  prometheus::Registry reg;
  Metrics metrics(reg);
  FakeTimeMuter tm;
  tm.inside = "night";
  TimeMuteStage stage(&tm, &metrics);
  auto flush = MakeFlush(Now());
  flush->mute_time_intervals = {"night"};
  Result r;
  stage.Exec(MakeExec(io, flush), One(), r.Callback());
  EXPECT_TRUE(r.status.ok);
  EXPECT_TRUE(r.alerts.empty());
  EXPECT_EQ(metrics.Suppressed("mute_time_interval").Value(), 1);
}

TEST(TimeMuteStage, OutsideMuteIntervalPasses) {
  boost::asio::io_context io;
  FakeTimeMuter tm;
  tm.inside = "night";
  TimeMuteStage stage(&tm, nullptr);
  auto flush = MakeFlush(Now());
  flush->mute_time_intervals = {"lunch"};
  Result r;
  stage.Exec(MakeExec(io, flush), One(), r.Callback());
  EXPECT_EQ(r.alerts.size(), 1u);
}

TEST(TimeMuteStage, UnknownIntervalIsAnError) {
  boost::asio::io_context io;
  FakeTimeMuter tm;
  TimeMuteStage stage(&tm, nullptr);
  auto flush = MakeFlush(Now());
  flush->mute_time_intervals = {"unknown"};
  Result r;
  stage.Exec(MakeExec(io, flush), One(), r.Callback());
  EXPECT_FALSE(r.status.ok);
  EXPECT_EQ(r.status.error, "time interval unknown doesn't exist in config");
}

TEST(TimeStages, WithoutATimeMuterOrConfigEverythingPasses) {
  boost::asio::io_context io;
  auto flush = MakeFlush(Now());
  flush->mute_time_intervals = {"night"};
  flush->active_time_intervals = {"day"};
  Result r1, r2;
  TimeMuteStage(nullptr, nullptr).Exec(MakeExec(io, flush), One(), r1.Callback());
  TimeActiveStage(nullptr, nullptr).Exec(MakeExec(io, flush), One(), r2.Callback());
  EXPECT_EQ(r1.alerts.size(), 1u);
  EXPECT_EQ(r2.alerts.size(), 1u);
}

// Without an injected TimeMuter the stages evaluate the flush's own config through
// dispatch/time_interval.h.
class TimeStagesWithConfig : public ::testing::Test {
 protected:
  TimeStagesWithConfig() {
    auto cfg = std::make_shared<config::Config>();
    config::NamedTimeInterval always;
    always.name = "always";
    always.time_intervals.push_back(config::TimeIntervalSpec{});  // every field absent: any time
    config::NamedTimeInterval never;
    never.name = "never";
    config::TimeIntervalSpec y1990;
    y1990.years = std::vector<config::InclusiveRange>{{1990, 1990}};
    never.time_intervals.push_back(y1990);
    cfg->time_intervals = {always, never};
    config_ = cfg;
  }
  std::shared_ptr<dispatch::FlushContext> Flush() {
    auto f = MakeFlush(Now());
    f->config = config_;
    return f;
  }
  boost::asio::io_context io_;
  std::shared_ptr<const config::Config> config_;
};

TEST_F(TimeStagesWithConfig, MuteIntervalFromConfig) {
  auto f = Flush();
  f->mute_time_intervals = {"never", "always"};
  Result r;
  TimeMuteStage(nullptr, nullptr).Exec(MakeExec(io_, f), One(), r.Callback());
  EXPECT_TRUE(r.status.ok);
  EXPECT_TRUE(r.alerts.empty());
  f = Flush();
  f->mute_time_intervals = {"never"};
  Result r2;
  TimeMuteStage(nullptr, nullptr).Exec(MakeExec(io_, f), One(), r2.Callback());
  EXPECT_EQ(r2.alerts.size(), 1u);
}

TEST_F(TimeStagesWithConfig, ActiveIntervalFromConfig) {
  auto f = Flush();
  f->active_time_intervals = {"never"};
  Result r;
  TimeActiveStage(nullptr, nullptr).Exec(MakeExec(io_, f), One(), r.Callback());
  EXPECT_TRUE(r.status.ok);
  EXPECT_TRUE(r.alerts.empty());
  f = Flush();
  f->active_time_intervals = {"always"};
  Result r2;
  TimeActiveStage(nullptr, nullptr).Exec(MakeExec(io_, f), One(), r2.Callback());
  EXPECT_EQ(r2.alerts.size(), 1u);
}

TEST_F(TimeStagesWithConfig, UnknownNameFailsTheFlush) {
  auto f = Flush();
  f->mute_time_intervals = {"nope"};
  Result r;
  TimeMuteStage(nullptr, nullptr).Exec(MakeExec(io_, f), One(), r.Callback());
  EXPECT_FALSE(r.status.ok);
  EXPECT_NE(r.status.error.find("nope"), std::string::npos) << r.status.error;
}

}  // namespace
}  // namespace am::notify
