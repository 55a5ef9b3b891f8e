#include "nflog/delimited.h"

#include <google/protobuf/message_lite.h>

#include <cstdint>
#include <limits>

#include "core/error.h"

namespace am::nflog {
namespace {
// Go's binary.MaxVarintLen32: pbutil rejects longer length prefixes.
constexpr size_t kMaxVarintBytes = 5;
}  // namespace

void AppendDelimited(const google::protobuf::MessageLite& message, std::string* out) {
  size_t size = message.ByteSizeLong();
  uint64_t v = size;
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
  size_t at = out->size();
  out->resize(at + size);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out->data() + at));
}

bool DelimitedReader::Next(google::protobuf::MessageLite* message) {
  if (offset_ >= data_.size()) return false;
  const size_t start = offset_;
  uint64_t length = 0;
  size_t i = 0;
  for (;; ++i) {
    if (i == kMaxVarintBytes) {
      throw ParseError("invalid varint32 length prefix at byte " + std::to_string(start));
    }
    if (offset_ + i >= data_.size()) {
      throw ParseError("truncated length prefix at byte " + std::to_string(start));
    }
    uint8_t b = static_cast<uint8_t>(data_[offset_ + i]);
    length |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) break;
  }
  offset_ += i + 1;
  if (length > max_message_bytes_ || length > std::numeric_limits<int>::max()) {
    throw ParseError("message of " + std::to_string(length) + " bytes at byte " +
                     std::to_string(start) + " exceeds the limit of " +
                     std::to_string(max_message_bytes_));
  }
  if (length > data_.size() - offset_) {
    throw ParseError("truncated message at byte " + std::to_string(start) + ": want " +
                     std::to_string(length) + " bytes, have " +
                     std::to_string(data_.size() - offset_));
  }
  if (!message->ParseFromArray(data_.data() + offset_, static_cast<int>(length))) {
    throw ParseError("malformed message at byte " + std::to_string(start));
  }
  offset_ += length;
  return true;
}

}  // namespace am::nflog
