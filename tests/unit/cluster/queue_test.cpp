#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "cluster/memberlist/suspicion.h"
#include "cluster/memberlist/transmit_queue.h"
#include "cluster/memberlist/ulid.h"

namespace am::cluster::memberlist {
namespace {

using namespace std::chrono_literals;

TEST(TransmitLimitedQueue, RetransmitLimitScalesWithLog10) {
  EXPECT_EQ(RetransmitLimit(4, 1), 4);
  EXPECT_EQ(RetransmitLimit(4, 9), 4);
  EXPECT_EQ(RetransmitLimit(4, 10), 8);
  EXPECT_EQ(RetransmitLimit(3, 99), 6);
  EXPECT_EQ(RetransmitLimit(3, 100), 9);
}

TEST(TransmitLimitedQueue, SendsEachMessageUpToTheLimitThenDrops) {
  int nodes = 3;
  TransmitLimitedQueue q(4, [&] { return nodes; });  // limit 4
  int finished = 0;
  q.Queue("hello", "", [&] { ++finished; });
  for (int i = 0; i < 4; ++i) {
    auto got = q.GetBroadcasts(2, 1400);
    ASSERT_EQ(got.size(), 1u) << i;
    EXPECT_EQ(got[0], "hello");
  }
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(q.NumQueued(), 0u);
  EXPECT_TRUE(q.GetBroadcasts(2, 1400).empty());
}

TEST(TransmitLimitedQueue, PrefersFreshLargeNewestAndRespectsTheByteLimit) {
  TransmitLimitedQueue q(4, [] { return 1; });
  q.Queue(std::string(10, 'a'));
  q.Queue(std::string(30, 'b'));
  q.Queue(std::string(10, 'c'));
  // Limit fits the 30-byte one plus one 10-byte one (overhead 2 each): largest first, then newest.
  auto got = q.GetBroadcasts(2, 44);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0][0], 'b');
  EXPECT_EQ(got[1][0], 'c');
  // Next round: 'a' has the fewest transmissions.
  got = q.GetBroadcasts(2, 14);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0][0], 'a');
}

TEST(TransmitLimitedQueue, NamedMessagesInvalidateEachOther) {
  TransmitLimitedQueue q(4, [] { return 1; });
  int finished = 0;
  q.Queue("alive-1", "node-x", [&] { ++finished; });
  q.Queue("dead-1", "node-x");
  q.Queue("part", "");
  q.Queue("part", "");  // unnamed ones are never invalidated
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(q.NumQueued(), 3u);
  q.Prune(1);
  EXPECT_EQ(q.NumQueued(), 1u);
}

TEST(Suspicion, TimeoutsMatchMemberlist) {
  EXPECT_EQ(SuspicionTimeout(4, 3, 1s), 4s);
  EXPECT_EQ(SuspicionTimeout(4, 10, 1s), 4s);
  EXPECT_EQ(SuspicionTimeout(4, 100, 1s), 8s);
  EXPECT_EQ(SuspicionTimeout(4, 1000, 200ms), 2400ms);
  // k = 2 confirmations drive the timeout from max (24 s) to min (4 s).
  EXPECT_EQ(RemainingSuspicionTime(0, 2, 0s, 4s, 24s), 24s);
  EXPECT_EQ(RemainingSuspicionTime(1, 2, 0s, 4s, 24s), std::chrono::milliseconds(11381));
  EXPECT_EQ(RemainingSuspicionTime(2, 2, 0s, 4s, 24s), 4s);
  EXPECT_EQ(RemainingSuspicionTime(3, 2, 5s, 4s, 24s), -1s);
}

TEST(Suspicion, ConfirmationsCountOncePerNodeAndNeverTheAccuser) {
  auto t0 = std::chrono::steady_clock::now();
  Suspicion s("a", 2, 4s, 24s, t0);
  EXPECT_EQ(s.InitialTimeout(), 24s);
  std::chrono::nanoseconds rem{};
  EXPECT_FALSE(s.Confirm("a", t0, &rem));
  EXPECT_TRUE(s.Confirm("b", t0 + 1s, &rem));
  EXPECT_EQ(rem, std::chrono::milliseconds(11381) - 1s);
  EXPECT_FALSE(s.Confirm("b", t0 + 1s, &rem));
  EXPECT_TRUE(s.Confirm("c", t0 + 2s, &rem));
  EXPECT_EQ(rem, 2s);
  EXPECT_FALSE(s.Confirm("d", t0 + 2s, &rem));  // k reached
  Suspicion none("a", 0, 4s, 24s, t0);
  EXPECT_EQ(none.InitialTimeout(), 4s);
}

TEST(Awareness, ScoreIsClampedAndScalesTimeouts) {
  Awareness a(8);
  EXPECT_FALSE(a.ApplyDelta(-1));
  EXPECT_TRUE(a.ApplyDelta(3));
  EXPECT_EQ(a.ScaleTimeout(1s), 4s);
  a.ApplyDelta(100);
  EXPECT_EQ(a.Score(), 7);
}

TEST(Ulid, EncodesLikeOklog) {
  // Vector checked against github.com/oklog/ulid: ulid.MustNew(1469918176385, zero entropy).
  std::array<uint8_t, 10> zero{};
  EXPECT_EQ(EncodeUlid(1469918176385ULL, zero), "01ARYZ6S410000000000000000");
  std::array<uint8_t, 10> ff;
  ff.fill(0xff);
  EXPECT_EQ(EncodeUlid(0, ff), "0000000000ZZZZZZZZZZZZZZZZ");
  std::string a = NewUlid();
  EXPECT_EQ(a.size(), 26u);
  EXPECT_EQ(a.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
  EXPECT_NE(a, NewUlid());
  // Later names sort after earlier ones.
  auto now = std::chrono::system_clock::now();
  EXPECT_LT(NewUlid(now), NewUlid(now + 2ms));
}

}  // namespace
}  // namespace am::cluster::memberlist
