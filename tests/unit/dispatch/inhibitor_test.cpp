#include "dispatch/inhibitor.h"

#include <gtest/gtest.h>

#include <chrono>

#include "config/loader.h"

namespace am::dispatch {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Time kNow = Time(std::chrono::seconds(1'700'000'000));

std::vector<config::InhibitRule> Rules(const std::string& yaml) {
  auto cfg = config::LoadString(
      "route: {receiver: r}\nreceivers: [{name: r}]\ninhibit_rules:\n" + yaml, "inhibit.yml", "");
  return cfg->inhibit_rules;
}

AlertPtr MakeAlert(LabelSet labels, Time ends_at = kNow + hours(1)) {
  Alert a;
  a.labels = std::move(labels);
  a.starts_at = kNow - minutes(1);
  a.ends_at = ends_at;
  a.updated_at = kNow;
  return std::make_shared<const Alert>(std::move(a));
}

// Upstream inhibit_test.go TestInhibit's rule: s=1 mutes t=1 when e is equal.
constexpr const char* kUpstreamRule = R"yaml(
- source_match: {s: "1"}
  target_match: {t: "1"}
  equal: [e]
)yaml";

TEST(Inhibitor, TargetNotMutedWithoutSource) {
  Inhibitor ih(Rules(kUpstreamRule), nullptr);
  ih.Put(MakeAlert({{"t", "1"}, {"e", "f"}}));
  EXPECT_TRUE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow).empty());
}

TEST(Inhibitor, FiringSourceWithEqualLabelsMutesTarget) {
  Inhibitor ih(Rules(kUpstreamRule), nullptr);
  auto src = MakeAlert({{"s", "1"}, {"e", "f"}});
  ih.Put(MakeAlert({{"t", "1"}, {"e", "f"}}));
  ih.Put(src);
  EXPECT_EQ(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow), (std::vector<uint64_t>{src->Fingerprint()}));
  // The source itself is not a target.
  EXPECT_TRUE(ih.Mutes({{"s", "1"}, {"e", "f"}}, kNow).empty());
  // Different value of an equal label.
  EXPECT_TRUE(ih.Mutes({{"t", "1"}, {"e", "g"}}, kNow).empty());
}

TEST(Inhibitor, ResolvedSourceStopsInhibiting) {
  Inhibitor ih(Rules(kUpstreamRule), nullptr);
  ih.Put(MakeAlert({{"s", "1"}, {"e", "f"}}));
  ASSERT_FALSE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow).empty());
  // The same alert re-posted as resolved replaces the firing one.
  ih.Put(MakeAlert({{"s", "1"}, {"e", "f"}}, kNow - seconds(1)));
  EXPECT_TRUE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow).empty());
}

TEST(Inhibitor, FiringIsJudgedAtTheTimeAsked) {
  Inhibitor ih(Rules(kUpstreamRule), nullptr);
  ih.Put(MakeAlert({{"s", "1"}, {"e", "f"}}, kNow + minutes(5)));  // resolve_timeout end
  EXPECT_FALSE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow).empty());
  EXPECT_FALSE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow + minutes(5) - seconds(1)).empty());
  EXPECT_TRUE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow + minutes(5)).empty());
}

TEST(Inhibitor, MissingEqualLabelCountsAsEmpty) {
  Inhibitor ih(Rules(R"yaml(
- source_matchers: ['severity="critical"']
  target_matchers: ['severity="warning"']
  equal: [cluster, region]
)yaml"),
               nullptr);
  auto src = MakeAlert({{"alertname", "Down"}, {"severity", "critical"}, {"cluster", "c1"}});
  ih.Put(src);
  // region missing on both sides: equal.
  EXPECT_EQ(ih.Mutes({{"severity", "warning"}, {"cluster", "c1"}}, kNow),
            (std::vector<uint64_t>{src->Fingerprint()}));
  // region present on the target only: not equal.
  EXPECT_TRUE(
      ih.Mutes({{"severity", "warning"}, {"cluster", "c1"}, {"region", "eu"}}, kNow).empty());
  // cluster missing on the target: not equal to c1.
  EXPECT_TRUE(ih.Mutes({{"severity", "warning"}}, kNow).empty());

  auto bare = MakeAlert({{"alertname", "Bare"}, {"severity", "critical"}});
  ih.Put(bare);
  EXPECT_EQ(ih.Mutes({{"severity", "warning"}}, kNow),
            (std::vector<uint64_t>{bare->Fingerprint()}));
}

