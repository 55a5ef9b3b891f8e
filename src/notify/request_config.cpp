#include "notify/request_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "notify/proxy.h"

namespace am::notify {
namespace {

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

}  // namespace

std::string TrimSpace(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e) {
    char32_t r = 0;
    const size_t w = DecodeRuneAt(s, b, &r);
    if (!IsGoSpace(r)) break;
    b += w;
  }
  while (e > b) {
    // Walk back to the start of the last rune.
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    char32_t r = 0;
    DecodeRuneAt(s, start, &r);
    if (!IsGoSpace(r)) break;
    e = start;
  }
  return std::string(s.substr(b, e - b));
}

std::string ReadSecretFile(const std::string& path, const std::string& what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

HttpRequest RequestFromHttpConfig(const config::HttpClientConfig& cfg, const std::string& url) {
  HttpRequest req;
  req.url = url;
  if (cfg.basic_auth) {
    const config::BasicAuth& ba = *cfg.basic_auth;
    std::string user = ba.username;
    if (!ba.username_file.empty()) {
      user = TrimSpace(ReadSecretFile(ba.username_file, "unable to read basic auth username file"));
    }
    std::string pass;
    if (!ba.password_file.empty()) {
      pass = TrimSpace(ReadSecretFile(ba.password_file, "unable to read basic auth password file"));
    } else {
      pass = TrimSpace(ba.password.value);
    }
    req.headers.emplace_back("Authorization", "Basic " + Base64(user + ":" + pass));
  } else if (cfg.authorization) {
    const config::Authorization& a = *cfg.authorization;
    if (!a.credentials.empty()) {
      req.headers.emplace_back("Authorization", a.type + " " + a.credentials.value);
    } else if (!a.credentials_file.empty()) {
      req.headers.emplace_back(
          "Authorization",
          a.type + " " +
              TrimSpace(ReadSecretFile(a.credentials_file,
                                       "unable to read authorization credentials file")));
    }
  }
  for (const auto& [name, h] : cfg.http_headers) {
    for (const auto& v : h.values) req.headers.emplace_back(name, v);
    for (const auto& s : h.secrets) req.headers.emplace_back(name, s.value);
    for (const auto& file : h.files) {
      req.headers.emplace_back(name, TrimSpace(ReadSecretFile(file, "unable to read header file")));
    }
  }

  if (cfg.proxy_from_environment) {
    req.proxy = ProxyForUrl(EnvironmentProxyRules(), url);
  } else if (!cfg.proxy_url.empty()) {
    if (cfg.no_proxy.empty()) {
      req.proxy = cfg.proxy_url;
    } else {
      req.proxy = ProxyForUrl({cfg.proxy_url, cfg.proxy_url, cfg.no_proxy}, url);
    }
  }
  if (!req.proxy.empty()) {
    for (const auto& [name, secrets] : cfg.proxy_connect_header) {
      for (const auto& s : secrets) req.proxy_connect_headers.emplace_back(name, s.value);
    }
  }

  const config::TlsConfig& tls = cfg.tls_config;
  req.tls.ca_pem = tls.ca;
  req.tls.ca_file = tls.ca_file;
  req.tls.cert_pem = tls.cert;
  req.tls.cert_file = tls.cert_file;
  req.tls.key_pem = tls.key.value;
  req.tls.key_file = tls.key_file;
  req.tls.server_name = tls.server_name;
  req.tls.insecure_skip_verify = tls.insecure_skip_verify;
  if (!tls.min_version.empty()) req.tls.min_version = tls.min_version;
  req.tls.max_version = tls.max_version;
  req.follow_redirects = cfg.follow_redirects;
  req.enable_http2 = cfg.enable_http2;
  return req;
}

}  // namespace am::notify
