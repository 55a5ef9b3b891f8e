#include "cluster/memberlist/messages.h"

#include <msgpack.hpp>

#include <limits>

#include "cluster/memberlist/msgpack_writer.h"

namespace am::cluster::memberlist {

// ---------------------------------------------------------------------------------------------
// Encoding. Keys in Go's bytewise-sorted order; omitempty fields counted only when set.

void EncodeBody(const Ping& m, std::string* out) {
  MsgpackWriter w(out);
  uint32_t n = 2 + !m.source_addr.empty() + !m.source_node.empty() + (m.source_port != 0);
  w.MapHeader(n);
  w.Key("Node");
  w.Raw(m.node);
  w.Key("SeqNo");
  w.Uint(m.seq_no);
  if (!m.source_addr.empty()) {
    w.Key("SourceAddr");
    w.Raw(m.source_addr);
  }
  if (!m.source_node.empty()) {
    w.Key("SourceNode");
    w.Raw(m.source_node);
  }
  if (m.source_port != 0) {
    w.Key("SourcePort");
    w.Uint(m.source_port);
  }
}

void EncodeBody(const IndirectPingReq& m, std::string* out) {
  MsgpackWriter w(out);
  uint32_t n = 5 + !m.source_addr.empty() + !m.source_node.empty() + (m.source_port != 0);
  w.MapHeader(n);
  w.Key("Nack");
  w.Bool(m.nack);
  w.Key("Node");
  w.Raw(m.node);
  w.Key("Port");
  w.Uint(m.port);
  w.Key("SeqNo");
  w.Uint(m.seq_no);
  if (!m.source_addr.empty()) {
    w.Key("SourceAddr");
    w.Raw(m.source_addr);
  }
  if (!m.source_node.empty()) {
    w.Key("SourceNode");
    w.Raw(m.source_node);
  }
  if (m.source_port != 0) {
    w.Key("SourcePort");
    w.Uint(m.source_port);
  }
  w.Key("Target");
  if (m.target.empty()) {
    w.Nil();
  } else {
    w.Raw(m.target);
  }
}

void EncodeBody(const AckResp& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(2);
  w.Key("Payload");
  w.Bytes(m.payload);
  w.Key("SeqNo");
  w.Uint(m.seq_no);
}

void EncodeBody(const NackResp& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(1);
  w.Key("SeqNo");
  w.Uint(m.seq_no);
}

void EncodeBody(const ErrResp& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(1);
  w.Key("Error");
  w.Raw(m.error);
}

void EncodeBody(const Suspect& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(3);
  w.Key("From");
  w.Raw(m.from);
  w.Key("Incarnation");
  w.Uint(m.incarnation);
  w.Key("Node");
  w.Raw(m.node);
}

void EncodeBody(const Alive& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(6);
  w.Key("Addr");
  w.Raw(m.addr);
  w.Key("Incarnation");
  w.Uint(m.incarnation);
  w.Key("Meta");
  w.Bytes(m.meta);
  w.Key("Node");
  w.Raw(m.node);
  w.Key("Port");
  w.Uint(m.port);
  w.Key("Vsn");
  w.Raw(m.vsn);
}

void EncodeBody(const Dead& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(3);
  w.Key("From");
  w.Raw(m.from);
  w.Key("Incarnation");
  w.Uint(m.incarnation);
  w.Key("Node");
  w.Raw(m.node);
}

void EncodeBody(const PushPullHeader& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(3);
  w.Key("Join");
  w.Bool(m.join);
  w.Key("Nodes");
  w.Uint(static_cast<uint64_t>(m.nodes < 0 ? 0 : m.nodes));
  w.Key("UserStateLen");
  w.Uint(static_cast<uint64_t>(m.user_state_len < 0 ? 0 : m.user_state_len));
}

void EncodeBody(const PushNodeState& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(7);
  w.Key("Addr");
  w.Raw(m.addr);
  w.Key("Incarnation");
  w.Uint(m.incarnation);
  w.Key("Meta");
  w.Bytes(m.meta);
  w.Key("Name");
  w.Raw(m.name);
  w.Key("Port");
  w.Uint(m.port);
  w.Key("State");
  w.Uint(static_cast<uint64_t>(m.state < 0 ? 0 : m.state));
  w.Key("Vsn");
  w.Raw(m.vsn);
}

void EncodeBody(const UserMsgHeader& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(1);
  w.Key("UserMsgLen");
  w.Uint(static_cast<uint64_t>(m.user_msg_len < 0 ? 0 : m.user_msg_len));
}

void EncodeBody(const Compress& m, std::string* out) {
  MsgpackWriter w(out);
  w.MapHeader(2);
  w.Key("Algo");
  w.Uint(m.algo);
  w.Key("Buf");
  w.Raw(m.buf);
}

std::string EncodePushPull(bool join, const std::vector<PushNodeState>& nodes,
                           std::string_view user_state) {
  std::string out(1, static_cast<char>(MessageType::kPushPull));
  PushPullHeader h;
  h.join = join;
  h.nodes = static_cast<int64_t>(nodes.size());
  h.user_state_len = static_cast<int64_t>(user_state.size());
  EncodeBody(h, &out);
  for (const auto& n : nodes) EncodeBody(n, &out);
  out.append(user_state);
  return out;
}

std::string EncodeUserStream(std::string_view payload) {
  std::string out(1, static_cast<char>(MessageType::kUser));
  UserMsgHeader h;
  h.user_msg_len = static_cast<int64_t>(payload.size());
  EncodeBody(h, &out);
  out.append(payload);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding with msgpack-cxx, always under an unpack_limit so a declared size can never make it
// allocate more than the bytes at hand allow.

namespace {

using msgpack::object;
namespace mt = msgpack::type;

struct FieldError {
  std::string what;
};

bool KeyIs(const object& k, std::string_view name) {
  if (k.type == mt::STR) return std::string_view(k.via.str.ptr, k.via.str.size) == name;
  if (k.type == mt::BIN) return std::string_view(k.via.bin.ptr, k.via.bin.size) == name;
  return false;
}

uint64_t AsUint(const object& v, uint64_t max, const char* field) {
  switch (v.type) {
    case mt::NIL:
      return 0;
    case mt::POSITIVE_INTEGER:
      if (v.via.u64 > max) throw FieldError{std::string("overflow in field ") + field};
      return v.via.u64;
    case mt::NEGATIVE_INTEGER:
      throw FieldError{std::string("negative value in field ") + field};
    default:
      throw FieldError{std::string("wrong type for field ") + field};
  }
}

int64_t AsInt(const object& v, const char* field) {
  switch (v.type) {
    case mt::NIL:
      return 0;
    case mt::POSITIVE_INTEGER:
      if (v.via.u64 > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw FieldError{std::string("overflow in field ") + field};
      }
      return static_cast<int64_t>(v.via.u64);
    case mt::NEGATIVE_INTEGER:
      return v.via.i64;
    default:
      throw FieldError{std::string("wrong type for field ") + field};
  }
}

bool AsBool(const object& v, const char* field) {
  if (v.type == mt::NIL) return false;
  if (v.type == mt::BOOLEAN) return v.via.boolean;
  throw FieldError{std::string("wrong type for field ") + field};
}

GoBytes AsBytes(const object& v, const char* field) {
  switch (v.type) {
    case mt::NIL:
      return std::nullopt;
    case mt::STR:
      return std::string(v.via.str.ptr, v.via.str.size);
    case mt::BIN:
      return std::string(v.via.bin.ptr, v.via.bin.size);
    case mt::ARRAY: {
      // A []uint8 written as an array of small integers by some other encoder.
      std::string s;
      s.reserve(v.via.array.size);
      for (uint32_t i = 0; i < v.via.array.size; ++i) {
        s.push_back(static_cast<char>(AsUint(v.via.array.ptr[i], 0xff, field)));
      }
      return s;
    }
    default:
      throw FieldError{std::string("wrong type for field ") + field};
  }
}

std::string AsString(const object& v, const char* field) {
  GoBytes b = AsBytes(v, field);
  return b ? std::move(*b) : std::string();
}

// Unpacks one value and hands each (key, value) of the top-level map to `assign`.
template <typename Assign>
DecodeStatus DecodeMap(std::string_view buf, size_t* offset, std::string* err,
                       size_t max_field_bytes, Assign assign) {
  if (*offset >= buf.size()) return DecodeStatus::kIncomplete;
  // Memberlist bodies are flat maps of a handful of scalars; unknown keys may hold small
  // containers, never deep ones.
  msgpack::unpack_limit limit(/*array=*/256, /*map=*/64, /*str=*/max_field_bytes,
                              /*bin=*/max_field_bytes, /*ext=*/0, /*depth=*/4);
  size_t off = *offset;
  try {
    msgpack::object_handle oh =
        msgpack::unpack(buf.data(), buf.size(), off, nullptr, nullptr, limit);
    const object& o = oh.get();
    if (o.type != mt::MAP) {
      if (err) *err = "message body is not a map";
      return DecodeStatus::kError;
    }
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      assign(o.via.map.ptr[i].key, o.via.map.ptr[i].val);
    }
  } catch (const msgpack::insufficient_bytes&) {
    return DecodeStatus::kIncomplete;
  } catch (const FieldError& e) {
    if (err) *err = e.what;
    return DecodeStatus::kError;
  } catch (const std::exception& e) {
    if (err) *err = std::string("msgpack: ") + e.what();
    return DecodeStatus::kError;
  }
  *offset = off;
  return DecodeStatus::kOk;
}

}  // namespace

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Ping* out, std::string* err,
                      size_t max_field_bytes) {
  Ping m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "SeqNo"))
      m.seq_no = AsUint(v, 0xffffffffu, "SeqNo");
    else if (KeyIs(k, "Node"))
      m.node = AsString(v, "Node");
    else if (KeyIs(k, "SourceAddr"))
      m.source_addr = AsString(v, "SourceAddr");
    else if (KeyIs(k, "SourcePort"))
      m.source_port = AsUint(v, 0xffff, "SourcePort");
    else if (KeyIs(k, "SourceNode"))
      m.source_node = AsString(v, "SourceNode");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, IndirectPingReq* out, std::string* err,
                      size_t max_field_bytes) {
  IndirectPingReq m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "SeqNo"))
      m.seq_no = AsUint(v, 0xffffffffu, "SeqNo");
    else if (KeyIs(k, "Target"))
      m.target = AsString(v, "Target");
    else if (KeyIs(k, "Port"))
      m.port = AsUint(v, 0xffff, "Port");
    else if (KeyIs(k, "Node"))
      m.node = AsString(v, "Node");
    else if (KeyIs(k, "Nack"))
      m.nack = AsBool(v, "Nack");
    else if (KeyIs(k, "SourceAddr"))
      m.source_addr = AsString(v, "SourceAddr");
    else if (KeyIs(k, "SourcePort"))
      m.source_port = AsUint(v, 0xffff, "SourcePort");
    else if (KeyIs(k, "SourceNode"))
      m.source_node = AsString(v, "SourceNode");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, AckResp* out, std::string* err,
                      size_t max_field_bytes) {
  AckResp m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "SeqNo"))
      m.seq_no = AsUint(v, 0xffffffffu, "SeqNo");
    else if (KeyIs(k, "Payload"))
      m.payload = AsBytes(v, "Payload");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, NackResp* out, std::string* err,
                      size_t max_field_bytes) {
  NackResp m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "SeqNo")) m.seq_no = AsUint(v, 0xffffffffu, "SeqNo");
  });
  if (s == DecodeStatus::kOk) *out = m;
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, ErrResp* out, std::string* err,
                      size_t max_field_bytes) {
  ErrResp m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Error")) m.error = AsString(v, "Error");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Suspect* out, std::string* err,
                      size_t max_field_bytes) {
  Suspect m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Incarnation"))
      m.incarnation = AsUint(v, 0xffffffffu, "Incarnation");
    else if (KeyIs(k, "Node"))
      m.node = AsString(v, "Node");
    else if (KeyIs(k, "From"))
      m.from = AsString(v, "From");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Alive* out, std::string* err,
                      size_t max_field_bytes) {
  Alive m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Incarnation"))
      m.incarnation = AsUint(v, 0xffffffffu, "Incarnation");
    else if (KeyIs(k, "Node"))
      m.node = AsString(v, "Node");
    else if (KeyIs(k, "Addr"))
      m.addr = AsString(v, "Addr");
    else if (KeyIs(k, "Port"))
      m.port = AsUint(v, 0xffff, "Port");
    else if (KeyIs(k, "Meta"))
      m.meta = AsBytes(v, "Meta");
    else if (KeyIs(k, "Vsn"))
      m.vsn = AsString(v, "Vsn");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Dead* out, std::string* err,
                      size_t max_field_bytes) {
  Dead m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Incarnation"))
      m.incarnation = AsUint(v, 0xffffffffu, "Incarnation");
    else if (KeyIs(k, "Node"))
      m.node = AsString(v, "Node");
    else if (KeyIs(k, "From"))
      m.from = AsString(v, "From");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, PushPullHeader* out, std::string* err,
                      size_t max_field_bytes) {
  PushPullHeader m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Nodes"))
      m.nodes = AsInt(v, "Nodes");
    else if (KeyIs(k, "UserStateLen"))
      m.user_state_len = AsInt(v, "UserStateLen");
    else if (KeyIs(k, "Join"))
      m.join = AsBool(v, "Join");
  });
  if (s == DecodeStatus::kOk) *out = m;
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, PushNodeState* out, std::string* err,
                      size_t max_field_bytes) {
  PushNodeState m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Name"))
      m.name = AsString(v, "Name");
    else if (KeyIs(k, "Addr"))
      m.addr = AsString(v, "Addr");
    else if (KeyIs(k, "Port"))
      m.port = AsUint(v, 0xffff, "Port");
    else if (KeyIs(k, "Meta"))
      m.meta = AsBytes(v, "Meta");
    else if (KeyIs(k, "Incarnation"))
      m.incarnation = AsUint(v, 0xffffffffu, "Incarnation");
    else if (KeyIs(k, "State"))
      m.state = AsInt(v, "State");
    else if (KeyIs(k, "Vsn"))
      m.vsn = AsString(v, "Vsn");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, UserMsgHeader* out, std::string* err,
                      size_t max_field_bytes) {
  UserMsgHeader m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "UserMsgLen")) m.user_msg_len = AsInt(v, "UserMsgLen");
  });
  if (s == DecodeStatus::kOk) *out = m;
  return s;
}

DecodeStatus DecodeAt(std::string_view buf, size_t* offset, Compress* out, std::string* err,
                      size_t max_field_bytes) {
  Compress m;
  auto s = DecodeMap(buf, offset, err, max_field_bytes, [&](const object& k, const object& v) {
    if (KeyIs(k, "Algo"))
      m.algo = AsUint(v, 0xff, "Algo");
    else if (KeyIs(k, "Buf"))
      m.buf = AsString(v, "Buf");
  });
  if (s == DecodeStatus::kOk) *out = std::move(m);
  return s;
}

}  // namespace am::cluster::memberlist
