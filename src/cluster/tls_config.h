// The --cluster.tls-config file (Alertmanager 0.25's cluster.TLSTransportConfig):
//   tls_server_config:  exporter-toolkit's web.TLSConfig (cert_file, key_file, client_auth_type,
//                       client_ca_file, cipher_suites, curve_preferences, min_version,
//                       max_version, prefer_server_cipher_suites)
//   tls_client_config:  prometheus/common's config.TLSConfig (ca_file, cert_file, key_file,
//                       server_name, insecure_skip_verify, min_version, max_version)
// Read strictly like yaml.v2's UnmarshalStrict (unknown or duplicate keys and type mismatches are
// errors); relative paths are taken from the file's directory. Both sections are required
// (upstream dereferences them unchecked). Every error names the file, the line and the key:
// "<file>:<line>: tls_server_config.cert_file: ...".
// MakeTlsOptions turns a config into the memberlist TLS transport's options: OpenSSL contexts
// that enforce each key as Go's crypto/tls would, rebuilt when a certificate, key or CA file
// changes on disk (upstream re-reads certificates and keys on each handshake).
// Thread-safety: pure functions; the returned options are thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cluster/memberlist/tls_stream.h"

namespace am::cluster {

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_auth_type;  // "", NoClientCert, RequestClientCert, RequireAnyClientCert,
                                 // RequireClientCert, VerifyClientCertIfGiven,
                                 // RequireAndVerifyClientCert
  std::string client_ca_file;
  std::vector<std::string> cipher_suites;      // Go names (tls.CipherSuites())
  std::vector<std::string> curve_preferences;  // CurveP256, CurveP384, CurveP521, X25519
  std::string min_version;                     // "", TLS10, TLS11, TLS12, TLS13
  std::string max_version;
  bool prefer_server_cipher_suites = false;
};

struct TlsClientConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version;
  std::string max_version;
};

struct TlsTransportConfig {
  std::string path;  // the file it was read from
  TlsServerConfig server;
  TlsClientConfig client;
  // Line of each key that was set ("tls_server_config.cert_file" -> 3), for error messages.
  std::map<std::string, int> lines;
};

// Reads and checks the file's structure. Throws std::runtime_error naming file, line and key.
TlsTransportConfig LoadTlsTransportConfig(const std::string& path);
// The same from text (`path` is used for messages and relative paths only).
TlsTransportConfig ParseTlsTransportConfig(const std::string& yaml, const std::string& path);

// Loads certificates, keys and CAs and builds both contexts now, so every problem shows at
// start. Throws std::runtime_error naming the file and key ("invalid TLS server config: ...").
memberlist::TlsOptions MakeTlsOptions(const TlsTransportConfig& cfg);

}  // namespace am::cluster
