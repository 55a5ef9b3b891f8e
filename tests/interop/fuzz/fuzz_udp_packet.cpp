// One UDP datagram as memberlist.cpp's IngestPacket/HandleCommand take it apart: optional label
// header, optional CRC, then by type byte: compound (07) and compress (09) wrappers, recursively
// up to the same depth, and the message bodies of every packet type (ping, indirect ping, ack,
// nack, suspect, alive, dead), a user message (08) being a clusterpb.Part as the Peer parses it.
// The label is accepted whatever it is (a node configured with it would read on), so every
// input reaches the decoders. Memberlist's state machine is not driven: it answers pings to
// addresses taken from the packet, which a fuzzer must not do.
// Checks: compound parts lie inside the packet, are non-empty and at most 255; decompression
// respects its bound; raw IP fields that decode to an address encode back to the same bytes.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/node.h"
#include "fuzz_util.h"
#include "proto/cluster.pb.h"

namespace ml = am::cluster::memberlist;

namespace {

// memberlist.cpp's kMaxCommandDepth and kMaxPacketDecompressed (file-local there).
constexpr int kMaxCommandDepth = 4;
constexpr size_t kMaxPacketDecompressed = 1 << 20;

void CheckIp(const std::string& raw, uint16_t port) {
  auto ip = ml::IpFromBytes(raw);
  FUZZ_CHECK(ip.has_value() == (raw.size() == 4 || raw.size() == 16),
             "IpFromBytes on " + std::to_string(raw.size()) + " bytes");
  if (!ip) return;
  std::string back = ml::IpToBytes(*ip);
  // A v4-mapped IPv6 address comes back as its 4 IPv4 bytes, as Go's To4() gives them.
  bool mapped = raw.size() == 16 && back.size() == 4 && raw.substr(12) == back;
  FUZZ_CHECK(back == raw || mapped, "IpToBytes(IpFromBytes(x)) != x");
  ml::Node n;
  n.addr = raw;
  n.port = port;
  std::string hp = n.Address();
  std::string host, p;
  FUZZ_CHECK(ml::SplitHostPort(hp, &host, &p), "Address() not splittable: " + hp);
  FUZZ_CHECK(p == std::to_string(port), "Address() port: " + hp);
}

void HandleCommand(std::string_view buf, int depth) {
  if (buf.empty() || depth > kMaxCommandDepth) return;
  auto type = static_cast<ml::MessageType>(static_cast<uint8_t>(buf[0]));
  std::string_view body = buf.substr(1);
  std::string err;
  switch (type) {
    case ml::MessageType::kCompound: {
      std::vector<std::string_view> parts;
      int truncated = -1;
      if (!ml::DecodeCompound(body, &parts, &truncated, &err)) {
        FUZZ_CHECK(!err.empty(), "compound error without a reason");
        return;
      }
      size_t declared = static_cast<uint8_t>(body[0]);
      FUZZ_CHECK(parts.size() <= ml::kMaxCompoundParts, "too many parts");
      FUZZ_CHECK(truncated >= 0 && parts.size() + static_cast<size_t>(truncated) <= declared,
                 "parts + truncated > declared count");
      for (auto p : parts) {
        FUZZ_CHECK(!p.empty(), "empty compound part");
        FUZZ_CHECK(p.data() >= body.data() && p.data() + p.size() <= body.data() + body.size(),
                   "compound part outside the packet");
        HandleCommand(p, depth + 1);
      }
      return;
    }
    case ml::MessageType::kCompress: {
      std::string plain;
      if (!ml::DecompressBody(body, ml::kMaxPacketFieldBytes, kMaxPacketDecompressed, &plain,
                              &err)) {
        FUZZ_CHECK(!err.empty(), "decompress error without a reason");
        return;
      }
      FUZZ_CHECK(!plain.empty() && plain.size() <= kMaxPacketDecompressed,
                 "decompressed size " + std::to_string(plain.size()));
      HandleCommand(plain, depth + 1);
      return;
    }
    case ml::MessageType::kPing: {
      ml::Ping p;
      if (ml::DecodeBody(body, &p, &err) && p.source_port > 0)
        CheckIp(p.source_addr, p.source_port);
      return;
    }
    case ml::MessageType::kIndirectPing: {
      ml::IndirectPingReq ind;
      if (ml::DecodeBody(body, &ind, &err)) {
        CheckIp(ind.target, ind.port);
        if (ind.source_port > 0) CheckIp(ind.source_addr, ind.source_port);
      }
      return;
    }
    case ml::MessageType::kAck: {
      ml::AckResp a;
      ml::DecodeBody(body, &a, &err);
      return;
    }
    case ml::MessageType::kNack: {
      ml::NackResp n;
      ml::DecodeBody(body, &n, &err);
      return;
    }
    case ml::MessageType::kSuspect: {
      ml::Suspect s;
      ml::DecodeBody(body, &s, &err);
      return;
    }
    case ml::MessageType::kAlive: {
      ml::Alive a;
      if (ml::DecodeBody(body, &a, &err)) CheckIp(a.addr, a.port);
      return;
    }
    case ml::MessageType::kDead: {
      ml::Dead d;
      ml::DecodeBody(body, &d, &err);
      return;
    }
    case ml::MessageType::kUser: {
      // Peer::Core::NotifyMsg.
      clusterpb::Part part;
      if (part.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
        FUZZ_CHECK(part.data().size() <= body.size() && part.key().size() <= body.size(),
                   "Part fields larger than the message");
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view buf(reinterpret_cast<const char*>(data), size);
  const std::string_view whole = buf;
  std::string label, err;
  if (!ml::StripLabel(&buf, &label, &err)) {
    FUZZ_CHECK(!err.empty(), "label error without a reason");
    return 0;
  }
  if (!label.empty()) {
    FUZZ_CHECK(label.size() == static_cast<uint8_t>(whole[1]) &&
                   buf.data() == whole.data() + 2 + label.size() &&
                   label == whole.substr(2, label.size()),
               "StripLabel cut the wrong bytes");
  } else {
    FUZZ_CHECK(buf.size() == whole.size(), "no label but bytes removed");
  }
  if (buf.size() >= 5 &&
      static_cast<uint8_t>(buf[0]) == static_cast<uint8_t>(ml::MessageType::kHasCrc)) {
    uint32_t expected = (static_cast<uint32_t>(static_cast<uint8_t>(buf[1])) << 24) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(buf[2])) << 16) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(buf[3])) << 8) |
                        static_cast<uint32_t>(static_cast<uint8_t>(buf[4]));
    std::string_view rest = buf.substr(5);
    // A fuzzer rarely guesses a CRC: decode the rest either way, as if the CRC matched.
    bool crc_ok = ml::Crc32(rest) == expected;
    FUZZ_CHECK(crc_ok == (ml::AddCrc(rest) == buf), "AddCrc and Crc32 disagree");
    buf = rest;
  }
  HandleCommand(buf, 0);
  return 0;
}
