// TLS transport frames (tls_frame.h, --cluster.tls-config): the input is what a peer writes on a
// TLS connection, read the way tls_transport.cpp's ReadFrame does: 4-byte little-endian length
// (above kMaxTlsFrame the connection is closed), the body decoded by DecodeTlsFrame, PACKET
// frames one after the other until an error, a STREAM frame handing the rest of the bytes to
// the memberlist stream parser. The whole input is also decoded as one frame body.
// Checks: a frame body that libprotobuf's generated clusterpb.MemberlistMessage parser also
// accepts gives the same fields; one it accepts cleanly (no unknown or mistyped fields, version
// "v0.1.0", kind STREAM or PACKET, within the size limit) is never refused; decoding rejects
// bodies above kMaxTlsFrame; encode(decode(x)) decodes to the same frame with a length prefix
// equal to its body.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/memberlist/node.h"
#include "cluster/memberlist/stream_message.h"
#include "cluster/memberlist/tls_frame.h"
#include "fuzz_util.h"
#include "proto/cluster.pb.h"

namespace ml = am::cluster::memberlist;

namespace {

void CheckBody(std::string_view body) {
  ml::TlsFrame f;
  const std::string err = ml::DecodeTlsFrame(body, &f);
  if (body.size() > ml::kMaxTlsFrame) FUZZ_CHECK(!err.empty(), "body above kMaxTlsFrame accepted");

  clusterpb::MemberlistMessage pb;
  const bool pb_ok = pb.ParseFromArray(body.data(), static_cast<int>(body.size()));
  if (err.empty() && pb_ok) {
    FUZZ_CHECK(pb.version() == ml::kTlsFrameVersion && static_cast<int>(pb.kind()) == f.kind &&
                   pb.from_addr() == f.from_addr && pb.msg() == f.msg,
               "DecodeTlsFrame and libprotobuf read different fields");
  }
  if (pb_ok && pb.GetReflection()->GetUnknownFields(pb).empty() &&
      pb.version() == ml::kTlsFrameVersion &&
      (pb.kind() == ml::kTlsFrameStream || pb.kind() == ml::kTlsFramePacket) &&
      body.size() <= ml::kMaxTlsFrame) {
    FUZZ_CHECK(err.empty(), "refused a frame libprotobuf reads cleanly: " + err);
  }
  if (!err.empty()) return;

  FUZZ_CHECK(f.kind == ml::kTlsFrameStream || f.kind == ml::kTlsFramePacket, "kind out of range");
  std::string wire = ml::EncodeTlsFrame(f);
  FUZZ_CHECK(wire.size() >= ml::kTlsFrameHeader &&
                 ml::TlsFrameLength(wire) == wire.size() - ml::kTlsFrameHeader,
             "length prefix != body size");
  ml::TlsFrame back;
  std::string berr = ml::DecodeTlsFrame(std::string_view(wire).substr(ml::kTlsFrameHeader), &back);
  FUZZ_CHECK(berr.empty(), "own frame rejected: " + berr);
  FUZZ_CHECK(back.kind == f.kind && back.from_addr == f.from_addr && back.msg == f.msg,
             "decode(encode(f)) != f");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckBody(in);

  // The connection's reader.
  std::string_view rbuf = in;
  while (rbuf.size() >= ml::kTlsFrameHeader) {
    const uint32_t n = ml::TlsFrameLength(rbuf);
    if (n > ml::kMaxTlsFrame || rbuf.size() - ml::kTlsFrameHeader < n) return 0;
    std::string_view body = rbuf.substr(ml::kTlsFrameHeader, n);
    rbuf.remove_prefix(ml::kTlsFrameHeader + n);
    CheckBody(body);
    ml::TlsFrame f;
    if (!ml::DecodeTlsFrame(body, &f).empty()) return 0;
    if (f.kind == ml::kTlsFrameStream) {
      ml::StreamMessage m;
      std::string err;
      ml::ParseStreamMessage(rbuf, ml::StreamLimits{}, &m, &err);
      return 0;
    }
    std::string host, port;
    ml::SplitHostPort(f.from_addr, &host, &port);
  }
  return 0;
}
