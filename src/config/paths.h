// Internal to config/: the few Go library behaviours the config depends on — net.SplitHostPort,
// net/url parsing and redaction, textproto.CanonicalMIMEHeaderKey, filepath.Join/Clean/IsAbs.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace am::config::detail {

// net.SplitHostPort. Returns the error text ("address x: missing port in address") on failure.
std::optional<std::string> SplitHostPort(std::string_view hostport, std::string* host,
                                         std::string* port);
// net.JoinHostPort.
std::string JoinHostPort(std::string_view host, std::string_view port);

struct ParsedUrl {
  std::string scheme;
  std::string userinfo;  // without '@'
  bool has_password = false;
  std::string host;  // host[:port]
  std::string rest;  // path, query, fragment
};
// A subset of url.Parse sufficient for config URLs; error text on failure.
std::optional<std::string> ParseUrl(std::string_view s, ParsedUrl* out);
// Upstream's config URL check (amcommoncfg.ParseURL): parses, scheme http or https, a host.
// Error text as upstream: `unsupported scheme "ftp" for URL`, `missing host for URL`.
std::optional<std::string> CheckHttpUrl(std::string_view s);
// url.URL.Redacted(): the password replaced by "xxxxx".
std::string RedactUrl(std::string_view s);

// textproto.CanonicalMIMEHeaderKey.
std::string CanonicalMimeHeaderKey(std::string_view s);

// filepath.Clean / filepath.Join(dir, p) / common's JoinDir (keeps absolute and empty paths).
std::string CleanPath(std::string_view p);
std::string JoinDir(const std::string& dir, const std::string& p);

}  // namespace am::config::detail
