// The wrappers memberlist puts around messages: compound (07: count, big-endian u16 lengths,
// parts), CRC (0C: big-endian IEEE CRC-32 of the rest), compress (09: msgpack {Algo 0, Buf LZW})
// and the label prefix (F4: length byte, label) of --cluster.label. Every decoder checks sizes
// before touching bytes and reports malformed input as an error instead of crashing.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace am::cluster::memberlist {

// At most 255 parts per compound (memberlist 0.2.2 lets the count byte overflow).
inline constexpr size_t kMaxCompoundParts = 255;

// 07, N, N lengths, parts. REQUIRES: 1 <= msgs.size() <= 255, every part non-empty and
// < 65536 bytes.
std::string MakeCompound(const std::vector<std::string>& msgs);

// Splits a compound body (the bytes after 07). Parts whose length runs past the end are cut off
// and counted in *truncated (Go keeps the parts before them). Empty parts are dropped (0.2.2
// panics on them). False with *err only when the header itself is malformed.
bool DecodeCompound(std::string_view body, std::vector<std::string_view>* parts, int* truncated,
                    std::string* err);

uint32_t Crc32(std::string_view data);

// 0C, CRC-32 of msg, msg.
std::string AddCrc(std::string_view msg);

// 09 + msgpack compress{Algo: 0, Buf: LZW(msg)}.
std::string CompressMessage(std::string_view msg);

// The body after a 09 byte: decodes the compress map (Buf bounded by max_in) and inflates it
// (bounded by max_out). Fails on an unknown algorithm or an empty result.
bool DecompressBody(std::string_view body, size_t max_in, size_t max_out, std::string* out,
                    std::string* err);

// F4, len, label. REQUIRES: 1 <= label.size() <= 255.
std::string LabelHeader(std::string_view label);

// Removes a label prefix from a datagram or stream start. No prefix: *label = "". False on a
// malformed prefix (length 0 or running past the end).
bool StripLabel(std::string_view* buf, std::string* label, std::string* err);

}  // namespace am::cluster::memberlist
