#include "alert/merge.h"

#include <gtest/gtest.h>

namespace am::alert {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const Time kNow = Time(std::chrono::hours(24 * 365 * 56));  // some instant in 2026

Alert Make(Time start, Time end, Time updated, bool timeout = false, std::string ann = "") {
  Alert a;
  a.labels = {{"alertname", "A"}};
  if (!ann.empty()) a.annotations = {{"v", ann}};
  a.starts_at = start;
  a.ends_at = end;
  a.updated_at = updated;
  a.timeout = timeout;
  return a;
}

TEST(AlertMerge, NewerUpdateProvidesPayloadEarliestStartWins) {
  Alert old_a = Make(kNow - minutes(10), kNow + minutes(5), kNow - minutes(1), true, "old");
  Alert new_a = Make(kNow - minutes(2), kNow + minutes(5), kNow, true, "new");
  Alert m = Merge(old_a, new_a, kNow);
  EXPECT_EQ(m.annotations.Get("v"), "new");
  EXPECT_EQ(m.starts_at, kNow - minutes(10));
  EXPECT_EQ(m.updated_at, kNow);
  // Symmetric: argument order does not matter, the newer update still wins.
  Alert m2 = Merge(new_a, old_a, kNow);
  EXPECT_EQ(m2.annotations.Get("v"), "new");
  EXPECT_EQ(m2.starts_at, kNow - minutes(10));
}

TEST(AlertMerge, LaterNonTimeoutEndWinsForFiringResult) {
  Alert old_a = Make(kNow - minutes(10), kNow + minutes(30), kNow - minutes(1), false);
  Alert new_a = Make(kNow - minutes(10), kNow + minutes(5), kNow, true);
  EXPECT_EQ(Merge(old_a, new_a, kNow).ends_at, kNow + minutes(30));
  // A later end that only came from resolve_timeout does not win.
  old_a.timeout = true;
  EXPECT_EQ(Merge(old_a, new_a, kNow).ends_at, kNow + minutes(5));
}

TEST(AlertMerge, LatestExplicitResolveWinsWhenBothResolved) {
  Alert old_a = Make(kNow - minutes(10), kNow - minutes(1), kNow - minutes(2));
  Alert new_a = Make(kNow - minutes(10), kNow - minutes(3), kNow);
  EXPECT_EQ(Merge(old_a, new_a, kNow).ends_at, kNow - minutes(1));
  // Newer says resolved but older is still firing: newer's end stays.
  old_a.ends_at = kNow + minutes(10);
  EXPECT_EQ(Merge(old_a, new_a, kNow).ends_at, kNow - minutes(3));
}

TEST(AlertMerge, OverlapIsStrict) {
  Alert old_a = Make(kNow - minutes(10), kNow + minutes(5), kNow);
  // New end inside the old range.
  EXPECT_TRUE(Overlaps(old_a, Make(kNow - minutes(20), kNow, kNow)));
  // New start inside the old range.
  EXPECT_TRUE(Overlaps(old_a, Make(kNow, kNow + minutes(30), kNow)));
  // Touching the boundary is not an overlap (Go's After/Before are strict).
  EXPECT_FALSE(Overlaps(old_a, Make(kNow + minutes(5), kNow + minutes(30), kNow)));
  EXPECT_FALSE(Overlaps(old_a, Make(kNow - minutes(20), kNow - minutes(10), kNow)));
  // Entirely after: replaced, not merged.
  EXPECT_FALSE(Overlaps(old_a, Make(kNow + minutes(6), kNow + minutes(30), kNow)));
}

}  // namespace
}  // namespace am::alert
