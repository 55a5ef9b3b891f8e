#include "dispatch/dispatcher.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "captured_0_25.h"
#include "config/loader.h"
#include "dispatch/clock.h"

namespace am::dispatch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const Time kT0 = Time(std::chrono::seconds(1'704'067'200));  // 2024-01-01T00:00:00Z

struct Flushed {
  std::shared_ptr<const FlushContext> ctx;
  std::vector<Alert> alerts;
  Time at;
};

// Records every flush; answers at once with `result`, or holds the callbacks when `hold`.
class RecordingHandler : public FlushHandler {
 public:
  void Flush(std::shared_ptr<const FlushContext> ctx, std::vector<Alert> alerts,
             std::function<void(bool)> done) override {
    flushes.push_back({ctx, alerts, Clock::Wall()});
    if (hold) {
      pending.push_back(std::move(done));
    } else {
      done(result);
    }
  }
  void Release(bool ok) {
    auto p = std::move(pending);
    pending.clear();
    for (auto& d : p) d(ok);
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> out;
    for (const auto& f : flushes) out.push_back(f.ctx->group_key);
    std::sort(out.begin(), out.end());
    return out;
  }

  bool hold = false;
  bool result = true;
  std::vector<std::function<void(bool)>> pending;
  std::vector<Flushed> flushes;
};

constexpr const char* kSimpleConfig = R"yaml(
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['team="x"']
      receiver: x
      group_by: [team]
receivers: [{name: team}, {name: x}]
)yaml";

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { ManualClock::Start(kT0); }

  void TearDown() override {
    if (disp_) disp_->Stop();
    Settle();
    disp_.reset();
    Settle();
    ManualClock::Stop();
  }

  void Start(const char* yaml, DispatcherOptions opts = {}) {
    cfg_ = config::LoadString(yaml, "test.yml", "");
    if (!opts.cluster_wait) opts.cluster_wait = [] { return seconds(15); };
    disp_ = std::make_unique<Dispatcher>(io_, cfg_, store_, handler_, registry_, opts);
    disp_->Run();
    Settle();
  }

  // Lets the io_context run what is due at the current manual time: at least one reactor wake-up
  // (WaitTraits caps waits at 1 ms in manual mode), then until a 5 ms slice runs no handler.
  void Settle() {
    io_.restart();
    io_.run_for(milliseconds(15));
    for (int i = 0; i < 200 && io_.run_for(milliseconds(5)) > 0; ++i) {
    }
  }
  void Advance(Duration d) {
    ManualClock::Advance(d);
    Settle();
  }

  Alert Make(LabelSet labels, Time starts_at) {
    Alert a;
    a.labels = std::move(labels);
    a.starts_at = starts_at;
    a.ends_at = Clock::Wall() + hours(24);
    a.updated_at = Clock::Wall();
    return a;
  }
  // Both let the dispatcher process the alert before returning, as it would in real time.
  void Fire(LabelSet labels, Duration started_ago = Duration(0)) {
    store_.Put({Make(std::move(labels), Clock::Wall() - started_ago)});
    Settle();
  }
  void Resolve(LabelSet labels) {
    Alert a = Make(std::move(labels), Clock::Wall() - minutes(1));
    a.ends_at = Clock::Wall();
    store_.Put({a});
    Settle();
  }

  // The registry's families and the dispatcher's processing summary, as /metrics serves them.
  std::vector<prometheus::MetricFamily> Families() {
    auto fams = registry_.Collect();
    for (auto& f : disp_->ProcessingMetric()->Collect()) fams.push_back(std::move(f));
    return fams;
  }
  double Metric(const std::string& name) {
    for (const auto& fam : Families()) {
      if (fam.name != name || fam.metric.empty()) continue;
      if (fam.type == prometheus::MetricType::Summary) {
        return static_cast<double>(fam.metric[0].summary.sample_count);
      }
      return fam.metric[0].gauge.value;
    }
    return -1;
  }

  boost::asio::io_context io_;
  alert::Store store_{[] { return Clock::Wall(); }};
  RecordingHandler handler_;
  prometheus::Registry registry_;
  std::shared_ptr<const config::Config> cfg_;
  std::unique_ptr<Dispatcher> disp_;
};

