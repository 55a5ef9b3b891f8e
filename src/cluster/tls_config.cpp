#include "cluster/tls_config.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/ssl/context.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "core/log.h"

namespace am::cluster {

namespace ssl = boost::asio::ssl;
using memberlist::SslContextPtr;

namespace {

// ---------------------------------------------------------------------------------------------
// Strict YAML reading (yaml.v2's UnmarshalStrict rules for the types used here)

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void Fail(int line, const std::string& key, const std::string& msg) const {
    std::string where = path_;
    if (line > 0) where += ":" + std::to_string(line);
    throw std::runtime_error(where + ": " + (key.empty() ? "" : key + ": ") + msg);
  }

  static int Line(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

  static std::string Tag(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Map:
        return "!!map";
      case YAML::NodeType::Sequence:
        return "!!seq";
      case YAML::NodeType::Null:
        return "!!null";
      default:
        break;
    }
    if (n.Tag() == "!") return "!!str";
    const std::string& v = n.Scalar();
    if (ResolveBool(n)) return "!!bool";
    if (!v.empty() && v.find_first_not_of("+-0123456789") == std::string::npos) return "!!int";
    return "!!str";
  }

  // YAML 1.1 booleans, plain scalars only (as yaml.v2 resolves them).
  static std::optional<bool> ResolveBool(const YAML::Node& n) {
    if (!n.IsScalar() || n.Tag() == "!") return std::nullopt;
    static const std::set<std::string> t = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                            "True", "TRUE", "on",  "On",  "ON"};
    static const std::set<std::string> f = {"n",     "N",     "no",  "No",  "NO", "false",
                                            "False", "FALSE", "off", "Off", "OFF"};
    if (t.count(n.Scalar())) return true;
    if (f.count(n.Scalar())) return false;
    return std::nullopt;
  }

  static bool IsNull(const YAML::Node& n) {
    return !n.IsDefined() || n.IsNull() ||
           (n.IsScalar() && n.Tag() != "!" &&
            (n.Scalar() == "~" || n.Scalar() == "null" || n.Scalar() == "Null" ||
             n.Scalar() == "NULL" || n.Scalar().empty()));
  }

  std::string String(const YAML::Node& n, const std::string& key) const {
    if (IsNull(n)) return "";
    if (!n.IsScalar()) Fail(Line(n), key, "cannot unmarshal " + Tag(n) + " into string");
    return n.Scalar();
  }

  bool Bool(const YAML::Node& n, const std::string& key) const {
    if (IsNull(n)) return false;
    auto b = ResolveBool(n);
    if (!b) {
      Fail(Line(n), key,
           "cannot unmarshal " + Tag(n) + (n.IsScalar() ? " `" + n.Scalar() + "`" : "") +
               " into bool");
    }
    return *b;
  }

  std::vector<std::string> Strings(const YAML::Node& n, const std::string& key) const {
    std::vector<std::string> out;
    if (IsNull(n)) return out;
    if (!n.IsSequence()) {
      Fail(Line(n), key,
           "cannot unmarshal " + Tag(n) + (n.IsScalar() ? " `" + n.Scalar() + "`" : "") +
               " into []string");
    }
    for (size_t i = 0; i < n.size(); ++i) {
      out.push_back(String(n[i], key + "[" + std::to_string(i) + "]"));
    }
    return out;
  }

  // The entries of a mapping, in order; unknown and duplicate keys are errors. `type` is the Go
  // type named in yaml.v2's message.
  struct Entry {
    std::string name;
    int line;  // the key's
    YAML::Node value;
  };
  std::vector<Entry> Map(const YAML::Node& n, const std::string& key, const std::string& type,
                         const std::set<std::string>& known) const {
    std::vector<Entry> out;
    if (IsNull(n)) return out;
    if (!n.IsMap()) {
      Fail(Line(n), key,
           "cannot unmarshal " + Tag(n) + (n.IsScalar() ? " `" + n.Scalar() + "`" : "") + " into " +
               type);
    }
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      // Copies: yaml-cpp's iterator hands out a temporary pair.
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      std::string name = k.IsScalar() ? k.Scalar() : "";
      const std::string path = key.empty() ? name : key + "." + name;
      if (!known.count(name)) {
        Fail(Line(k), path, "unknown field (field " + name + " not found in type " + type + ")");
      }
      if (!seen.insert(name).second) {
        Fail(Line(k), path, "key \"" + name + "\" already set in map");
      }
      out.push_back(Entry{name, Line(k), v});
    }
    return out;
  }

 private:
  std::string path_;
};

