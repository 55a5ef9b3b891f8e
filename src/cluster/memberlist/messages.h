// memberlist wire messages (hashicorp/memberlist as Alertmanager 0.25 speaks it): the type byte
// of every UDP packet and TCP stream message, the msgpack bodies keyed by Go field names, and
// their encoders/decoders. Encoders produce exactly Go's bytes (sorted keys, raw strings,
// omitempty fields left out, nil []byte as c0). Decoders accept everything Go tolerates (any key
// order, unknown keys, nil for any field, every integer and string/bin form) and bound every
// size before allocating: they never throw and never crash on garbage.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace am::cluster::memberlist {

enum class MessageType : uint8_t {
  kPing = 0,
  kIndirectPing = 1,
  kAck = 2,
  kSuspect = 3,
  kAlive = 4,
  kDead = 5,
  kPushPull = 6,
  kCompound = 7,
  kUser = 8,
  kCompress = 9,
  kEncrypt = 10,
  kNack = 11,
  kHasCrc = 12,
  kErr = 13,
  kHasLabel = 244,
};

// A Go []byte: nullopt is nil (encoded c0), "" is an empty non-nil slice (encoded a0).
using GoBytes = std::optional<std::string>;

// Node states as pushNodeState.State carries them.
enum NodeStateType : int { kStateAlive = 0, kStateSuspect = 1, kStateDead = 2, kStateLeft = 3 };

struct Ping {
  uint32_t seq_no = 0;
  std::string node;         // the target's name; "" means anyone
  std::string source_addr;  // raw IP bytes; omitted when empty
  uint16_t source_port = 0;
  std::string source_node;
};

struct IndirectPingReq {
  uint32_t seq_no = 0;
  std::string target;  // raw IP bytes
  uint16_t port = 0;
  std::string node;
  bool nack = false;
  std::string source_addr;
  uint16_t source_port = 0;
  std::string source_node;
};

struct AckResp {
  uint32_t seq_no = 0;
  GoBytes payload;
};

struct NackResp {
  uint32_t seq_no = 0;
};

struct ErrResp {
  std::string error;
};

struct Suspect {
  uint32_t incarnation = 0;
  std::string node;
  std::string from;
};

struct Alive {
  uint32_t incarnation = 0;
  std::string node;
  std::string addr;  // raw IP bytes (4 for IPv4)
  uint16_t port = 0;
  GoBytes meta;
  std::string vsn;  // [PMin, PMax, PCur, DMin, DMax, DCur]
};

struct Dead {
  uint32_t incarnation = 0;
  std::string node;
  std::string from;  // == node: a voluntary leave
};

struct PushPullHeader {
  int64_t nodes = 0;
  int64_t user_state_len = 0;
  bool join = false;
};

struct PushNodeState {
  std::string name;
  std::string addr;
  uint16_t port = 0;
  GoBytes meta;
  uint32_t incarnation = 0;
  int64_t state = kStateAlive;
  std::string vsn;
};

struct UserMsgHeader {
  int64_t user_msg_len = 0;
};

struct Compress {
  uint8_t algo = 0;  // 0 = LZW
  std::string buf;
};

// --- Encoding: each appends the msgpack body only (no type byte). ---
void EncodeBody(const Ping& m, std::string* out);
void EncodeBody(const IndirectPingReq& m, std::string* out);
void EncodeBody(const AckResp& m, std::string* out);
void EncodeBody(const NackResp& m, std::string* out);
void EncodeBody(const ErrResp& m, std::string* out);
void EncodeBody(const Suspect& m, std::string* out);
void EncodeBody(const Alive& m, std::string* out);
void EncodeBody(const Dead& m, std::string* out);
void EncodeBody(const PushPullHeader& m, std::string* out);
void EncodeBody(const PushNodeState& m, std::string* out);
void EncodeBody(const UserMsgHeader& m, std::string* out);
void EncodeBody(const Compress& m, std::string* out);

// Type byte followed by the body.
template <typename M>
std::string EncodeMessage(MessageType type, const M& m) {
  std::string out(1, static_cast<char>(type));
  EncodeBody(m, &out);
  return out;
}

// A whole push/pull stream message: 06, header, the node states, then the raw user state.
std::string EncodePushPull(bool join, const std::vector<PushNodeState>& nodes,
                           std::string_view user_state);

// A whole reliable user message: 08, userMsgHeader, then the payload.
std::string EncodeUserStream(std::string_view payload);

// --- Decoding ---
enum class DecodeStatus { kOk, kIncomplete, kError };

// Largest string/byte field accepted inside a packet message (UDP datagrams are < 64 KiB).
inline constexpr size_t kMaxPacketFieldBytes = 64 * 1024;

// Decodes one msgpack map starting at buf[*offset]; on kOk, *offset moves past it. kIncomplete
// means the bytes end inside the value (streams read more and retry). `max_field_bytes` bounds
// any single string/byte field. Fields of the wrong type, integers out of range, non-map values
// and oversized fields give kError with a reason in *err.
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Ping* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, IndirectPingReq* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, AckResp* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, NackResp* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, ErrResp* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Suspect* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Alive* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Dead* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, PushPullHeader* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, PushNodeState* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, UserMsgHeader* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);
DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Compress* out, std::string* err,
                      size_t max_field_bytes = kMaxPacketFieldBytes);

// One complete body (as in a UDP packet): kIncomplete counts as an error. Trailing bytes after
// the value are ignored, as Go's decoder does.
template <typename M>
bool DecodeBody(std::string_view body, M* out, std::string* err,
                size_t max_field_bytes = kMaxPacketFieldBytes) {
  size_t off = 0;
  DecodeStatus s = DecodeAt(body, &off, out, err, max_field_bytes);
  if (s == DecodeStatus::kIncomplete && err) *err = "unexpected end of message";
  return s == DecodeStatus::kOk;
}

}  // namespace am::cluster::memberlist
