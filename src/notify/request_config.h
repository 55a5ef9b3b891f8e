// Turns an integration's http_config (prometheus/common HTTPClientConfig) into the options of one
// outbound request, with common's semantics: basic_auth (password trimmed of surrounding space,
// from password_file when set), authorization `<type> <credentials>` (credentials_file read and
// trimmed), http_headers, tls_config, the proxy chosen for this URL (proxy.h), redirects and
// HTTP/2. Secret files are read at every request, as upstream's round trippers do, so rotated
// credentials apply without a reload. Pure apart from reading those files; thread-safe.
#pragma once

#include <stdexcept>
#include <string>

#include "config/http_config.h"
#include "notify/http_client.h"

namespace am::notify {

// Throws std::runtime_error (e.g. "unable to read basic auth password file <f>: <why>") when a
// file cannot be read.
HttpRequest RequestFromHttpConfig(const config::HttpClientConfig& cfg, const std::string& url);

// The file's content; throws std::runtime_error("<what> <file>: <strerror>").
std::string ReadSecretFile(const std::string& path, const std::string& what);

// strings.TrimSpace.
std::string TrimSpace(std::string_view s);

}  // namespace am::notify
