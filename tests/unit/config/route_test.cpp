// Route tree: inheritance of receiver, group_by and timings, and upstream's Key() / ID() strings.
#include <gtest/gtest.h>

#include "config/loader.h"

namespace am::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

std::shared_ptr<const Config> Load(const std::string& yaml) {
  return LoadString(yaml, "am.yml", "");
}

const char* kTree = R"(
route:
  receiver: root
  group_by: [alertname]
  group_wait: 10s
  routes:
    - match_re:
        service: 'api|web'
      match:
        team: webhook
      matchers: ['env!="dev"', 'a=~"x.*"']
      receiver: web
      group_interval: 1m
      routes:
        - matchers: ['severity="critical"']
          group_by: ['...']
          repeat_interval: 1h
          labels:
            tier: one
        - matchers: ['severity="warning"']
          receiver: root
          group_by: []
    - matchers: ['team="webhook"']
      continue: true
      mute_time_intervals: [night]
      group_by: [cluster, alertname]
      labels:
        owner: x
      routes:
        - matchers: ['x="1"']
          labels:
            owner: y
            extra: z
receivers:
  - name: root
  - name: web
time_intervals:
  - name: night
    time_intervals:
      - times: [{start_time: '00:00', end_time: '06:00'}]
)";

// The groupKey prefixes the real daemon (0.25) sends for the first subtree (captured from its
// webhook payloads for the same route tree).
TEST(RouteKey, MatchesUpstreamStrings) {
  auto cfg = Load(kTree);
  const Route& root = *cfg->route;
  EXPECT_EQ(root.Key(), "{}");
  EXPECT_EQ(root.ID(), "{}");
  const Route& web = *root.routes[0];
  EXPECT_EQ(web.Key(), "{}/{a=~\"x.*\",env!=\"dev\",service=~\"^(?:api|web)$\",team=\"webhook\"}");
  EXPECT_EQ(web.routes[0]->Key(),
            "{}/{a=~\"x.*\",env!=\"dev\",service=~\"^(?:api|web)$\",team=\"webhook\"}/"
            "{severity=\"critical\"}");
  EXPECT_EQ(root.routes[1]->Key(), "{}/{team=\"webhook\"}");
  EXPECT_EQ(root.routes[1]->routes[0]->Key(), "{}/{team=\"webhook\"}/{x=\"1\"}");
}

TEST(RouteKey, IdAddsSiblingIndex) {
  auto cfg = Load(kTree);
  const Route& root = *cfg->route;
  EXPECT_EQ(root.routes[1]->ID(), "{}/{team=\"webhook\"}/1");
  EXPECT_EQ(root.routes[1]->routes[0]->ID(), "{}/{team=\"webhook\"}/1/{x=\"1\"}/0");
  EXPECT_EQ(root.routes[0]->routes[1]->ID(),
            "{}/{a=~\"x.*\",env!=\"dev\",service=~\"^(?:api|web)$\",team=\"webhook\"}/0/"
            "{severity=\"warning\"}/1");
}

TEST(RouteKey, IdxIsPostOrder) {
  auto cfg = Load(kTree);
  const Route& root = *cfg->route;
  EXPECT_EQ(root.routes[0]->routes[0]->idx(), 0);
  EXPECT_EQ(root.routes[0]->routes[1]->idx(), 1);
  EXPECT_EQ(root.routes[0]->idx(), 2);
  EXPECT_EQ(root.routes[1]->routes[0]->idx(), 3);
  EXPECT_EQ(root.routes[1]->idx(), 4);
  EXPECT_EQ(root.idx(), 5);
}

TEST(RouteMatchers, LegacyFormsBecomeOneSortedList) {
  auto cfg = Load(kTree);
  const Route& web = *cfg->route->routes[0];
  ASSERT_EQ(web.all_matchers.size(), 4u);
  EXPECT_EQ(MatchersString(web.all_matchers),
            "{a=~\"x.*\",env!=\"dev\",service=~\"^(?:api|web)$\",team=\"webhook\"}");
  EXPECT_TRUE(
      MatchesAll(web.all_matchers,
                 LabelSet{{"a", "xyz"}, {"env", "prod"}, {"service", "web"}, {"team", "webhook"}}));
  // Anchored: "webs" is not "web".
  EXPECT_FALSE(
      MatchesAll(web.all_matchers,
                 LabelSet{{"a", "x"}, {"env", "prod"}, {"service", "webs"}, {"team", "webhook"}}));
  // The written forms are kept for printing.
  ASSERT_EQ(web.match_re.size(), 1u);
  EXPECT_EQ(web.match_re[0].second, "api|web");
  EXPECT_EQ(web.matchers.size(), 2u);
  EXPECT_TRUE(cfg->route->all_matchers.empty());
}

