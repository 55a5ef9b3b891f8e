// Golden bytes: the messages captured from real Alertmanager 0.25 nodes and annotated in
// memberlist-wire.md §2.3 and §5.3. Our encoder must produce them exactly, our decoder must read
// them back.
#include <gtest/gtest.h>

#include <string>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/lzw.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/stream_message.h"
#include "cluster_test_util.h"
#include "proto/cluster.pb.h"

namespace am::cluster::memberlist {
namespace {

using testutil::Hex;

using namespace std::string_literals;

const std::string kA = "01M80XX3H4MXHHN1B1812XSKDN";  // 127.0.0.1:19094
const std::string kB = "01M80XX5F94CB86Z5CTRPYY558";  // 127.0.0.1:19194
const std::string kLoopback = "\x7f\x00\x00\x01"s;
const std::string kVsn = "\x01\x05\x02\x00\x00\x00"s;

std::string FromHex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// msgpack fixstr.
std::string S(const std::string& s) {
  return std::string(1, static_cast<char>(0xa0 | s.size())) + s;
}

TEST(WireGolden, PingFromBToA) {
  std::string want = std::string("\x00\x85"s) + S("Node") + S(kA) + S("SeqNo") + "\x01" +
                     S("SourceAddr") + S(kLoopback) + S("SourceNode") + S(kB) + S("SourcePort") +
                     "\xcd\x4a\xfa";
  ASSERT_EQ(want.size(), 109u);
  Ping p;
  p.node = kA;
  p.seq_no = 1;
  p.source_addr = kLoopback;
  p.source_node = kB;
  p.source_port = 19194;
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kPing, p)), Hex(want));

  Ping got;
  std::string err;
  ASSERT_TRUE(DecodeBody(std::string_view(want).substr(1), &got, &err)) << err;
  EXPECT_EQ(got.node, kA);
  EXPECT_EQ(got.seq_no, 1u);
  EXPECT_EQ(got.source_addr, kLoopback);
  EXPECT_EQ(got.source_node, kB);
  EXPECT_EQ(got.source_port, 19194);
}

TEST(WireGolden, PingOmitsEmptyOptionalFields) {
  Ping p;
  p.node = "";
  p.seq_no = 7;
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kPing, p)),
            Hex(std::string("\x00\x82"s) + S("Node") + S("") + S("SeqNo") + "\x07"));
}

TEST(WireGolden, Ack) {
  AckResp a;
  a.seq_no = 1;
  a.payload = std::string();  // Alertmanager's AckPayload: empty, non-nil
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kAck, a)), "0282a75061796c6f6164a0a55365714e6f01");
  AckResp got;
  std::string err;
  ASSERT_TRUE(DecodeBody(FromHex("82a75061796c6f6164a0a55365714e6f01"), &got, &err)) << err;
  EXPECT_EQ(got.seq_no, 1u);
  ASSERT_TRUE(got.payload.has_value());
  EXPECT_EQ(*got.payload, "");
}

TEST(WireGolden, Nack) {
  NackResp n;
  n.seq_no = 122;
  std::string want = std::string("\x0b\x81", 2) + S("SeqNo") + "\x7a";
  ASSERT_EQ(want.size(), 9u);
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kNack, n)), Hex(want));
  NackResp got;
  ASSERT_TRUE(DecodeBody(std::string_view(want).substr(1), &got, nullptr));
  EXPECT_EQ(got.seq_no, 122u);
}

Alive MakeAlive(const std::string& name, uint16_t port, GoBytes meta) {
  Alive a;
  a.addr = kLoopback;
  a.incarnation = 1;
  a.meta = std::move(meta);
  a.node = name;
  a.port = port;
  a.vsn = kVsn;
  return a;
}

std::string AliveBytes(const std::string& name, const std::string& port, const std::string& meta) {
  return std::string("\x04\x86", 2) + S("Addr") + S(kLoopback) + S("Incarnation") + "\x01" +
         S("Meta") + meta + S("Node") + S(name) + S("Port") + port + S("Vsn") + S(kVsn);
}