TEST(Inhibitor, NoEqualLabelsMeansAnySource) {
  Inhibitor ih(Rules(R"yaml(
- source_matchers: ['alertname="ClusterDown"']
  target_matchers: ['alertname!="ClusterDown"']
)yaml"),
               nullptr);
  ih.Put(MakeAlert({{"alertname", "ClusterDown"}, {"cluster", "a"}}));
  EXPECT_FALSE(ih.Mutes({{"alertname", "Other"}, {"cluster", "b"}}, kNow).empty());
  EXPECT_TRUE(ih.Mutes({{"alertname", "ClusterDown"}, {"cluster", "z"}}, kNow).empty());
}

TEST(Inhibitor, AlertMatchingBothSidesIsNotMutedByBothSidedAlertsIncludingItself) {
  Inhibitor ih(Rules(R"yaml(
- source_matchers: ['s="1"']
  target_matchers: ['t="1"']
  equal: [e]
)yaml"),
               nullptr);
  LabelSet x{{"s", "1"}, {"t", "1"}, {"e", "f"}, {"n", "x"}};
  LabelSet y{{"s", "1"}, {"t", "1"}, {"e", "f"}, {"n", "y"}};
  auto ax = MakeAlert(x);
  auto ay = MakeAlert(y);
  ih.Put(ax);
  ih.Put(ay);
  EXPECT_TRUE(ih.Mutes(x, kNow).empty());
  EXPECT_TRUE(ih.Mutes(y, kNow).empty());
  // A target-only alert is muted by a both-sided source.
  LabelSet w{{"t", "1"}, {"e", "f"}};
  auto muted_by = ih.Mutes(w, kNow);
  ASSERT_EQ(muted_by.size(), 1u);
  EXPECT_EQ(muted_by[0], std::min(ax->Fingerprint(), ay->Fingerprint()));
  // A source-only alert does mute the both-sided ones.
  auto z = MakeAlert({{"s", "1"}, {"e", "f"}, {"n", "z"}});
  ih.Put(z);
  EXPECT_EQ(ih.Mutes(x, kNow), (std::vector<uint64_t>{z->Fingerprint()}));
  EXPECT_EQ(ih.Mutes(y, kNow), (std::vector<uint64_t>{z->Fingerprint()}));
}

TEST(Inhibitor, FirstRuleInConfigOrderAndLowestFingerprintReported) {
  Inhibitor ih(Rules(R"yaml(
- source_matchers: ['kind="first"']
  target_matchers: ['t="1"']
- source_matchers: ['kind="second"']
  target_matchers: ['t="1"']
)yaml"),
               nullptr);
  std::vector<AlertPtr> firsts;
  for (int i = 0; i < 5; ++i) {
    firsts.push_back(MakeAlert({{"kind", "first"}, {"i", std::to_string(i)}}));
    ih.Put(firsts.back());
    ih.Put(MakeAlert({{"kind", "second"}, {"i", std::to_string(i)}}));
  }
  uint64_t lowest = firsts[0]->Fingerprint();
  for (const auto& a : firsts) lowest = std::min(lowest, a->Fingerprint());
  EXPECT_EQ(ih.Mutes({{"t", "1"}}, kNow), (std::vector<uint64_t>{lowest}));
}