TEST_F(DispatcherTest, GroupWaitThenGroupInterval) {
  Start(kSimpleConfig);
  Fire({{"alertname", "A"}, {"job", "j"}});
  Settle();
  Advance(seconds(29));
  EXPECT_EQ(handler_.flushes.size(), 0u);
  Advance(seconds(1));
  ASSERT_EQ(handler_.flushes.size(), 1u);
  const Flushed& first = handler_.flushes[0];
  EXPECT_EQ(first.ctx->group_key, R"({}:{alertname="A"})");
  EXPECT_EQ(first.ctx->receiver, "team");
  EXPECT_EQ(first.ctx->route_id, "{}");
  EXPECT_EQ(first.ctx->group_labels, (LabelSet{{"alertname", "A"}}));
  EXPECT_EQ(first.ctx->group_interval, minutes(5));
  EXPECT_EQ(first.ctx->repeat_interval, hours(4));
  EXPECT_EQ(first.ctx->now, kT0 + seconds(30));
  // max(group_interval, 10s) + cluster wait.
  EXPECT_EQ(first.ctx->deadline, kT0 + seconds(30) + minutes(5) + seconds(15));
  EXPECT_EQ(first.ctx->config, cfg_);
  ASSERT_EQ(first.alerts.size(), 1u);
  EXPECT_TRUE(IsZero(first.alerts[0].ends_at)) << "firing alerts are flushed with a zero end";

  Advance(seconds(10));
  Fire({{"alertname", "A"}, {"job", "i"}});  // same group, sorts before j
  Advance(minutes(5) - seconds(11));
  EXPECT_EQ(handler_.flushes.size(), 1u);
  Advance(seconds(1));
  ASSERT_EQ(handler_.flushes.size(), 2u);
  EXPECT_EQ(handler_.flushes[1].ctx->now, kT0 + seconds(30) + minutes(5));
  ASSERT_EQ(handler_.flushes[1].alerts.size(), 2u);
  EXPECT_EQ(handler_.flushes[1].alerts[0].labels.Get("job"), "i");
  // Nothing new: the group still flushes every group_interval (dedup decides in notify).
  Advance(minutes(5));
  EXPECT_EQ(handler_.flushes.size(), 3u);
}

