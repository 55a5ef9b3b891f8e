// LZW exactly as Go's compress/lzw with LSB bit order and literal width 8 (the variant memberlist
// uses for its compress wrapper, type 9): codes packed LSB-first, Clear = 256, EOF = 257, first
// free code 258, widths 9..12 bits without early change. The compressor reproduces Go's Writer
// byte for byte (a Clear code first, Clear and table reset when the next code would be 4095, EOF,
// padding to a byte); the decompressor accepts any conforming stream and stops at EOF.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace am::cluster::memberlist {

// Go: lzw.NewWriter(&buf, lzw.LSB, 8); Write(in); Close().
std::string LzwCompress(std::string_view in);

// Go: io.Copy from lzw.NewReader(in, lzw.LSB, 8). Fails (false, reason in *err) on an invalid
// code, on input ending before the EOF code, or when the output would exceed `max_out` bytes,
// which bounds memory whatever the input claims.
bool LzwDecompress(std::string_view in, size_t max_out, std::string* out, std::string* err);

}  // namespace am::cluster::memberlist
