// The TLS transport (--cluster.tls-config): frame bytes against the reference and upstream's
// protobuf, the config file's errors, and real nodes on 127.0.0.1 with certificates made by a
// test CA at run time (mutual TLS cluster, messages both ways, refusal of a foreign CA, bounds
// on frames and silent connections). Every wait is bounded.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/memberlist.h"
#include "cluster/memberlist/messages.h"
#include "cluster/memberlist/tls_frame.h"
#include "cluster/memberlist/tls_transport.h"
#include "cluster/peer.h"
#include "cluster/tls_config.h"
#include "cluster_test_util.h"
#include "core/log.h"
#include "proto/cluster.pb.h"

namespace am::cluster {
namespace {

using testutil::Hex;
using testutil::WaitFor;

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using memberlist::TlsFrame;

// ---------------------------------------------------------------------------------------------
// Frames

TEST(TlsFrame, StreamFrameMatchesTheReferenceBytes) {
  TlsFrame f;
  f.kind = memberlist::kTlsFrameStream;
  EXPECT_EQ(Hex(memberlist::EncodeTlsFrame(f)), "080000000a0676302e312e30");
}

TEST(TlsFrame, PacketFrameIsUpstreamsProtobufWithLittleEndianLength) {
  TlsFrame f;
  f.kind = memberlist::kTlsFramePacket;
  f.from_addr = "127.0.0.1:9094";
  f.msg = "abc";
  const std::string frame = memberlist::EncodeTlsFrame(f);
  // version, kind 1, from_addr, msg: 8 + 2 + 16 + 5 = 31 bytes.
  EXPECT_EQ(Hex(frame),
            "1f000000"
            "0a0676302e312e30"
            "1001"
            "1a0e3132372e302e302e313a39303934"
            "2203616263");
  clusterpb::MemberlistMessage pb;
  pb.set_version("v0.1.0");
  pb.set_kind(clusterpb::MemberlistMessage::PACKET);
  pb.set_from_addr("127.0.0.1:9094");
  pb.set_msg("abc");
  EXPECT_EQ(frame.substr(4), pb.SerializeAsString());

  // A 300-byte message needs a two-byte length varint and the prefix counts it.
  f.msg.assign(300, 'x');
  const std::string big = memberlist::EncodeTlsFrame(f);
  pb.set_msg(f.msg);
  EXPECT_EQ(big.substr(4), pb.SerializeAsString());
  EXPECT_EQ(memberlist::TlsFrameLength(big), big.size() - 4);
  TlsFrame back;
  ASSERT_EQ(memberlist::DecodeTlsFrame(std::string_view(big).substr(4), &back), "");
  EXPECT_EQ(back.kind, memberlist::kTlsFramePacket);
  EXPECT_EQ(back.from_addr, "127.0.0.1:9094");
  EXPECT_EQ(back.msg, f.msg);
}

TEST(TlsFrame, DecodeFollowsGogoProtobufAndRejectsWhatGoRejects) {
  clusterpb::MemberlistMessage pb;
  pb.set_version("v0.1.0");
  pb.set_kind(clusterpb::MemberlistMessage::PACKET);
  pb.set_from_addr("10.0.0.1:1");
  pb.set_msg("m");
  std::string body = pb.SerializeAsString();
  TlsFrame out;
  // Unknown fields are skipped (field 9 varint, field 10 bytes, field 11 fixed32).
  std::string with_unknown = body + std::string("\x48\x05\x52\x02zz\x5d\x01\x02\x03\x04", 11);
  ASSERT_EQ(memberlist::DecodeTlsFrame(with_unknown, &out), "");
  EXPECT_EQ(out.msg, "m");

  pb.set_version("v0.2.0");
  EXPECT_EQ(memberlist::DecodeTlsFrame(pb.SerializeAsString(), &out),
            "tls memberlist message version incompatible");
  EXPECT_EQ(memberlist::DecodeTlsFrame("", &out), "tls memberlist message version incompatible");
  pb.set_version("v0.1.0");
  pb.set_kind(static_cast<clusterpb::MemberlistMessage::Kind>(2));
  EXPECT_EQ(memberlist::DecodeTlsFrame(pb.SerializeAsString(), &out),
            "could not read from either stream or packet channel");
  // Truncated field, truncated varint, wrong wire type for a known field, field number 0.
  EXPECT_NE(memberlist::DecodeTlsFrame(body.substr(0, body.size() - 1), &out), "");
  EXPECT_NE(memberlist::DecodeTlsFrame(std::string("\x0a\x80", 2), &out), "");
  EXPECT_NE(memberlist::DecodeTlsFrame(std::string("\x08\x01", 2), &out), "");
  EXPECT_NE(memberlist::DecodeTlsFrame(std::string("\x02\x01", 2), &out), "");
  // A body over the limit is refused before it is parsed.
  EXPECT_NE(memberlist::DecodeTlsFrame(std::string(memberlist::kMaxTlsFrame + 1, '\0'), &out), "");
}

// ---------------------------------------------------------------------------------------------
// Certificates made at run time

struct Key {
  EVP_PKEY* k = nullptr;
  ~Key() { EVP_PKEY_free(k); }
};
struct Cert {
  X509* x = nullptr;
  ~Cert() { X509_free(x); }
};

void AddExt(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `cn`: a CA when issuer is null (self-signed), else a leaf for 127.0.0.1 good
// for both TLS server and client use.
void MakeCert(const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, Key* key, Cert* cert) {
  static long serial = 1;
  key->k = EVP_EC_gen("P-256");
  ASSERT_NE(key->k, nullptr);
  X509* x = X509_new();
  cert->x = x;
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key->k);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
  X509* is = issuer ? issuer : x;
  AddExt(x, is, NID_subject_key_identifier, "hash");
  if (!issuer) {
    AddExt(x, is, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(x, is, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExt(x, is, NID_basic_constraints, "critical,CA:FALSE");
    AddExt(x, is, NID_key_usage, "critical,digitalSignature");
    AddExt(x, is, NID_ext_key_usage, "serverAuth,clientAuth");
    AddExt(x, is, NID_subject_alt_name, "IP:127.0.0.1");
  }
  ASSERT_GT(X509_sign(x, issuer ? issuer_key : key->k, EVP_sha256()), 0);
}

void WritePem(const fs::path& p, X509* x, EVP_PKEY* k) {
  FILE* f = std::fopen(p.c_str(), "w");
  ASSERT_NE(f, nullptr);
  if (x) PEM_write_X509(f, x);
  if (k) PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

// A temp dir with two CAs: ca (node1, node2 and node3 under it) and other-ca (rogue).
class Pki {
 public:
  Pki() {
    char tmpl[] = "/tmp/am-tls-test-XXXXXX";
    dir = mkdtemp(tmpl);
    Key ca_key, other_key;
    Cert ca, other;
    MakeCert("test-ca", nullptr, nullptr, &ca_key, &ca);
    MakeCert("other-ca", nullptr, nullptr, &other_key, &other);
    WritePem(dir / "ca.pem", ca.x, nullptr);
    WritePem(dir / "other-ca.pem", other.x, nullptr);
    for (const char* n : {"node1", "node2", "node3"}) {
      Key k;
      Cert c;
      MakeCert(n, ca.x, ca_key.k, &k, &c);
      WritePem(dir / (std::string(n) + ".crt"), c.x, nullptr);
      WritePem(dir / (std::string(n) + ".key"), nullptr, k.k);
    }
    Key rk;
    Cert rc;
    MakeCert("rogue", other.x, other_key.k, &rk, &rc);
    WritePem(dir / "rogue.crt", rc.x, nullptr);
    WritePem(dir / "rogue.key", nullptr, rk.k);
  }
  ~Pki() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // A --cluster.tls-config file for `node` (relative paths: resolved against the file's dir).
  std::string Config(const std::string& node, const std::string& ca = "ca.pem") {
    std::string path = (dir / (node + "-" + ca + ".yml")).string();
    std::ofstream(path) << "tls_server_config:\n"
                        << "  cert_file: " << node << ".crt\n"
                        << "  key_file: " << node << ".key\n"
                        << "  client_auth_type: RequireAndVerifyClientCert\n"
                        << "  client_ca_file: " << ca << "\n"
                        << "tls_client_config:\n"
                        << "  ca_file: " << ca << "\n"
                        << "  cert_file: " << node << ".crt\n"
                        << "  key_file: " << node << ".key\n";
    return path;
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
  }
  fs::path dir;
};

// ---------------------------------------------------------------------------------------------
// Config file errors

std::string LoadError(const std::string& path) {
  try {
    MakeTlsOptions(LoadTlsTransportConfig(path));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(TlsConfig, ValidFileLoadsAndResolvesRelativePaths) {
  Pki pki;
  const std::string path = pki.Config("node1");
  TlsTransportConfig c = LoadTlsTransportConfig(path);
  EXPECT_EQ(c.server.cert_file, (pki.dir / "node1.crt").string());
  EXPECT_EQ(c.server.client_ca_file, (pki.dir / "ca.pem").string());
  EXPECT_EQ(c.client.ca_file, (pki.dir / "ca.pem").string());
  EXPECT_EQ(c.server.client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(LoadError(path), "");
}

TEST(TlsConfig, EveryErrorNamesFileLineAndKey) {
  Pki pki;
  const std::string good_server =
      "tls_server_config:\n  cert_file: node1.crt\n  key_file: node1.key\n";
  const std::string good_client = "tls_client_config:\n  ca_file: ca.pem\n";
  struct Case {
    std::string text;
    std::string want;  // substring of the error, after "<file>:"
  };
  const std::vector<Case> cases = {
      {good_server + good_client + "bogus: 1\n",
       ":6: bogus: unknown field (field bogus not found in type cluster.TLSTransportConfig)"},
      {good_server + "  bogus: 1\n" + good_client,
       ":4: tls_server_config.bogus: unknown field (field bogus not found in type web.TLSConfig)"},
      {good_server + good_client + "  ca: inline\n",
       ":6: tls_client_config.ca: unknown field (field ca not found in type config.plain)"},
      {good_server + "  cert_file: again.crt\n" + good_client,
       ":4: tls_server_config.cert_file: key \"cert_file\" already set in map"},
      {good_client, "tls_server_config: required section is missing or empty"},
      {good_server, "tls_client_config: required section is missing or empty"},
      {good_server + "  min_version: TLS9\n" + good_client,
       ":4: tls_server_config.min_version: unknown TLS version: TLS9"},
      {good_server + "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n" + good_client,
       ":4: tls_server_config.cipher_suites: unknown cipher: TLS_RSA_WITH_RC4_128_SHA"},
      {good_server + "  curve_preferences: [P256]\n" + good_client,
       ":4: tls_server_config.curve_preferences: unknown curve: P256"},
      {good_server + good_client + "  insecure_skip_verify: maybe\n",
       ":6: tls_client_config.insecure_skip_verify: cannot unmarshal !!str `maybe` into bool"},
      {good_server + "  client_auth_type: Sometimes\n" + good_client,
       ":4: tls_server_config.client_auth_type: invalid TLS server config: Invalid ClientAuth: "
       "Sometimes"},
      {good_server + "  client_ca_file: ca.pem\n" + good_client,
       ":4: tls_server_config.client_ca_file: invalid TLS server config: Client CA's have been "
       "configured without a Client Auth Policy"},
      {"tls_server_config:\n  cert_file: missing.crt\n  key_file: node1.key\n" + good_client,
       ":2: tls_server_config.cert_file: invalid TLS server config: failed to load X509KeyPair: "
       "open " +
           (pki.dir / "missing.crt").string() + ": no such file or directory"},
      {"tls_server_config:\n  cert_file: node1.crt\n  key_file: node2.key\n" + good_client,
       ":3: tls_server_config.key_file: invalid TLS server config: failed to load X509KeyPair: "
       "private key does not match public key"},
      {"tls_server_config:\n  key_file: node1.key\n" + good_client,
       ":1: tls_server_config.cert_file: invalid TLS server config: missing cert_file"},
      {"tls_server_config:\n  min_version: TLS12\n" + good_client,
       ":1: tls_server_config: invalid TLS server config: TLS config is not present"},
      {good_server + good_client + "  cert_file: node1.crt\n",
       ":6: tls_client_config.cert_file: invalid TLS client config: client cert file \"" +
           (pki.dir / "node1.crt").string() + "\" specified without client key file"},
      {good_server + "tls_client_config:\n  ca_file: node1.key\n",
       ":5: tls_client_config.ca_file: invalid TLS client config: unable to use specified CA "
       "cert " +
           (pki.dir / "node1.key").string()},
      {good_server + good_client + "  min_version: TLS13\n  max_version: TLS12\n",
       "tls_client_config.max_version: invalid TLS client config: tls_config.max_version must "
       "be greater than or equal to tls_config.min_version if both are specified"},
      {"tls_server_config: [1]\n" + good_client,
       ":1: tls_server_config: cannot unmarshal !!seq into web.TLSConfig"},
      {"tls_server_config: {cert_file: [\n", ": yaml: "},
  };
  int i = 0;
  for (const auto& c : cases) {
    const std::string path = pki.Write("case" + std::to_string(i++) + ".yml", c.text);
    const std::string err = LoadError(path);
    EXPECT_EQ(err.rfind(path, 0), 0u) << "error does not start with the file: " << err;
    EXPECT_NE(err.find(c.want), std::string::npos) << "got: " << err << "\nwant: " << c.want;
  }
  EXPECT_NE(LoadError((pki.dir / "nope.yml").string()).find("no such file or directory"),
            std::string::npos);
}

TEST(TlsConfig, EveryImplementedKeyIsAccepted) {
  Pki pki;
  const std::string path = pki.Write(
      "all.yml",
      "tls_server_config:\n"
      "  cert_file: node1.crt\n  key_file: node1.key\n"
      "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem\n"
      "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n"
      "  curve_preferences: [X25519, CurveP256]\n"
      "  min_version: TLS12\n  max_version: TLS13\n  prefer_server_cipher_suites: yes\n"
      "tls_client_config:\n"
      "  ca_file: ca.pem\n  cert_file: node1.crt\n  key_file: node1.key\n"
      "  server_name: localhost\n  insecure_skip_verify: false\n"
      "  min_version: TLS12\n  max_version: TLS13\n");
  EXPECT_EQ(LoadError(path), "");
  TlsTransportConfig c = LoadTlsTransportConfig(path);
  EXPECT_TRUE(c.server.prefer_server_cipher_suites);
  EXPECT_EQ(c.server.cipher_suites.size(), 2u);
  EXPECT_EQ(c.client.server_name, "localhost");
}

TEST(TlsConfig, RotatedCertificatesAreReloadedAndBrokenOnesIgnored) {
  Pki pki;
  memberlist::TlsOptions o = MakeTlsOptions(LoadTlsTransportConfig(pki.Config("node1")));
  auto first = o.server_context();
  EXPECT_EQ(o.server_context(), first);  // unchanged files: the same context
  // Rotate: node1's files now hold node2's (valid) pair.
  fs::copy_file(pki.dir / "node2.crt", pki.dir / "node1.crt", fs::copy_options::overwrite_existing);
  fs::copy_file(pki.dir / "node2.key", pki.dir / "node1.key", fs::copy_options::overwrite_existing);
  std::this_thread::sleep_for(1100ms);  // files are checked at most once a second
  auto rotated = o.server_context();
  EXPECT_NE(rotated, first);
  auto subject = [](const memberlist::SslContextPtr& c) {
    char buf[256] = {};
    X509_NAME_oneline(X509_get_subject_name(SSL_CTX_get0_certificate(c->native_handle())), buf,
                      sizeof buf);
    return std::string(buf);
  };
  EXPECT_EQ(subject(rotated), "/CN=node2");
  // A half-written key: the last good context stays.
  std::ofstream(pki.dir / "node1.key") << "-----BEGIN PRIVATE KEY-----\n";
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(o.server_context(), rotated);
}

// ---------------------------------------------------------------------------------------------
// Nodes

class Recorder : public memberlist::Delegate {
 public:
  void NotifyMsg(std::string_view msg) override {
    std::lock_guard<std::mutex> l(mu);
    received.emplace_back(msg);
  }
  bool Received(const std::string& m) {
    std::lock_guard<std::mutex> l(mu);
    return std::find(received.begin(), received.end(), m) != received.end();
  }
  std::mutex mu;
  std::vector<std::string> received;
};

class TlsNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    for (auto& n : nodes_) n->Shutdown();
    std::this_thread::sleep_for(50ms);
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  std::shared_ptr<memberlist::Memberlist> Add(const std::string& name, const std::string& tls_file,
                                              std::chrono::nanoseconds tcp_timeout = 1s) {
    memberlist::Config c;
    c.name = name;
    c.bind_addr = "127.0.0.1";
    c.bind_port = 0;
    c.gossip_interval = 20ms;
    c.probe_interval = 100ms;
    c.probe_timeout = 50ms;
    c.pushpull_interval = 2s;
    c.tcp_timeout = tcp_timeout;
    c.tls = std::make_shared<const memberlist::TlsOptions>(
        MakeTlsOptions(LoadTlsTransportConfig(tls_file)));
    delegates_.push_back(std::make_unique<Recorder>());
    auto m = memberlist::Memberlist::Create(io_, c, delegates_.back().get());
    m->Start();
    nodes_.push_back(m);
    return m;
  }
  std::string Join(const std::shared_ptr<memberlist::Memberlist>& m,
                   const std::shared_ptr<memberlist::Memberlist>& to) {
    return testutil::PushPullSync(m, to);
  }
  memberlist::Node NodeOf(const std::shared_ptr<memberlist::Memberlist>& from,
                          const std::string& name) {
    for (const auto& n : from->Members()) {
      if (n.name == name) return n;
    }
    ADD_FAILURE() << name << " not a member";
    return {};
  }

  Pki pki_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<Recorder>> delegates_;
  std::vector<std::shared_ptr<memberlist::Memberlist>> nodes_;
};

TEST_F(TlsNodes, TwoNodesWithMutualTlsFormAClusterAndExchangeMessages) {
  auto a = Add("a", pki_.Config("node1"));
  auto b = Add("b", pki_.Config("node2"));
  ASSERT_EQ(Join(b, a), "");
  ASSERT_TRUE(WaitFor([&] { return a->NumMembers() == 2 && b->NumMembers() == 2; }));
  // Probes run over pooled TLS packet connections: both stay alive for a while.
  std::this_thread::sleep_for(600ms);
  for (const auto& m : {a, b}) {
    for (const auto& n : m->Members()) EXPECT_EQ(n.state, memberlist::kStateAlive) << n.name;
  }

  // Reliable (a TLS stream) and best-effort (a PACKET frame) user messages, both directions.
  std::mutex mu;
  std::condition_variable cv;
  std::string sent_err = "pending";
  b->SendReliable(NodeOf(b, "a"), "reliable-b-to-a", [&](const std::string& err) {
    std::lock_guard<std::mutex> l(mu);
    sent_err = err;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, 5s, [&] { return sent_err != "pending"; }));
  }
  EXPECT_EQ(sent_err, "");
  a->SendBestEffort(NodeOf(a, "b"), "best-effort-a-to-b");
  b->SendBestEffort(NodeOf(b, "a"), "best-effort-b-to-a");
  EXPECT_TRUE(WaitFor([&] { return delegates_[0]->Received("reliable-b-to-a"); }));
  EXPECT_TRUE(WaitFor([&] { return delegates_[1]->Received("best-effort-a-to-b"); }));
  EXPECT_TRUE(WaitFor([&] { return delegates_[0]->Received("best-effort-b-to-a"); }));
  // A reliable message larger than one TLS record (16 KiB) arrives whole.
  std::string big(100 * 1024, 'z');
  big[0] = 'B';
  b->SendReliable(NodeOf(b, "a"), big, [](const std::string&) {});
  EXPECT_TRUE(WaitFor([&] { return delegates_[0]->Received(big); }));

  // No UDP: the port is free for a UDP socket.
  asio::io_context local;
  asio::ip::udp::socket u(local);
  boost::system::error_code ec;
  u.open(asio::ip::udp::v4(), ec);
  u.bind(asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), a->BoundPort()), ec);
  EXPECT_FALSE(ec) << "UDP port taken: " << ec.message();
}

TEST_F(TlsNodes, PeerWithCertificateFromAnotherCaIsRejected) {
  auto a = Add("a", pki_.Config("node1"));
  // The rogue trusts our CA (so its side of the handshake is content) but presents a certificate
  // signed by another CA: our server must refuse it.
  const std::string rogue_cfg = pki_.Write(
      "rogue.yml",
      "tls_server_config:\n  cert_file: rogue.crt\n  key_file: rogue.key\n"
      "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"
      "tls_client_config:\n  ca_file: ca.pem\n  cert_file: rogue.crt\n  key_file: rogue.key\n");
  auto r = Add("rogue", rogue_cfg);
  EXPECT_NE(Join(r, a), "");
  // And a node of our CA does not accept the rogue's server certificate either.
  auto b = Add("b", pki_.Config("node2"));
  std::string err = Join(b, r);
  EXPECT_NE(err, "");
  EXPECT_NE(err.find("certificate verify failed"), std::string::npos) << err;
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(a->NumMembers(), 1);
  EXPECT_EQ(r->NumMembers(), 1);
  // b and a still can.
  EXPECT_EQ(Join(b, a), "");
  EXPECT_TRUE(WaitFor([&] { return a->NumMembers() == 2; }));
}

// True when `fd` has something to read (or was closed) within `limit`.
bool Readable(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(limit.count())) > 0;
}

// A raw TLS client (certificate of our CA) talking to a node's listener. Every read is bounded.
class RawClient {
 public:
  RawClient(Pki& pki, uint16_t port) : ctx_(asio::ssl::context::tls_client) {
    ctx_.load_verify_file((pki.dir / "ca.pem").string());
    ctx_.use_certificate_chain_file((pki.dir / "node3.crt").string());
    ctx_.use_private_key_file((pki.dir / "node3.key").string(), asio::ssl::context::pem);
    // The session copies the context's certificate when created: only now.
    s_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io_, ctx_);
    s_->set_verify_mode(asio::ssl::verify_peer);
    s_->next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void Handshake() { s_->handshake(asio::ssl::stream_base::client); }
  void Write(const std::string& b) { asio::write(*s_, asio::buffer(b)); }
  // Reads until the peer closes: the bytes read, or "timeout" after `limit`.
  std::string ReadToClose(std::chrono::milliseconds limit = 5000ms) {
    std::string out;
    char buf[4096];
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (SSL_pending(s_->native_handle()) == 0 &&
          (left <= 0ms || !Readable(s_->next_layer().native_handle(), left))) {
        return "timeout";
      }
      boost::system::error_code ec;
      size_t n = s_->read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) return out;
    }
  }
  // Waits for the plain TCP connection to be closed by the peer (no TLS involved).
  bool TcpClosed(std::chrono::milliseconds limit) {
    if (!Readable(s_->next_layer().native_handle(), limit)) return false;
    char b;
    boost::system::error_code ec;
    size_t n = s_->next_layer().read_some(asio::buffer(&b, 1), ec);
    return n == 0 && ec;
  }

