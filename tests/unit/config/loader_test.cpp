// Loading: every example loads, defaults and the global inheritance are applied as upstream does.
#include "config/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace am::config {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::shared_ptr<const Config> Load(const std::string& yaml, const std::string& base_dir = "") {
  return LoadString(yaml, "am.yml", base_dir);
}

std::vector<std::string> YamlFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".yml" || e.path().extension() == ".yaml") {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Examples, EveryExampleInConfigDirLoads) {
  auto files = YamlFiles(AM_CONFIG_EXAMPLES);
  ASSERT_GE(files.size(), 3u);
  for (const auto& f : files) {
    EXPECT_NO_THROW({
      try {
        auto cfg = LoadFile(f);
        EXPECT_FALSE(cfg->receivers.empty()) << f;
      } catch (const ConfigError& e) {
        ADD_FAILURE() << e.what();
        throw;
      }
    }) << f;
  }
}

TEST(Examples, ValidTestdataLoads) {
  for (const auto& f : YamlFiles(std::string(AM_CONFIG_TESTDATA) + "/valid")) {
    EXPECT_NO_THROW(LoadFile(f)) << f;
  }
}

TEST(Examples, DefaultConfigIsOneLocalWebhook) {
  auto cfg = LoadFile(std::string(AM_CONFIG_EXAMPLES) + "/alertmanager.yml");
  ASSERT_EQ(cfg->receivers.size(), 1u);
  ASSERT_EQ(cfg->receivers[0].webhook_configs.size(), 1u);
  EXPECT_EQ(cfg->receivers[0].webhook_configs[0].url.value, "http://127.0.0.1:5001/");
  EXPECT_EQ(cfg->route->opts.receiver, cfg->receivers[0].name);
}

TEST(Examples, CorrectedSeedKeepsThePublishedIntent) {
  auto cfg = LoadFile(std::string(AM_CONFIG_EXAMPLES) + "/seed-ha-cluster.yml");
  ASSERT_EQ(cfg->receivers.size(), 3u);
  const EmailConfig& e = cfg->receivers[1].email_configs.at(0);
  EXPECT_EQ(e.to, "critical@example.com");
  ASSERT_NE(e.Header("Subject"), nullptr);
  EXPECT_EQ(*e.Header("Subject"), "CRITICAL: {{ .GroupLabels.alertname }}");
  EXPECT_NE(e.text.find("Severity: {{ .Labels.severity }}"), std::string::npos);
  EXPECT_EQ(e.html, "");
  EXPECT_EQ(e.smarthost.String(), "localhost:587");
  EXPECT_EQ(e.from, "alertmanager@example.com");
  EXPECT_EQ(cfg->route->opts.repeat_interval, std::chrono::hours(12));
  EXPECT_EQ(cfg->route->routes[0]->Key(), "{}/{severity=\"critical\"}");
  ASSERT_EQ(cfg->inhibit_rules.size(), 1u);
  EXPECT_EQ(MatchersString(cfg->inhibit_rules[0].source), "{severity=\"critical\"}");
  EXPECT_EQ(cfg->inhibit_rules[0].equal, (std::vector<std::string>{"alertname", "instance"}));
}

TEST(Loader, KeepsTheRawText) {
  std::string text = "route:\n  receiver: a\nreceivers:\n  - name: a   # comment\n";
  auto cfg = Load(text);
  EXPECT_EQ(cfg->original, text);
  EXPECT_EQ(cfg->filename, "am.yml");
}

