// LZW (the body of memberlist's compress wrapper): the input is an LZW stream from a peer.
// Checks: decompression never writes past its output bound, whatever codes the stream holds;
// and, with the input read as plain bytes, decompress(compress(x)) == x.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/memberlist/lzw.h"
#include "fuzz_util.h"

namespace ml = am::cluster::memberlist;

namespace {

// The packet path's bound (memberlist.cpp kMaxPacketDecompressed); the stream path allows 40 MiB,
// which no input of libFuzzer's default size can reach (12-bit codes expand at most ~4 KiB each).
constexpr size_t kMaxOut = 1 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::string out, err;
  bool ok = ml::LzwDecompress(in, kMaxOut, &out, &err);
  if (ok) {
    FUZZ_CHECK(out.size() <= kMaxOut, "output above max_out: " + std::to_string(out.size()));
  } else {
    FUZZ_CHECK(!err.empty(), "failure without a reason");
  }
  // A tight bound either gives the same result or fails: it never truncates silently.
  std::string small;
  if (ml::LzwDecompress(in, 16, &small, &err)) {
    FUZZ_CHECK(ok && small == out, "bound 16 accepted what the larger bound did not give");
  } else {
    FUZZ_CHECK(!ok || out.size() > 16,
               "bound 16 refused an output of " + std::to_string(out.size()) + " bytes: " + err);
  }

  std::string packed = ml::LzwCompress(in);
  std::string back;
  FUZZ_CHECK(ml::LzwDecompress(packed, in.size(), &back, &err), "own stream rejected: " + err);
  FUZZ_CHECK(back == in, "round trip changed the bytes");
  return 0;
}
