// One memberlist TCP stream as the responder reads it (stream_conn.cpp TryParse with the label
// stripped, then stream_message.h ParseStreamMessage under the limits memberlist.cpp derives from
// its Config): push/pull (header, node states, user state), reliable user message, fallback
// ping, ack, error reply, each optionally inside a compress wrapper; encrypted (10) and unknown
// types rejected.
// Bytes arrive in pieces, so the parser is re-run on growing prefixes as StreamConn does.
// Checks: a prefix either asks for more bytes or gives the same answer as the whole stream
// (a message found, or an error, never changes with more bytes: the connection acts on the first
// answer); a push/pull has as many node states and user-state bytes as its header declares; the
// user state and user message sizes respect the limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/stream_message.h"
#include "fuzz_util.h"

namespace ml = am::cluster::memberlist;

namespace {

// Config's defaults as Memberlist::Limits() passes them.
ml::StreamLimits Limits() {
  ml::StreamLimits l;
  l.max_user_state_bytes = 20 << 20;
  l.max_compressed_bytes = 20 << 20;
  l.max_decompressed_bytes = 40 << 20;
  l.max_nodes = 1 << 20;
  return l;
}

struct Result {
  ml::DecodeStatus status = ml::DecodeStatus::kIncomplete;
  std::string label;
  ml::StreamMessage msg;
  std::string err;
};

// StreamConn::TryParse on the bytes received so far (eof = false).
Result TryParse(std::string_view view) {
  Result r;
  if (!view.empty() &&
      static_cast<uint8_t>(view[0]) == static_cast<uint8_t>(ml::MessageType::kHasLabel)) {
    if (view.size() < 2 || view.size() < 2u + static_cast<uint8_t>(view[1])) return r;
    if (!ml::StripLabel(&view, &r.label, &r.err)) {
      r.status = ml::DecodeStatus::kError;
      return r;
    }
  }
  r.status = ml::ParseStreamMessage(view, Limits(), &r.msg, &r.err);
  return r;
}

bool SameMessage(const ml::StreamMessage& a, const ml::StreamMessage& b) {
  auto node = [](const ml::PushNodeState& n) {
    return std::tie(n.name, n.addr, n.port, n.meta, n.incarnation, n.state, n.vsn);
  };
  if (a.type != b.type || a.compressed != b.compressed) return false;
  if (std::tie(a.header.nodes, a.header.user_state_len, a.header.join) !=
      std::tie(b.header.nodes, b.header.user_state_len, b.header.join)) {
    return false;
  }
  if (a.nodes.size() != b.nodes.size()) return false;
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    if (node(a.nodes[i]) != node(b.nodes[i])) return false;
  }
  return a.user_state == b.user_state && a.user_msg == b.user_msg &&
         std::tie(a.ping.seq_no, a.ping.node, a.ping.source_addr, a.ping.source_port,
                  a.ping.source_node) == std::tie(b.ping.seq_no, b.ping.node, b.ping.source_addr,
                                                  b.ping.source_port, b.ping.source_node) &&
         std::tie(a.ack.seq_no, a.ack.payload) == std::tie(b.ack.seq_no, b.ack.payload) &&
         a.err.error == b.err.error;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Result whole = TryParse(in);
  const ml::StreamLimits lim = Limits();

  if (whole.status == ml::DecodeStatus::kError) {
    FUZZ_CHECK(!whole.err.empty(), "error without a reason");
  } else if (whole.status == ml::DecodeStatus::kOk) {
    const ml::StreamMessage& m = whole.msg;
    if (m.type == ml::MessageType::kPushPull) {
      FUZZ_CHECK(m.header.nodes >= 0 && m.header.nodes <= lim.max_nodes, "node count");
      FUZZ_CHECK(static_cast<int64_t>(m.nodes.size()) == m.header.nodes,
                 "node states != header Nodes");
      FUZZ_CHECK(static_cast<int64_t>(m.user_state.size()) == m.header.user_state_len,
                 "user state != header UserStateLen");
      FUZZ_CHECK(m.user_state.size() <= lim.max_user_state_bytes, "user state above the limit");
    } else if (m.type == ml::MessageType::kUser) {
      FUZZ_CHECK(m.user_msg.size() <= lim.max_user_state_bytes, "user message above the limit");
    } else {
      FUZZ_CHECK(m.type == ml::MessageType::kPing || m.type == ml::MessageType::kAck ||
                     m.type == ml::MessageType::kErr,
                 "accepted type " + std::to_string(static_cast<int>(m.type)));
    }
  }

  // Reads split the stream anywhere; sample a few prefix lengths (all of them would be
  // quadratic in the input, and each compressed prefix is inflated again).
  size_t h = 0;
  for (uint8_t c : in) h = h * 131 + c;
  for (size_t k : {size / 2, size - (size > 0 ? 1 : 0), size > 0 ? h % size : 0, size_t{1}}) {
    if (k >= size) continue;
    Result part = TryParse(in.substr(0, k));
    if (part.status == ml::DecodeStatus::kIncomplete) continue;
    FUZZ_CHECK(part.status == whole.status, "prefix of " + std::to_string(k) +
                                                " bytes answers differently: " + part.err + " / " +
                                                whole.err);
    if (part.status == ml::DecodeStatus::kOk) {
      FUZZ_CHECK(part.label == whole.label && SameMessage(part.msg, whole.msg),
                 "prefix of " + std::to_string(k) + " bytes gives another message");
    }
  }
  return 0;
}