TEST(Loader, GlobalDefaults) {
  auto cfg = Load("route:\n  receiver: a\nreceivers:\n  - name: a\n");
  const GlobalConfig& g = cfg->global;
  EXPECT_EQ(g.resolve_timeout, minutes(5));
  EXPECT_EQ(g.smtp_hello, "localhost");
  EXPECT_TRUE(g.smtp_require_tls);
  EXPECT_TRUE(g.http_config.follow_redirects);
  EXPECT_TRUE(g.http_config.enable_http2);
  EXPECT_EQ(g.pagerduty_url, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_EQ(g.opsgenie_api_url, "https://api.opsgenie.com/");
  EXPECT_EQ(g.wechat_api_url, "https://qyapi.weixin.qq.com/cgi-bin/");
  EXPECT_EQ(g.victorops_api_url,
            "https://alert.victorops.com/integrations/generic/20131114/alert/");
  EXPECT_EQ(g.telegram_api_url, "https://api.telegram.org");
  EXPECT_EQ(g.webex_api_url, "https://webexapis.com/v1/messages");
  EXPECT_EQ(g.rocketchat_api_url, "https://open.rocket.chat/");
  EXPECT_EQ(g.slack_app_url, "https://slack.com/api/chat.postMessage");
  EXPECT_FALSE(g.smtp_tls_config.has_value());
  EXPECT_TRUE(cfg->templates.empty());
  // An empty `global:` block still gets the defaults.
  auto empty = Load("global:\nroute:\n  receiver: a\nreceivers:\n  - name: a\n");
  EXPECT_EQ(empty->global, g);
}

TEST(Loader, WebhookDefaultsAndGlobalHttpConfig) {
  auto cfg = Load(R"(
global:
  http_config:
    proxy_url: http://proxy:3128/
    follow_redirects: false
route:
  receiver: a
receivers:
  - name: a
    webhook_configs:
      - url: http://127.0.0.1:5001/
      - url_file: /etc/am/url
        send_resolved: false
        max_alerts: 7
        timeout: 1m30s
        http_config:
          bearer_token: tok
)");
  const auto& ws = cfg->receivers[0].webhook_configs;
  ASSERT_EQ(ws.size(), 2u);
  EXPECT_TRUE(ws[0].send_resolved);
  EXPECT_EQ(ws[0].max_alerts, 0u);
  EXPECT_EQ(ws[0].timeout.count(), 0);
  EXPECT_EQ(ws[0].http_config, cfg->global.http_config);
  EXPECT_EQ(ws[0].http_config.proxy_url, "http://proxy:3128/");
  EXPECT_FALSE(ws[0].http_config.follow_redirects);
  EXPECT_FALSE(ws[1].send_resolved);
  EXPECT_EQ(ws[1].url_file, "/etc/am/url");
  EXPECT_EQ(ws[1].max_alerts, 7u);
  EXPECT_EQ(ws[1].timeout, seconds(90));
  // Own http_config replaces the global one entirely; bearer_token becomes authorization.
  EXPECT_TRUE(ws[1].http_config.proxy_url.empty());
  EXPECT_TRUE(ws[1].http_config.follow_redirects);
  ASSERT_TRUE(ws[1].http_config.authorization.has_value());
  EXPECT_EQ(ws[1].http_config.authorization->type, "Bearer");
  EXPECT_EQ(ws[1].http_config.authorization->credentials.value, "tok");
}

TEST(Loader, HttpConfigKeys) {
  auto cfg = Load(R"(
route:
  receiver: a
receivers:
  - name: a
    webhook_configs:
      - url: https://hooks.example.com/x
        http_config:
          basic_auth:
            username: u
            password_file: secrets/pw
          tls_config:
            ca_file: certs/ca.pem
            cert: "-----BEGIN CERTIFICATE-----"
            key_file: /abs/key.pem
            server_name: hooks.example.com
            insecure_skip_verify: true
            min_version: TLS12
          proxy_url: http://proxy:3128/
          no_proxy: localhost,127.0.0.1
          proxy_connect_header:
            X-Proxy-Auth: [a, b]
          follow_redirects: false
          enable_http2: false
          http_headers:
            X-Team:
              values: [ops]
              secrets: [s1]
              files: [hdr.txt]
)",
                  "/etc/am");
  const HttpClientConfig& h = cfg->receivers[0].webhook_configs[0].http_config;
  ASSERT_TRUE(h.basic_auth);
  EXPECT_EQ(h.basic_auth->username, "u");
  EXPECT_EQ(h.basic_auth->password_file, "/etc/am/secrets/pw");  // joined with the config dir
  EXPECT_EQ(h.tls_config.ca_file, "/etc/am/certs/ca.pem");
  EXPECT_EQ(h.tls_config.key_file, "/abs/key.pem");
  EXPECT_EQ(h.tls_config.cert, "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(h.tls_config.server_name, "hooks.example.com");
  EXPECT_TRUE(h.tls_config.insecure_skip_verify);
  EXPECT_EQ(h.tls_config.min_version, "TLS12");
  EXPECT_EQ(h.proxy_url, "http://proxy:3128/");
  EXPECT_EQ(h.no_proxy, "localhost,127.0.0.1");
  ASSERT_EQ(h.proxy_connect_header.size(), 1u);
  EXPECT_EQ(h.proxy_connect_header[0].second.size(), 2u);
  EXPECT_FALSE(h.follow_redirects);
  EXPECT_FALSE(h.enable_http2);
  ASSERT_EQ(h.http_headers.size(), 1u);
  EXPECT_EQ(h.http_headers[0].first, "X-Team");
  EXPECT_EQ(h.http_headers[0].second.values, std::vector<std::string>{"ops"});
  EXPECT_EQ(h.http_headers[0].second.secrets[0].value, "s1");
  EXPECT_EQ(h.http_headers[0].second.files, std::vector<std::string>{"/etc/am/hdr.txt"});
}

TEST(Loader, HttpConfigRules) {
  auto fails = [](const std::string& http, const std::string& message) {
    std::string yaml = "global:\n  http_config:\n" + http + "route:\n  receiver: a\n" +
                       "receivers:\n  - name: a\n";
    try {
      Load(yaml);
      ADD_FAILURE() << "loaded: " << http;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  fails("    authorization:\n      type: Basic\n", "authorization type cannot be set to \"basic\"");
  fails("    basic_auth: {username: u}\n    authorization: {credentials: x}\n",
        "at most one of basic_auth, oauth2 & authorization must be configured");
  fails("    basic_auth: {username: u}\n    bearer_token: x\n",
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  fails("    no_proxy: localhost\n",
        "if no_proxy is configured, proxy_url must also be configured");
  fails("    proxy_connect_header: {X: [y]}\n",
        "if proxy_connect_header is configured, proxy_url or proxy_from_environment");
  fails("    proxy_from_environment: true\n    proxy_url: http://p/\n",
        "if proxy_from_environment is configured, proxy_url must not be configured");
  fails("    tls_config: {min_version: TLS9}\n", "unknown TLS version: TLS9");
  fails("    tls_config: {cert_file: c.pem}\n",
        "exactly one of key or key_file must be configured when a client certificate");
  fails("    tls_config: {ca: x, ca_file: y}\n", "at most one of ca, ca_file & ca_ref");
  fails("    http_headers: {user-agent: {values: [x]}}\n",
        "setting header \"User-Agent\" is not allowed");
}

TEST(Loader, EmailInheritsGlobalSmtp) {
  auto cfg = Load(R"(
global:
  smtp_smarthost: 'mail.example.com:587'
  smtp_from: am@example.com
  smtp_hello: am.example.com
  smtp_auth_username: user
  smtp_auth_password_file: /etc/am/pw
  smtp_auth_secret: s3
  smtp_auth_identity: id
  smtp_require_tls: false
  smtp_force_implicit_tls: true
  smtp_tls_config:
    server_name: mail.example.com
route:
  receiver: a
receivers:
  - name: a
    email_configs:
      - to: one@example.com
      - to: two@example.com
        from: other@example.com
        smarthost: '[::1]:25'
        auth_password: local
        require_tls: true
        headers:
          x-custom-HEADER: v
          reply-to: r@example.com
        html: ''
        text: 'plain {{ .Status }}'
        send_resolved: true
)");
  const auto& es = cfg->receivers[0].email_configs;
  ASSERT_EQ(es.size(), 2u);
  const EmailConfig& a = es[0];
  EXPECT_FALSE(a.send_resolved);
  EXPECT_EQ(a.smarthost.String(), "mail.example.com:587");
  EXPECT_EQ(a.from, "am@example.com");
  EXPECT_EQ(a.hello, "am.example.com");
  EXPECT_EQ(a.auth_username, "user");
  EXPECT_EQ(a.auth_password_file, "/etc/am/pw");
  EXPECT_TRUE(a.auth_password.empty());
  EXPECT_EQ(a.auth_secret.value, "s3");
  EXPECT_EQ(a.auth_identity, "id");
  EXPECT_FALSE(a.require_tls);
  EXPECT_EQ(a.force_implicit_tls, std::optional<bool>(true));
  ASSERT_TRUE(a.tls_config);
  EXPECT_EQ(a.tls_config->server_name, "mail.example.com");
  EXPECT_EQ(a.html, "{{ template \"email.default.html\" . }}");
  EXPECT_EQ(a.text, "");
  EXPECT_EQ(a.headers, (std::vector<std::pair<std::string, std::string>>{
                           {"From", "am@example.com"},
                           {"Subject", "{{ template \"email.default.subject\" . }}"},
                           {"To", "one@example.com"}}));
  const EmailConfig& b = es[1];
  EXPECT_TRUE(b.send_resolved);
  EXPECT_EQ(b.from, "other@example.com");
  EXPECT_EQ(b.smarthost.host, "::1");
  EXPECT_EQ(b.smarthost.String(), "[::1]:25");
  EXPECT_EQ(b.auth_password.value, "local");
  EXPECT_TRUE(b.auth_password_file.empty());  // password and file are inherited together
  EXPECT_TRUE(b.require_tls);
  EXPECT_EQ(b.html, "");
  EXPECT_EQ(b.text, "plain {{ .Status }}");
  EXPECT_EQ(b.headers, (std::vector<std::pair<std::string, std::string>>{
                           {"From", "other@example.com"},
                           {"Reply-To", "r@example.com"},
                           {"Subject", "{{ template \"email.default.subject\" . }}"},
                           {"To", "two@example.com"},
                           {"X-Custom-Header", "v"}}));
}

TEST(Loader, InhibitRulesBothForms) {
  auto cfg = Load(R"(
route:
  receiver: a
receivers:
  - name: a
inhibit_rules:
  - name: crit-mutes-warn
    source_match:
      severity: critical
    source_match_re:
      service: 'api|db'
    target_matchers: ['severity=~"warning|info"', 'team!="core"']
    equal: [alertname, cluster]
)");
  ASSERT_EQ(cfg->inhibit_rules.size(), 1u);
  const InhibitRule& r = cfg->inhibit_rules[0];
  EXPECT_EQ(r.name, "crit-mutes-warn");
  EXPECT_EQ(MatchersString(r.source), "{severity=\"critical\",service=~\"^(?:api|db)$\"}");
  EXPECT_EQ(MatchersString(r.target), "{severity=~\"warning|info\",team!=\"core\"}");
  EXPECT_TRUE(MatchesAll(r.source, LabelSet{{"severity", "critical"}, {"service", "db"}}));
  EXPECT_FALSE(MatchesAll(r.source, LabelSet{{"severity", "critical"}, {"service", "dbx"}}));
  EXPECT_EQ(r.equal, (std::vector<std::string>{"alertname", "cluster"}));
}

TEST(Loader, TemplatesAreJoinedWithTheConfigDirectory) {
  auto cfg = Load(
      "route:\n  receiver: a\nreceivers:\n  - name: a\n"
      "templates:\n  - 'templates/*.tmpl'\n  - /abs/x.tmpl\n  - ./a/../b.tmpl\n",
      "/etc/alertmanager");
  EXPECT_EQ(cfg->templates, (std::vector<std::string>{"/etc/alertmanager/templates/*.tmpl",
                                                      "/abs/x.tmpl", "/etc/alertmanager/b.tmpl"}));
  auto file = LoadFile(std::string(AM_CONFIG_TESTDATA) + "/valid/rich.yml");
  EXPECT_EQ(file->templates,
            std::vector<std::string>{std::string(AM_CONFIG_TESTDATA) + "/valid/tmpl/*.tmpl"});
}

TEST(Loader, ReceiverLabels) {
  auto cfg = Load(
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    labels:\n      team: x\n"
      "  - name: b\n");
  EXPECT_EQ(cfg->receivers[0].labels, (LabelSet{{"name", "a"}, {"team", "x"}}));
  EXPECT_TRUE(cfg->receivers[0].labels_written);
  EXPECT_EQ(cfg->receivers[1].labels, (LabelSet{{"name", "b"}}));
  EXPECT_TRUE(cfg->receivers[1].IsNull());
  EXPECT_EQ(cfg->FindReceiver("b"), &cfg->receivers[1]);
  EXPECT_EQ(cfg->FindReceiver("c"), nullptr);
}

// The notifier does not implement 0.31's templated URLs or 0.32's payload templates yet: a config
// that asks for them is refused with a message naming the key, never loaded and ignored.
TEST(Loader, WebhookPayloadAndTemplatedUrlAreRefused) {
  const char* kPayload = R"(
route:
  receiver: a
receivers:
  - name: a
    webhook_configs:
      - url: 'http://127.0.0.1:5001/'
        payload:
          text: '{{ .CommonAnnotations.summary }}'
)";
  try {
    Load(kPayload);
    FAIL() << "payload accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(
        std::string(e.what()).find("am.yml:8: receivers[0].webhook_configs[0].payload: webhook "
                                   "payload templates (0.32) are not supported"),
        std::string::npos)
        << e.what();
  }
  const char* kTemplatedUrl = R"(
route:
  receiver: a
receivers:
  - name: a
    webhook_configs:
      - url: 'http://127.0.0.1:5001/{{ .GroupLabels.team }}'
)";
  try {
    Load(kTemplatedUrl);
    FAIL() << "templated url accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("templated webhook URLs (0.31) are not supported"),
              std::string::npos)
        << e.what();
  }
}