TEST_F(DispatcherTest, AlertOlderThanGroupWaitFlushesAtOnce) {
  Start(kSimpleConfig);
  Fire({{"alertname", "Old"}}, minutes(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 1u);
  EXPECT_EQ(handler_.flushes[0].ctx->now, kT0);
  // The next one comes a group_interval later.
  Advance(minutes(5) - seconds(1));
  EXPECT_EQ(handler_.flushes.size(), 1u);
  Advance(seconds(1));
  EXPECT_EQ(handler_.flushes.size(), 2u);
}

TEST_F(DispatcherTest, RecentAlertWaitsGroupWaitFromGroupCreation) {
  Start(kSimpleConfig);
  Fire({{"alertname", "Recent"}}, seconds(10));  // starts_at + group_wait still ahead
  Advance(seconds(20));
  EXPECT_EQ(handler_.flushes.size(), 0u) << "not at starts_at + group_wait";
  Advance(seconds(10));
  EXPECT_EQ(handler_.flushes.size(), 1u);
}

TEST_F(DispatcherTest, OldAlertJoiningAnUnflushedGroupTriggersTheFlush) {
  Start(kSimpleConfig);
  Fire({{"alertname", "A"}, {"i", "1"}});
  Advance(seconds(5));
  EXPECT_EQ(handler_.flushes.size(), 0u);
  Fire({{"alertname", "A"}, {"i", "2"}}, hours(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 1u);
  EXPECT_EQ(handler_.flushes[0].alerts.size(), 2u);
}

TEST_F(DispatcherTest, ResolvedAlertsLeaveTheGroupAfterASuccessfulFlush) {
  Start(kSimpleConfig);
  Fire({{"alertname", "A"}, {"i", "1"}}, hours(1));
  Fire({{"alertname", "A"}, {"i", "2"}}, hours(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 1u);
  Advance(minutes(1));
  Resolve({{"alertname", "A"}, {"i", "1"}});
  Advance(minutes(4));
  ASSERT_EQ(handler_.flushes.size(), 2u);
  const auto& second = handler_.flushes[1].alerts;
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].labels.Get("i"), "1");
  EXPECT_FALSE(IsZero(second[0].ends_at)) << "resolved alerts keep their end";
  EXPECT_TRUE(IsZero(second[1].ends_at));
  Advance(minutes(5));
  ASSERT_EQ(handler_.flushes.size(), 3u);
  ASSERT_EQ(handler_.flushes[2].alerts.size(), 1u);
  EXPECT_EQ(handler_.flushes[2].alerts[0].labels.Get("i"), "2");
}

TEST_F(DispatcherTest, FailedFlushKeepsResolvedAlerts) {
  Start(kSimpleConfig);
  handler_.result = false;
  Fire({{"alertname", "A"}}, hours(1));
  Settle();
  Resolve({{"alertname", "A"}});
  Advance(minutes(5));
  Advance(minutes(5));
  ASSERT_EQ(handler_.flushes.size(), 3u);
  EXPECT_EQ(handler_.flushes[2].alerts.size(), 1u);
  handler_.result = true;
  Advance(minutes(5));
  Advance(minutes(5));
  EXPECT_EQ(handler_.flushes.size(), 4u) << "the empty group no longer flushes";
}

TEST_F(DispatcherTest, AlertUpdatedDuringTheFlushIsNotRemoved) {
  Start(kSimpleConfig);
  Fire({{"alertname", "A"}}, hours(1));
  Settle();
  Resolve({{"alertname", "A"}});
  handler_.hold = true;
  Advance(minutes(5));
  ASSERT_EQ(handler_.pending.size(), 1u);
  Advance(seconds(1));
  Fire({{"alertname", "A"}});  // fires again while the resolved one is being sent
  Settle();
  handler_.hold = false;
  handler_.Release(true);
  Settle();
  Advance(minutes(5));
  ASSERT_EQ(handler_.flushes.size(), 3u);
  ASSERT_EQ(handler_.flushes[2].alerts.size(), 1u);
  EXPECT_TRUE(IsZero(handler_.flushes[2].alerts[0].ends_at));
}

TEST_F(DispatcherTest, OneFlushAtATimePerGroup) {
  Start(kSimpleConfig);
  handler_.hold = true;
  Fire({{"alertname", "A"}}, hours(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 1u);
  Advance(minutes(5));  // tick while the first flush still runs
  Advance(minutes(5));
  EXPECT_EQ(handler_.flushes.size(), 1u);
  Time tick = kT0 + minutes(5);
  handler_.Release(true);
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 2u);
  EXPECT_EQ(handler_.flushes[1].ctx->now, tick) << "the delayed tick keeps its time";
  // The timer restarts when the delayed flush starts.
  handler_.Release(true);
  Advance(minutes(5) - seconds(1));
  EXPECT_EQ(handler_.flushes.size(), 2u);
  Advance(seconds(1));
  EXPECT_EQ(handler_.flushes.size(), 3u);
}

TEST_F(DispatcherTest, SnapshotSeesTheGroupAsItIsNow) {
  Start(kSimpleConfig);
  handler_.hold = true;
  Fire({{"alertname", "A"}, {"i", "1"}}, hours(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 1u);
  auto ctx = handler_.flushes[0].ctx;
  Resolve({{"alertname", "A"}, {"i", "1"}});
  Fire({{"alertname", "A"}, {"i", "2"}});
  Settle();
  auto snap = ctx->snapshot(Clock::Wall());
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_FALSE(IsZero(snap[0].ends_at));
  EXPECT_TRUE(IsZero(snap[1].ends_at));
  EXPECT_FALSE(ctx->Cancelled());
  disp_->Stop();
  Settle();
  EXPECT_TRUE(ctx->Cancelled());
  EXPECT_TRUE(ctx->snapshot(Clock::Wall()).empty());
  handler_.Release(true);
}

TEST_F(DispatcherTest, EmptyGroupsAreRemovedByMaintenance) {
  DispatcherOptions opts;
  opts.maintenance_interval = seconds(30);
  Start(kSimpleConfig, opts);
  Fire({{"alertname", "A"}}, hours(1));
  Fire({{"alertname", "B"}}, hours(1));
  Settle();
  EXPECT_EQ(disp_->group_count(), 2u);
  EXPECT_EQ(Metric("alertmanager_dispatcher_aggregation_groups"), 2);
  EXPECT_EQ(Metric("alertmanager_dispatcher_alert_processing_duration_seconds"), 2);
  Resolve({{"alertname", "A"}});
  Advance(minutes(5));  // flush removes the resolved alert; the group is now empty
  EXPECT_EQ(disp_->group_count(), 2u);
  Advance(seconds(30));
  EXPECT_EQ(disp_->group_count(), 1u);
  EXPECT_EQ(Metric("alertmanager_dispatcher_aggregation_groups"), 1);
  // A new alert for the same labels starts a fresh group with its own group_wait.
  size_t before = handler_.flushes.size();
  Fire({{"alertname", "A"}});
  Advance(seconds(29));
  EXPECT_EQ(handler_.flushes.size(), before);
  Advance(seconds(1));
  EXPECT_EQ(handler_.flushes.size(), before + 1);
}

// HELP/TYPE lines as Alertmanager 0.25's /metrics prints them (captured from the real daemon);
// the summary has no quantiles there either.
TEST_F(DispatcherTest, MetricsExposedAs025) {
  Start(kSimpleConfig);
  Fire({{"alertname", "A"}});
  std::string text = prometheus::TextSerializer().Serialize(Families());
  for (const char* line : {
           "# HELP alertmanager_dispatcher_aggregation_groups Number of active aggregation "
           "groups\n",
           "# TYPE alertmanager_dispatcher_aggregation_groups gauge\n",
           "alertmanager_dispatcher_aggregation_groups 1\n",
           "# HELP alertmanager_dispatcher_alert_processing_duration_seconds Summary of latencies "
           "for the processing of alerts.\n",
           "# TYPE alertmanager_dispatcher_alert_processing_duration_seconds summary\n",
           "alertmanager_dispatcher_alert_processing_duration_seconds_count 1\n",
           "alertmanager_dispatcher_alert_processing_duration_seconds_sum ",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  EXPECT_EQ(text.find("quantile"), std::string::npos) << text;
}

TEST_F(DispatcherTest, StartDelayHoldsTheFirstFlush) {
  DispatcherOptions opts;
  opts.start_time = kT0;
  opts.start_delay = minutes(2);
  Start(kSimpleConfig, opts);
  Fire({{"alertname", "Old"}}, hours(1));
  Fire({{"alertname", "New"}});
  Settle();
  EXPECT_EQ(disp_->group_count(), 2u) << "groups exist during the delay";
  Advance(seconds(30));
  EXPECT_EQ(handler_.flushes.size(), 0u);
  Advance(minutes(1) + seconds(29));
  EXPECT_EQ(handler_.flushes.size(), 0u);
  Advance(seconds(1));
  EXPECT_EQ(handler_.flushes.size(), 2u);
  // After the delay, a new group waits its normal group_wait.
  Advance(minutes(1));
  Fire({{"alertname", "Later"}});
  Advance(seconds(29));
  EXPECT_EQ(handler_.flushes.size(), 2u);
  Advance(seconds(1));
  EXPECT_EQ(handler_.flushes.size(), 3u);
}

TEST_F(DispatcherTest, AlertsStoredBeforeRunAreRouted) {
  cfg_ = config::LoadString(kSimpleConfig, "test.yml", "");
  store_.Put({Make({{"alertname", "BeforeConstruction"}}, kT0 - hours(1))});
  disp_ = std::make_unique<Dispatcher>(io_, cfg_, store_, handler_, registry_, DispatcherOptions{});
  store_.Put({Make({{"alertname", "BeforeRun"}}, kT0 - hours(1))});
  Settle();
  EXPECT_EQ(disp_->group_count(), 0u) << "nothing is routed before Run()";
  disp_->Run();
  Settle();
  store_.Put({Make({{"alertname", "AfterRun"}}, kT0 - hours(1))});
  Settle();
  EXPECT_EQ(handler_.Keys(), (std::vector<std::string>{R"({}:{alertname="AfterRun"})",
                                                       R"({}:{alertname="BeforeConstruction"})",
                                                       R"({}:{alertname="BeforeRun"})"}));
}

TEST_F(DispatcherTest, GroupKeysMatchAlertmanager025EndToEnd) {
  Start(testdata::kCapturedConfig);
  std::vector<Alert> alerts;
  std::vector<std::string> want;
  for (const auto& c : testdata::CapturedAlerts()) {
    alerts.push_back(Make(c.labels, Clock::Wall()));
    want.insert(want.end(), c.group_keys.begin(), c.group_keys.end());
  }
  store_.Put(alerts);
  Settle();
  Advance(seconds(1));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(handler_.Keys(), want);
  EXPECT_EQ(handler_.flushes.size(), want.size());
}

TEST_F(DispatcherTest, ReloadReroutesEveryAlertWithoutLosingOne) {
  DispatcherOptions opts;
  opts.maintenance_interval = hours(1);  // keep emptied groups countable
  Start(kSimpleConfig, opts);
  Fire({{"alertname", "A"}, {"team", "x"}}, hours(1));
  Fire({{"alertname", "B"}}, hours(1));
  Fire({{"alertname", "C"}}, hours(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 3u);
  // C resolves, and the store garbage-collects it before the group could send the resolution.
  handler_.result = false;
  Resolve({{"alertname", "C"}});
  Advance(minutes(5));
  ASSERT_EQ(store_.GC().size(), 1u);
  handler_.result = true;
  handler_.hold = true;
  Fire({{"alertname", "D"}});  // waiting for its group_wait
  Settle();
  size_t before = handler_.flushes.size();
  auto stale_ctx = handler_.flushes.back().ctx;

  auto next = config::LoadString(R"yaml(
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  routes:
    - matchers: ['team=~"x|y"']
      receiver: xy
      group_by: [alertname, team]
receivers: [{name: team}, {name: xy}]
)yaml",
                                 "next.yml", "");
  disp_->Reload(next);
  Settle();
  EXPECT_EQ(disp_->config(), next);
  EXPECT_TRUE(stale_ctx->Cancelled());
  std::vector<std::string> keys;
  std::map<std::string, size_t> counts;
  for (size_t i = before; i < handler_.flushes.size(); ++i) {
    keys.push_back(handler_.flushes[i].ctx->group_key);
    for (const auto& a : handler_.flushes[i].alerts)
      ++counts[std::string(a.labels.Get("alertname"))];
    EXPECT_EQ(handler_.flushes[i].ctx->config, next);
  }
  std::sort(keys.begin(), keys.end());
  // A, B and C started long ago: their new groups flush at once; D still waits.
  EXPECT_EQ(keys, (std::vector<std::string>{R"({}/{team=~"x|y"}:{alertname="A", team="x"})",
                                            R"({}:{alertname="B"})", R"({}:{alertname="C"})"}));
  EXPECT_EQ(counts, (std::map<std::string, size_t>{{"A", 1}, {"B", 1}, {"C", 1}}));
  handler_.Release(true);
  Advance(seconds(30));
  ASSERT_EQ(handler_.flushes.size(), before + 4);
  EXPECT_EQ(handler_.flushes.back().ctx->group_key, R"({}:{alertname="D"})");
  EXPECT_EQ(disp_->group_count(), 4u);
  EXPECT_EQ(Metric("alertmanager_dispatcher_aggregation_groups"), 4);
}

TEST_F(DispatcherTest, StopEndsAllFlushing) {
  Start(kSimpleConfig);
  Fire({{"alertname", "A"}}, hours(1));
  Settle();
  ASSERT_EQ(handler_.flushes.size(), 1u);
  disp_->Stop();
  Settle();
  Fire({{"alertname", "B"}}, hours(1));
  Advance(minutes(10));
  EXPECT_EQ(handler_.flushes.size(), 1u);
  EXPECT_EQ(disp_->group_count(), 0u);
}

// Upstream dispatch_test.go TestGroups.
TEST_F(DispatcherTest, GroupsSnapshotSortedAsUpstream) {
  Start(R"yaml(
receivers:
- name: 'kafka'
- name: 'prod'
- name: 'testing'
route:
  group_by: ['alertname']
  group_wait: 10ms
  group_interval: 10ms
  receiver: 'prod'
  routes:
  - match:
      env: 'testing'
    receiver: 'testing'
    group_by: ['alertname', 'service']
  - match:
      env: 'prod'
    receiver: 'prod'
    group_by: ['alertname', 'service', 'cluster']
    continue: true
  - match:
      kafka: 'yes'
    receiver: 'kafka'
    group_by: ['alertname', 'service', 'cluster']
)yaml");
  std::vector<LabelSet> in = {
      {{"alertname", "OtherAlert"}, {"cluster", "cc"}, {"service", "dd"}},
      {{"env", "testing"},
       {"alertname", "TestingAlert"},
       {"service", "api"},
       {"instance", "inst1"}},
      {{"env", "prod"},
       {"alertname", "HighErrorRate"},
       {"cluster", "aa"},
       {"service", "api"},
       {"instance", "inst1"}},
      {{"env", "prod"},
       {"alertname", "HighErrorRate"},
       {"cluster", "aa"},
       {"service", "api"},
       {"instance", "inst2"}},
      {{"env", "prod"},
       {"alertname", "HighErrorRate"},
       {"cluster", "bb"},
       {"service", "api"},
       {"instance", "inst1"}},
      {{"env", "prod"},
       {"alertname", "HighLatency"},
       {"cluster", "bb"},
       {"service", "db"},
       {"kafka", "yes"},
       {"instance", "inst3"}},
  };
  for (const auto& ls : in) Fire(ls);
  Settle();
  auto view = disp_->Groups(nullptr, nullptr);
  struct Want {
    LabelSet labels;
    std::string receiver;
    std::vector<size_t> alerts;
  };
  std::vector<Want> want = {
      {{{"alertname", "OtherAlert"}}, "prod", {0}},
      {{{"alertname", "TestingAlert"}, {"service", "api"}}, "testing", {1}},
      {{{"alertname", "HighErrorRate"}, {"service", "api"}, {"cluster", "aa"}}, "prod", {2, 3}},
      {{{"alertname", "HighErrorRate"}, {"service", "api"}, {"cluster", "bb"}}, "prod", {4}},
      {{{"alertname", "HighLatency"}, {"service", "db"}, {"cluster", "bb"}}, "kafka", {5}},
      {{{"alertname", "HighLatency"}, {"service", "db"}, {"cluster", "bb"}}, "prod", {5}},
  };
  ASSERT_EQ(view.groups.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(view.groups[i].labels, want[i].labels);
    EXPECT_EQ(view.groups[i].receiver, want[i].receiver);
    ASSERT_EQ(view.groups[i].alerts.size(), want[i].alerts.size());
    for (size_t j = 0; j < want[i].alerts.size(); ++j) {
      EXPECT_EQ(view.groups[i].alerts[j]->labels, in[want[i].alerts[j]]);
    }
  }
  EXPECT_EQ(view.receivers.at(in[5].Fingerprint()), (std::vector<std::string>{"kafka", "prod"}));
  EXPECT_EQ(view.receivers.at(in[0].Fingerprint()), (std::vector<std::string>{"prod"}));
  EXPECT_EQ(view.receivers.size(), 6u);

  // The API's filters: by receiver, and resolved alerts dropped by the default filter.
  auto kafka = disp_->Groups([](const config::Route& r) { return r.opts.receiver == "kafka"; });
  ASSERT_EQ(kafka.groups.size(), 1u);
  EXPECT_EQ(kafka.groups[0].route_key, R"({}/{kafka="yes"})");
  Resolve(in[0]);
  Advance(seconds(1));
  EXPECT_EQ(disp_->Groups().groups.size(), 5u);
}

}  // namespace
}  // namespace am::dispatch

namespace am::dispatch {
namespace {

// Real clock, two io threads, two producer threads and a reader: every alert ends up in exactly
// one group and every group flushes once.
TEST(DispatcherConcurrency, ConcurrentPutsReloadAndSnapshots) {
  constexpr const char* kYaml = R"yaml(
route:
  receiver: r
  group_by: [g]
  group_wait: 50ms
  group_interval: 1h
receivers: [{name: r}]
)yaml";
  auto cfg = config::LoadString(kYaml, "c.yml", "");
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  alert::Store store;
  struct CountingHandler : FlushHandler {
    void Flush(std::shared_ptr<const FlushContext> ctx, std::vector<Alert> alerts,
               std::function<void(bool)> done) override {
      {
        std::lock_guard lock(mu);
        keys.insert(ctx->group_key);
        ++flushes;
      }
      done(true);
    }
    std::mutex mu;
    std::set<std::string> keys;
    int flushes = 0;
  } handler;
  prometheus::Registry registry;
  Dispatcher disp(io, cfg, store, handler, registry, {});
  std::vector<std::thread> io_threads;
  for (int i = 0; i < 2; ++i) io_threads.emplace_back([&] { io.run(); });
  disp.Run();

  constexpr int kPerProducer = 2000;
  constexpr int kGroups = 20;
  auto produce = [&](int p) {
    for (int i = 0; i < kPerProducer; ++i) {
      Alert a;
      a.labels = {{"alertname", "A"},
                  {"g", std::to_string(i % kGroups)},
                  {"id", std::to_string(p) + "-" + std::to_string(i)}};
      a.starts_at = Clock::Wall();
      a.ends_at = a.starts_at + hours(1);
      a.updated_at = a.starts_at;
      store.Put({a});
    }
  };
  std::thread p1(produce, 1), p2(produce, 2);
  std::atomic<bool> reading{true};
  std::thread reader([&] {
    while (reading) disp.Groups();
  });
  p1.join();
  p2.join();
  disp.Reload(config::LoadString(kYaml, "c.yml", ""));

  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  size_t total = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    total = 0;
    for (const auto& g : disp.Groups().groups) total += g.alerts.size();
    std::lock_guard lock(handler.mu);
    if (total == 2u * kPerProducer && static_cast<int>(handler.keys.size()) == kGroups) break;
    std::this_thread::sleep_for(milliseconds(20));  // test-side polling only
  }
  reading = false;
  reader.join();
  EXPECT_EQ(total, 2u * kPerProducer);
  EXPECT_EQ(disp.group_count(), static_cast<size_t>(kGroups));
  {
    std::lock_guard lock(handler.mu);
    EXPECT_EQ(handler.keys.size(), static_cast<size_t>(kGroups));
  }
  disp.Stop();
  guard.reset();
  io.stop();
  for (auto& t : io_threads) t.join();
}

}  // namespace
}  // namespace am::dispatch
