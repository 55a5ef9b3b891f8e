// HTTP client configuration of an integration (prometheus/common config.HTTPClientConfig, the keys
// of common up to the version Alertmanager 0.34 uses) and the TLS block shared with email.
// Relative file paths are already joined with the config file's directory, as upstream's
// SetDirectory does. `bearer_token(_file)` is folded into `authorization` (type Bearer) exactly as
// upstream's Validate does, so consumers only look at `authorization`. `oauth2` is parsed and
// refused at load time (not implemented yet). Plain value types; immutable once in a Config.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/secret.h"

namespace am::config {

struct TlsConfig {
  std::string ca;    // inline PEM
  std::string cert;  // inline PEM
  Secret key;        // inline PEM
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version;  // "", "TLS10", "TLS11", "TLS12", "TLS13"
  std::string max_version;

  // True when nothing is set (upstream omits such a block when printing).
  bool IsZero() const { return *this == TlsConfig{}; }
  bool operator==(const TlsConfig&) const = default;
};

struct BasicAuth {
  std::string username;
  std::string username_file;
  Secret password;
  std::string password_file;
  bool operator==(const BasicAuth&) const = default;
};

struct Authorization {
  std::string type = "Bearer";  // trimmed; never "basic" (upstream refuses it)
  Secret credentials;
  std::string credentials_file;
  bool operator==(const Authorization&) const = default;
};

// One `http_headers` entry: every value, secret and file content is sent.
struct HttpHeader {
  std::vector<std::string> values;
  std::vector<Secret> secrets;
  std::vector<std::string> files;
  bool operator==(const HttpHeader&) const = default;
};

struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  std::string proxy_url;  // as written ("" = none); printed with the password redacted
  std::string no_proxy;
  bool proxy_from_environment = false;
  // Sorted by header name, as Go prints maps.
  std::vector<std::pair<std::string, std::vector<Secret>>> proxy_connect_header;
  TlsConfig tls_config;
  bool follow_redirects = true;
  bool enable_http2 = true;
  std::vector<std::pair<std::string, HttpHeader>> http_headers;  // sorted by name

  bool operator==(const HttpClientConfig&) const = default;
};

}  // namespace am::config
