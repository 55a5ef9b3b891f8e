#include "notify/proxy.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

namespace am::notify {
namespace {

using Ip = std::array<unsigned char, 16>;  // IPv4 as v4-mapped IPv6, as Go's net.IP

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                        s.front() == '\r' || s.front() == '\v' || s.front() == '\f')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r' || s.back() == '\v' || s.back() == '\f')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<Ip> ParseIp(std::string_view s) {
  const std::string str(s);
  Ip ip{};
  in_addr v4{};
  if (inet_pton(AF_INET, str.c_str(), &v4) == 1) {
    ip[10] = ip[11] = 0xff;
    std::memcpy(ip.data() + 12, &v4, 4);
    return ip;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, str.c_str(), &v6) == 1) {
    std::memcpy(ip.data(), &v6, 16);
    return ip;
  }
  return std::nullopt;
}

bool IsV4(const Ip& ip) {
  for (int i = 0; i < 10; ++i) {
    if (ip[i] != 0) return false;
  }
  return ip[10] == 0xff && ip[11] == 0xff;
}

bool IsLoopback(const Ip& ip) {
  if (IsV4(ip)) return ip[12] == 127;
  Ip lo{};
  lo[15] = 1;
  return ip == lo;
}

struct Cidr {
  Ip net{};
  int bits = 0;  // over the 16-byte form
  bool v4 = false;
};

std::optional<Cidr> ParseCidr(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = ParseIp(s.substr(0, slash));
  if (!ip) return std::nullopt;
  const std::string_view len = s.substr(slash + 1);
  if (len.empty() || len.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  const bool v4 = s.substr(0, slash).find(':') == std::string_view::npos;
  if ((v4 && n > 32) || n > 128) return std::nullopt;
  Cidr c;
  c.v4 = v4;
  c.bits = v4 ? n + 96 : n;
  c.net = *ip;
  return c;
}

bool CidrContains(const Cidr& c, const Ip& ip) {
  if (c.v4 && !IsV4(ip)) return false;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::min(8, std::max(0, c.bits - 8 * i));
    const unsigned char mask = bits == 0 ? 0 : static_cast<unsigned char>(0xff << (8 - bits));
    if ((ip[i] & mask) != (c.net[i] & mask)) return false;
  }
  return true;
}

// net.SplitHostPort: "host:port", "[v6]:port"; false when there is no port.
bool SplitHostPort(std::string_view s, std::string* host, std::string* port) {
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return false;
    }
    *host = std::string(s.substr(1, close - 1));
    *port = std::string(s.substr(close + 2));
    return true;
  }
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  if (s.substr(0, colon).find(':') != std::string_view::npos) return false;  // too many colons
  *host = std::string(s.substr(0, colon));
  *port = std::string(s.substr(colon + 1));
  return true;
}

struct NoProxy {
  bool all = false;
  std::vector<Cidr> cidrs;
  std::vector<std::pair<Ip, std::string>> ips;  // ip, port ("" = any)
  struct Domain {
    std::string host;  // starts with "."
    std::string port;
    bool match_host;
  };
  std::vector<Domain> domains;
};

NoProxy ParseNoProxy(std::string_view list) {
  NoProxy np;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string p = Lower(Trim(list.substr(start, comma - start)));
    start = comma + 1;
    if (p.empty()) continue;
    if (p == "*") {
      np.all = true;
      return np;
    }
    if (auto c = ParseCidr(p)) {
      np.cidrs.push_back(*c);
      continue;
    }
    std::string phost;
    std::string pport;
    if (SplitHostPort(p, &phost, &pport)) {
      if (phost.empty()) continue;
    } else {
      phost = p;
      pport.clear();
    }
    if (auto ip = ParseIp(phost)) {
      np.ips.emplace_back(*ip, pport);
      continue;
    }
    if (phost.empty()) continue;
    if (phost.rfind("*.", 0) == 0) phost = phost.substr(1);
    bool match_host = false;
    if (phost[0] != '.') {
      match_host = true;
      phost = "." + phost;
    }
    np.domains.push_back({phost, pport, match_host});
  }
  return np;
}

bool UseProxy(const NoProxy& np, const std::string& host_in, const std::string& port) {
  if (host_in == "localhost") return false;
  const auto ip = ParseIp(host_in);
  if (ip && IsLoopback(*ip)) return false;
  const std::string host = Lower(Trim(host_in));
  if (np.all) return false;
  if (ip) {
    for (const Cidr& c : np.cidrs) {
      if (CidrContains(c, *ip)) return false;
    }
    for (const auto& [mip, mport] : np.ips) {
      if (mip == *ip && (mport.empty() || mport == port)) return false;
    }
  }
  for (const auto& d : np.domains) {
    const bool suffix = host.size() >= d.host.size() &&
                        host.compare(host.size() - d.host.size(), d.host.size(), d.host) == 0;
    if (suffix || (d.match_host && host == d.host.substr(1))) {
      if (d.port.empty() || d.port == port) return false;
    }
  }
  return true;
}

std::string NormalizeProxy(std::string_view proxy) {
  if (proxy.empty()) return "";
  const size_t sep = proxy.find("://");
  if (sep != std::string_view::npos) {
    const std::string scheme = Lower(proxy.substr(0, sep));
    if (scheme == "http" || scheme == "https" || scheme == "socks5") return std::string(proxy);
  }
  return "http://" + std::string(proxy);
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string GetenvAny(const char* a, const char* b) {
  std::string v = Getenv(a);
  return v.empty() ? Getenv(b) : v;
}

}  // namespace

std::string ProxyForUrl(const ProxyRules& rules, std::string_view url) {
  CURLU* u = curl_url();
  if (!u) return "";
  std::string scheme;
  std::string host;
  std::string port;
  char* part = nullptr;
  const std::string url_str(url);
  if (curl_url_set(u, CURLUPART_URL, url_str.c_str(), 0) == CURLUE_OK) {
    if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) scheme = Lower(part);
    curl_free(part);
    part = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) host = part;
    curl_free(part);
    part = nullptr;
    if (curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) port = part;
    curl_free(part);
  }
  curl_url_cleanup(u);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string proxy;
  if (scheme == "https") {
    proxy = NormalizeProxy(rules.https_proxy);
  } else if (scheme == "http") {
    proxy = NormalizeProxy(rules.http_proxy);
  }
  if (proxy.empty()) return "";
  if (host.empty() || port.empty()) return proxy;
  return UseProxy(ParseNoProxy(rules.no_proxy), host, port) ? proxy : "";
}

ProxyRules ProxyRulesFromEnvironment() {
  ProxyRules r;
  r.http_proxy = GetenvAny("HTTP_PROXY", "http_proxy");
  r.https_proxy = GetenvAny("HTTPS_PROXY", "https_proxy");
  r.no_proxy = GetenvAny("NO_PROXY", "no_proxy");
  // Go refuses HTTP_PROXY under CGI (REQUEST_METHOD set); a daemon never runs as CGI, but keep
  // the rule so the environment means the same to both.
  if (!Getenv("REQUEST_METHOD").empty()) r.http_proxy.clear();
  return r;
}

const ProxyRules& EnvironmentProxyRules() {
  static const ProxyRules kRules = ProxyRulesFromEnvironment();
  return kRules;
}

}  // namespace am::notify
