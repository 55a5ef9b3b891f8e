#include "dispatch/route_match.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/loader.h"

namespace am::dispatch {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Upstream dispatch/route_test.go TestRouteMatch, as a whole alertmanager.yml.
constexpr const char* kUpstreamTree = R"yaml(
route:
  receiver: 'notify-def'
  routes:
  - match:
      owner: 'team-A'
    receiver: 'notify-A'
    routes:
    - match:
        env: 'testing'
      receiver: 'notify-testing'
      group_by: [...]
    - match:
        env: "production"
      receiver: 'notify-productionA'
      group_wait: 1m
      continue: true
    - match_re:
        env: "produ.*"
        job: ".*"
      receiver: 'notify-productionB'
      group_wait: 30s
      group_interval: 5m
      repeat_interval: 1h
      group_by: ['job']
  - match_re:
      owner: 'team-(B|C)'
    group_by: ['foo', 'bar']
    group_wait: 2m
    receiver: 'notify-BC'
  - match:
      group_by: 'role'
    group_by: ['role']
    routes:
    - match:
        env: 'testing'
      receiver: 'notify-testing'
      routes:
      - match:
          wait: 'long'
        group_wait: 2m
receivers:
- name: notify-def
- name: notify-A
- name: notify-testing
- name: notify-productionA
- name: notify-productionB
- name: notify-BC
)yaml";

struct Expected {
  std::string receiver;
  std::vector<std::string> group_by;
  bool group_by_all;
  Duration group_wait;
  Duration repeat_interval;
  std::string key;
};

void ExpectMatch(const config::Route& root, const LabelSet& labels,
                 const std::vector<Expected>& want) {
  auto got = MatchRoutes(root, labels);
  ASSERT_EQ(got.size(), want.size()) << labels.String();
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(labels.String() + " #" + std::to_string(i));
    EXPECT_EQ(got[i]->opts.receiver, want[i].receiver);
    EXPECT_EQ(got[i]->opts.group_by, want[i].group_by);
    EXPECT_EQ(got[i]->opts.group_by_all, want[i].group_by_all);
    EXPECT_EQ(got[i]->opts.group_wait, want[i].group_wait);
    EXPECT_EQ(got[i]->opts.group_interval, minutes(5));
    EXPECT_EQ(got[i]->opts.repeat_interval, want[i].repeat_interval);
    EXPECT_EQ(got[i]->Key(), want[i].key);
  }
}

class UpstreamRouteTree : public ::testing::Test {
 protected:
  std::shared_ptr<const config::Config> cfg_ =
      config::LoadString(kUpstreamTree, "route_test.yml", "");
  const config::Route& root() { return *cfg_->route; }
  static constexpr Duration kDefWait = seconds(30);
  static constexpr Duration kDefRepeat = std::chrono::hours(4);
};

TEST_F(UpstreamRouteTree, FirstMatchingChildWins) {
  ExpectMatch(root(), {{"owner", "team-A"}},
              {{"notify-A", {}, false, kDefWait, kDefRepeat, R"({}/{owner="team-A"})"}});
  ExpectMatch(root(), {{"owner", "team-A"}, {"env", "unset"}},
              {{"notify-A", {}, false, kDefWait, kDefRepeat, R"({}/{owner="team-A"})"}});
}

TEST_F(UpstreamRouteTree, MatchReIsAnchoredInKey) {
  ExpectMatch(root(), {{"owner", "team-C"}},
              {{"notify-BC",
                {"bar", "foo"},
                false,
                minutes(2),
                kDefRepeat,
                R"({}/{owner=~"^(?:team-(B|C))$"})"}});
  // Anchored: a partial match of the regex is no match, so the root takes it.
  ExpectMatch(root(), {{"owner", "team-CC"}},
              {{"notify-def", {}, false, kDefWait, kDefRepeat, "{}"}});
}

TEST_F(UpstreamRouteTree, GroupByAllIsInheritedUnlessOverridden) {
  ExpectMatch(root(), {{"owner", "team-A"}, {"env", "testing"}},
              {{"notify-testing",
                {},
                true,
                kDefWait,
                kDefRepeat,
                R"({}/{owner="team-A"}/{env="testing"})"}});
}

