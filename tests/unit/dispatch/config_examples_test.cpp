// The example configurations shipped under config/, exercised through routing, inhibition and
// time intervals together. Skipped when the example is absent.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/loader.h"
#include "dispatch/group_key.h"
#include "dispatch/inhibitor.h"
#include "dispatch/route_match.h"
#include "dispatch/time_interval.h"

namespace am::dispatch {
namespace {

std::shared_ptr<const config::Config> LoadExample(const char* name) {
  std::filesystem::path p = std::filesystem::path(AM_SOURCE_DIR) / "config" / name;
  if (!std::filesystem::exists(p)) return nullptr;
  return config::LoadFile(p.string());
}

Time At(const char* rfc3339) { return *ParseRFC3339(rfc3339); }

TEST(ConfigExamples, RoutingExampleRoutes) {
  auto cfg = LoadExample("routing-example.yml");
  if (!cfg) GTEST_SKIP() << "config/routing-example.yml absent";
  LabelSet db_crit{{"alertname", "DiskFull"}, {"severity", "critical"}, {"team", "database"},
                   {"env", "prod"},           {"cluster", "c1"},        {"instance", "db1"}};
  auto routes = MatchRoutes(*cfg->route, db_crit);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0]->opts.receiver, "oncall");
  EXPECT_EQ(routes[0]->opts.group_wait, std::chrono::seconds(10));
  EXPECT_EQ(GroupKey(*routes[0], GroupLabels(*routes[0], db_crit)),
            R"({}/{severity="critical"}:{alertname="DiskFull", cluster="c1"})");
  EXPECT_EQ(routes[1]->opts.receiver, "database-team");
  EXPECT_EQ(routes[1]->opts.group_wait, std::chrono::seconds(30));
  EXPECT_EQ(routes[1]->opts.mute_time_intervals, std::vector<std::string>{"maintenance-window"});
  EXPECT_EQ(GroupKey(*routes[1], GroupLabels(*routes[1], db_crit)),
            R"({}/{env=~"prod|staging",team="database"}:{alertname="DiskFull", cluster="c1"})");

  LabelSet fe{{"alertname", "Slow"}, {"team", "frontend"}, {"instance", "web1"}};
  routes = MatchRoutes(*cfg->route, fe);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]->opts.receiver, "frontend-email");
  EXPECT_TRUE(routes[0]->opts.group_by_all);
  EXPECT_EQ(routes[0]->opts.active_time_intervals, std::vector<std::string>{"office-hours"});
  EXPECT_EQ(GroupLabels(*routes[0], fe), fe);

  routes = MatchRoutes(*cfg->route, {{"alertname", "X"}, {"team", "database"}, {"env", "dev"}});
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]->opts.receiver, "default");
}

TEST(ConfigExamples, RoutingExampleInhibitionAndTimeIntervals) {
  auto cfg = LoadExample("routing-example.yml");
  if (!cfg) GTEST_SKIP() << "config/routing-example.yml absent";
  Time now = At("2024-01-08T10:00:00Z");
  Inhibitor ih(cfg->inhibit_rules, nullptr);
  Alert crit;
  crit.labels = {{"alertname", "DiskFull"}, {"severity", "critical"}, {"cluster", "c1"}};
  crit.starts_at = now - std::chrono::minutes(5);
  crit.ends_at = now + std::chrono::minutes(5);
  auto src = std::make_shared<const Alert>(crit);
  ih.Put(src);
  EXPECT_EQ(ih.Mutes({{"alertname", "DiskFull"}, {"severity", "warning"}, {"cluster", "c1"}}, now),
            (std::vector<uint64_t>{src->Fingerprint()}));
  EXPECT_TRUE(
      ih.Mutes({{"alertname", "DiskFull"}, {"severity", "info"}, {"cluster", "c2"}}, now).empty());
  EXPECT_TRUE(
      ih.Mutes({{"alertname", "DiskFull"}, {"severity", "critical"}, {"cluster", "c1"}}, now)
          .empty());

  // office-hours: Monday to Friday, 08:00-18:00 Berlin (CET in January).
  std::vector<std::string> office{"office-hours"};
  EXPECT_TRUE(InTimeIntervals(*cfg, office, At("2024-01-08T07:00:00Z")));
  EXPECT_FALSE(InTimeIntervals(*cfg, office, At("2024-01-08T06:59:00Z")));
  EXPECT_FALSE(InTimeIntervals(*cfg, office, At("2024-01-08T17:00:00Z")));
  EXPECT_FALSE(InTimeIntervals(*cfg, office, At("2024-01-07T12:00:00Z")));  // Sunday
  // maintenance-window: Sundays 02:00-04:00 UTC, or the last day of any month.
  std::vector<std::string> maint{"maintenance-window"};
  EXPECT_TRUE(InTimeIntervals(*cfg, maint, At("2024-01-07T02:30:00Z")));
  EXPECT_FALSE(InTimeIntervals(*cfg, maint, At("2024-01-07T04:00:00Z")));
  EXPECT_TRUE(InTimeIntervals(*cfg, maint, At("2024-02-29T12:00:00Z")));
  EXPECT_FALSE(InTimeIntervals(*cfg, maint, At("2024-02-28T12:00:00Z")));
}

TEST(ConfigExamples, SeedHaClusterRoutes) {
  auto cfg = LoadExample("seed-ha-cluster.yml");
  if (!cfg) GTEST_SKIP() << "config/seed-ha-cluster.yml absent";
  LabelSet warn{{"alertname", "HighLoad"},
                {"severity", "warning"},
                {"cluster", "a"},
                {"service", "api"},
                {"instance", "i1"}};
  auto routes = MatchRoutes(*cfg->route, warn);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]->opts.receiver, "warning-alerts");
  EXPECT_EQ(routes[0]->opts.repeat_interval, std::chrono::hours(12));
  EXPECT_EQ(GroupKey(*routes[0], GroupLabels(*routes[0], warn)),
            R"({}/{severity="warning"}:{alertname="HighLoad", cluster="a", service="api"})");
}

}  // namespace
}  // namespace am::dispatch