// The gossip B sent A right after the join: CRC over a compound of two alive messages, one with
// Meta nil (re-gossiped, c0) and one with Meta empty (a0).
TEST(WireGolden, GossipCompoundWithCrc) {
  std::string alive_a = AliveBytes(kA, "\xcd\x4a\x96", "\xc0");
  std::string alive_b = AliveBytes(kB, "\xcd\x4a\xfa", "\xa0");
  ASSERT_EQ(alive_a.size(), 82u);
  ASSERT_EQ(alive_b.size(), 82u);
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kAlive, MakeAlive(kA, 19094, std::nullopt))),
            Hex(alive_a));
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kAlive, MakeAlive(kB, 19194, std::string()))),
            Hex(alive_b));

  std::string packet = AddCrc(MakeCompound({alive_a, alive_b}));
  ASSERT_EQ(packet.size(), 175u);
  EXPECT_EQ(Hex(packet.substr(0, 11)), "0c72b7acb6070200520052");

  // Decode: CRC, compound, both alives.
  EXPECT_EQ(Crc32(std::string_view(packet).substr(5)), 0x72b7acb6u);
  std::vector<std::string_view> parts;
  int truncated = -1;
  ASSERT_TRUE(DecodeCompound(std::string_view(packet).substr(6), &parts, &truncated, nullptr));
  EXPECT_EQ(truncated, 0);
  ASSERT_EQ(parts.size(), 2u);
  Alive a;
  std::string err;
  ASSERT_TRUE(DecodeBody(parts[0].substr(1), &a, &err)) << err;
  EXPECT_EQ(a.node, kA);
  EXPECT_EQ(a.port, 19094);
  EXPECT_FALSE(a.meta.has_value());
  EXPECT_EQ(a.vsn, kVsn);
  EXPECT_EQ(a.addr, kLoopback);
  ASSERT_TRUE(DecodeBody(parts[1].substr(1), &a, &err)) << err;
  EXPECT_EQ(a.node, kB);
  ASSERT_TRUE(a.meta.has_value());
  EXPECT_EQ(*a.meta, "");
}

TEST(WireGolden, SuspectAndDead) {
  Suspect s;
  s.from = kB;
  s.incarnation = 1;
  s.node = kA;
  std::string body =
      std::string("\x83", 1) + S("From") + S(kB) + S("Incarnation") + "\x01" + S("Node") + S(kA);
  std::string msg = EncodeMessage(MessageType::kSuspect, s);
  EXPECT_EQ(Hex(msg), Hex("\x03" + body));
  EXPECT_EQ(AddCrc(msg).size(), 84u);
  Dead d;
  d.from = kB;
  d.incarnation = 1;
  d.node = kA;
  EXPECT_EQ(Hex(EncodeMessage(MessageType::kDead, d)), Hex("\x05" + body));
  Dead got;
  ASSERT_TRUE(DecodeBody(body, &got, nullptr));
  EXPECT_EQ(got.from, kB);
  EXPECT_EQ(got.node, kA);
  EXPECT_EQ(got.incarnation, 1u);
}

std::string JoinPushPullPlain() {
  return std::string("\x06\x83", 2) + S("Join") + "\xc3" + S("Nodes") + "\x01" + S("UserStateLen") +
         "\x0e" + "\x87" + S("Addr") + S(kLoopback) + S("Incarnation") + "\x01" + S("Meta") +
         "\xa0" + S("Name") + S(kB) + S("Port") + "\xcd\x4a\xfa" + S("State") +
         std::string(1, '\0') + S("Vsn") + S(kVsn) + FromHex("0a050a036e666c0a050a0373696c");
}

// Go's compress/lzw output for the join push/pull (generated with Go 1.19; the captured stream
// starts with the same bytes, 00 0d 0c 22, and has the same 142-byte length).
const char* kJoinLzwHex =
    "000d0c22a5e44d1a37c34a397943a6cc9c00acaacc2923670a9d3074ca3029e3c6c1215241c8909143ea0f0000"
    "0156257133268c1c3718d3bc7113805493321741917212a64d195d306234c101030b961a4672d0182204870d2d"
    "3586509102254b961a35709082f2460e9d664af495b288b10c805156e6b83115a08080930014145030c08d1936"
    "72e9ce49c32620";

TEST(WireGolden, JoinPushPull) {
  std::string want = JoinPushPullPlain();
  ASSERT_EQ(want.size(), 131u);
  PushNodeState n;
  n.addr = kLoopback;
  n.incarnation = 1;
  n.meta = std::string();
  n.name = kB;
  n.port = 19194;
  n.state = kStateAlive;
  n.vsn = kVsn;
  clusterpb::FullState fs;
  auto* p = fs.add_parts();
  p->set_key("nfl");
  p = fs.add_parts();
  p->set_key("sil");
  std::string user = fs.SerializeAsString();
  EXPECT_EQ(Hex(user), "0a050a036e666c0a050a0373696c");
  EXPECT_EQ(Hex(EncodePushPull(true, {n}, user)), Hex(want));

  // Compressed as Go sends it: 157 bytes, the LZW part byte-identical to Go's writer.
  std::string wire = CompressMessage(want);
  ASSERT_EQ(wire.size(), 157u);
  EXPECT_EQ(Hex(wire.substr(0, 15)), "0982a4416c676f00a3427566da008e");
  EXPECT_EQ(Hex(wire.substr(15)), kJoinLzwHex);

  // And the stream parser reads it back.
  StreamMessage m;
  std::string err;
  ASSERT_EQ(ParseStreamMessage(wire, StreamLimits{}, &m, &err), DecodeStatus::kOk) << err;
  EXPECT_TRUE(m.compressed);
  EXPECT_EQ(m.type, MessageType::kPushPull);
  EXPECT_TRUE(m.header.join);
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].name, kB);
  EXPECT_EQ(m.nodes[0].port, 19194);
  EXPECT_EQ(m.nodes[0].vsn, kVsn);
  EXPECT_EQ(m.user_state, user);
}