TEST_F(UpstreamRouteTree, ContinueCollectsFollowingSiblings) {
  ExpectMatch(root(), {{"owner", "team-A"}, {"env", "production"}},
              {{"notify-productionA",
                {},
                false,
                minutes(1),
                kDefRepeat,
                R"({}/{owner="team-A"}/{env="production"})"},
               {"notify-productionB",
                {"job"},
                false,
                seconds(30),
                std::chrono::hours(1),
                R"({}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"})"}});
}

TEST_F(UpstreamRouteTree, NestedInheritance) {
  ExpectMatch(root(), {{"group_by", "role"}},
              {{"notify-def", {"role"}, false, kDefWait, kDefRepeat, R"({}/{group_by="role"})"}});
  ExpectMatch(root(), {{"env", "testing"}, {"group_by", "role"}},
              {{"notify-testing",
                {"role"},
                false,
                kDefWait,
                kDefRepeat,
                R"({}/{group_by="role"}/{env="testing"})"}});
  ExpectMatch(root(), {{"env", "testing"}, {"group_by", "role"}, {"wait", "long"}},
              {{"notify-testing",
                {"role"},
                false,
                minutes(2),
                kDefRepeat,
                R"({}/{group_by="role"}/{env="testing"}/{wait="long"})"}});
}

TEST_F(UpstreamRouteTree, NoChildMatchesGivesRoot) {
  auto got = MatchRoutes(root(), {{"alertname", "x"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0]->is_root());
}

TEST(RouteMatch, ContinueOnLastMatchStillStopsAtNonContinue) {
  auto cfg = config::LoadString(R"yaml(
route:
  receiver: root
  routes:
  - matchers: ['a="1"']
    receiver: r1
    continue: true
  - matchers: ['b="1"']
    receiver: r2
  - matchers: ['a="1"']
    receiver: r3
receivers: [{name: root}, {name: r1}, {name: r2}, {name: r3}]
)yaml",
                                "t.yml", "");
  auto names = [&](const LabelSet& ls) {
    std::vector<std::string> out;
    for (const auto* r : MatchRoutes(*cfg->route, ls)) out.push_back(r->opts.receiver);
    return out;
  };
  EXPECT_EQ(names({{"a", "1"}, {"b", "1"}}), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(names({{"a", "1"}}), (std::vector<std::string>{"r1", "r3"}));
  EXPECT_EQ(names({{"b", "1"}}), (std::vector<std::string>{"r2"}));
  EXPECT_EQ(names({{"c", "1"}}), (std::vector<std::string>{"root"}));
}

TEST(RouteMatch, OnlyContinueChildMatchedIsNotFollowedByParent) {
  // Upstream: once any child matched (even with continue), the parent itself is not a match.
  auto cfg = config::LoadString(R"yaml(
route:
  receiver: root
  routes:
  - matchers: ['a="1"']
    receiver: r1
    continue: true
receivers: [{name: root}, {name: r1}]
)yaml",
                                "t.yml", "");
  auto got = MatchRoutes(*cfg->route, {{"a", "1"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->opts.receiver, "r1");
}

TEST(GroupLabels, KeepsOnlyGroupByLabelsTheAlertHas) {
  auto cfg = config::LoadString(R"yaml(
route:
  receiver: root
  group_by: [alertname, cluster, missing]
  routes:
  - matchers: ['all="1"']
    group_by: ['...']
receivers: [{name: root}]
)yaml",
                                "t.yml", "");
  LabelSet alert{{"alertname", "A"}, {"cluster", "c1"}, {"instance", "i"}};
  EXPECT_EQ(GroupLabels(*cfg->route, alert), (LabelSet{{"alertname", "A"}, {"cluster", "c1"}}));
  LabelSet all{{"alertname", "A"}, {"all", "1"}, {"instance", "i"}};
  const auto* child = MatchRoutes(*cfg->route, all).at(0);
  EXPECT_EQ(GroupLabels(*child, all), all);
}

// The route layout of the seed guide (severity-based receivers under a grouped root).
TEST(RouteMatch, SeedGuideSeverityRoutes) {
  auto cfg = config::LoadString(R"yaml(
route:
  group_by: ['alertname', 'cluster', 'service']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 12h
  receiver: 'default'
  routes:
  - match:
      severity: critical
    receiver: 'critical-alerts'
  - match:
      severity: warning
    receiver: 'warning-alerts'
receivers: [{name: default}, {name: critical-alerts}, {name: warning-alerts}]
)yaml",
                                "seed.yml", "");
  LabelSet crit{{"alertname", "Down"}, {"severity", "critical"}, {"service", "db"}};
  auto got = MatchRoutes(*cfg->route, crit);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->opts.receiver, "critical-alerts");
  EXPECT_EQ(got[0]->opts.repeat_interval, std::chrono::hours(12));
  EXPECT_EQ(got[0]->Key(), R"({}/{severity="critical"})");
  EXPECT_EQ(GroupLabels(*got[0], crit), (LabelSet{{"alertname", "Down"}, {"service", "db"}}));
  EXPECT_EQ(MatchRoutes(*cfg->route, {{"severity", "warning"}}).at(0)->opts.receiver,
            "warning-alerts");
  EXPECT_EQ(MatchRoutes(*cfg->route, {{"severity", "info"}}).at(0)->opts.receiver, "default");
}

