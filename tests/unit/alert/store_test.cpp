#include "alert/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace am::alert {
namespace {

using std::chrono::minutes;

struct FakeClock {
  Time now = Time(std::chrono::hours(24 * 365 * 56));
};

Alert Make(std::string name, Time start, Time end, Time updated) {
  Alert a;
  a.labels = {{"alertname", std::move(name)}};
  a.starts_at = start;
  a.ends_at = end;
  a.updated_at = updated;
  return a;
}

TEST(AlertStore, PutMergesOverlappingAndReplacesOthers) {
  FakeClock c;
  Store s([&] { return c.now; });
  s.Put({Make("A", c.now - minutes(10), c.now + minutes(5), c.now - minutes(1))});
  // Re-post that overlaps: earliest start is kept.
  s.Put({Make("A", c.now - minutes(1), c.now + minutes(5), c.now)});
  ASSERT_EQ(s.size(), 1u);
  auto a = s.List()[0];
  EXPECT_EQ(a->starts_at, c.now - minutes(10));
  // Resolving post with an old range replaces (upstream observed: startsAt replaced too).
  s.Put({Make("A", c.now + minutes(6), c.now + minutes(7), c.now + minutes(1))});
  EXPECT_EQ(s.List()[0]->starts_at, c.now + minutes(6));
}

TEST(AlertStore, ListIsSortedByFingerprint) {
  FakeClock c;
  Store s([&] { return c.now; });
  std::vector<Alert> batch;
  for (int i = 0; i < 50; ++i) {
    batch.push_back(Make("A" + std::to_string(i), c.now, c.now + minutes(5), c.now));
  }
  s.Put(batch);
  auto list = s.List();
  ASSERT_EQ(list.size(), 50u);
  for (size_t i = 1; i < list.size(); ++i) {
    EXPECT_LT(list[i - 1]->Fingerprint(), list[i]->Fingerprint());
  }
}

TEST(AlertStore, GcRemovesOnlyResolved) {
  FakeClock c;
  Store s([&] { return c.now; });
  s.Put({Make("Firing", c.now, c.now + minutes(5), c.now),
         Make("Resolved", c.now - minutes(5), c.now - minutes(1), c.now)});
  auto removed = s.GC();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0]->labels.Get("alertname"), "Resolved");
  EXPECT_EQ(s.size(), 1u);
  c.now += minutes(10);
  EXPECT_EQ(s.GC().size(), 1u);
  EXPECT_EQ(s.size(), 0u);
}

TEST(AlertStore, ListenersSeeEveryStoredAlert) {
  FakeClock c;
  Store s([&] { return c.now; });
  std::vector<std::string> seen;
  s.Subscribe([&](const AlertPtr& a) { seen.emplace_back(a->labels.Get("alertname")); });
  s.Put({Make("A", c.now, c.now + minutes(5), c.now), Make("B", c.now, c.now + minutes(5), c.now)});
  EXPECT_EQ(seen, (std::vector<std::string>{"A", "B"}));
}

TEST(AlertStore, ConcurrentPutsAndReadsKeepEveryAlert) {
  Store s;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) s.List();
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        Time now = Now();
        s.Put(
            {Make("T" + std::to_string(t) + "-" + std::to_string(i), now, now + minutes(5), now)});
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  EXPECT_EQ(s.size(), 2000u);
}

}  // namespace
}  // namespace am::alert
