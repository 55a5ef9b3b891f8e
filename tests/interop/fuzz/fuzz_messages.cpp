// msgpack message bodies (messages.h): the input is read as the body of each of the twelve
// memberlist message types in turn, as a peer could send any of them.
// Checks, per type: an error always has a reason; a decoded value consumes between 1 and all of
// the bytes; every shorter prefix of it is "incomplete" (the TCP path waits for more bytes on
// that answer, so an error there would reject a valid message split across reads); and
// decode(encode(v)) == v, consuming exactly the encoding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "cluster/memberlist/messages.h"
#include "fuzz_util.h"

namespace ml = am::cluster::memberlist;

namespace {

// Field tuples for comparison. Negative counts and states are written as 0 by the encoders (Go
// never sends them), so they are compared that way.
int64_t NonNeg(int64_t v) { return v < 0 ? 0 : v; }
auto Fields(const ml::Ping& m) {
  return std::tie(m.seq_no, m.node, m.source_addr, m.source_port, m.source_node);
}
auto Fields(const ml::IndirectPingReq& m) {
  return std::tie(m.seq_no, m.target, m.port, m.node, m.nack, m.source_addr, m.source_port,
                  m.source_node);
}
auto Fields(const ml::AckResp& m) { return std::tie(m.seq_no, m.payload); }
auto Fields(const ml::NackResp& m) { return std::tie(m.seq_no); }
auto Fields(const ml::ErrResp& m) { return std::tie(m.error); }
auto Fields(const ml::Suspect& m) { return std::tie(m.incarnation, m.node, m.from); }
auto Fields(const ml::Alive& m) {
  return std::tie(m.incarnation, m.node, m.addr, m.port, m.meta, m.vsn);
}
auto Fields(const ml::Dead& m) { return std::tie(m.incarnation, m.node, m.from); }
auto Fields(const ml::PushPullHeader& m) {
  return std::make_tuple(NonNeg(m.nodes), NonNeg(m.user_state_len), m.join);
}
auto Fields(const ml::PushNodeState& m) {
  return std::make_tuple(std::cref(m.name), std::cref(m.addr), m.port, std::cref(m.meta),
                         m.incarnation, NonNeg(m.state), std::cref(m.vsn));
}
auto Fields(const ml::UserMsgHeader& m) { return std::make_tuple(NonNeg(m.user_msg_len)); }
auto Fields(const ml::Compress& m) { return std::tie(m.algo, m.buf); }

template <typename M>
void Check(std::string_view in, const char* type) {
  auto where = [&](const std::string& what) { return std::string(type) + ": " + what; };
  M m;
  std::string err;
  size_t off = 0;
  ml::DecodeStatus s = ml::DecodeAt(in, &off, &m, &err);
  if (s == ml::DecodeStatus::kError) {
    FUZZ_CHECK(!err.empty(), where("error without a reason"));
    return;
  }
  if (s == ml::DecodeStatus::kIncomplete) {
    FUZZ_CHECK(off == 0, where("incomplete moved the offset"));
    M again;
    FUZZ_CHECK(!ml::DecodeBody(in, &again, &err), where("DecodeBody accepted an incomplete body"));
    return;
  }
  FUZZ_CHECK(off >= 1 && off <= in.size(), where("offset out of range: " + std::to_string(off)));

  for (size_t k : {off - 1, off / 2, size_t{1}}) {
    if (k >= off) continue;
    M p;
    size_t poff = 0;
    std::string perr;
    ml::DecodeStatus ps = ml::DecodeAt(in.substr(0, k), &poff, &p, &perr);
    FUZZ_CHECK(ps == ml::DecodeStatus::kIncomplete,
               where("prefix of " + std::to_string(k) + "/" + std::to_string(off) +
                     " bytes of a valid value is not incomplete: " + perr));
  }

  std::string enc;
  ml::EncodeBody(m, &enc);
  M back;
  size_t boff = 0;
  ml::DecodeStatus bs = ml::DecodeAt(enc, &boff, &back, &err);
  FUZZ_CHECK(bs == ml::DecodeStatus::kOk, where("own encoding rejected: " + err));
  FUZZ_CHECK(boff == enc.size(), where("own encoding not consumed exactly"));
  FUZZ_CHECK(Fields(back) == Fields(m), where("decode(encode(v)) != v"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Check<ml::Ping>(in, "ping");
  Check<ml::IndirectPingReq>(in, "indirectPingReq");
  Check<ml::AckResp>(in, "ackResp");
  Check<ml::NackResp>(in, "nackResp");
  Check<ml::ErrResp>(in, "errResp");
  Check<ml::Suspect>(in, "suspect");
  Check<ml::Alive>(in, "alive");
  Check<ml::Dead>(in, "dead");
  Check<ml::PushPullHeader>(in, "pushPullHeader");
  Check<ml::PushNodeState>(in, "pushNodeState");
  Check<ml::UserMsgHeader>(in, "userMsgHeader");
  Check<ml::Compress>(in, "compress");
  return 0;
}
