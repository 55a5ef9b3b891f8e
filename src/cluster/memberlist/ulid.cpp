#include "cluster/memberlist/ulid.h"

#include <random>

namespace am::cluster::memberlist {

std::string EncodeUlid(uint64_t unix_ms, const std::array<uint8_t, 10>& entropy) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  // 128 bits big-endian: 6 timestamp bytes then the entropy.
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i) b[6 + i] = entropy[i];
  // 26 characters x 5 bits = 130 bits: the first character carries the top 3 bits.
  std::string out(26, '0');
  for (int c = 0; c < 26; ++c) {
    int bit = c * 5 - 2;  // position of this character's first bit in the 128-bit number
    unsigned v = 0;
    for (int k = 0; k < 5; ++k, ++bit) {
      v <<= 1;
      if (bit >= 0) v |= (b[bit / 8] >> (7 - bit % 8)) & 1;
    }
    out[c] = kAlphabet[v];
  }
  return out;
}

std::string NewUlid(std::chrono::system_clock::time_point now) {
  uint64_t ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::random_device rd;
  std::array<uint8_t, 10> entropy{};
  for (auto& e : entropy) e = static_cast<uint8_t>(rd());
  return EncodeUlid(ms, entropy);
}

}  // namespace am::cluster::memberlist
