// http_config and tls_config blocks (prometheus/common config.HTTPClientConfig / TLSConfig).
#include <algorithm>
#include <set>

#include "config/parsers.h"
#include "config/paths.h"
#include "core/strings.h"

namespace am::config::detail {

namespace {

std::string TrimSpace(std::string s) {
  const char* ws = " \t\n\r\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void RefuseRef(const MapReader& r, std::string_view key) {
  if (r.Has(key)) {
    r.Fail(key, std::string(key) + " needs a secret manager, which Alertmanager does not have");
  }
}

// common's ProxyConfig keys, shared by http_config and oauth2.
void ReadProxy(const MapReader& r, std::string* proxy_url, std::string* no_proxy, bool* from_env,
               std::vector<std::pair<std::string, std::vector<Secret>>>* connect_header) {
  *proxy_url = r.String("proxy_url");
  if (!proxy_url->empty()) {
    ParsedUrl u;
    if (auto err = ParseUrl(*proxy_url, &u)) r.Fail("proxy_url", *err);
  }
  *no_proxy = r.String("no_proxy");
  *from_env = r.Bool("proxy_from_environment", false);
  connect_header->clear();
  if (const YAML::Node* n = r.Value("proxy_connect_header"); n && r.Has("proxy_connect_header")) {
    if (!n->IsMap()) {
      r.ctx().Add(r.Line("proxy_connect_header"), r.Path("proxy_connect_header"),
                  "cannot unmarshal " + ShortTag(*n) + " into map[string][]Secret");
    } else {
      for (const auto& kv : *n) {
        std::string name;
        int line = LineOf(kv.first) ? LineOf(kv.first) : r.Line("proxy_connect_header");
        std::string path = JoinPath(r.Path("proxy_connect_header"), kv.first.Scalar());
        if (!ReadString(r.ctx(), kv.first, line, path, &name)) continue;
        std::vector<std::string> values;
        if (!ReadStringList(r.ctx(), kv.second, line, path, &values)) continue;
        std::vector<Secret> secrets;
        for (auto& v : values) secrets.push_back(Secret{std::move(v)});
        connect_header->emplace_back(std::move(name), std::move(secrets));
      }
      std::sort(connect_header->begin(), connect_header->end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
  }
  // ProxyConfig.Validate.
  if (!connect_header->empty() && !*from_env && proxy_url->empty()) {
    r.Fail("proxy_connect_header",
           "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also "
           "be configured");
  }
  if (*from_env && !proxy_url->empty()) {
    r.Fail("proxy_url",
           "if proxy_from_environment is configured, proxy_url must not be configured");
  }
  if (*from_env && !no_proxy->empty()) {
    r.Fail("no_proxy", "if proxy_from_environment is configured, no_proxy must not be configured");
  }
  if (proxy_url->empty() && !no_proxy->empty()) {
    r.Fail("no_proxy", "if no_proxy is configured, proxy_url must also be configured");
  }
}

void ParseOAuth2(Context& ctx, const YAML::Node& node, const std::string& path, int line) {
  MapReader r(ctx, node, path, line, "oauth2",
              {"client_id",
               "client_secret",
               "client_secret_file",
               "client_secret_ref",
               "client_certificate_key_id",
               "client_certificate_key",
               "client_certificate_key_file",
               "client_certificate_key_ref",
               "grant_type",
               "signature_algorithm",
               "iss",
               "audience",
               "claims",
               "scopes",
               "token_url",
               "endpoint_params",
               "tls_config",
               "proxy_url",
               "no_proxy",
               "proxy_from_environment",
               "proxy_connect_header"});
  size_t before = r.start_errors();
  r.String("client_id");
  r.String("client_secret");
  r.String("client_secret_file");
  r.StringList("scopes");
  r.String("token_url");
  r.StringMap("endpoint_params");
  if (r.Has("tls_config")) {
    ParseTlsConfig(ctx, *r.Value("tls_config"), r.Path("tls_config"), r.Line("tls_config"));
  }
  if (ctx.error_count() != before) return;
  // Token fetching (and its refresh, proxy and TLS handling) is not implemented: refuse rather
  // than send notifications without the credentials the operator configured.
  r.FailBlock("oauth2 is not supported by this Alertmanager yet");
}

}  // namespace

TlsConfig ParseTlsConfig(Context& ctx, const YAML::Node& node, const std::string& path, int line) {
  MapReader r(ctx, node, path, line, "tls_config",
              {"ca", "cert", "key", "ca_file", "cert_file", "key_file", "ca_ref", "cert_ref",
               "key_ref", "server_name", "insecure_skip_verify", "min_version", "max_version"});
  TlsConfig c;
  size_t before = r.start_errors();
  c.ca = r.String("ca");
  c.cert = r.String("cert");
  c.key = r.SecretValue("key");
  c.ca_file = r.String("ca_file");
  c.cert_file = r.String("cert_file");
  c.key_file = r.String("key_file");
  c.server_name = r.String("server_name");
  c.insecure_skip_verify = r.Bool("insecure_skip_verify", false);
  for (const char* key : {"min_version", "max_version"}) {
    std::string v = r.String(key);
    if (v.empty()) continue;
    if (v != "TLS10" && v != "TLS11" && v != "TLS12" && v != "TLS13") {
      r.Fail(key, "unknown TLS version: " + v);
    }
    (std::string_view(key) == "min_version" ? c.min_version : c.max_version) = v;
  }
  if (ctx.error_count() != before) return c;
  for (const char* key : {"ca_ref", "cert_ref", "key_ref"}) RefuseRef(r, key);
  if (!c.ca.empty() && !c.ca_file.empty()) {
    r.Fail("ca_file", "at most one of ca, ca_file & ca_ref must be configured");
  }
  if (!c.cert.empty() && !c.cert_file.empty()) {
    r.Fail("cert_file", "at most one of cert, cert_file & cert_ref must be configured");
  }
  if (!c.key.empty() && !c.key_file.empty()) {
    r.Fail("key_file", "at most one of key and key_file must be configured");
  }
  bool using_cert = !c.cert.empty() || !c.cert_file.empty();
  bool using_key = !c.key.empty() || !c.key_file.empty();
  if (using_cert && !using_key) {
    r.FailBlock(
        "exactly one of key or key_file must be configured when a client certificate is "
        "configured");
  }
  if (using_key && !using_cert) {
    r.FailBlock(
        "exactly one of cert or cert_file must be configured when a client key is configured");
  }
  return c;
}

HttpClientConfig ParseHttpConfig(Context& ctx, const YAML::Node& node, const std::string& path,
                                 int line) {
  MapReader r(ctx, node, path, line, "http_config",
              {"basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file",
               "tls_config", "follow_redirects", "enable_http2", "proxy_url", "no_proxy",
               "proxy_from_environment", "proxy_connect_header", "http_headers"});
  HttpClientConfig c;
  size_t before = r.start_errors();

  if (r.Has("basic_auth")) {
    MapReader b(
        ctx, *r.Value("basic_auth"), r.Path("basic_auth"), r.Line("basic_auth"), "basic_auth",
        {"username", "username_file", "username_ref", "password", "password_file", "password_ref"});
    BasicAuth ba;
    ba.username = b.String("username");
    ba.username_file = b.String("username_file");
    ba.password = b.SecretValue("password");
    ba.password_file = b.String("password_file");
    if (ctx.error_count() == before) {
      RefuseRef(b, "username_ref");
      RefuseRef(b, "password_ref");
      if (!ba.username.empty() && !ba.username_file.empty()) {
        b.Fail("username_file",
               "at most one of basic_auth username, username_file & username_ref must be "
               "configured");
      }
      if (!ba.password.empty() && !ba.password_file.empty()) {
        b.Fail("password_file",
               "at most one of basic_auth password, password_file & password_ref must be "
               "configured");
      }
    }
    c.basic_auth = std::move(ba);
  } else if (r.Present("basic_auth")) {
    c.basic_auth.reset();
  }

  if (r.Has("authorization")) {
    MapReader a(ctx, *r.Value("authorization"), r.Path("authorization"), r.Line("authorization"),
                "authorization", {"type", "credentials", "credentials_file", "credentials_ref"});
    Authorization au;
    au.type = a.String("type");
    au.credentials = a.SecretValue("credentials");
    au.credentials_file = a.String("credentials_file");
    if (ctx.error_count() == before) RefuseRef(a, "credentials_ref");
    c.authorization = std::move(au);
  }
  bool has_oauth2 = r.Has("oauth2");
  Secret bearer_token = r.SecretValue("bearer_token");
  std::string bearer_token_file = r.String("bearer_token_file");
  if (r.Has("tls_config")) {
    c.tls_config =
        ParseTlsConfig(ctx, *r.Value("tls_config"), r.Path("tls_config"), r.Line("tls_config"));
  }
  c.follow_redirects = r.Bool("follow_redirects", true);
  c.enable_http2 = r.Bool("enable_http2", true);

  if (r.Has("http_headers")) {
    const YAML::Node& hn = *r.Value("http_headers");
    if (!hn.IsMap()) {
      ctx.Add(r.Line("http_headers"), r.Path("http_headers"),
              "cannot unmarshal " + ShortTag(hn) + " into http_headers");
    } else {
      std::set<std::string> names;
      for (const auto& kv : hn) {
        int hline = LineOf(kv.first) ? LineOf(kv.first) : r.Line("http_headers");
        std::string name;
        if (!ReadString(ctx, kv.first, hline, r.Path("http_headers"), &name)) continue;
        std::string hpath = JoinPath(r.Path("http_headers"), name);
        if (!names.insert(name).second) {
          ctx.Add(hline, hpath, "key " + GoQuote(name) + " already set in map");
          continue;
        }
        MapReader h(ctx, kv.second, hpath, hline, "http_headers entry",
                    {"values", "secrets", "files"});
        HttpHeader header;
        header.values = h.StringList("values");
        for (auto& s : h.StringList("secrets")) header.secrets.push_back(Secret{std::move(s)});
        header.files = h.StringList("files");
        c.http_headers.emplace_back(name, std::move(header));
      }
      std::sort(c.http_headers.begin(), c.http_headers.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
  }

  if (ctx.error_count() != before) return c;

  // HTTPClientConfig.Validate, in upstream's order.
  if (!bearer_token.empty() && !bearer_token_file.empty()) {
    r.Fail("bearer_token_file",
           "at most one of bearer_token & bearer_token_file must be configured");
  }
  if ((c.basic_auth || has_oauth2) && (!bearer_token.empty() || !bearer_token_file.empty())) {
    r.Fail(bearer_token.empty() ? "bearer_token_file" : "bearer_token",
           "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
           "configured");
  }
  if (c.authorization) {
    if (!bearer_token.empty() || !bearer_token_file.empty()) {
      r.Fail("authorization",
             "authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (!c.authorization->credentials.empty() && !c.authorization->credentials_file.empty()) {
      r.Fail("authorization",
             "at most one of authorization credentials & credentials_file must be configured");
    }
    c.authorization->type = TrimSpace(c.authorization->type);
    if (c.authorization->type.empty()) c.authorization->type = "Bearer";
    if (ToLower(c.authorization->type) == "basic") {
      r.Fail("authorization",
             "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    if (c.basic_auth || has_oauth2) {
      r.Fail("authorization",
             "at most one of basic_auth, oauth2 & authorization must be configured");
    }
  } else {
    if (!bearer_token.empty()) {
      c.authorization = Authorization{"Bearer", bearer_token, ""};
    }
    if (!bearer_token_file.empty()) {
      c.authorization = Authorization{"Bearer", Secret{}, bearer_token_file};
    }
  }
  if (has_oauth2) {
    if (c.basic_auth) {
      r.Fail("oauth2", "at most one of basic_auth, oauth2 & authorization must be configured");
    }
    ParseOAuth2(ctx, *r.Value("oauth2"), r.Path("oauth2"), r.Line("oauth2"));
  }
  ReadProxy(r, &c.proxy_url, &c.no_proxy, &c.proxy_from_environment, &c.proxy_connect_header);
  for (const auto& [name, header] : c.http_headers) {
    static const std::set<std::string> kReserved = {"Authorization",
                                                    "Host",
                                                    "Content-Encoding",
                                                    "Content-Length",
                                                    "Content-Type",
                                                    "User-Agent",
                                                    "Connection",
                                                    "Keep-Alive",
                                                    "Proxy-Authenticate",
                                                    "Proxy-Authorization",
                                                    "Www-Authenticate",
                                                    "Accept-Encoding",
                                                    "X-Prometheus-Remote-Write-Version",
                                                    "X-Prometheus-Remote-Read-Version",
                                                    "X-Prometheus-Scrape-Timeout-Seconds",
                                                    "X-Amz-Date",
                                                    "X-Amz-Security-Token",
                                                    "X-Amz-Content-Sha256"};
    std::string canonical = CanonicalMimeHeaderKey(name);
    if (kReserved.count(canonical)) {
      r.Fail("http_headers", "setting header " + GoQuote(canonical) + " is not allowed");
    }
  }
  return c;
}

void SetHttpConfigDirectory(HttpClientConfig* c, const std::string& dir) {
  if (dir.empty()) return;
  c->tls_config.ca_file = JoinDir(dir, c->tls_config.ca_file);
  c->tls_config.cert_file = JoinDir(dir, c->tls_config.cert_file);
  c->tls_config.key_file = JoinDir(dir, c->tls_config.key_file);
  if (c->basic_auth) {
    c->basic_auth->password_file = JoinDir(dir, c->basic_auth->password_file);
    c->basic_auth->username_file = JoinDir(dir, c->basic_auth->username_file);
  }
  if (c->authorization) {
    c->authorization->credentials_file = JoinDir(dir, c->authorization->credentials_file);
  }
  for (auto& [name, h] : c->http_headers) {
    for (auto& f : h.files) f = JoinDir(dir, f);
  }
}

}  // namespace am::config::detail
