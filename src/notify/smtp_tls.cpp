#include "notify/smtp_tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace am::notify {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool ReadWholeFile(const std::string& path, std::string* out, std::string* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *err = "open " + path + ": " + Lower(std::strerror(errno));
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

int ProtoVersion(const std::string& v) {
  if (v == "TLS10") return TLS1_VERSION;
  if (v == "TLS11") return TLS1_1_VERSION;
  if (v == "TLS12") return TLS1_2_VERSION;
  if (v == "TLS13") return TLS1_3_VERSION;
  return 0;
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Adds every certificate of a PEM bundle to the context's store; false if there is none.
bool AddCaPem(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  BIO_free(bio);
  return added > 0;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> MakeSmtpTlsContext(const config::TlsConfig& cfg) {
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION);

  // Go's client default floor is TLS 1.2.
  const int min = cfg.min_version.empty() ? TLS1_2_VERSION : ProtoVersion(cfg.min_version);
  if (min == 0) throw std::runtime_error("unknown TLS version: " + cfg.min_version);
  SSL_CTX_set_min_proto_version(native, min);
  if (!cfg.max_version.empty()) {
    const int max = ProtoVersion(cfg.max_version);
    if (max == 0) throw std::runtime_error("unknown TLS version: " + cfg.max_version);
    SSL_CTX_set_max_proto_version(native, max);
  }

  if (!cfg.ca.empty() || !cfg.ca_file.empty()) {
    std::string pem = cfg.ca, err;
    if (pem.empty() && !ReadWholeFile(cfg.ca_file, &pem, &err)) {
      throw std::runtime_error("unable to load specified CA cert " + cfg.ca_file + ": " + err);
    }
    // A configured CA replaces the system roots, as tls.Config.RootCAs does.
    if (!AddCaPem(native, pem)) {
      throw std::runtime_error("unable to use specified CA cert " + cfg.ca_file);
    }
  } else {
    SSL_CTX_set_default_verify_paths(native);
  }

  const bool has_cert = !cfg.cert.empty() || !cfg.cert_file.empty();
  const bool has_key = !cfg.key.empty() || !cfg.key_file.empty();
  if (has_cert != has_key) {
    throw std::runtime_error(has_cert ? "client cert specified without client key"
                                      : "client key specified without client cert");
  }
  if (has_cert) {
    std::string cert = cfg.cert, key = cfg.key.value, err;
    const std::string what =
        "(" + cfg.cert_file + ") & key (" + cfg.key_file + ")";  // common's wording
    if ((cert.empty() && !ReadWholeFile(cfg.cert_file, &cert, &err)) ||
        (key.empty() && !ReadWholeFile(cfg.key_file, &key, &err))) {
      throw std::runtime_error("unable to read specified client cert " + what + ": " + err);
    }
    boost::system::error_code ec;
    ctx->use_certificate_chain(boost::asio::buffer(cert), ec);
    if (!ec) ctx->use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem, ec);
    if (ec) {
      throw std::runtime_error("unable to use specified client cert " + what + ": " + ec.message());
    }
  }

  ctx->set_verify_mode(cfg.insecure_skip_verify ? boost::asio::ssl::verify_none
                                                : boost::asio::ssl::verify_peer);
  return ctx;
}

bool ConfigureSmtpTlsConnection(SSL* ssl, const config::TlsConfig& cfg,
                                const std::string& server_name) {
  const bool ip = IsIpAddress(server_name);
  // Go sends SNI only for host names.
  if (!ip && !server_name.empty() && SSL_set_tlsext_host_name(ssl, server_name.c_str()) != 1) {
    OpenSslError();
    return false;
  }
  if (cfg.insecure_skip_verify) return true;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str()) != 1) {
      OpenSslError();
      return false;
    }
    return true;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, server_name.c_str()) != 1) {
    OpenSslError();
    return false;
  }
  return true;
}

}  // namespace am::notify
