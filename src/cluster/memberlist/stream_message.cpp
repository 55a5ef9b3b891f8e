#include "cluster/memberlist/stream_message.h"

#include <algorithm>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/lzw.h"

namespace am::cluster::memberlist {
namespace {

// Parses the message whose type byte is buf[0].
DecodeStatus ParseInner(std::string_view buf, const StreamLimits& limits, StreamMessage* out,
                        std::string* err) {
  if (buf.empty()) return DecodeStatus::kIncomplete;
  auto type = static_cast<MessageType>(static_cast<uint8_t>(buf[0]));
  out->type = type;
  size_t off = 1;
  switch (type) {
    case MessageType::kPushPull: {
      DecodeStatus s = DecodeAt(buf, &off, &out->header, err);
      if (s != DecodeStatus::kOk) return s;
      const PushPullHeader& h = out->header;
      if (h.nodes < 0 || h.nodes > limits.max_nodes) {
        if (err) *err = "push/pull node count out of range: " + std::to_string(h.nodes);
        return DecodeStatus::kError;
      }
      if (h.user_state_len < 0 ||
          static_cast<uint64_t>(h.user_state_len) > limits.max_user_state_bytes) {
        if (err) *err = "push/pull user state too large: " + std::to_string(h.user_state_len);
        return DecodeStatus::kError;
      }
      out->nodes.clear();
      // Reserve by what the bytes at hand could hold, never by the declared count alone.
      out->nodes.reserve(std::min<size_t>(static_cast<size_t>(h.nodes), buf.size() / 8 + 1));
      for (int64_t i = 0; i < h.nodes; ++i) {
        PushNodeState n;
        s = DecodeAt(buf, &off, &n, err);
        if (s != DecodeStatus::kOk) return s;
        out->nodes.push_back(std::move(n));
      }
      size_t need = static_cast<size_t>(h.user_state_len);
      if (buf.size() - off < need) return DecodeStatus::kIncomplete;
      out->user_state.assign(buf.data() + off, need);
      return DecodeStatus::kOk;
    }
    case MessageType::kUser: {
      UserMsgHeader h;
      DecodeStatus s = DecodeAt(buf, &off, &h, err);
      if (s != DecodeStatus::kOk) return s;
      if (h.user_msg_len < 0 ||
          static_cast<uint64_t>(h.user_msg_len) > limits.max_user_state_bytes) {
        if (err) *err = "user message too large: " + std::to_string(h.user_msg_len);
        return DecodeStatus::kError;
      }
      size_t need = static_cast<size_t>(h.user_msg_len);
      if (buf.size() - off < need) return DecodeStatus::kIncomplete;
      out->user_msg.assign(buf.data() + off, need);
      return DecodeStatus::kOk;
    }
    case MessageType::kPing:
      return DecodeAt(buf, &off, &out->ping, err);
    case MessageType::kAck:
      return DecodeAt(buf, &off, &out->ack, err);
    case MessageType::kErr:
      return DecodeAt(buf, &off, &out->err, err);
    case MessageType::kEncrypt:
      if (err) *err = "Remote state is encrypted and encryption is not configured";
      return DecodeStatus::kError;
    default:
      if (err) *err = "received invalid msgType (" + std::to_string(static_cast<int>(type)) + ")";
      return DecodeStatus::kError;
  }
}

}  // namespace

DecodeStatus ParseStreamMessage(std::string_view buf, const StreamLimits& limits,
                                StreamMessage* out, std::string* err) {
  if (buf.empty()) return DecodeStatus::kIncomplete;
  if (static_cast<uint8_t>(buf[0]) != static_cast<uint8_t>(MessageType::kCompress)) {
    out->compressed = false;
    return ParseInner(buf, limits, out, err);
  }
  size_t off = 1;
  Compress c;
  DecodeStatus s = DecodeAt(buf, &off, &c, err, limits.max_compressed_bytes);
  if (s != DecodeStatus::kOk) return s;
  if (c.algo != 0) {
    if (err) *err = "Cannot decompress unknown algorithm " + std::to_string(c.algo);
    return DecodeStatus::kError;
  }
  std::string plain;
  std::string lzw_err;
  if (!LzwDecompress(c.buf, limits.max_decompressed_bytes, &plain, &lzw_err)) {
    if (err) *err = lzw_err;
    return DecodeStatus::kError;
  }
  if (plain.empty()) {
    if (err) *err = "empty compressed stream";
    return DecodeStatus::kError;
  }
  out->compressed = true;
  s = ParseInner(plain, limits, out, err);
  if (s == DecodeStatus::kIncomplete) {
    // The whole payload is here: a short one is malformed, not pending.
    if (err) *err = "truncated compressed stream message";
    return DecodeStatus::kError;
  }
  return s;
}

}  // namespace am::cluster::memberlist
