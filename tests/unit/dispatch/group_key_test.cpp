#include "dispatch/group_key.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "captured_0_25.h"
#include "config/loader.h"
#include "dispatch/route_match.h"

namespace am::dispatch {
namespace {

TEST(LabelSetString, SortsPrintedPairsNotNames) {
  // '0' (0x30) sorts before '=' (0x3d), so 0.25 prints a0 first; '_' (0x5f) sorts after it.
  LabelSet ls{{"a", "x"}, {"a0", "y"}, {"a_b", "z"}};
  EXPECT_EQ((ls).String(), R"({a0="y", a="x", a_b="z"})");
}

TEST(LabelSetString, EmptyAndSingle) {
  EXPECT_EQ((LabelSet{}).String(), "{}");
  EXPECT_EQ((LabelSet{{"alertname", "Test"}}).String(), R"({alertname="Test"})");
}

TEST(LabelSetString, EscapesValuesAsGoQuote) {
  LabelSet ls{{"v", "q\"b\\s\nt\tnbsp\xc2\xa0"}};
  EXPECT_EQ((ls).String(), R"({v="q\"b\\s\nt\tnbsp\u00a0"})");
}

TEST(GroupKey, EqualsStringsCapturedFromAlertmanager025) {
  auto cfg = config::LoadString(testdata::kCapturedConfig, "captured.yml", "");
  for (const auto& c : testdata::CapturedAlerts()) {
    std::vector<std::string> keys;
    for (const config::Route* r : MatchRoutes(*cfg->route, c.labels)) {
      keys.push_back(GroupKey(*r, GroupLabels(*r, c.labels)));
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, c.group_keys) << "alert " << c.labels.String();
  }
}

// Alertmanager 0.25 (and every later version: config.Route builds GroupBy by appending, so an
// empty list stays nil) inherits the parent's group_by for `group_by: []`; the real daemon sent
// `{}/{nogroup="1"}:{alertname="E"}`.
TEST(GroupKey, EmptyGroupByInheritsParentAs025) {
  auto cfg = config::LoadString(testdata::kCapturedConfig, "captured.yml", "");
  for (const auto& c : testdata::CapturedAlerts()) {
    if (!c.empty_group_by) continue;
    auto routes = MatchRoutes(*cfg->route, c.labels);
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(GroupKey(*routes[0], GroupLabels(*routes[0], c.labels)), c.group_keys.at(0));
  }
}

TEST(GroupKey, RootRouteKeyIsBraces) {
  auto cfg = config::LoadString("route: {receiver: r}\nreceivers: [{name: r}]\n", "t.yml", "");
  EXPECT_EQ(GroupKey(*cfg->route, LabelSet{{"alertname", "Test"}}), R"({}:{alertname="Test"})");
}

}  // namespace
}  // namespace am::dispatch
