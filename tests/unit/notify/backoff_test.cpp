#include "notify/backoff.h"

#include <gtest/gtest.h>

namespace am::notify {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(ExponentialBackoff, UpstreamDefaults) {
  BackoffPolicy p;
  EXPECT_EQ(p.initial_interval, milliseconds(500));
  EXPECT_EQ(p.multiplier, 1.5);
  EXPECT_EQ(p.randomization_factor, 0.5);
  EXPECT_EQ(p.max_interval, std::chrono::seconds(60));
}

TEST(ExponentialBackoff, WithoutJitterGrowsByMultiplierUpToMax) {
  BackoffPolicy p;
  p.randomization_factor = 0;
  ExponentialBackoff b(p);
  EXPECT_EQ(b.Next(), milliseconds(500));
  EXPECT_EQ(b.Next(), milliseconds(750));
  EXPECT_EQ(b.Next(), milliseconds(1125));
  EXPECT_EQ(b.Next(), nanoseconds(1687500000));
  nanoseconds last{0};
  for (int i = 0; i < 30; ++i) last = b.Next();
  EXPECT_EQ(last, std::chrono::seconds(60));
}

TEST(ExponentialBackoff, JitterIsPlusMinusHalfAsUpstreamComputesIt) {
  // random 0 gives current - 50%; random -> 1 gives current + 50% (+1ns, upstream's formula).
  double r = 0;
  ExponentialBackoff b({}, [&] { return r; });
  EXPECT_EQ(b.Next(), milliseconds(250));
  r = 0.5;
  EXPECT_EQ(b.Next(), nanoseconds(750000000));  // 375ms + 0.5 * (750ms + 1ns) truncated
  r = 0.999999;
  const nanoseconds hi = b.Next();  // current 1125ms → up to 1687.5ms
  EXPECT_GT(hi, milliseconds(1687));
  EXPECT_LE(hi, nanoseconds(1687500001));
}

TEST(ExponentialBackoff, CurrentIntervalSticksAtMax) {
  BackoffPolicy p;
  p.randomization_factor = 0;
  p.initial_interval = std::chrono::seconds(50);
  ExponentialBackoff b(p);
  EXPECT_EQ(b.Next(), std::chrono::seconds(50));
  // 50s >= 60s / 1.5 → jumps to the max.
  EXPECT_EQ(b.current_interval(), std::chrono::seconds(60));
  EXPECT_EQ(b.Next(), std::chrono::seconds(60));
  EXPECT_EQ(b.Next(), std::chrono::seconds(60));
}

TEST(ExponentialBackoff, DefaultRandomStaysWithinBounds) {
  ExponentialBackoff b;
  for (int i = 0; i < 100; ++i) {
    const nanoseconds cur = b.current_interval();
    const nanoseconds n = b.Next();
    EXPECT_GE(n.count(), cur.count() / 2);
    EXPECT_LE(n.count(), cur.count() * 3 / 2 + 1);
  }
}

}  // namespace
}  // namespace am::notify