TEST(Loader, SecretPlaceholderIsAccepted) {
  // What `amtool config show` prints must load again.
  auto cfg = Load(
      "global:\n  slack_api_url: <secret>\nroute:\n  receiver: a\nreceivers:\n  - name: a\n"
      "    webhook_configs:\n      - url: <secret>\n");
  EXPECT_EQ(cfg->receivers[0].webhook_configs[0].url.value, "<secret>");
}

TEST(Loader, MergeKeysAndAnchors) {
  auto cfg = Load(R"(
route:
  receiver: a
  routes:
    - &base
      receiver: a
      group_wait: 1s
      group_interval: 2m
      matchers: ['x="1"']
    - <<: *base
      matchers: ['x="2"']
      group_interval: 3m
receivers:
  - name: a
)");
  const Route& merged = *cfg->route->routes[1];
  EXPECT_EQ(merged.opts.group_wait, seconds(1));
  EXPECT_EQ(merged.opts.group_interval, minutes(3));  // explicit key wins
  EXPECT_EQ(merged.Key(), "{}/{x=\"2\"}");
}

TEST(Loader, NullValuesAreZeroValues) {
  auto cfg = Load(
      "global:\n  smtp_hello:\nroute:\n  receiver: a\n  group_by:\n  routes:\n"
      "receivers:\n  - name: a\ninhibit_rules:\n");
  EXPECT_EQ(cfg->global.smtp_hello, "");
  EXPECT_FALSE(cfg->route->group_by.has_value());
  EXPECT_TRUE(cfg->route->routes.empty());
}

