// LZW against Go's compress/lzw (LSB, literal width 8): vectors produced by Go 1.19 (see
// testdata/gen_lzw.go.txt), including a 40 KB input that resets the code table several times.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "cluster/memberlist/lzw.h"
#include "cluster_test_util.h"

namespace am::cluster::memberlist {
namespace {

using testutil::Hex;
using testutil::WaitFor;

std::string LcgInput(size_t n) {
  uint32_t x = 12345;
  std::string in(n, '\0');
  const char* alphabet = "abcdefghij {}:\"0123";
  for (auto& c : in) {
    x = x * 1103515245u + 12345u;
    c = alphabet[(x >> 16) % 19];
  }
  return in;
}

TEST(Lzw, MatchesGoSmallVectors) {
  EXPECT_EQ(Hex(LzwCompress("")), "000302");
  EXPECT_EQ(Hex(LzwCompress("a")), "00c30404");
  EXPECT_EQ(Hex(LzwCompress("TOBEORNOTTOBEORTOBEORNOT#")),
            "00a93c1152e48914274fa80824687061c18309470404");
  EXPECT_EQ(Hex(LzwCompress(std::string(5000, 'a'))),
            "00c3081c48b0a0c18308132a5cc8b0a1c38710234a9c48b1a2c58b18336adcc8b1a3c78f20438a1c49b2"
            "a4c9932853aa5cc9b2a5cb973063ca9c49b3a6cd9b3873eadcc9b3a7cf9f40830a1d4ab4a8d1a348932a5d"
            "cab4a9d3a750a34a9d4ab5aad5ab58b36addcab5abd7af60c38a1d2b3320");
}

TEST(Lzw, MatchesGoAcrossTableResets) {
  std::ifstream f(std::string(AM_CLUSTER_TESTDATA) + "/lcg40k.lzw", std::ios::binary);
  ASSERT_TRUE(f) << "missing testdata";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string go = ss.str();
  std::string in = LcgInput(40000);
  std::string ours = LzwCompress(in);
  EXPECT_EQ(ours.size(), go.size());
  EXPECT_TRUE(ours == go);
  std::string out, err;
  ASSERT_TRUE(LzwDecompress(go, 1 << 20, &out, &err)) << err;
  EXPECT_TRUE(out == in);
}

TEST(Lzw, RoundTripsRandomAndRepetitive) {
  std::mt19937 rng(7);
  for (size_t n : {1u, 2u, 3u, 255u, 256u, 4095u, 4096u, 70000u}) {
    std::string in(n, '\0');
    for (auto& c : in) c = static_cast<char>(rng());
    std::string out, err;
    ASSERT_TRUE(LzwDecompress(LzwCompress(in), n, &out, &err)) << n << ": " << err;
    EXPECT_TRUE(out == in) << n;
    std::string rep(n, 'z');
    ASSERT_TRUE(LzwDecompress(LzwCompress(rep), n, &out, &err)) << err;
    EXPECT_TRUE(out == rep);
  }
}

TEST(Lzw, RejectsGarbageAndBoundsOutput) {
  std::string out, err;
  EXPECT_FALSE(LzwDecompress("", 100, &out, &err));                  // no EOF code
  EXPECT_FALSE(LzwDecompress("\x00\x0d", 100, &out, &err));          // truncated
  EXPECT_FALSE(LzwDecompress("\xff\xff\xff\xff", 100, &out, &err));  // invalid codes
  // 5000 'a' inflate beyond a 100-byte cap: refused, not allocated.
  EXPECT_FALSE(LzwDecompress(LzwCompress(std::string(5000, 'a')), 100, &out, &err));
  EXPECT_LE(out.size(), 100u);
  std::mt19937 rng(99);
  for (int i = 0; i < 20000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    LzwDecompress(junk, 4096, &out, &err);  // must not crash
    EXPECT_LE(out.size(), 4096u);
  }
}

}  // namespace
}  // namespace am::cluster::memberlist
