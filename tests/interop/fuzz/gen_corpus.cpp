// Writes the seed corpus of the fuzz targets into <out>/<target>/<name>: the bytes captured from
// real Alertmanager 0.25 nodes (tests/unit/cluster/wire_test.cpp and memberlist-wire.md §2.3),
// the Go-written nflog and silences snapshots of tests/unit/{nflog,silence}/testdata, and the
// wrapped forms (CRC, compound, compress, label) our encoders produce byte for byte as Go does.
// Run by hand when a decoder learns a new form; the output is committed under corpus/:
//   fuzz_gen_corpus tests/interop/fuzz/corpus
// Files already present with the same name are overwritten; others are left alone (findings
// added to the corpus stay).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/lzw.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/tls_frame.h"
#include "proto/cluster.pb.h"
#include "proto/silence.pb.h"

namespace ml = am::cluster::memberlist;
namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

std::string Hex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string S(const std::string& s) {
  return std::string(1, static_cast<char>(0xa0 | s.size())) + s;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Splits a varint-delimited stream into its frames (each with its varint).
std::vector<std::string> Frames(const std::string& b) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < b.size()) {
    size_t start = i;
    uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t c = static_cast<uint8_t>(b.at(i++));
      n |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (c < 0x80) break;
    }
    i += n;
    out.push_back(b.substr(start, i - start));
  }
  return out;
}

const std::string kA = "01M80XX3H4MXHHN1B1812XSKDN";
const std::string kB = "01M80XX5F94CB86Z5CTRPYY558";
const std::string kLoopback = "\x7f\x00\x00\x01"s;
const std::string kVsn = "\x01\x05\x02\x00\x00\x00"s;

