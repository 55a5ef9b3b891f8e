// Varint-length-delimited protobuf streams, the format of Alertmanager's `silences` snapshot and
// of the `data` of gossip parts (Go's pbutil.WriteDelimited / protodelim: an unsigned varint
// length, then the message; no header, no trailer). Reading is bounded: every length is checked
// against a limit and against the bytes present before anything is allocated.
// Stateless functions and a reader over caller-owned bytes; not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace am::silence {

// Appends the unsigned varint encoding of `v` to *out.
void AppendVarint(uint64_t v, std::string* out);

// Reads delimited frames one by one from `data`, which must outlive the reader.
class DelimitedReader {
 public:
  DelimitedReader(std::string_view data, size_t max_message_bytes)
      : data_(data), max_message_bytes_(max_message_bytes) {}

  // Stores the next frame's payload in *payload (a view into the data). Returns false at a
  // clean end. Throws am::ParseError on a bad varint, a length over the limit or a truncated
  // frame; the message says at which byte offset.
  bool Next(std::string_view* payload);

  size_t offset() const { return offset_; }

 private:
  std::string_view data_;
  size_t max_message_bytes_;
  size_t offset_ = 0;
};

}  // namespace am::silence
