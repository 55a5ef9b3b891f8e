#include "cluster/memberlist/lzw.h"

#include <cstdint>
#include <vector>

namespace am::cluster::memberlist {
namespace {

constexpr uint32_t kClear = 256;
constexpr uint32_t kEof = 257;
constexpr uint32_t kMaxCode = (1u << 12) - 1;  // 4095
constexpr unsigned kMaxWidth = 12;
constexpr unsigned kLitWidth = 8;

// Packs codes LSB-first.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Write(uint32_t code, unsigned width) {
    bits_ |= static_cast<uint64_t>(code) << nbits_;
    nbits_ += width;
    while (nbits_ >= 8) {
      out_->push_back(static_cast<char>(bits_ & 0xff));
      bits_ >>= 8;
      nbits_ -= 8;
    }
  }
  void Flush() {
    if (nbits_ > 0) out_->push_back(static_cast<char>(bits_ & 0xff));
    bits_ = 0;
    nbits_ = 0;
  }

 private:
  std::string* out_;
  uint64_t bits_ = 0;
  unsigned nbits_ = 0;
};

}  // namespace

std::string LzwCompress(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 2 + 16);
  BitWriter bw(&out);
  unsigned width = kLitWidth + 1;
  uint32_t hi = kEof;
  uint32_t overflow = 1u << width;

  // Open-addressed (prefix code, byte) -> code table; 4x the code space keeps probes short.
  constexpr uint32_t kTableSize = 4u << 12;
  constexpr uint32_t kTableMask = kTableSize - 1;
  constexpr uint32_t kEmpty = 0;  // a stored entry is never 0: its code is >= 258
  std::vector<uint32_t> table(kTableSize, kEmpty);

  bw.Write(kClear, width);
  if (in.empty()) {
    bw.Write(kEof, width);
    bw.Flush();
    return out;
  }

  // Advances the next implied code; true when the code space ran out and the table was reset
  // (after sending Clear), in which case no entry may be added for the current key.
  auto inc_hi = [&]() -> bool {
    ++hi;
    if (hi == overflow) {
      ++width;
      overflow <<= 1;
    }
    if (hi == kMaxCode) {
      bw.Write(kClear, width);
      width = kLitWidth + 1;
      hi = kEof;
      overflow = 1u << width;
      std::fill(table.begin(), table.end(), kEmpty);
      return true;
    }
    return false;
  };

  uint32_t code = static_cast<uint8_t>(in[0]);
  for (size_t i = 1; i < in.size(); ++i) {
    uint32_t literal = static_cast<uint8_t>(in[i]);
    uint32_t key = (code << 8) | literal;
    uint32_t hash = ((key >> 12) ^ key) & kTableMask;
    bool found = false;
    for (uint32_t h = hash, t = table[h]; t != kEmpty; h = (h + 1) & kTableMask, t = table[h]) {
      if ((t >> 12) == key) {
        code = t & kMaxCode;
        found = true;
        break;
      }
    }
    if (found) continue;
    bw.Write(code, width);
    code = literal;
    if (inc_hi()) continue;
    while (table[hash] != kEmpty) hash = (hash + 1) & kTableMask;
    table[hash] = (key << 12) | hi;
  }
  bw.Write(code, width);
  inc_hi();
  bw.Write(kEof, width);
  bw.Flush();
  return out;
}

bool LzwDecompress(std::string_view in, size_t max_out, std::string* out, std::string* err) {
  out->clear();
  constexpr uint32_t kInvalid = 0xffff;
  std::vector<uint16_t> prefix(1u << kMaxWidth, 0);
  std::vector<uint8_t> suffix(1u << kMaxWidth, 0);
  std::vector<uint8_t> scratch(1u << kMaxWidth);

  unsigned width = kLitWidth + 1;
  uint32_t hi = kEof;
  uint32_t overflow = 1u << width;
  uint32_t last = kInvalid;

  uint64_t bits = 0;
  unsigned nbits = 0;
  size_t pos = 0;

  auto fail = [&](const char* why) {
    if (err) *err = why;
    return false;
  };

  for (;;) {
    while (nbits < width) {
      if (pos >= in.size()) return fail("lzw: unexpected EOF");
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(in[pos++])) << nbits;
      nbits += 8;
    }
    uint32_t code = static_cast<uint32_t>(bits & ((1u << width) - 1));
    bits >>= width;
    nbits -= width;

    if (code < kClear) {
      if (out->size() + 1 > max_out) return fail("lzw: output exceeds limit");
      out->push_back(static_cast<char>(code));
      if (last != kInvalid) {
        suffix[hi] = static_cast<uint8_t>(code);
        prefix[hi] = static_cast<uint16_t>(last);
      }
    } else if (code == kClear) {
      width = kLitWidth + 1;
      hi = kEof;
      overflow = 1u << width;
      last = kInvalid;
      continue;
    } else if (code == kEof) {
      return true;
    } else if (code <= hi) {
      // Expand into scratch from the end backwards.
      size_t i = scratch.size();
      uint32_t c = code;
      if (code == hi && last != kInvalid) {
        // KwKwK: the expansion of `last` followed by its own first byte.
        c = last;
        while (c >= kClear) c = prefix[c];
        scratch[--i] = static_cast<uint8_t>(c);
        c = last;
      }
      while (c >= kClear) {
        if (i == 0) return fail("lzw: invalid code");
        scratch[--i] = suffix[c];
        c = prefix[c];
      }
      if (i == 0) return fail("lzw: invalid code");
      scratch[--i] = static_cast<uint8_t>(c);
      size_t n = scratch.size() - i;
      if (out->size() + n > max_out) return fail("lzw: output exceeds limit");
      out->append(reinterpret_cast<const char*>(scratch.data() + i), n);
      if (last != kInvalid) {
        suffix[hi] = static_cast<uint8_t>(c);
        prefix[hi] = static_cast<uint16_t>(last);
      }
    } else {
      return fail("lzw: invalid code");
    }
    last = code;
    ++hi;
    if (hi >= overflow) {
      if (width == kMaxWidth) {
        // Table full: stop adding entries until the encoder sends Clear.
        last = kInvalid;
        --hi;
      } else {
        ++width;
        overflow <<= 1;
      }
    }
  }
}

}  // namespace am::cluster::memberlist