TEST(WireGolden, PushPullParsesIncrementally) {
  std::string wire = JoinPushPullPlain();
  StreamMessage m;
  std::string err;
  for (size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(ParseStreamMessage(std::string_view(wire).substr(0, n), StreamLimits{}, &m, &err),
              DecodeStatus::kIncomplete)
        << "prefix " << n;
  }
  ASSERT_EQ(ParseStreamMessage(wire, StreamLimits{}, &m, &err), DecodeStatus::kOk) << err;
  EXPECT_FALSE(m.compressed);
  EXPECT_EQ(m.user_state.size(), 14u);
}

// An oversized silence over TCP: 08, userMsgHeader{UserMsgLen: 1120}, the Part.
TEST(WireGolden, ReliableUserMessage) {
  std::string payload(1120, 'x');
  std::string msg = EncodeUserStream(payload);
  EXPECT_EQ(Hex(msg.substr(0, 16)),
            Hex(std::string("\x08\x81", 2) + S("UserMsgLen") + "\xcd\x04\x60"));
  StreamMessage m;
  ASSERT_EQ(ParseStreamMessage(CompressMessage(msg), StreamLimits{}, &m, nullptr),
            DecodeStatus::kOk);
  EXPECT_EQ(m.type, MessageType::kUser);
  EXPECT_EQ(m.user_msg, payload);
}

// The nfl gossip captured on UDP: CRC, then 08 + Part{key "nfl", data: one delimited MeshEntry}.
TEST(WireGolden, NflogGossipPart) {
  std::string packet = FromHex(
      "0c2248698d080a036e666c124140"
      "0a310a057b7d3a7b7d120f0a046e756c6c1207776562686f6f6b"
      "2a0b08da8d8ad80610e49fb729320acbc9b4ce93e399b2cb01"
      "120b08fac58ad80610e49fb729");
  ASSERT_EQ(packet.size(), 78u);
  EXPECT_EQ(Crc32(std::string_view(packet).substr(5)), 0x2248698du);
  EXPECT_EQ(static_cast<uint8_t>(packet[5]), 8);
  clusterpb::Part part;
  ASSERT_TRUE(part.ParseFromString(packet.substr(6)));
  EXPECT_EQ(part.key(), "nfl");
  EXPECT_EQ(part.data().size(), 65u);
  EXPECT_EQ(static_cast<uint8_t>(part.data()[0]), 0x40);  // delimited: 64-byte MeshEntry
}

TEST(WireGolden, LabelHeader) {
  std::string ping = EncodeMessage(MessageType::kNack, NackResp{5});
  std::string labelled = LabelHeader("prod") + ping;
  EXPECT_EQ(Hex(labelled.substr(0, 6)), "f404" + Hex("prod"));
  std::string_view v(labelled);
  std::string label;
  ASSERT_TRUE(StripLabel(&v, &label, nullptr));
  EXPECT_EQ(label, "prod");
  EXPECT_EQ(std::string(v), ping);
  // No label: label "" and bytes untouched.
  v = ping;
  ASSERT_TRUE(StripLabel(&v, &label, nullptr));
  EXPECT_EQ(label, "");
  EXPECT_EQ(v.size(), ping.size());
  // Length 0 and truncated labels are errors.
  std::string zero_len = "\xf4\x00\x0b"s;
  v = zero_len;
  EXPECT_FALSE(StripLabel(&v, &label, nullptr));
  v = std::string_view(
      "\xf4\x05"
      "ab",
      4);
  EXPECT_FALSE(StripLabel(&v, &label, nullptr));
}

