// TlsFrame: the framing of Alertmanager's TLS transport (--cluster.tls-config), wire-compatible
// with cluster/tls_connection.go of Alertmanager 0.25. On the wire a frame is a 4-byte
// little-endian body length followed by the body, a protobuf clusterpb.MemberlistMessage
// {version = "v0.1.0", kind, from_addr, msg}. The protobuf is coded by hand here, the way
// gogo-protobuf's generated Unmarshal reads it (unknown fields skipped, last value wins, no
// UTF-8 check), so the fuzz target needs nothing but this file. A PACKET frame carries exactly the
// bytes of one memberlist datagram; a STREAM frame (no msg) turns its connection into a memberlist
// stream. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace am::cluster::memberlist {

inline constexpr std::string_view kTlsFrameVersion = "v0.1.0";
inline constexpr int kTlsFrameStream = 0;
inline constexpr int kTlsFramePacket = 1;
// Size of the little-endian length prefix.
inline constexpr size_t kTlsFrameHeader = 4;
// Largest frame body we read or write. A packet carries at most one memberlist datagram (Go
// receives at most 64 KiB over UDP and Alertmanager keeps gossip under 1400 bytes); the rest is
// room for version and from_addr. A longer announced length closes the connection before any
// allocation, which bounds the memory one connection can pin.
inline constexpr size_t kMaxTlsFrame = 65536 + 1024;

struct TlsFrame {
  int kind = kTlsFrameStream;  // kTlsFrameStream or kTlsFramePacket
  std::string from_addr;       // the sender's listener "host:port"
  std::string msg;             // PACKET: the datagram; STREAM: empty
};

// Parses one frame body (the bytes after the 4-byte length). "" on success (*out filled), else
// the reason: malformed protobuf (truncated field, bad varint, wrong wire type for a known field,
// groups), version other than "v0.1.0", a kind other than STREAM or PACKET, a body longer than
// kMaxTlsFrame.
std::string DecodeTlsFrame(std::string_view body, TlsFrame* out);

// The whole frame: 4-byte little-endian length, then the MemberlistMessage with version
// "v0.1.0" (proto3: zero kind and empty fields are omitted, as gogo-protobuf does).
std::string EncodeTlsFrame(const TlsFrame& f);

// Reads the 4-byte little-endian length prefix. REQUIRES: header.size() >= 4.
uint32_t TlsFrameLength(std::string_view header);

}  // namespace am::cluster::memberlist