TEST(Inhibitor, GcDropsResolvedSources) {
  Inhibitor ih(Rules(kUpstreamRule), nullptr);
  ih.Put(MakeAlert({{"s", "1"}, {"e", "a"}}));
  ih.Put(MakeAlert({{"s", "1"}, {"e", "b"}}, kNow - seconds(1)));
  ih.Put(MakeAlert({{"t", "1"}, {"e", "a"}}));  // not a source: not indexed
  EXPECT_EQ(ih.indexed_count(), 2u);
  EXPECT_EQ(ih.GC(kNow), 1u);
  EXPECT_EQ(ih.indexed_count(), 1u);
  EXPECT_FALSE(ih.Mutes({{"t", "1"}, {"e", "a"}}, kNow).empty());
}

TEST(Inhibitor, FedByStoreBeforeAndAfterConstruction) {
  alert::Store store([] { return kNow; });
  Alert before;
  before.labels = {{"s", "1"}, {"e", "old"}};
  before.starts_at = kNow - minutes(1);
  before.ends_at = kNow + hours(1);
  before.updated_at = kNow;
  store.Put({before});
  Inhibitor ih(Rules(kUpstreamRule), &store);
  EXPECT_FALSE(ih.Mutes({{"t", "1"}, {"e", "old"}}, kNow).empty());

  Alert after = before;
  after.labels = {{"s", "1"}, {"e", "new"}};
  store.Put({after});
  EXPECT_FALSE(ih.Mutes({{"t", "1"}, {"e", "new"}}, kNow).empty());

  // Resolving through the store lifts the inhibition.
  after.ends_at = kNow - seconds(1);
  after.updated_at = kNow + seconds(1);
  store.Put({after});
  EXPECT_TRUE(ih.Mutes({{"t", "1"}, {"e", "new"}}, kNow).empty());
}

TEST(Inhibitor, ReloadReindexesTheStore) {
  alert::Store store([] { return kNow; });
  Inhibitor ih(Rules(kUpstreamRule), &store);
  Alert a;
  a.labels = {{"sev", "crit"}, {"e", "f"}};
  a.starts_at = kNow - minutes(1);
  a.ends_at = kNow + hours(1);
  a.updated_at = kNow;
  store.Put({a});
  EXPECT_TRUE(ih.Mutes({{"sev", "warn"}, {"e", "f"}}, kNow).empty());
  ih.Reload(Rules(R"yaml(
- source_matchers: ['sev="crit"']
  target_matchers: ['sev="warn"']
  equal: [e]
)yaml"));
  EXPECT_EQ(ih.rule_count(), 1u);
  EXPECT_FALSE(ih.Mutes({{"sev", "warn"}, {"e", "f"}}, kNow).empty());
  EXPECT_TRUE(ih.Mutes({{"t", "1"}, {"e", "f"}}, kNow).empty());
}

TEST(Inhibitor, IndexedLookupStaysFastWithManyAlerts) {
  Inhibitor ih(Rules(R"yaml(
- source_matchers: ['severity="critical"']
  target_matchers: ['severity="warning"']
  equal: [instance]
)yaml"),
               nullptr);
  constexpr int kAlerts = 20000;
  for (int i = 0; i < kAlerts; ++i) {
    ih.Put(MakeAlert({{"severity", "critical"}, {"instance", "host-" + std::to_string(i)}}));
  }
  auto start = std::chrono::steady_clock::now();
  int muted = 0;
  for (int i = 0; i < 2 * kAlerts; ++i) {
    if (!ih.Mutes({{"severity", "warning"}, {"instance", "host-" + std::to_string(i)}}, kNow)
             .empty()) {
      ++muted;
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(muted, kAlerts);
  // A scan of every source per query would be 8e8 label comparisons; the index needs 4e4 lookups.
  EXPECT_LT(elapsed, seconds(5));
}

}  // namespace
}  // namespace am::dispatch