 private:
  asio::io_context io_;
  asio::ssl::context ctx_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> s_;
};

TEST_F(TlsNodes, OversizedOrMalformedFramesCloseTheConnection) {
  auto a = Add("a", pki_.Config("node1"));
  {
    // Control: a well-formed PACKET frame (a user message) is delivered and the connection
    // stays open for the next one.
    RawClient c(pki_, a->BoundPort());
    c.Handshake();
    TlsFrame f;
    f.kind = memberlist::kTlsFramePacket;
    f.from_addr = "127.0.0.1:1";
    f.msg = "\x08raw-user-message";
    c.Write(memberlist::EncodeTlsFrame(f));
    EXPECT_TRUE(WaitFor([&] { return delegates_[0]->Received("raw-user-message"); }));
    EXPECT_EQ(c.ReadToClose(300ms), "timeout");
  }
  {
    RawClient c(pki_, a->BoundPort());
    c.Handshake();
    c.Write(std::string("\xff\xff\xff\x7f", 4));  // 2 GiB announced: closed before allocating
    EXPECT_EQ(c.ReadToClose(), "");
  }
  {
    RawClient c(pki_, a->BoundPort());
    c.Handshake();
    TlsFrame f;
    std::string bad = memberlist::EncodeTlsFrame(f);
    bad[9] = '9';  // version v0.1.9
    c.Write(bad);
    EXPECT_EQ(c.ReadToClose(), "");
  }
  {
    // A PACKET frame whose sender address cannot be parsed.
    RawClient c(pki_, a->BoundPort());
    c.Handshake();
    TlsFrame f;
    f.kind = memberlist::kTlsFramePacket;
    f.from_addr = "not-an-address";
    f.msg = "x";
    c.Write(memberlist::EncodeTlsFrame(f));
    EXPECT_EQ(c.ReadToClose(), "");
  }
  EXPECT_EQ(a->NumMembers(), 1);
}

TEST_F(TlsNodes, SilentConnectionsAreDroppedAfterTheTcpTimeout) {
  auto a = Add("a", pki_.Config("node1"), 300ms);
  // No handshake at all.
  RawClient idle(pki_, a->BoundPort());
  // A frame that starts and never finishes.
  RawClient partial(pki_, a->BoundPort());
  partial.Handshake();
  partial.Write(std::string("\x20\x00\x00\x00\x0a", 5));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.TcpClosed(3s));
  EXPECT_EQ(partial.ReadToClose(), "");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 3s);
}

