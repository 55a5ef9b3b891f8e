// MsgpackWriter: the few msgpack forms hashicorp/go-msgpack (codec.MsgpackHandle{}, WriteExt off)
// emits for memberlist messages, byte for byte: fixmap/map16 headers, unsigned integers in their
// smallest form (fixint, cc, cd, ce, cf), strings and byte slices in the legacy "raw" family only
// (fixstr a0-bf, da+u16, db+u32; never str8 d9 nor bin c4-c6), nil c0 and bools c2/c3.
// Go sorts struct keys by name; callers write keys in that order.
// Thread-safety: none (a value type appending to its own buffer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace am::cluster::memberlist {

class MsgpackWriter {
 public:
  explicit MsgpackWriter(std::string* out) : out_(out) {}

  void MapHeader(uint32_t n) {
    if (n < 16) {
      Byte(0x80 | n);
    } else if (n <= 0xffff) {
      Byte(0xde);
      Be(n, 2);
    } else {
      Byte(0xdf);
      Be(n, 4);
    }
  }

  void Uint(uint64_t v) {
    if (v < 128) {
      Byte(static_cast<uint8_t>(v));
    } else if (v <= 0xff) {
      Byte(0xcc);
      Be(v, 1);
    } else if (v <= 0xffff) {
      Byte(0xcd);
      Be(v, 2);
    } else if (v <= 0xffffffffULL) {
      Byte(0xce);
      Be(v, 4);
    } else {
      Byte(0xcf);
      Be(v, 8);
    }
  }

  // Raw family, as go-msgpack 0.5.x writes both string and []byte.
  void Raw(std::string_view s) {
    size_t n = s.size();
    if (n < 32) {
      Byte(0xa0 | static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
      Byte(0xda);
      Be(n, 2);
    } else {
      Byte(0xdb);
      Be(n, 4);
    }
    out_->append(s);
  }

  // A Go []byte: nil becomes c0, an empty non-nil slice a0.
  void Bytes(const std::optional<std::string>& b) {
    if (!b) {
      Nil();
    } else {
      Raw(*b);
    }
  }

  void Bool(bool b) { Byte(b ? 0xc3 : 0xc2); }
  void Nil() { Byte(0xc0); }

  // A map key (a Go field name).
  void Key(std::string_view name) { Raw(name); }

 private:
  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Be(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }

  std::string* out_;
};

}  // namespace am::cluster::memberlist
