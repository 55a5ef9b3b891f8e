// Every DedupStage decision (upstream notify.DedupStage.needsUpdate with HEAD's reasons).
#include "nflog/dedup.h"

#include <gtest/gtest.h>

#include <vector>

namespace am::nflog {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using V = std::vector<uint64_t>;

const Time kNow = Time(hours(24 * 365 * 50));

Entry Prev(V firing, V resolved, Time ts = kNow - minutes(5)) {
  Entry e;
  e.group_key = "{}:{alertname=\"A\"}";
  e.receiver = {"r", "webhook", 0};
  e.timestamp = ts;
  e.firing_alerts = std::move(firing);
  e.resolved_alerts = std::move(resolved);
  return e;
}

NotifyReason Decide(const V& firing, const V& resolved, const Entry* prev,
                    bool send_resolved = true, nanoseconds repeat = hours(4)) {
  return NeedsUpdate(firing, resolved, prev, send_resolved, repeat, kNow);
}

TEST(Dedup, ReasonStringsAreUpstreams) {
  EXPECT_EQ(ReasonString(NotifyReason::kDoNotNotify), "none");
  EXPECT_EQ(ReasonString(NotifyReason::kFirstNotification), "first notification");
  EXPECT_EQ(ReasonString(NotifyReason::kNewAlertsInGroup), "new alerts added");
  EXPECT_EQ(ReasonString(NotifyReason::kNewResolvedAlerts), "some alerts resolved");
  EXPECT_EQ(ReasonString(NotifyReason::kAllAlertsResolved), "all alerts resolved");
  EXPECT_EQ(ReasonString(NotifyReason::kRepeatIntervalElapsed), "repeat interval elapsed");
  EXPECT_EQ(ReasonString(NotifyReason::kUnknown), "unknown");
  EXPECT_FALSE(ShouldNotify(NotifyReason::kDoNotNotify));
  EXPECT_TRUE(ShouldNotify(NotifyReason::kRepeatIntervalElapsed));
}

TEST(Dedup, NoEntryAndSomethingFiringIsFirstNotification) {
  EXPECT_EQ(Decide({1}, {}, nullptr), NotifyReason::kFirstNotification);
  EXPECT_EQ(Decide({1}, {2}, nullptr), NotifyReason::kFirstNotification);
}

TEST(Dedup, NoEntryAndOnlyResolvedIsNone) {
  EXPECT_EQ(Decide({}, {2}, nullptr), NotifyReason::kDoNotNotify);
  EXPECT_EQ(Decide({}, {}, nullptr), NotifyReason::kDoNotNotify);
}

TEST(Dedup, NewFiringAlertIsNewAlertsAdded) {
  Entry prev = Prev({1}, {});
  EXPECT_EQ(Decide({1, 2}, {}, &prev), NotifyReason::kNewAlertsInGroup);
  // Only the unseen hash matters, not the count: {2} alone is not a subset of {1} either.
  EXPECT_EQ(Decide({2}, {}, &prev), NotifyReason::kNewAlertsInGroup);
}

TEST(Dedup, FiringAfterAResolutionIsFirstNotification) {
  Entry prev = Prev({}, {1});
  EXPECT_EQ(Decide({1}, {}, &prev), NotifyReason::kFirstNotification);
}

TEST(Dedup, NewFiringWinsOverRecentTimestampAndSendResolvedOff) {
  Entry prev = Prev({1}, {}, kNow);
  EXPECT_EQ(Decide({1, 3}, {}, &prev, /*send_resolved=*/false), NotifyReason::kNewAlertsInGroup);
}

TEST(Dedup, AllResolvedNotifiesEvenWithoutSendResolved) {
  Entry prev = Prev({1, 2}, {});
  EXPECT_EQ(Decide({}, {1, 2}, &prev, true), NotifyReason::kAllAlertsResolved);
  EXPECT_EQ(Decide({}, {1, 2}, &prev, false), NotifyReason::kAllAlertsResolved);
  // Also when the resolved alerts are not even those the entry listed.
  EXPECT_EQ(Decide({}, {}, &prev, false), NotifyReason::kAllAlertsResolved);
}

TEST(Dedup, NothingFiringAndNothingFiringBeforeIsNone) {
  // Fired and resolved between two flushes: the receiver never heard of them.
  Entry prev = Prev({}, {1});
  EXPECT_EQ(Decide({}, {1, 2}, &prev, true), NotifyReason::kDoNotNotify);
  // Even once the repeat interval elapsed.
  Entry old = Prev({}, {1}, kNow - hours(100));
  EXPECT_EQ(Decide({}, {2}, &old, true), NotifyReason::kDoNotNotify);
}

TEST(Dedup, SomeResolvedNeedsSendResolved) {
  Entry prev = Prev({1, 2}, {});
  EXPECT_EQ(Decide({1}, {2}, &prev, true), NotifyReason::kNewResolvedAlerts);
  EXPECT_EQ(Decide({1}, {2}, &prev, false), NotifyReason::kDoNotNotify);
}

TEST(Dedup, AlreadyAnnouncedResolutionIsNotRepeated) {
  Entry prev = Prev({1}, {2});
  EXPECT_EQ(Decide({1}, {2}, &prev, true), NotifyReason::kDoNotNotify);
  // A firing subset (an alert dropped from the group without resolving) is no news either.
  Entry two = Prev({1, 2}, {});
  EXPECT_EQ(Decide({1}, {}, &two, true), NotifyReason::kDoNotNotify);
}

TEST(Dedup, RepeatIntervalElapsedIsStrictlyBefore) {
  Entry exact = Prev({1}, {}, kNow - hours(4));
  EXPECT_EQ(Decide({1}, {}, &exact), NotifyReason::kDoNotNotify);
  Entry older = Prev({1}, {}, kNow - hours(4) - nanoseconds(1));
  EXPECT_EQ(Decide({1}, {}, &older), NotifyReason::kRepeatIntervalElapsed);
  EXPECT_EQ(Decide({1}, {}, &older, false), NotifyReason::kRepeatIntervalElapsed);
}

TEST(Dedup, SomeResolvedComesBeforeRepeat) {
  Entry prev = Prev({1, 2}, {}, kNow - hours(10));
  EXPECT_EQ(Decide({1}, {2}, &prev, true), NotifyReason::kNewResolvedAlerts);
  EXPECT_EQ(Decide({1}, {2}, &prev, false), NotifyReason::kRepeatIntervalElapsed);
}

TEST(Dedup, DuplicateHashesCompareAsSets) {
  Entry prev = Prev({1, 1, 2}, {});
  EXPECT_EQ(Decide({2, 2, 1}, {}, &prev), NotifyReason::kDoNotNotify);
}

TEST(Dedup, LargeSetsUseTheSameRules) {
  V listed;
  for (uint64_t i = 0; i < 1000; ++i) listed.push_back(i * 7919);
  Entry prev = Prev(listed, {});
  V firing(listed.rbegin(), listed.rend());
  EXPECT_EQ(Decide(firing, {}, &prev), NotifyReason::kDoNotNotify);
  firing.push_back(3);
  EXPECT_EQ(Decide(firing, {}, &prev), NotifyReason::kNewAlertsInGroup);
}

TEST(Dedup, ExtremeTimesDoNotOverflow) {
  Entry zero = Prev({1}, {}, kZeroTime);
  EXPECT_EQ(Decide({1}, {}, &zero, true, hours(4)), NotifyReason::kRepeatIntervalElapsed);
  Entry recent = Prev({1}, {}, kNow);
  EXPECT_EQ(Decide({1}, {}, &recent, true, nanoseconds::max()), NotifyReason::kDoNotNotify);
  EXPECT_EQ(NeedsUpdate(V{1}, V{}, &zero, true, nanoseconds::max(), Time::max()),
            NotifyReason::kRepeatIntervalElapsed);
}

}  // namespace
}  // namespace am::nflog