TEST(Loader, FallbackParserWarningsAreKept) {
  // Valid only for the classic parser: 0.27+ loads it with a warning.
  auto cfg = Load(
      "route:\n  receiver: a\n  routes:\n    - matchers: ['foo=bar baz']\n      receiver: a\n"
      "receivers:\n  - name: a\n");
  ASSERT_EQ(cfg->warnings.size(), 1u);
  EXPECT_NE(cfg->warnings[0].find("am.yml:4: route.routes[0].matchers[0]"), std::string::npos)
      << cfg->warnings[0];
}

TEST(Loader, EqualityIgnoresPositions) {
  auto a = Load("route:\n  receiver: a\nreceivers:\n  - name: a\n");
  auto b = Load("\n\nreceivers:\n- name: a\nroute: {receiver: a}\n");
  EXPECT_TRUE(*a == *b);
  auto c = Load("route:\n  receiver: a\n  group_wait: 1s\nreceivers:\n  - name: a\n");
  EXPECT_FALSE(*a == *c);
}

TEST(Loader, TracingAndEventRecorderAreRefusedWhenTheyAskForSomething) {
  EXPECT_NO_THROW(Load("route:\n  receiver: a\nreceivers:\n  - name: a\nevent_recorder: {}\n"));
  EXPECT_NO_THROW(Load("route:\n  receiver: a\nreceivers:\n  - name: a\ntracing:\n"));
  EXPECT_THROW(Load("route:\n  receiver: a\nreceivers:\n  - name: a\n"
                    "event_recorder:\n  stdout_outputs: [{}]\n"),
               ConfigError);
  try {
    Load("route:\n  receiver: a\nreceivers:\n  - name: a\ntracing: {}\n");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.problems().back().message, "tracing endpoint must be set");
  }
  EXPECT_THROW(Load("route:\n  receiver: a\nreceivers:\n  - name: a\n"
                    "tracing:\n  endpoint: localhost:4317\n"),
               ConfigError);
  EXPECT_THROW(Load("route:\n  receiver: a\nreceivers:\n  - name: a\ntracing:\n  endpont: x\n"),
               ConfigError);
}

}  // namespace
}  // namespace am::config

