// Proxy selection with Go's semantics (prometheus/common ProxyConfig.Proxy over
// golang.org/x/net/http/httpproxy), because curl's own environment handling differs (it ignores
// upper-case HTTP_PROXY, honours ALL_PROXY, and proxies loopback):
//  - proxy_url without no_proxy: every request goes through it, loopback included;
//  - proxy_url with no_proxy: httpproxy rules with proxy_url for both schemes;
//  - proxy_from_environment: HTTP_PROXY/http_proxy, HTTPS_PROXY/https_proxy, NO_PROXY/no_proxy
//    (upper case first), read once per process as Go does.
// httpproxy rules: "localhost" and loopback IPs never use a proxy; NO_PROXY entries are "*",
// CIDRs, IPs (optional port), and domains (".d" or "*.d" match subdomains only, "d" matches d
// and its subdomains; optional port). Pure functions apart from the cached environment;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace am::notify {

struct ProxyRules {
  std::string http_proxy;   // for http:// URLs ("" = direct)
  std::string https_proxy;  // for https:// URLs
  std::string no_proxy;
};

// The proxy for `url` under httpproxy rules, or "" for a direct connection. Proxy values
// without a scheme get "http://" as Go's parseProxy does.
std::string ProxyForUrl(const ProxyRules& rules, std::string_view url);

// The environment's rules (cached after the first call, as Go's envProxyFunc).
const ProxyRules& EnvironmentProxyRules();

// Reads the environment now (tests).
ProxyRules ProxyRulesFromEnvironment();

}  // namespace am::notify
