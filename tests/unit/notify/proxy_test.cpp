#include "notify/proxy.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace am::notify {
namespace {

const ProxyRules kBoth{"http://proxy:3128", "http://sproxy:3129", ""};

TEST(ProxyForUrl, SchemeSelectsTheProxy) {
  EXPECT_EQ(ProxyForUrl(kBoth, "http://example.com/x"), "http://proxy:3128");
  EXPECT_EQ(ProxyForUrl(kBoth, "https://example.com/x"), "http://sproxy:3129");
  EXPECT_EQ(ProxyForUrl({"http://p:1", "", ""}, "https://example.com"), "");
}

TEST(ProxyForUrl, LocalhostAndLoopbackNeverProxied) {
  EXPECT_EQ(ProxyForUrl(kBoth, "http://localhost:9093/"), "");
  EXPECT_EQ(ProxyForUrl(kBoth, "http://127.0.0.1:9093/"), "");
  EXPECT_EQ(ProxyForUrl(kBoth, "http://127.8.9.10/"), "");
  EXPECT_EQ(ProxyForUrl(kBoth, "http://[::1]:80/"), "");
  EXPECT_EQ(ProxyForUrl(kBoth, "http://10.0.0.1/"), "http://proxy:3128");
}

TEST(ProxyForUrl, ProxyWithoutSchemeGetsHttp) {
  EXPECT_EQ(ProxyForUrl({"proxy:3128", "", ""}, "http://example.com"), "http://proxy:3128");
  EXPECT_EQ(ProxyForUrl({"socks5://s:1080", "", ""}, "http://example.com"), "socks5://s:1080");
}

TEST(ProxyForUrl, NoProxyDomains) {
  ProxyRules r{"http://p:1", "http://p:1", "example.com, .internal,*.corp, other.org:8080"};
  EXPECT_EQ(ProxyForUrl(r, "http://example.com/"), "");    // the domain itself
  EXPECT_EQ(ProxyForUrl(r, "http://a.example.com/"), "");  // and subdomains
  EXPECT_EQ(ProxyForUrl(r, "http://notexample.com/"), "http://p:1");
  EXPECT_EQ(ProxyForUrl(r, "http://internal/"), "http://p:1");  // ".d" only subdomains
  EXPECT_EQ(ProxyForUrl(r, "http://x.internal/"), "");
  EXPECT_EQ(ProxyForUrl(r, "http://corp/"), "http://p:1");
  EXPECT_EQ(ProxyForUrl(r, "http://a.corp/"), "");
  EXPECT_EQ(ProxyForUrl(r, "http://other.org:8080/"), "");
  EXPECT_EQ(ProxyForUrl(r, "http://other.org/"), "http://p:1");  // port 80 differs
  EXPECT_EQ(ProxyForUrl(r, "http://EXAMPLE.com/"), "");          // case-insensitive
}

TEST(ProxyForUrl, NoProxyIpsAndCidrs) {
  ProxyRules r{"http://p:1", "http://p:1", "10.0.0.0/8,192.168.1.5,192.168.1.6:443,fd00::/8"};
  EXPECT_EQ(ProxyForUrl(r, "http://10.1.2.3/"), "");
  EXPECT_EQ(ProxyForUrl(r, "http://11.1.2.3/"), "http://p:1");
  EXPECT_EQ(ProxyForUrl(r, "http://192.168.1.5:9/"), "");
  EXPECT_EQ(ProxyForUrl(r, "https://192.168.1.6/"), "");
  EXPECT_EQ(ProxyForUrl(r, "http://192.168.1.6/"), "http://p:1");
  EXPECT_EQ(ProxyForUrl(r, "http://[fd00::1]/"), "");
  EXPECT_EQ(ProxyForUrl(r, "http://[fe80::1]/"), "http://p:1");
}

TEST(ProxyForUrl, StarDisablesEverything) {
  EXPECT_EQ(ProxyForUrl({"http://p:1", "http://p:1", "*"}, "http://example.com"), "");
}

TEST(ProxyRulesFromEnvironment, UpperCaseWins) {
  setenv("HTTP_PROXY", "http://upper:1", 1);
  setenv("http_proxy", "http://lower:1", 1);
  setenv("https_proxy", "http://slower:2", 1);
  unsetenv("HTTPS_PROXY");
  setenv("no_proxy", "example.com", 1);
  unsetenv("NO_PROXY");
  unsetenv("REQUEST_METHOD");
  const ProxyRules r = ProxyRulesFromEnvironment();
  EXPECT_EQ(r.http_proxy, "http://upper:1");
  EXPECT_EQ(r.https_proxy, "http://slower:2");
  EXPECT_EQ(r.no_proxy, "example.com");
  unsetenv("HTTP_PROXY");
  unsetenv("http_proxy");
  unsetenv("https_proxy");
  unsetenv("no_proxy");
}

}  // namespace
}  // namespace am::notify