namespace am::config {
namespace {

// Malformed shapes anywhere must end in a ConfigError, never another exception or a crash.
TEST(Loader, MalformedShapesAreConfigErrors) {
  const char* inputs[] = {
      "just a string",
      "- a\n- b\n",
      "route: [1, 2]\n",
      "route: abc\nreceivers: {a: b}\n",
      "route:\n  receiver: a\nreceivers: [1]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: [a]\n",
      "route:\n  receiver: a\n  routes: [1, ~]\nreceivers:\n  - name: a\n",
      "route:\n  receiver: a\n  routes: {a: b}\nreceivers:\n  - name: a\n",
      "route:\n  receiver: {a: b}\nreceivers:\n  - name: a\n",
      "route:\n  receiver: a\n  match: [x]\nreceivers:\n  - name: a\n",
      "route:\n  receiver: a\n  match_re: {x: ~}\n  routes: []\nreceivers:\n  - name: a\n",
      "route:\n  receiver: a\n  routes:\n    - match_re: {x: ~}\nreceivers:\n  - name: a\n",
      "route:\n  receiver: a\n  matchers: [[x]]\nreceivers:\n  - name: a\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs: [~]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    email_configs: [~]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs: [{url: [x]}]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs:\n"
      "      - {url: 'http://x/', max_alerts: -1}\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs:\n"
      "      - {url: 'http://x/', http_config: [1]}\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs:\n"
      "      - {url: 'http://x/', http_config: {http_headers: [1]}}\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs:\n"
      "      - {url: 'http://x/', http_config: {proxy_connect_header: {a: b}}}\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    slack_configs: [{fields: [1]}]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    slack_configs: {a: b}\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals: [{name: t, time_intervals: "
      "[{times: [1]}]}]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals: [{name: t, time_intervals: "
      "[{weekdays: [[1]]}]}]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals: [{name: t, time_intervals: "
      "[{years: ['99999999999']}]}]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ninhibit_rules: [1]\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntemplates: {a: b}\n",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntracing: [1]\n",
      "{[a]: b}\n",
      "route:\n  <<: 5\n  receiver: a\nreceivers:\n  - name: a\n",
      "route: &r\n  receiver: a\n  routes: [*r]\nreceivers:\n  - name: a\n",
      "global:\n  smtp_smarthost: '[::1'\n",
      "global:\n  pagerduty_url: ''\nroute: {receiver: a}\nreceivers: [{name: a}]\n",
      "global:\n  http_config: {proxy_url: '%zz'}\nroute: {receiver: a}\nreceivers: [{name: a}]\n",
      "\t- bad indentation",
  };
  for (const char* in : inputs) {
    SCOPED_TRACE(in);
    try {
      LoadString(in, "am.yml", "");
      ADD_FAILURE() << "loaded";
    } catch (const ConfigError& e) {
      EXPECT_FALSE(std::string(e.what()).empty());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception: " << e.what();
    }
  }
}

}  // namespace
}  // namespace am::config