// Decoders accept what Go's tolerate: other key orders, unknown keys, str8/bin, map16, every
// integer width, go-msgpack v2's signed ints.
TEST(WireDecode, ToleratesGoVariants) {
  std::string body = std::string("\xde\x00\x04"s) + S("Unknown") + "\x92\x01\x02" + S("SeqNo") +
                     "\xce\x00\x00\x00\x09"s + "\xd9\x04Node" + "\xc4\x01x" + S("SourcePort") +
                     "\xd1\x10\x00"s;
  Ping p;
  std::string err;
  ASSERT_TRUE(DecodeBody(body, &p, &err)) << err;
  EXPECT_EQ(p.seq_no, 9u);
  EXPECT_EQ(p.node, "x");
  EXPECT_EQ(p.source_port, 0x1000);
  // nil for every field means zero values.
  body = std::string("\x82", 1) + S("SeqNo") + "\xc0" + S("Node") + "\xc0";
  ASSERT_TRUE(DecodeBody(body, &p, &err)) << err;
  EXPECT_EQ(p.seq_no, 0u);
  EXPECT_EQ(p.node, "");
  // go-msgpack v2 writes Nodes 200 as d1 00 c8.
  PushPullHeader h;
  body = std::string("\x83", 1) + S("Nodes") + "\xd1\x00\xc8"s + S("UserStateLen") + "\x00"s +
         S("Join") + "\xc2";
  ASSERT_TRUE(DecodeBody(body, &h, &err)) << err;
  EXPECT_EQ(h.nodes, 200);
}

TEST(WireDecode, RejectsWrongTypesAndOverflow) {
  Ping p;
  std::string err;
  EXPECT_FALSE(DecodeBody(
      std::string("\x81", 1) + S("SeqNo") + "\xcf\x00\x00\x00\x01\x00\x00\x00\x00"s, &p, &err));
  EXPECT_FALSE(
      DecodeBody(std::string("\x81", 1) + S("SourcePort") + "\xce\x00\x01\x00\x00"s, &p, &err));
  EXPECT_FALSE(DecodeBody(std::string("\x81", 1) + S("Node") + "\x05", &p, &err));
  EXPECT_FALSE(DecodeBody("\x92\x01\x02", &p, &err));  // not a map
  EXPECT_FALSE(DecodeBody("", &p, &err));
  // The STACK.md trap: 5 bytes declaring a 2 GiB array must fail fast, not allocate.
  EXPECT_FALSE(DecodeBody(std::string("\xdd\x82\x08\x00\x08"s), &p, &err));
  // A string longer than the field limit.
  EXPECT_FALSE(DecodeBody(std::string("\x81", 1) + S("Node") + "\xdb\x7f\xff\xff\xff", &p, &err));
}

TEST(WireDecode, CompoundTruncationAndEmptyParts) {
  std::vector<std::string_view> parts;
  int truncated = 0;
  // Three parts declared, the third runs past the end: two kept, one truncated.
  std::string body = std::string("\x03\x00\x01\x00\x02\x00\x09"s) + "abc";
  ASSERT_TRUE(DecodeCompound(body, &parts, &truncated, nullptr));
  EXPECT_EQ(parts.size(), 2u);
  EXPECT_EQ(truncated, 1);
  // An empty part is skipped (memberlist 0.2.2 would panic on it).
  body = std::string("\x02\x00\x00\x00\x01"s) + "z";
  ASSERT_TRUE(DecodeCompound(body, &parts, &truncated, nullptr));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], "z");
  EXPECT_FALSE(DecodeCompound("", &parts, &truncated, nullptr));
  EXPECT_FALSE(DecodeCompound(std::string("\x05\x00"s), &parts, &truncated, nullptr));
}

TEST(WireDecode, StreamLimitsBoundDeclaredSizes) {
  StreamLimits lim;
  lim.max_user_state_bytes = 1000;
  lim.max_nodes = 10;
  StreamMessage m;
  std::string err;
  std::string big_state = std::string("\x06\x83", 2) + S("Join") + "\xc2" + S("Nodes") + "\x00"s +
                          S("UserStateLen") + "\xce\x7f\x00\x00\x00"s;
  EXPECT_EQ(ParseStreamMessage(big_state, lim, &m, &err), DecodeStatus::kError);
  std::string many_nodes = std::string("\x06\x83", 2) + S("Join") + "\xc2" + S("Nodes") +
                           "\xce\x00\x10\x00\x00"s + S("UserStateLen") + "\x00"s;
  EXPECT_EQ(ParseStreamMessage(many_nodes, lim, &m, &err), DecodeStatus::kError);
  std::string negative = std::string("\x08\x81", 2) + S("UserMsgLen") + "\xff";
  EXPECT_EQ(ParseStreamMessage(negative, lim, &m, &err), DecodeStatus::kError);
  EXPECT_EQ(ParseStreamMessage("\x0a\x00\x00\x00\x05"s, lim, &m, &err), DecodeStatus::kError);
  EXPECT_EQ(ParseStreamMessage("\x03", lim, &m, &err), DecodeStatus::kError);
}

}  // namespace
}  // namespace am::cluster::memberlist