std::string Dir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Go's config.JoinDir: relative paths are taken from the config file's directory.
std::string JoinDir(const std::string& dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return dir == "." ? p : dir + "/" + p;
}

// ---------------------------------------------------------------------------------------------
// Go names -> OpenSSL

const std::map<std::string, int>& TlsVersions() {
  static const std::map<std::string, int> v = {{"TLS10", TLS1_VERSION},
                                               {"TLS11", TLS1_1_VERSION},
                                               {"TLS12", TLS1_2_VERSION},
                                               {"TLS13", TLS1_3_VERSION}};
  return v;
}

// Go 1.19's tls.CipherSuites() (the list exporter-toolkit accepts). TLS 1.3 suites map to ""
// because Go does not let them be configured: listing them has no effect.
const std::map<std::string, std::string>& CipherSuites() {
  static const std::map<std::string, std::string> c = {
      {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
      {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
      {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
      {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
      {"TLS_AES_128_GCM_SHA256", ""},
      {"TLS_AES_256_GCM_SHA384", ""},
      {"TLS_CHACHA20_POLY1305_SHA256", ""},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
  };
  return c;
}

const std::map<std::string, std::string>& Curves() {
  static const std::map<std::string, std::string> c = {
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  return c;
}

// ---------------------------------------------------------------------------------------------
// Context building

struct BuildError : std::runtime_error {
  BuildError(std::string key, const std::string& msg)
      : std::runtime_error(msg), key(std::move(key)) {}
  std::string key;
};

std::string OpenSslError() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

bool ReadFile(const std::string& path, std::string* out, std::string* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::string m = std::strerror(errno);
    if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    *err = "open " + path + ": " + m;
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// Adds every certificate of a PEM bundle to `store`; the number added.
int AddPemCerts(X509_STORE* store, const std::string& pem, STACK_OF(X509_NAME) * names) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return 0;
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    if (names) {
      if (X509_NAME* n = X509_NAME_dup(X509_get_subject_name(cert))) sk_X509_NAME_push(names, n);
    }
    X509_free(cert);
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  BIO_free(bio);
  return added;
}

void UseKeyPair(ssl::context& ctx, const std::string& cert_file, const std::string& key_file,
                const std::string& key, const std::string& prefix) {
  std::string cert, pkey, err;
  if (!ReadFile(cert_file, &cert, &err)) throw BuildError(key + ".cert_file", prefix + err);
  if (!ReadFile(key_file, &pkey, &err)) throw BuildError(key + ".key_file", prefix + err);
  ERR_clear_error();
  boost::system::error_code ec;
  ctx.use_certificate_chain(boost::asio::buffer(cert), ec);
  if (ec) {
    throw BuildError(key + ".cert_file", prefix + "failed to find any PEM certificate in " +
                                             cert_file + ": " + ec.message());
  }
  BIO* bio = BIO_new_mem_buf(pkey.data(), static_cast<int>(pkey.size()));
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!k) {
    throw BuildError(key + ".key_file", prefix + "failed to find any PEM private key in " +
                                            key_file + ": " + OpenSslError());
  }
  const bool ok = SSL_CTX_use_PrivateKey(ctx.native_handle(), k) == 1 &&
                  SSL_CTX_check_private_key(ctx.native_handle()) == 1;
  EVP_PKEY_free(k);
  if (!ok) {
    ERR_clear_error();
    throw BuildError(key + ".key_file", prefix + "private key does not match public key");
  }
}

void SetVersions(SSL_CTX* ctx, const std::string& min, const std::string& max, int default_min) {
  int lo = min.empty() ? default_min : TlsVersions().at(min);
  if (lo != 0) SSL_CTX_set_min_proto_version(ctx, lo);
  if (!max.empty()) SSL_CTX_set_max_proto_version(ctx, TlsVersions().at(max));
}

// The certificate is accepted whatever its issuer (RequestClientCert, RequireAnyClientCert).
int AcceptAnyCert(int, X509_STORE_CTX*) { return 1; }

SslContextPtr BuildServer(const TlsServerConfig& c) {
  const std::string k = "tls_server_config";
  const std::string pre = "invalid TLS server config: ";
  if (c.cert_file.empty() && c.key_file.empty() && c.client_auth_type.empty() &&
      c.client_ca_file.empty()) {
    throw BuildError(k, pre + "TLS config is not present");
  }
  if (c.cert_file.empty()) throw BuildError(k + ".cert_file", pre + "missing cert_file");
  if (c.key_file.empty()) throw BuildError(k + ".key_file", pre + "missing key_file");

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* n = ctx->native_handle();
  SSL_CTX_set_options(n, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  // No session tickets: a client that closes without reading them would reset the connection
  // and could cost the peer data it had not read yet; resumption buys nothing here.
  SSL_CTX_set_num_tickets(n, 0);
  SSL_CTX_set_mode(n, SSL_MODE_RELEASE_BUFFERS);
  UseKeyPair(*ctx, c.cert_file, c.key_file, k, pre + "failed to load X509KeyPair: ");
  // Go's server default floor (TLS 1.0 in Go 1.19) is below OpenSSL's system default, which
  // then applies.
  SetVersions(n, c.min_version, c.max_version, 0);
  if (c.prefer_server_cipher_suites) SSL_CTX_set_options(n, SSL_OP_CIPHER_SERVER_PREFERENCE);

  std::string ciphers;
  for (const auto& name : c.cipher_suites) {
    const std::string& o = CipherSuites().at(name);
    if (o.empty()) continue;
    if (!ciphers.empty()) ciphers += ":";
    ciphers += o;
  }
  if (!c.cipher_suites.empty()) {
    if (ciphers.empty()) {
      throw BuildError(k + ".cipher_suites",
                       pre +
                           "only TLS 1.3 suites listed; they cannot be configured (as in Go), "
                           "list at least one TLS 1.2 suite or remove cipher_suites");
    }
    if (SSL_CTX_set_cipher_list(n, ciphers.c_str()) != 1) {
      throw BuildError(k + ".cipher_suites",
                       pre + "cipher suites not available: " + OpenSslError());
    }
  }
  if (!c.curve_preferences.empty()) {
    std::string groups;
    for (const auto& name : c.curve_preferences) {
      if (!groups.empty()) groups += ":";
      groups += Curves().at(name);
    }
    if (SSL_CTX_set1_groups_list(n, groups.c_str()) != 1) {
      throw BuildError(k + ".curve_preferences", pre + "curves not available: " + OpenSslError());
    }
  }

  if (!c.client_ca_file.empty()) {
    std::string pem, err;
    if (!ReadFile(c.client_ca_file, &pem, &err)) throw BuildError(k + ".client_ca_file", pre + err);
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    if (AddPemCerts(SSL_CTX_get_cert_store(n), pem, names) == 0) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      // Go silently ends up with an empty pool that refuses every client: say so at start.
      throw BuildError(k + ".client_ca_file",
                       pre + "no PEM certificate found in " + c.client_ca_file);
    }
    SSL_CTX_set_client_CA_list(n, names);  // takes ownership
  }

  const std::string& a = c.client_auth_type;
  int mode = SSL_VERIFY_NONE;
  bool any = false;
  if (a == "RequestClientCert") {
    mode = SSL_VERIFY_PEER;
    any = true;
  } else if (a == "RequireAnyClientCert" || a == "RequireClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    any = true;
  } else if (a == "VerifyClientCertIfGiven") {
    mode = SSL_VERIFY_PEER;
  } else if (a == "RequireAndVerifyClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  } else if (!a.empty() && a != "NoClientCert") {
    throw BuildError(k + ".client_auth_type", pre + "Invalid ClientAuth: " + a);
  }
  if (!c.client_ca_file.empty() && mode == SSL_VERIFY_NONE) {
    throw BuildError(k + ".client_ca_file",
                     pre + "Client CA's have been configured without a Client Auth Policy");
  }
  // Without client_ca_file Go verifies client certificates against the system roots.
  if (mode != SSL_VERIFY_NONE && !any && c.client_ca_file.empty()) {
    SSL_CTX_set_default_verify_paths(n);
  }
  SSL_CTX_set_verify(n, mode, any ? AcceptAnyCert : nullptr);
  return ctx;
}

SslContextPtr BuildClient(const TlsClientConfig& c) {
  const std::string k = "tls_client_config";
  const std::string pre = "invalid TLS client config: ";
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* n = ctx->native_handle();
  SSL_CTX_set_options(n, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(n, SSL_MODE_RELEASE_BUFFERS);
  if (!c.min_version.empty() && !c.max_version.empty() &&
      TlsVersions().at(c.max_version) < TlsVersions().at(c.min_version)) {
    throw BuildError(k + ".max_version",
                     pre +
                         "tls_config.max_version must be greater than or equal to "
                         "tls_config.min_version if both are specified");
  }
  // Go's client floor is TLS 1.2.
  SetVersions(n, c.min_version, c.max_version, TLS1_2_VERSION);

  if (!c.ca_file.empty()) {
    std::string pem, err;
    if (!ReadFile(c.ca_file, &pem, &err)) {
      throw BuildError(k + ".ca_file",
                       pre + "unable to load specified CA cert " + c.ca_file + ": " + err);
    }
    // A configured CA replaces the system roots, as tls.Config.RootCAs does.
    if (AddPemCerts(SSL_CTX_get_cert_store(n), pem, nullptr) == 0) {
      throw BuildError(k + ".ca_file", pre + "unable to use specified CA cert " + c.ca_file);
    }
  } else {
    SSL_CTX_set_default_verify_paths(n);
  }
  if (!c.cert_file.empty() && c.key_file.empty()) {
    throw BuildError(k + ".cert_file", pre + "client cert file \"" + c.cert_file +
                                           "\" specified without client key file");
  }
  if (!c.key_file.empty() && c.cert_file.empty()) {
    throw BuildError(k + ".key_file", pre + "client key file \"" + c.key_file +
                                          "\" specified without client cert file");
  }
  if (!c.cert_file.empty()) {
    UseKeyPair(*ctx, c.cert_file, c.key_file, k,
               pre + "unable to use specified client cert (" + c.cert_file + ") & key (" +
                   c.key_file + "): ");
  }
  ctx->set_verify_mode(c.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
  return ctx;
}

// Identity of a file's current content, to notice rotation.
std::string Stamp(const std::vector<std::string>& files) {
  std::string s;
  for (const auto& f : files) {
    if (f.empty()) continue;
    struct stat st {};
    if (stat(f.c_str(), &st) != 0) {
      s += f + ":missing;";
      continue;
    }
    s += f + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ";";
  }
  return s;
}

// Hands out the current context, rebuilding it (at most once a second) when one of its files
// changed; a rebuild that fails (say, a half-written file) keeps the previous context.
class ContextSource {
 public:
  ContextSource(std::function<SslContextPtr()> build, std::vector<std::string> files,
                std::string what)
      : build_(std::move(build)), files_(std::move(files)), what_(std::move(what)) {
    stamp_ = Stamp(files_);
    ctx_ = build_();
    checked_ = std::chrono::steady_clock::now();
  }

  SslContextPtr Get() {
    std::lock_guard<std::mutex> l(mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - checked_ < std::chrono::seconds(1)) return ctx_;
    checked_ = now;
    std::string st = Stamp(files_);
    if (st == stamp_) return ctx_;
    try {
      ctx_ = build_();
      stamp_ = st;
      AM_LOG(kInfo, "cluster", "reloaded TLS " + what_ + " certificates");
    } catch (const std::exception& e) {
      AM_LOG(kWarn, "cluster", "failed to reload TLS " + what_ + " certificates, keeping the old",
             {{"err", e.what()}});
    }
    return ctx_;
  }

 private:
  std::function<SslContextPtr()> build_;
  std::vector<std::string> files_;
  std::string what_;
  std::mutex mu_;
  std::string stamp_;
  SslContextPtr ctx_;
  std::chrono::steady_clock::time_point checked_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

TlsTransportConfig ParseTlsTransportConfig(const std::string& yaml, const std::string& path) {
  Reader r(path);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    r.Fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "yaml: " + e.msg);
  }
  TlsTransportConfig cfg;
  cfg.path = path;
  const std::string dir = Dir(path);
  bool have_server = false, have_client = false;
  auto top =
      r.Map(root, "", "cluster.TLSTransportConfig", {"tls_server_config", "tls_client_config"});
  for (auto& [key, key_line, node] : top) {
    cfg.lines[key] = key_line;
    if (key == "tls_server_config") {
      have_server = !Reader::IsNull(node);
      auto& s = cfg.server;
      for (auto& [k, line, v] :
           r.Map(node, key, "web.TLSConfig",
                 {"cert_file", "key_file", "client_auth_type", "client_ca_file", "cipher_suites",
                  "curve_preferences", "min_version", "max_version",
                  "prefer_server_cipher_suites"})) {
        const std::string p = key + "." + k;
        cfg.lines[p] = line;
        if (k == "cert_file") s.cert_file = r.String(v, p);
        if (k == "key_file") s.key_file = r.String(v, p);
        if (k == "client_auth_type") s.client_auth_type = r.String(v, p);
        if (k == "client_ca_file") s.client_ca_file = r.String(v, p);
        if (k == "cipher_suites") {
          s.cipher_suites = r.Strings(v, p);
          for (const auto& c : s.cipher_suites) {
            if (!CipherSuites().count(c)) r.Fail(Reader::Line(v), p, "unknown cipher: " + c);
          }
        }
        if (k == "curve_preferences") {
          s.curve_preferences = r.Strings(v, p);
          for (const auto& c : s.curve_preferences) {
            if (!Curves().count(c)) r.Fail(Reader::Line(v), p, "unknown curve: " + c);
          }
        }
        if (k == "min_version" || k == "max_version") {
          std::string ver = r.String(v, p);
          if (!TlsVersions().count(ver)) r.Fail(Reader::Line(v), p, "unknown TLS version: " + ver);
          (k == "min_version" ? s.min_version : s.max_version) = ver;
        }
        if (k == "prefer_server_cipher_suites") s.prefer_server_cipher_suites = r.Bool(v, p);
      }
      s.cert_file = JoinDir(dir, s.cert_file);
      s.key_file = JoinDir(dir, s.key_file);
      s.client_ca_file = JoinDir(dir, s.client_ca_file);
    } else {
      have_client = !Reader::IsNull(node);
      auto& c = cfg.client;
      for (auto& [k, line, v] : r.Map(node, key, "config.plain",
                                      {"ca_file", "cert_file", "key_file", "server_name",
                                       "insecure_skip_verify", "min_version", "max_version"})) {
        const std::string p = key + "." + k;
        cfg.lines[p] = line;
        if (k == "ca_file") c.ca_file = r.String(v, p);
        if (k == "cert_file") c.cert_file = r.String(v, p);
        if (k == "key_file") c.key_file = r.String(v, p);
        if (k == "server_name") c.server_name = r.String(v, p);
        if (k == "insecure_skip_verify") c.insecure_skip_verify = r.Bool(v, p);
        if (k == "min_version" || k == "max_version") {
          std::string ver = r.String(v, p);
          if (!TlsVersions().count(ver)) r.Fail(Reader::Line(v), p, "unknown TLS version: " + ver);
          (k == "min_version" ? c.min_version : c.max_version) = ver;
        }
      }
      c.ca_file = JoinDir(dir, c.ca_file);
      c.cert_file = JoinDir(dir, c.cert_file);
      c.key_file = JoinDir(dir, c.key_file);
    }
  }
  // Upstream dereferences both sections without a check (and crashes without them).
  if (!have_server) r.Fail(0, "tls_server_config", "required section is missing or empty");
  if (!have_client) r.Fail(0, "tls_client_config", "required section is missing or empty");
  return cfg;
}

TlsTransportConfig LoadTlsTransportConfig(const std::string& path) {
  std::string text, err;
  if (!ReadFile(path, &text, &err)) throw std::runtime_error(err);
  return ParseTlsTransportConfig(text, path);
}

memberlist::TlsOptions MakeTlsOptions(const TlsTransportConfig& cfg) {
  auto fail = [&cfg](const BuildError& e) -> std::runtime_error {
    std::string where = cfg.path;
    // The key's own line, else its section's.
    std::string k = e.key;
    for (;;) {
      auto it = cfg.lines.find(k);
      if (it != cfg.lines.end() && it->second > 0) {
        where += ":" + std::to_string(it->second);
        break;
      }
      auto dot = k.rfind('.');
      if (dot == std::string::npos) break;
      k = k.substr(0, dot);
    }
    return std::runtime_error(where + ": " + e.key + ": " + e.what());
  };
  const TlsServerConfig server = cfg.server;
  const TlsClientConfig client = cfg.client;
  memberlist::TlsOptions o;
  try {
    auto s = std::make_shared<ContextSource>(
        [server] { return BuildServer(server); },
        std::vector<std::string>{server.cert_file, server.key_file, server.client_ca_file},
        "server");
    auto c = std::make_shared<ContextSource>(
        [client] { return BuildClient(client); },
        std::vector<std::string>{client.ca_file, client.cert_file, client.key_file}, "client");
    o.server_context = [s] { return s->Get(); };
    o.client_context = [c] { return c->Get(); };
  } catch (const BuildError& e) {
    throw fail(e);
  }
  o.server_name = cfg.client.server_name;
  o.insecure_skip_verify = cfg.client.insecure_skip_verify;
  return o;
}

}  // namespace am::cluster