TEST_F(TlsNodes, StreamBytesInTheSameRecordAsTheStreamFrameAreKept) {
  // Go's reader would lose them; ours must not (a lenient receiver costs nothing).
  auto a = Add("a", pki_.Config("node1"));
  RawClient c(pki_, a->BoundPort());
  c.Handshake();
  memberlist::Ping ping;
  ping.seq_no = 77;
  ping.node = "a";
  TlsFrame f;
  c.Write(memberlist::EncodeTlsFrame(f) +
          memberlist::EncodeMessage(memberlist::MessageType::kPing, ping));
  std::string reply = c.ReadToClose();
  ASSERT_FALSE(reply.empty());
  // The ack (type 2), compressed (type 9) as memberlist sends stream replies.
  EXPECT_TRUE(reply[0] == 2 || reply[0] == 9) << Hex(reply);
}

// The value of an unlabelled sample in Prometheus text output, -1 when absent.
double Sample(const std::string& text, const std::string& name) {
  size_t pos = 0;
  while ((pos = text.find(name + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stod(text.substr(pos + name.size() + 1));
    pos += name.size();
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Through the Alertmanager layer (what --cluster.tls-config does)

TEST(TlsPeer, PeersWithTlsConfigJoinAndCountTransportMetrics) {
  Pki pki;
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { io.run(); });
  prometheus::Registry ra, rb;
  auto opts = [&](const std::string& node) {
    PeerOptions o;
    o.listen_address = "127.0.0.1:0";
    o.gossip_interval = 20ms;
    o.probe_interval = 100ms;
    o.probe_timeout = 50ms;
    o.pushpull_interval = 1s;
    o.tcp_timeout = 1s;
    o.settle_timeout = 3s;
    o.reconnect_interval = 300ms;
    o.tls_config = pki.Config(node);
    return o;
  };
  auto a = Peer::Create(io, opts("node1"), ra);
  a->Start();
  PeerOptions ob = opts("node2");
  ob.peers = {"127.0.0.1:" + std::to_string(a->BoundPort())};
  auto b = Peer::Create(io, ob, rb);
  b->Start();
  EXPECT_TRUE(WaitFor([&] { return a->ClusterSize() == 2 && b->ClusterSize() == 2; }));
  const std::string m = prometheus::TextSerializer().Serialize(rb.Collect());
  // b's join was a TLS stream.
  EXPECT_GE(Sample(m, "alertmanager_tls_transport_stream_connections_sent_total"), 1) << m;
  // a has received packets (pings, gossip) over TLS.
  EXPECT_TRUE(WaitFor([&] {
    return Sample(prometheus::TextSerializer().Serialize(ra.Collect()),
                  "alertmanager_tls_transport_packet_bytes_received_total") > 0;
  }));

  // A bad file fails Create with the file named.
  PeerOptions bad = opts("node3");
  bad.tls_config = pki.Write("bad.yml", "tls_server_config: {}\n");
  prometheus::Registry rc;
  try {
    Peer::Create(io, bad, rc);
    ADD_FAILURE() << "Create accepted a bad --cluster.tls-config";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yml"), std::string::npos) << e.what();
  }
  a.reset();
  b.reset();
  std::this_thread::sleep_for(50ms);
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace am::cluster
