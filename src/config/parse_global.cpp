// The `global:` block (config.GlobalConfig, 0.34 keys).
#include "config/parsers.h"
#include "config/paths.h"
#include "core/strings.h"

namespace am::config::detail {

namespace {

// A config URL (amcommoncfg.URL): http/https with a host. Absent → `def`.
std::string ReadUrl(const MapReader& r, std::string_view key, std::string def) {
  if (!r.Present(key)) return def;
  if (!r.Has(key)) return "";  // null: yaml.v2 leaves the pointer nil
  std::string v = r.String(key);
  if (auto err = CheckHttpUrl(v)) r.Fail(key, *err);
  return v;
}

// A SecretURL: like a URL, but "<secret>" (a config printed by the API) is taken as is.
Secret ReadSecretUrl(const MapReader& r, std::string_view key) {
  if (!r.Has(key)) return Secret{};
  std::string v = r.String(key);
  if (v != kSecretToken) {
    if (auto err = CheckHttpUrl(v)) r.Fail(key, *err);
  }
  return Secret{v};
}

}  // namespace

GlobalConfig ParseGlobal(Context& ctx, const YAML::Node& node, const std::string& path, int line) {
  MapReader r(ctx, node, path, line, "global",
              {"resolve_timeout",
               "http_config",
               "jira_api_url",
               "smtp_from",
               "smtp_hello",
               "smtp_smarthost",
               "smtp_auth_username",
               "smtp_auth_password",
               "smtp_auth_password_file",
               "smtp_auth_secret",
               "smtp_auth_secret_file",
               "smtp_auth_identity",
               "smtp_require_tls",
               "smtp_tls_config",
               "smtp_force_implicit_tls",
               "slack_api_url",
               "slack_api_url_file",
               "slack_app_token",
               "slack_app_token_file",
               "slack_app_url",
               "pagerduty_url",
               "opsgenie_api_url",
               "opsgenie_api_key",
               "opsgenie_api_key_file",
               "wechat_api_url",
               "wechat_api_secret",
               "wechat_api_secret_file",
               "wechat_api_corp_id",
               "victorops_api_url",
               "victorops_api_key",
               "victorops_api_key_file",
               "telegram_api_url",
               "telegram_bot_token",
               "telegram_bot_token_file",
               "webex_api_url",
               "rocketchat_api_url",
               "rocketchat_token",
               "rocketchat_token_file",
               "rocketchat_token_id",
               "rocketchat_token_id_file",
               "mattermost_webhook_url",
               "mattermost_webhook_url_file"});
  GlobalConfig g;
  g.src = r.Src();
  if (r.Present("resolve_timeout")) {
    g.resolve_timeout = r.ModelDuration("resolve_timeout").value_or(Duration{0});
  }
  if (r.Has("http_config")) {
    g.http_config =
        ParseHttpConfig(ctx, *r.Value("http_config"), r.Path("http_config"), r.Line("http_config"));
  }
  g.jira_api_url = ReadUrl(r, "jira_api_url", "");
  g.smtp_from = r.String("smtp_from");
  g.smtp_hello = r.String("smtp_hello", g.smtp_hello);
  if (std::string hp = r.String("smtp_smarthost"); !hp.empty()) {
    if (auto err = SplitHostPort(hp, &g.smtp_smarthost.host, &g.smtp_smarthost.port)) {
      r.Fail("smtp_smarthost", *err);
    }
    if (g.smtp_smarthost.port.empty()) {
      r.Fail("smtp_smarthost", "address " + GoQuote(hp) + ": port cannot be empty");
    }
  }
  g.smtp_auth_username = r.String("smtp_auth_username");
  g.smtp_auth_password = r.SecretValue("smtp_auth_password");
  g.smtp_auth_password_file = r.String("smtp_auth_password_file");
  g.smtp_auth_secret = r.SecretValue("smtp_auth_secret");
  g.smtp_auth_secret_file = r.String("smtp_auth_secret_file");
  g.smtp_auth_identity = r.String("smtp_auth_identity");
  g.smtp_require_tls = r.Bool("smtp_require_tls", true);
  if (r.Has("smtp_tls_config")) {
    g.smtp_tls_config = ParseTlsConfig(ctx, *r.Value("smtp_tls_config"), r.Path("smtp_tls_config"),
                                       r.Line("smtp_tls_config"));
  }
  g.smtp_force_implicit_tls = r.OptBool("smtp_force_implicit_tls");
  g.slack_api_url = ReadSecretUrl(r, "slack_api_url");
  g.slack_api_url_file = r.String("slack_api_url_file");
  g.slack_app_token = r.SecretValue("slack_app_token");
  g.slack_app_token_file = r.String("slack_app_token_file");
  g.slack_app_url = ReadUrl(r, "slack_app_url", g.slack_app_url);
  g.pagerduty_url = ReadUrl(r, "pagerduty_url", g.pagerduty_url);
  g.opsgenie_api_url = ReadUrl(r, "opsgenie_api_url", g.opsgenie_api_url);
  g.opsgenie_api_key = r.SecretValue("opsgenie_api_key");
  g.opsgenie_api_key_file = r.String("opsgenie_api_key_file");
  g.wechat_api_url = ReadUrl(r, "wechat_api_url", g.wechat_api_url);
  g.wechat_api_secret = r.SecretValue("wechat_api_secret");
  g.wechat_api_secret_file = r.String("wechat_api_secret_file");
  g.wechat_api_corp_id = r.String("wechat_api_corp_id");
  g.victorops_api_url = ReadUrl(r, "victorops_api_url", g.victorops_api_url);
  g.victorops_api_key = r.SecretValue("victorops_api_key");
  g.victorops_api_key_file = r.String("victorops_api_key_file");
  g.telegram_api_url = ReadUrl(r, "telegram_api_url", g.telegram_api_url);
  g.telegram_bot_token = r.SecretValue("telegram_bot_token");
  g.telegram_bot_token_file = r.String("telegram_bot_token_file");
  g.webex_api_url = ReadUrl(r, "webex_api_url", g.webex_api_url);
  g.rocketchat_api_url = ReadUrl(r, "rocketchat_api_url", g.rocketchat_api_url);
  g.rocketchat_token = r.SecretValue("rocketchat_token");
  g.rocketchat_token_file = r.String("rocketchat_token_file");
  g.rocketchat_token_id = r.SecretValue("rocketchat_token_id");
  g.rocketchat_token_id_file = r.String("rocketchat_token_id_file");
  g.mattermost_webhook_url = ReadSecretUrl(r, "mattermost_webhook_url");
  g.mattermost_webhook_url_file = r.String("mattermost_webhook_url_file");
  return g;
}

}  // namespace am::config::detail
