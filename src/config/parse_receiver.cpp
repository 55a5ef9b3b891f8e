// `receivers:` entries with their webhook and email configs (notify/webhook WebhookConfig,
// config.EmailConfig); the other integration lists are only validated here.
#include <set>

#include "config/parsers.h"
#include "config/paths.h"
#include "core/strings.h"

namespace am::config::detail {

namespace {

const std::vector<std::string_view> kIntegrationKeys = {
    "discord_configs",    "email_configs",     "incidentio_configs", "pagerduty_configs",
    "slack_configs",      "webhook_configs",   "opsgenie_configs",   "wechat_configs",
    "pushover_configs",   "victorops_configs", "sns_configs",        "telegram_configs",
    "webex_configs",      "msteams_configs",   "msteamsv2_configs",  "jira_configs",
    "rocketchat_configs", "mattermost_configs"};

YamlValue ToYamlValue(Context& ctx, const YAML::Node& n, int line, const std::string& path) {
  DepthGuard guard(ctx, n, line, path);
  YamlValue v;
  if (!n.IsDefined() || n.IsNull()) return v;
  if (n.IsSequence()) {
    v.kind = YamlValue::Kind::kSequence;
    for (const auto& item : n) v.items.push_back(ToYamlValue(ctx, item, line, path));
    return v;
  }
  if (n.IsMap()) {
    v.kind = YamlValue::Kind::kMapping;
    for (const auto& kv : n) {
      v.map.emplace_back(kv.first.IsScalar() ? kv.first.Scalar() : "",
                         ToYamlValue(ctx, kv.second, line, path));
    }
    return v;
  }
  v.scalar = n.Scalar();
  std::string tag = ShortTag(n);
  if (tag == "!!null") {
    v.kind = YamlValue::Kind::kNull;
  } else if (tag == "!!bool") {
    v.kind = YamlValue::Kind::kBool;
  } else if (tag == "!!int") {
    v.kind = YamlValue::Kind::kInt;
  } else if (tag == "!!float") {
    v.kind = YamlValue::Kind::kFloat;
  } else {
    v.kind = YamlValue::Kind::kString;
  }
  return v;
}

WebhookConfig ParseWebhook(Context& ctx, const YAML::Node& node, const std::string& path, int line,
                           bool* has_http_config) {
  if (!node.IsDefined() || node.IsNull()) ctx.Fail(line, path, "missing webhook config");
  MapReader r(
      ctx, node, path, line, "webhook_configs",
      {"send_resolved", "http_config", "url", "url_file", "max_alerts", "timeout", "payload"});
  WebhookConfig w;
  w.src = r.Src();
  size_t before = r.start_errors();
  w.send_resolved = r.Bool("send_resolved", true);
  *has_http_config = r.Has("http_config");
  if (*has_http_config) {
    w.http_config =
        ParseHttpConfig(ctx, *r.Value("http_config"), r.Path("http_config"), r.Line("http_config"));
  }
  w.url = r.SecretValue("url");
  w.url_file = r.String("url_file");
  w.max_alerts = r.Uint64("max_alerts", 0);
  w.timeout = r.GoDuration("timeout", Duration{0});
  if (r.Has("payload")) {
    w.payload = ToYamlValue(ctx, *r.Value("payload"), r.Line("payload"), r.Path("payload"));
  }
  if (ctx.error_count() != before) return w;

  const std::string& url = w.url.value;
  // Features of later releases that the notifier does not implement yet are refused here, never
  // silently ignored at send time.
  if (w.payload) {
    r.Fail("payload",
           "webhook payload templates (0.32) are not supported by this Alertmanager yet");
  }
  if (url.find("{{") != std::string::npos) {
    r.Fail("url", "templated webhook URLs (0.31) are not supported by this Alertmanager yet");
  } else if (!url.empty() && url != kSecretToken) {
    if (auto err = CheckHttpUrl(url)) r.Fail("url", "invalid URL: " + *err);
  }
  if (url.empty() && w.url_file.empty()) r.FailBlock("one of url or url_file must be configured");
  if (!url.empty() && !w.url_file.empty()) {
    r.Fail("url_file", "at most one of url & url_file must be configured");
  }
  return w;
}

EmailConfig ParseEmail(Context& ctx, const YAML::Node& node, const std::string& path, int line,
                       bool* has_require_tls) {
  if (!node.IsDefined() || node.IsNull()) ctx.Fail(line, path, "missing email config");
  MapReader r(
      ctx, node, path, line, "email_configs",
      {"send_resolved", "to", "from", "hello", "smarthost", "auth_username", "auth_password",
       "auth_password_file", "auth_secret", "auth_secret_file", "auth_identity", "headers", "html",
       "text", "require_tls", "tls_config", "force_implicit_tls", "threading"});
  EmailConfig e;
  e.src = r.Src();
  size_t before = r.start_errors();
  e.send_resolved = r.Bool("send_resolved", false);
  e.to = r.String("to");
  e.from = r.String("from");
  e.hello = r.String("hello");
  if (std::string hp = r.String("smarthost"); !hp.empty()) {
    if (auto err = SplitHostPort(hp, &e.smarthost.host, &e.smarthost.port)) {
      r.Fail("smarthost", *err);
    }
    if (e.smarthost.port.empty()) {
      r.Fail("smarthost", "address " + GoQuote(hp) + ": port cannot be empty");
    }
  }
  e.auth_username = r.String("auth_username");
  e.auth_password = r.SecretValue("auth_password");
  e.auth_password_file = r.String("auth_password_file");
  e.auth_secret = r.SecretValue("auth_secret");
  e.auth_secret_file = r.String("auth_secret_file");
  e.auth_identity = r.String("auth_identity");
  auto headers = r.StringMap("headers");
  e.html = r.String("html", e.html);
  e.text = r.String("text");
  *has_require_tls = r.Has("require_tls");
  if (*has_require_tls) e.require_tls = r.Bool("require_tls", true);
  if (r.Has("tls_config")) {
    e.tls_config =
        ParseTlsConfig(ctx, *r.Value("tls_config"), r.Path("tls_config"), r.Line("tls_config"));
  }
  e.force_implicit_tls = r.OptBool("force_implicit_tls");
  if (r.Has("threading")) {
    MapReader t(ctx, *r.Value("threading"), r.Path("threading"), r.Line("threading"), "threading",
                {"enabled", "thread_by_date"});
    e.threading.enabled = t.Bool("enabled", false);
    e.threading.thread_by_date = t.String("thread_by_date");
  }
  if (ctx.error_count() != before) return e;

  if (e.to.empty()) r.FailBlock("missing to address in email config");
  // Header names are case-insensitive: normalise and refuse collisions.
  std::vector<std::pair<std::string, std::string>> normalized;
  std::set<std::string> seen;
  for (const auto& [name, value] : headers) {
    std::string canonical = CanonicalMimeHeaderKey(name);
    if (!seen.insert(canonical).second) {
      r.Fail("headers", "duplicate header " + GoQuote(canonical) + " in email config");
    }
    normalized.emplace_back(canonical, value);
  }
  e.headers = std::move(normalized);
  if (e.threading.enabled) {
    if (seen.count("References")) {
      r.Fail("threading",
             "conflicting configuration: threading.enabled conflicts with custom References "
             "header");
    }
    if (seen.count("In-Reply-To")) {
      r.Fail("threading",
             "conflicting configuration: threading.enabled conflicts with custom In-Reply-To "
             "header");
    }
    if (e.threading.thread_by_date != "none" && e.threading.thread_by_date != "daily") {
      r.Fail("threading", "threading.thread_by_date must be either 'none' or 'daily'");
    }
  }
  return e;
}

}  // namespace

Receiver ParseReceiver(Context& ctx, const YAML::Node& node, const std::string& path, int line,
                       ReceiverExtras* extras) {
  std::vector<std::string_view> known = {"name", "labels"};
  known.insert(known.end(), kIntegrationKeys.begin(), kIntegrationKeys.end());
  MapReader r(ctx, node, path, line, "receiver", known);
  Receiver rcv;
  rcv.src = r.Src();
  size_t before = r.start_errors();
  rcv.name = r.String("name");
  auto labels = r.StringMap("labels");
  rcv.labels_written = r.Has("labels");
  r.ForEach("email_configs", [&](const YAML::Node& item, const std::string& p, int l) {
    bool has_require_tls = false;
    rcv.email_configs.push_back(ParseEmail(ctx, item, p, l, &has_require_tls));
    extras->email_has_require_tls.push_back(has_require_tls);
  });
  r.ForEach("webhook_configs", [&](const YAML::Node& item, const std::string& p, int l) {
    bool has_http = false;
    rcv.webhook_configs.push_back(ParseWebhook(ctx, item, p, l, &has_http));
    extras->webhook_has_http_config.push_back(has_http);
  });
  for (std::string_view key : kIntegrationKeys) {
    if (key == "email_configs" || key == "webhook_configs" || !r.Present(key)) continue;
    bool any = false;
    r.ForEach(key, [&](const YAML::Node& item, const std::string& p, int l) {
      any = true;
      ValidateUnsupportedIntegration(ctx, std::string(key), item, p, l);
    });
    if (any) extras->unsupported.push_back({std::string(key), r.Line(key), r.Path(key)});
  }
  if (ctx.error_count() != before) return rcv;

  if (rcv.name.empty()) r.FailBlock("missing name in receiver");
  for (const auto& [k, v] : labels) {
    if (k == "name" && v != rcv.name) {
      r.Fail("labels", "receiver label \"name\" must match receiver name " + GoQuote(rcv.name) +
                           ", got " + GoQuote(v));
    }
  }
  rcv.labels = LabelSet::FromPairs(labels);
  rcv.labels.Set("name", rcv.name);
  return rcv;
}

}  // namespace am::config::detail