TEST(RouteInheritance, DefaultsAtTheRoot) {
  auto cfg = Load("route:\n  receiver: r\nreceivers:\n  - name: r\n");
  const RouteOptions& o = cfg->route->opts;
  EXPECT_EQ(o.receiver, "r");
  EXPECT_EQ(o.group_wait, seconds(30));
  EXPECT_EQ(o.group_interval, minutes(5));
  EXPECT_EQ(o.repeat_interval, hours(4));
  EXPECT_TRUE(o.group_by.empty());
  EXPECT_FALSE(o.group_by_all);
  EXPECT_FALSE(cfg->route->group_wait.has_value());  // as written: unset
}

TEST(RouteInheritance, TimingsAndReceiverFlowDown) {
  auto cfg = Load(kTree);
  const Route& root = *cfg->route;
  const Route& web = *root.routes[0];
  const Route& crit = *web.routes[0];
  EXPECT_EQ(root.opts.group_wait, seconds(10));
  EXPECT_EQ(web.opts.receiver, "web");
  EXPECT_EQ(web.opts.group_wait, seconds(10));
  EXPECT_EQ(web.opts.group_interval, minutes(1));
  EXPECT_EQ(web.opts.repeat_interval, hours(4));
  EXPECT_EQ(crit.opts.receiver, "web");
  EXPECT_EQ(crit.opts.group_wait, seconds(10));
  EXPECT_EQ(crit.opts.group_interval, minutes(1));
  EXPECT_EQ(crit.opts.repeat_interval, hours(1));
  EXPECT_EQ(web.routes[1]->opts.receiver, "root");
  EXPECT_EQ(root.routes[1]->opts.receiver, "root");
}

TEST(RouteInheritance, GroupBy) {
  auto cfg = Load(kTree);
  const Route& root = *cfg->route;
  const Route& web = *root.routes[0];
  EXPECT_EQ(root.opts.group_by, std::vector<std::string>{"alertname"});
  EXPECT_EQ(web.opts.group_by, std::vector<std::string>{"alertname"});  // inherited
  EXPECT_FALSE(web.opts.group_by_all);
  EXPECT_TRUE(web.routes[0]->opts.group_by_all);  // ['...']
  // `group_by: []` inherits the parent's grouping, as 0.25 does (0.31+ overrides).
  EXPECT_EQ(web.routes[1]->opts.group_by, std::vector<std::string>{"alertname"});
  EXPECT_FALSE(web.routes[1]->opts.group_by_all);
  // Sorted.
  EXPECT_EQ(root.routes[1]->opts.group_by, (std::vector<std::string>{"alertname", "cluster"}));
  EXPECT_EQ(root.routes[1]->routes[0]->opts.group_by,
            (std::vector<std::string>{"alertname", "cluster"}));
}

TEST(RouteInheritance, ExplicitGroupByResetsInheritedWildcard) {
  auto cfg = Load(
      "route:\n  receiver: r\n  group_by: ['...']\n  routes:\n    - group_by: [a]\n"
      "    - matchers: ['x=\"y\"']\nreceivers:\n  - name: r\n");
  EXPECT_TRUE(cfg->route->opts.group_by_all);
  EXPECT_FALSE(cfg->route->routes[0]->opts.group_by_all);
  EXPECT_EQ(cfg->route->routes[0]->opts.group_by, std::vector<std::string>{"a"});
  EXPECT_TRUE(cfg->route->routes[1]->opts.group_by_all);
}

TEST(RouteInheritance, TimeIntervalsAreNotInheritedLabelsAreMerged) {
  auto cfg = Load(kTree);
  const Route& team = *cfg->route->routes[1];
  EXPECT_TRUE(team.continue_matching);
  EXPECT_EQ(team.opts.mute_time_intervals, std::vector<std::string>{"night"});
  EXPECT_TRUE(team.routes[0]->opts.mute_time_intervals.empty());
  EXPECT_EQ(team.opts.labels, (LabelSet{{"owner", "x"}}));
  EXPECT_EQ(team.routes[0]->opts.labels, (LabelSet{{"extra", "z"}, {"owner", "y"}}));
  EXPECT_EQ(cfg->route->routes[0]->routes[0]->opts.labels, (LabelSet{{"tier", "one"}}));
}

TEST(RouteWalk, ParentBeforeChildren) {
  auto cfg = Load(kTree);
  std::vector<int> order;
  cfg->route->Walk([&](const Route& r) { order.push_back(r.idx()); });
  EXPECT_EQ(order, (std::vector<int>{5, 2, 0, 1, 4, 3}));
  EXPECT_EQ(cfg->route->routes[0]->parent(), cfg->route.get());
  EXPECT_TRUE(cfg->route->is_root());
}

}  // namespace
}  // namespace am::config
