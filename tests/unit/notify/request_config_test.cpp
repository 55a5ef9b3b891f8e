#include "notify/request_config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace am::notify {
namespace {

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

std::string TempFile(const std::string& content) {
  char name[] = "/tmp/notify-secret-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << content;
  return name;
}

TEST(RequestFromHttpConfig, NothingSetIsDirectAndVerified) {
  const HttpRequest r = RequestFromHttpConfig({}, "http://x/");
  EXPECT_EQ(r.url, "http://x/");
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.proxy, "");
  EXPECT_FALSE(r.tls.insecure_skip_verify);
  EXPECT_EQ(r.tls.min_version, "TLS12");
  EXPECT_TRUE(r.follow_redirects);
}

TEST(RequestFromHttpConfig, BasicAuthTrimsPassword) {
  config::HttpClientConfig c;
  c.basic_auth = config::BasicAuth{"user", "", config::Secret{" pa:ss\n"}, ""};
  // base64("user:pa:ss")
  EXPECT_EQ(Header(RequestFromHttpConfig(c, "http://x/"), "Authorization"),
            "Basic dXNlcjpwYTpzcw==");
}

TEST(RequestFromHttpConfig, BasicAuthPasswordFileReadEachTime) {
  const std::string f = TempFile("secret1\n");
  config::HttpClientConfig c;
  c.basic_auth = config::BasicAuth{"u", "", {}, f};
  EXPECT_EQ(Header(RequestFromHttpConfig(c, "http://x/"), "Authorization"), "Basic dTpzZWNyZXQx");
  std::ofstream(f) << "secret2";
  EXPECT_EQ(Header(RequestFromHttpConfig(c, "http://x/"), "Authorization"), "Basic dTpzZWNyZXQy");
  std::remove(f.c_str());
  EXPECT_THROW(RequestFromHttpConfig(c, "http://x/"), std::runtime_error);
}

TEST(RequestFromHttpConfig, BearerAndCredentialsFile) {
  config::HttpClientConfig c;
  c.authorization = config::Authorization{"Bearer", config::Secret{"tok"}, ""};
  EXPECT_EQ(Header(RequestFromHttpConfig(c, "http://x/"), "Authorization"), "Bearer tok");
  const std::string f = TempFile("  filetok \n");
  c.authorization = config::Authorization{"Custom", {}, f};
  EXPECT_EQ(Header(RequestFromHttpConfig(c, "http://x/"), "Authorization"), "Custom filetok");
  std::remove(f.c_str());
}

TEST(RequestFromHttpConfig, ProxyUrlAppliesToLoopbackWithoutNoProxy) {
  config::HttpClientConfig c;
  c.proxy_url = "http://127.0.0.1:3128";
  EXPECT_EQ(RequestFromHttpConfig(c, "http://127.0.0.1:9/").proxy, "http://127.0.0.1:3128");
  c.no_proxy = "example.com";
  // With no_proxy, httpproxy's rules apply: loopback goes direct.
  EXPECT_EQ(RequestFromHttpConfig(c, "http://127.0.0.1:9/").proxy, "");
  EXPECT_EQ(RequestFromHttpConfig(c, "http://a.example.com/").proxy, "");
  EXPECT_EQ(RequestFromHttpConfig(c, "http://other.net/").proxy, "http://127.0.0.1:3128");
}

TEST(RequestFromHttpConfig, TlsAndHeaders) {
  config::HttpClientConfig c;
  c.tls_config.ca_file = "/ca.pem";
  c.tls_config.server_name = "sink.test";
  c.tls_config.insecure_skip_verify = true;
  c.tls_config.min_version = "TLS13";
  c.follow_redirects = false;
  c.http_headers.push_back({"X-Team", config::HttpHeader{{"a", "b"}, {config::Secret{"s"}}, {}}});
  const HttpRequest r = RequestFromHttpConfig(c, "https://x/");
  EXPECT_EQ(r.tls.ca_file, "/ca.pem");
  EXPECT_EQ(r.tls.server_name, "sink.test");
  EXPECT_TRUE(r.tls.insecure_skip_verify);
  EXPECT_EQ(r.tls.min_version, "TLS13");
  EXPECT_FALSE(r.follow_redirects);
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[2], (std::pair<std::string, std::string>{"X-Team", "s"}));
}

TEST(TrimSpace, GoSemantics) {
  EXPECT_EQ(TrimSpace(" \t\na b\r\n "), "a b");
  EXPECT_EQ(TrimSpace("\u00a0x\u2003"), "x");
  EXPECT_EQ(TrimSpace(""), "");
  EXPECT_EQ(TrimSpace("   "), "");
}

}  // namespace
}  // namespace am::notify