// One varint-delimited MeshSilence, active at the targets' fixed clock (fuzz_util.h), with the
// given matcher sets: {type, name, pattern} with silencepb's types (0 =, 1 =~, 2 !=, 3 !~). The
// first set also goes into the legacy field, as 0.33+ writes it.
struct M {
  int type;
  const char* name;
  const char* pattern;
};
std::string MeshSilence(const std::string& id, const std::vector<std::vector<M>>& sets) {
  silencepb::MeshSilence pb;
  auto* s = pb.mutable_silence();
  s->set_id(id);
  for (size_t i = 0; i < sets.size(); ++i) {
    auto* set = s->add_matcher_sets();
    for (const M& m : sets[i]) {
      for (auto* pm : {set->add_matchers(), i == 0 ? s->add_matchers() : nullptr}) {
        if (!pm) continue;
        pm->set_type(static_cast<silencepb::Matcher::Type>(m.type));
        pm->set_name(m.name);
        pm->set_pattern(m.pattern);
      }
    }
  }
  s->mutable_starts_at()->set_seconds(1795330000);
  s->mutable_ends_at()->set_seconds(1795350000);
  s->mutable_updated_at()->set_seconds(1795330000);
  s->set_created_by("fuzz");
  s->set_comment("seed");
  pb.mutable_expires_at()->set_seconds(1795350000 + 120 * 3600);
  std::string out;
  for (uint64_t n = pb.ByteSizeLong();; n >>= 7) {
    out.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  return out + pb.SerializeAsString();
}

class Writer {
 public:
  explicit Writer(fs::path root) : root_(std::move(root)) {}
  void Put(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(root_ / target);
    std::ofstream f(root_ / target / name, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + (root_ / target / name).string());
    ++count_;
  }
  int count() const { return count_; }

 private:
  fs::path root_;
  int count_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  Writer w(argv[1]);
  const fs::path src(AM_SOURCE_DIR);
  const std::string nflog_snapshot = ReadFile(src / "tests/unit/nflog/testdata/nflog_0.25");
  const std::string silences_snapshot =
      ReadFile(src / "tests/unit/silence/testdata/go025_silences");

  // --- Captured memberlist messages (AM 0.25, memberlist-wire.md §2.3). ---
  const std::string ping = "\x00\x85"s + S("Node") + S(kA) + S("SeqNo") + "\x01" + S("SourceAddr") +
                           S(kLoopback) + S("SourceNode") + S(kB) + S("SourcePort") +
                           "\xcd\x4a\xfa";
  const std::string ack = Hex("0282a75061796c6f6164a0a55365714e6f01");
  const std::string nack = "\x0b\x81"s + S("SeqNo") + "\x7a";
  auto alive = [&](const std::string& name, const std::string& port, const std::string& meta) {
    return "\x04\x86"s + S("Addr") + S(kLoopback) + S("Incarnation") + "\x01" + S("Meta") + meta +
           S("Node") + S(name) + S("Port") + port + S("Vsn") + S(kVsn);
  };
  const std::string alive_a = alive(kA, "\xcd\x4a\x96", "\xc0");
  const std::string alive_b = alive(kB, "\xcd\x4a\xfa", "\xa0");
  const std::string sd_body =
      "\x83"s + S("From") + S(kB) + S("Incarnation") + "\x01" + S("Node") + S(kA);
  const std::string suspect = "\x03" + sd_body;
  const std::string dead = "\x05" + sd_body;
  const std::string gossip = ml::AddCrc(ml::MakeCompound({alive_a, alive_b}));  // 175 bytes
  const std::string nfl_packet =
      Hex("0c2248698d080a036e666c124140"
          "0a310a057b7d3a7b7d120f0a046e756c6c1207776562686f6f6b"
          "2a0b08da8d8ad80610e49fb729320acbc9b4ce93e399b2cb01"
          "120b08fac58ad80610e49fb729");
  const std::string join_plain =
      "\x06\x83"s + S("Join") + "\xc3" + S("Nodes") + "\x01" + S("UserStateLen") + "\x0e" + "\x87" +
      S("Addr") + S(kLoopback) + S("Incarnation") + "\x01" + S("Meta") + "\xa0" + S("Name") +
      S(kB) + S("Port") + "\xcd\x4a\xfa" + S("State") + std::string(1, '\0') + S("Vsn") + S(kVsn) +
      Hex("0a050a036e666c0a050a0373696c");
  // Go's compress/lzw output for join_plain (wire_test.cpp kJoinLzwHex).
  const std::string join_lzw = Hex(
      "000d0c22a5e44d1a37c34a397943a6cc9c00acaacc2923670a9d3074ca3029e3c6c1215241c8909143ea0f0000"
      "0156257133268c1c3718d3bc7113805493321741917212a64d195d306234c101030b961a4672d0182204870d2d"
      "3586509102254b961a35709082f2460e9d664af495b288b10c805156e6b83115a08080930014145030c08d1936"
      "72e9ce49c32620");
  const std::string join_wire =
      "\x09\x82"s + S("Algo") + std::string(1, '\0') + S("Buf") + "\xda\x00\x8e"s + join_lzw;
  if (ml::CompressMessage(join_plain) != join_wire) {
    std::fprintf(stderr, "our compressor no longer reproduces Go's join bytes\n");
    return 1;
  }
  const std::string nfl_part = nfl_packet.substr(6);

  // --- lzw: LZW streams. ---
  w.Put("lzw", "join_pushpull_go", join_lzw);
  w.Put("lzw", "gossip_compound", ml::LzwCompress(ml::MakeCompound({alive_a, alive_b})));
  w.Put("lzw", "empty", ml::LzwCompress(""));
  w.Put("lzw", "tobeornot", ml::LzwCompress("TOBEORNOTTOBEORTOBEORNOT#"));
  {
    // Long enough for the code table to fill and be cleared (gen_lzw.go.txt's LCG text).
    uint32_t x = 12345;
    std::string text(9000, '\0');
    for (char& c : text) {
      x = x * 1103515245u + 12345u;
      c = "abcdefghij {}:\"0123"[(x >> 16) % 19];
    }
    w.Put("lzw", "lcg9000_table_reset", ml::LzwCompress(text));
  }

  // --- messages: msgpack bodies, no type byte. ---
  w.Put("messages", "ping", ping.substr(1));
  w.Put("messages", "ack", ack.substr(1));
  w.Put("messages", "nack", nack.substr(1));
  w.Put("messages", "alive_meta_nil", alive_a.substr(1));
  w.Put("messages", "alive_meta_empty", alive_b.substr(1));
  w.Put("messages", "suspect_dead", sd_body);
  w.Put("messages", "pushpull_header_and_node", join_plain.substr(1, join_plain.size() - 15));
  {
    ml::IndirectPingReq ind;
    ind.seq_no = 9;
    ind.target = kLoopback;
    ind.port = 19094;
    ind.node = kA;
    ind.nack = true;
    ind.source_addr = kLoopback;
    ind.source_port = 19194;
    ind.source_node = kB;
    std::string b;
    ml::EncodeBody(ind, &b);
    w.Put("messages", "indirect_ping", b);
    b.clear();
    ml::EncodeBody(ml::ErrResp{"Remote state is encrypted and encryption is not configured"}, &b);
    w.Put("messages", "err", b);
    b.clear();
    ml::EncodeBody(ml::UserMsgHeader{1120}, &b);
    w.Put("messages", "user_msg_header", b);
    w.Put("messages", "compress", join_wire.substr(1));
  }
  // What go-msgpack variants send: map16, an unknown key with an array, uint32, str8, bin8,
  // int16 (wire_test.cpp WireDecode.ToleratesGoVariants).
  w.Put("messages", "go_variants",
        "\xde\x00\x04"s + S("Unknown") + "\x92\x01\x02" + S("SeqNo") + "\xce\x00\x00\x00\x09"s +
            "\xd9\x04Node" + "\xc4\x01x" + S("SourcePort") + "\xd1\x10\x00"s);

  // --- udp_packet: whole datagrams. ---
  w.Put("udp_packet", "ping", ping);
  w.Put("udp_packet", "ack", ack);
  w.Put("udp_packet", "nack", nack);
  w.Put("udp_packet", "gossip_crc_compound_alive", gossip);
  w.Put("udp_packet", "suspect_crc", ml::AddCrc(suspect));
  w.Put("udp_packet", "dead_crc", ml::AddCrc(dead));
  w.Put("udp_packet", "nfl_part_crc", nfl_packet);
  w.Put("udp_packet", "ping_suspect_crc_compress",
        ml::AddCrc(ml::CompressMessage(ml::MakeCompound({ping, suspect}))));
  w.Put("udp_packet", "label_nack", ml::LabelHeader("prod") + nack);
  w.Put("udp_packet", "label_crc_compound",
        ml::LabelHeader("prod") + ml::AddCrc(ml::MakeCompound({ack, alive_b, nack})));
  {
    ml::IndirectPingReq ind;
    ind.seq_no = 9;
    ind.target = std::string(16, '\0');
    ind.target[15] = 1;
    ind.port = 19094;
    ind.node = kA;
    ind.nack = true;
    w.Put("udp_packet", "indirect_ping_v6", ml::EncodeMessage(ml::MessageType::kIndirectPing, ind));
  }

  // --- stream: TCP stream messages as the responder reads them. ---
  w.Put("stream", "join_pushpull_compressed_go", join_wire);
  w.Put("stream", "join_pushpull_plain", join_plain);
  w.Put("stream", "label_pushpull", ml::LabelHeader("prod") + join_wire);
  w.Put("stream", "user_nfl_part_compressed", ml::CompressMessage(ml::EncodeUserStream(nfl_part)));
  w.Put("stream", "user_plain", ml::EncodeUserStream(nfl_part));
  w.Put("stream", "ping_compressed", ml::CompressMessage(ping));
  w.Put("stream", "ack", ack);
  w.Put("stream", "err", ml::EncodeMessage(ml::MessageType::kErr, ml::ErrResp{"boom"}));
  w.Put("stream", "encrypted", "\x0a\x00\x00\x00\x05xxxxx"s);
  {
    clusterpb::FullState st;
    auto* p = st.add_parts();
    p->set_key("nfl");
    p->set_data(nflog_snapshot);
    p = st.add_parts();
    p->set_key("sil");
    p->set_data(silences_snapshot);
    std::vector<ml::PushNodeState> nodes(3);
    for (size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].name = i == 0 ? kA : i == 1 ? kB : "n3";
      nodes[i].addr = kLoopback;
      nodes[i].port = static_cast<uint16_t>(19094 + 100 * i);
      nodes[i].incarnation = static_cast<uint32_t>(i + 1);
      nodes[i].meta = std::string();
      nodes[i].state = static_cast<int64_t>(i);
      nodes[i].vsn = kVsn;
    }
    std::string pp = ml::EncodePushPull(false, nodes, st.SerializeAsString());
    w.Put("stream", "pushpull_3_nodes_full_state", ml::CompressMessage(pp));

    // --- cluster_fullstate: push/pull user states. ---
    w.Put("cluster_fullstate", "nfl_and_sil_snapshots", st.SerializeAsString());
    w.Put("cluster_fullstate", "join_empty_channels_go", Hex("0a050a036e666c0a050a0373696c"));
  }

  // --- cluster_part: gossiped Parts. ---
  w.Put("cluster_part", "nfl_captured", nfl_part);
  {
    std::vector<std::string> sil = Frames(silences_snapshot);
    for (size_t i = 0; i < sil.size(); ++i) {
      clusterpb::Part p;
      p.set_key("sil");
      p.set_data(sil[i]);
      w.Put("cluster_part", "sil_go_" + std::to_string(i), p.SerializeAsString());
      w.Put("silence_merge", "go_silence_" + std::to_string(i), sil[i]);
    }
    std::vector<std::string> nfl = Frames(nflog_snapshot);
    for (size_t i = 0; i < nfl.size(); ++i) {
      w.Put("nflog_merge", "go_entry_" + std::to_string(i), nfl[i]);
    }
  }

  // Silences reaching each place of silence/matcher_index.h: anchored by an escaped literal
  // alternation, filed by a regex that cannot match "" (an RE2::Set per label name), scanned
  // (negative matchers and a regex matching ""), an invalid regex, and several matcher sets.
  {
    const std::vector<std::pair<std::string, std::string>> crafted = {
        {"literal_alternation", MeshSilence("s-alt", {{{1, "instance", "host1|host\\.2"}}})},
        {"regex_filed", MeshSilence("s-re", {{{1, "job", "api-.+"}, {3, "env", "dev|test"}}})},
        {"negative_only", MeshSilence("s-neg", {{{2, "severity", "info"}, {1, "team", ".*"}}})},
        {"invalid_regex", MeshSilence("s-bad", {{{1, "job", "(unclosed"}}})},
        {"matcher_sets", MeshSilence("s-sets", {{{0, "alertname", "A"}}, {{1, "job", "b.+"}}})},
    };
    std::string all;
    for (const auto& [name, bytes] : crafted) {
      w.Put("silence_merge", name, bytes);
      all += bytes;
    }
    w.Put("silence_merge", "crafted_all", all);
    clusterpb::Part p;
    p.set_key("sil");
    p.set_data(crafted[1].second);
    w.Put("cluster_part", "sil_regex_filed", p.SerializeAsString());
  }

  // --- nflog_merge / silence_merge: whole channel states. ---
  w.Put("nflog_merge", "go_snapshot", nflog_snapshot);
  w.Put("nflog_merge", "captured_gossip", nfl_part.substr(7));
  w.Put("silence_merge", "go_snapshot", silences_snapshot);

  // --- tls_frame: TLS connections (4-byte length, MemberlistMessage, ...). ---
  {
    ml::TlsFrame stream;
    stream.kind = ml::kTlsFrameStream;
    w.Put("tls_frame", "stream_then_join_pushpull", ml::EncodeTlsFrame(stream) + join_wire);
    ml::TlsFrame packet;
    packet.kind = ml::kTlsFramePacket;
    packet.from_addr = "127.0.0.1:19194";
    packet.msg = ping;
    std::string two = ml::EncodeTlsFrame(packet);
    packet.msg = gossip;
    two += ml::EncodeTlsFrame(packet);
    w.Put("tls_frame", "two_packets", two);
    packet.from_addr = "[::1]:19194";
    packet.msg = nfl_packet;
    w.Put("tls_frame", "packet_v6_nfl", ml::EncodeTlsFrame(packet));
    w.Put("tls_frame", "packet_body_only", ml::EncodeTlsFrame(packet).substr(ml::kTlsFrameHeader));
  }

  std::printf("wrote %d seed files under %s\n", w.count(), argv[1]);
  return 0;
}