// Every example under config/: the matches are a path-consistent, walk-ordered subset of the tree,
// and an alert built from a leaf's equality matchers (and its ancestors') reaches a route whose
// matchers hold.
TEST(RouteMatch, RepositoryConfigExamples) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(AM_SOURCE_DIR) / "config";
  int files = 0;
  if (fs::exists(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      auto ext = entry.path().extension();
      if (ext != ".yml" && ext != ".yaml") continue;
      SCOPED_TRACE(entry.path().string());
      std::shared_ptr<const config::Config> cfg;
      try {
        cfg = config::LoadFile(entry.path().string());
      } catch (const std::exception& e) {
        ADD_FAILURE() << "example does not load: " << e.what();
        continue;
      }
      ++files;
      std::vector<const config::Route*> walk;
      cfg->route->Walk([&](const config::Route& r) { walk.push_back(&r); });
      for (const config::Route* node : walk) {
        LabelSet probe;
        for (const config::Route* r = node; r != nullptr; r = r->parent()) {
          for (const auto& m : r->all_matchers) {
            if (m.type() == MatchType::kEqual && !probe.Has(m.name()))
              probe.Set(m.name(), m.value());
          }
        }
        auto got = MatchRoutes(*cfg->route, probe);
        ASSERT_FALSE(got.empty()) << probe.String();
        size_t last_pos = 0;
        for (const config::Route* r : got) {
          for (const config::Route* p = r; p != nullptr; p = p->parent()) {
            EXPECT_TRUE(MatchesAll(p->all_matchers, probe)) << p->Key() << " " << probe.String();
          }
          size_t pos = std::find(walk.begin(), walk.end(), r) - walk.begin();
          ASSERT_LT(pos, walk.size());
          EXPECT_GE(pos, last_pos) << "matches out of walk order";
          last_pos = pos;
        }
      }
    }
  }
  if (files == 0) GTEST_SKIP() << "no loadable config/*.yml in " << dir;
}

}  // namespace
}  // namespace am::dispatch

namespace am::dispatch {
namespace {
TEST(GroupFingerprint, EqualsFingerprintOfGroupLabels) {
  auto cfg = config::LoadString(
      "route:\n  receiver: r\n  group_by: [b, alertname]\n  routes:\n"
      "    - matchers: ['x=\"1\"']\n      group_by: ['...']\nreceivers: [{name: r}]\n",
      "t.yml", "");
  for (const LabelSet& ls :
       {LabelSet{{"alertname", "A"}, {"b", "2"}, {"c", "3"}}, LabelSet{{"alertname", "A"}},
        LabelSet{{"zz", "1"}}, LabelSet{{"alertname", "A"}, {"x", "1"}}}) {
    for (const config::Route* r : MatchRoutes(*cfg->route, ls)) {
      EXPECT_EQ(GroupFingerprint(*r, ls), GroupLabels(*r, ls).Fingerprint()) << ls.String();
    }
  }
}
}  // namespace
}  // namespace am::dispatch
