#include "silence/delimited.h"

#include "core/error.h"

namespace am::silence {

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool DelimitedReader::Next(std::string_view* payload) {
  if (offset_ >= data_.size()) return false;
  const size_t start = offset_;
  uint64_t len = 0;
  int shift = 0;
  size_t i = offset_;
  for (;;) {
    if (i >= data_.size()) {
      throw ParseError("truncated length prefix at byte offset " + std::to_string(start));
    }
    // Go's binary.ReadUvarint rejects more than 10 bytes; 5 are enough for any length we accept.
    if (shift > 63) {
      throw ParseError("invalid length prefix at byte offset " + std::to_string(start));
    }
    auto b = static_cast<unsigned char>(data_[i++]);
    len |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  if (len > max_message_bytes_) {
    throw ParseError("message of " + std::to_string(len) + " bytes at byte offset " +
                     std::to_string(start) + " exceeds the limit of " +
                     std::to_string(max_message_bytes_) + " bytes");
  }
  if (len > data_.size() - i) {
    throw ParseError("truncated message at byte offset " + std::to_string(start) + ": " +
                     std::to_string(len) + " bytes announced, " + std::to_string(data_.size() - i) +
                     " present");
  }
  *payload = data_.substr(i, len);
  offset_ = i + len;
  return true;
}

}  // namespace am::silence
