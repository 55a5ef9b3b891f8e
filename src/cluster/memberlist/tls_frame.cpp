#include "cluster/memberlist/tls_frame.h"

namespace am::cluster::memberlist {
namespace {

constexpr int kWireVarint = 0;
constexpr int kWireFixed64 = 1;
constexpr int kWireBytes = 2;
constexpr int kWireFixed32 = 5;

// Reads a base-128 varint of at most 10 bytes. False when truncated or too long.
bool ReadVarint(std::string_view b, size_t* pos, uint64_t* v) {
  uint64_t x = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= b.size()) return false;
    const auto c = static_cast<unsigned char>(b[(*pos)++]);
    x |= static_cast<uint64_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) {
      *v = x;
      return true;
    }
  }
  return false;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBytesField(std::string* out, int field, std::string_view v) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | kWireBytes);
  PutVarint(out, v.size());
  out->append(v);
}

}  // namespace

std::string DecodeTlsFrame(std::string_view body, TlsFrame* out) {
  if (body.size() > kMaxTlsFrame) {
    return "tls frame of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
           std::to_string(kMaxTlsFrame);
  }
  std::string_view version, from_addr, msg;
  uint64_t kind = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    uint64_t key = 0;
    if (!ReadVarint(body, &pos, &key)) return "error parsing message: bad field key";
    const uint64_t field = key >> 3;
    const int wire = static_cast<int>(key & 7);
    if (field == 0) return "error parsing message: illegal field number 0";
    const bool known = field >= 1 && field <= 4;
    const int want = field == 2 ? kWireVarint : kWireBytes;
    if (known && wire != want) {
      return "error parsing message: wrong wire type " + std::to_string(wire) + " for field " +
             std::to_string(field);
    }
    switch (wire) {
      case kWireVarint: {
        uint64_t v = 0;
        if (!ReadVarint(body, &pos, &v)) return "error parsing message: bad varint";
        if (field == 2) kind = v;
        break;
      }
      case kWireFixed64:
      case kWireFixed32: {
        const size_t n = wire == kWireFixed64 ? 8 : 4;
        if (body.size() - pos < n) return "error parsing message: truncated fixed field";
        pos += n;
        break;
      }
      case kWireBytes: {
        uint64_t n = 0;
        if (!ReadVarint(body, &pos, &n)) return "error parsing message: bad length";
        if (n > body.size() - pos) return "error parsing message: truncated field";
        const std::string_view v = body.substr(pos, static_cast<size_t>(n));
        pos += static_cast<size_t>(n);
        if (field == 1) version = v;
        if (field == 3) from_addr = v;
        if (field == 4) msg = v;
        break;
      }
      default:
        // Groups (3, 4) never occur in proto3 and 6, 7 are invalid.
        return "error parsing message: unsupported wire type " + std::to_string(wire);
    }
  }
  if (version != kTlsFrameVersion) return "tls memberlist message version incompatible";
  // Go stores the enum in an int32: only the low 32 bits count.
  const auto k = static_cast<int32_t>(static_cast<uint32_t>(kind));
  if (k != kTlsFrameStream && k != kTlsFramePacket) {
    return "could not read from either stream or packet channel";
  }
  out->kind = k;
  out->from_addr.assign(from_addr);
  out->msg.assign(msg);
  return "";
}

std::string EncodeTlsFrame(const TlsFrame& f) {
  std::string body;
  body.reserve(16 + f.from_addr.size() + f.msg.size());
  PutBytesField(&body, 1, kTlsFrameVersion);
  if (f.kind != 0) {
    PutVarint(&body, (2 << 3) | kWireVarint);
    PutVarint(&body, static_cast<uint64_t>(static_cast<int64_t>(f.kind)));
  }
  if (!f.from_addr.empty()) PutBytesField(&body, 3, f.from_addr);
  if (!f.msg.empty()) PutBytesField(&body, 4, f.msg);
  std::string out(kTlsFrameHeader, '\0');
  const size_t n = body.size();
  for (size_t i = 0; i < kTlsFrameHeader; ++i) {
    out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  }
  out += body;
  return out;
}

uint32_t TlsFrameLength(std::string_view header) {
  uint32_t n = 0;
  for (size_t i = 0; i < kTlsFrameHeader; ++i) {
    n |= static_cast<uint32_t>(static_cast<unsigned char>(header[i])) << (8 * i);
  }
  return n;
}

}  // namespace am::cluster::memberlist
