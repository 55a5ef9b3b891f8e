// Robustness: random, truncated and bit-flipped inputs to every decoder never crash, never
// allocate beyond the limits, and are reported as errors (or incomplete, for stream prefixes).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/stream_message.h"

namespace am::cluster::memberlist {
namespace {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  Ping p;
  p.node = "01M80XX3H4MXHHN1B1812XSKDN";
  p.seq_no = 77;
  p.source_addr = std::string("\x7f\x00\x00\x01", 4);
  p.source_port = 19094;
  p.source_node = "n2";
  seeds.push_back(EncodeMessage(MessageType::kPing, p));
  Alive a;
  a.node = "n1";
  a.addr = std::string("\x7f\x00\x00\x01", 4);
  a.port = 9094;
  a.incarnation = 3;
  a.meta = std::string();
  a.vsn = std::string("\x01\x05\x02\x00\x00\x00", 6);
  seeds.push_back(EncodeMessage(MessageType::kAlive, a));
  IndirectPingReq ind;
  ind.node = "n3";
  ind.target = a.addr;
  ind.port = 1;
  ind.nack = true;
  seeds.push_back(EncodeMessage(MessageType::kIndirectPing, ind));
  seeds.push_back(AddCrc(MakeCompound({seeds[0], seeds[1]})));
  seeds.push_back(CompressMessage(MakeCompound({seeds[1], seeds[2]})));
  PushNodeState n;
  n.name = "n1";
  n.addr = a.addr;
  n.vsn = a.vsn;
  seeds.push_back(EncodePushPull(true, {n, n}, "0123456789"));
  seeds.push_back(CompressMessage(seeds.back()));
  seeds.push_back(EncodeUserStream(std::string(300, 'u')));
  return seeds;
}

void Exercise(const std::string& buf) {
  std::string err;
  std::string_view body = buf.empty() ? std::string_view() : std::string_view(buf).substr(1);
  Ping p;
  IndirectPingReq ip;
  AckResp ack;
  Alive al;
  Suspect su;
  Dead de;
  PushPullHeader h;
  DecodeBody(body, &p, &err);
  DecodeBody(body, &ip, &err);
  DecodeBody(body, &ack, &err);
  DecodeBody(body, &al, &err);
  DecodeBody(body, &su, &err);
  DecodeBody(body, &de, &err);
  DecodeBody(body, &h, &err);
  std::vector<std::string_view> parts;
  int trunc = 0;
  DecodeCompound(body, &parts, &trunc, &err);
  std::string plain;
  if (DecompressBody(body, 1 << 16, 1 << 16, &plain, &err)) {
    EXPECT_LE(plain.size(), 1u << 16);
  }
  StreamLimits lim;
  lim.max_user_state_bytes = 1 << 16;
  lim.max_compressed_bytes = 1 << 16;
  lim.max_decompressed_bytes = 1 << 16;
  lim.max_nodes = 1000;
  StreamMessage m;
  DecodeStatus s = ParseStreamMessage(buf, lim, &m, &err);
  if (s == DecodeStatus::kOk) {
    EXPECT_LE(m.user_state.size(), lim.max_user_state_bytes);
    EXPECT_LE(m.nodes.size(), 1000u);
  }
  std::string_view v(buf);
  std::string label;
  StripLabel(&v, &label, &err);
}

TEST(Fuzz, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 30000; ++i) {
    std::string junk(rng() % 200, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    if (!junk.empty() && i % 3 == 0) junk[0] = static_cast<char>(rng() % 14);  // valid type byte
    Exercise(junk);
  }
}

TEST(Fuzz, TruncatedAndMutatedMessagesNeverCrash) {
  std::mt19937 rng(42);
  for (const auto& seed : Seeds()) {
    for (size_t n = 0; n <= seed.size(); ++n) Exercise(seed.substr(0, n));
    for (int i = 0; i < 3000; ++i) {
      std::string m = seed;
      int flips = 1 + rng() % 4;
      for (int f = 0; f < flips; ++f) m[rng() % m.size()] = static_cast<char>(rng());
      Exercise(m);
    }
  }
}

TEST(Fuzz, StreamPrefixesAreIncompleteNotErrors) {
  for (const auto& seed : Seeds()) {
    StreamMessage m;
    std::string err;
    if (ParseStreamMessage(seed, StreamLimits{}, &m, &err) != DecodeStatus::kOk) continue;
    if (static_cast<uint8_t>(seed[0]) == 9) continue;  // the compress map is atomic
    for (size_t n = 0; n < seed.size(); ++n) {
      EXPECT_EQ(ParseStreamMessage(std::string_view(seed).substr(0, n), StreamLimits{}, &m, &err),
                DecodeStatus::kIncomplete);
    }
  }
}

}  // namespace
}  // namespace am::cluster::memberlist
