// TLS for the SMTP client: an OpenSSL context built from an email integration's tls_config the
// way prometheus/common's NewTLSConfig builds Go's tls.Config (a configured CA replaces the
// system roots; client certificate and key; minimum TLS 1.2 unless min_version says otherwise;
// insecure_skip_verify), and the per-connection settings Go's tls.Client applies (SNI for host
// names, certificate checked against server_name, or the smarthost's host when unset, as a DNS
// name or an IP address).
// Contexts are immutable once built and may be shared by connections on any thread.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "config/http_config.h"

namespace am::notify {

// Throws std::runtime_error with common's wording ("unable to load specified CA cert <file>:
// ...", "unable to use specified CA cert <file>", "unable to use specified client cert (...) &
// key (...): ...") when the CA, certificate or key cannot be read or used.
std::shared_ptr<boost::asio::ssl::context> MakeSmtpTlsContext(const config::TlsConfig& cfg);

// Applies SNI and peer-name verification to one connection. `server_name` is tls_config's
// server_name, else the smarthost's host. Returns false when OpenSSL refuses the name.
bool ConfigureSmtpTlsConnection(SSL* ssl, const config::TlsConfig& cfg,
                                const std::string& server_name);

}  // namespace am::notify
