// Varint-length-delimited protobuf streams: the format of Alertmanager's snapshot files and of the
// `data` of gossip parts (Go's pbutil.WriteDelimited / ReadDelimited: an unsigned varint of at most
// 5 bytes giving the length, then the message; no header, no trailer). Reading is bounded: every
// length is checked against a limit and against the bytes actually present before anything is
// allocated. Stateless functions and a reader over caller-owned bytes; not synchronised.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace google::protobuf {
class MessageLite;
}

namespace am::nflog {

// Appends varint(size) + the serialised message to *out.
void AppendDelimited(const google::protobuf::MessageLite& message, std::string* out);

// Reads messages one by one from `data`, which must outlive the reader.
class DelimitedReader {
 public:
  DelimitedReader(std::string_view data, size_t max_message_bytes)
      : data_(data), max_message_bytes_(max_message_bytes) {}

  // Parses the next message into *message. Returns false at a clean end (no bytes left). Throws
  // am::ParseError on a bad varint, a length over the limit, a truncated message or bytes that
  // do not parse; the message says at which byte offset.
  bool Next(google::protobuf::MessageLite* message);

  // Offset of the next unread byte.
  size_t offset() const { return offset_; }

 private:
  std::string_view data_;
  size_t max_message_bytes_;
  size_t offset_ = 0;
};

}  // namespace am::nflog
