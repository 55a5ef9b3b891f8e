// StreamMessage: one memberlist TCP stream message (push/pull, reliable user message, fallback
// ping, its ack, or an error reply), optionally inside a compress wrapper, parsed incrementally
// from the bytes received so far. The parser never waits for EOF (Go never half-closes) and
// checks every declared size against the limits before reserving memory.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/memberlist/messages.h"

namespace am::cluster::memberlist {

struct StreamLimits {
  size_t max_user_state_bytes = 20 << 20;  // push/pull user state, user message payload
  size_t max_compressed_bytes = 20 << 20;  // Buf of a compress wrapper
  size_t max_decompressed_bytes = 40 << 20;
  int64_t max_nodes = 1 << 20;
};

struct StreamMessage {
  MessageType type = MessageType::kPing;
  bool compressed = false;
  // kPushPull
  PushPullHeader header;
  std::vector<PushNodeState> nodes;
  std::string user_state;
  // kUser
  std::string user_msg;
  // kPing / kAck / kErr
  Ping ping;
  AckResp ack;
  ErrResp err;
};

// Parses one message from the start of `buf` (label already removed). kIncomplete: read more
// bytes and call again with the longer buffer. kError: *err says why (the responder sends it
// back as an errResp).
DecodeStatus ParseStreamMessage(std::string_view buf, const StreamLimits& limits,
                                StreamMessage* out, std::string* err);

}  // namespace am::cluster::memberlist
