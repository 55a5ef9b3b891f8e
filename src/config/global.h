// The `global:` block with upstream's defaults applied (config.DefaultGlobalConfig, 0.34 keys).
// URLs are kept as written (validated at load: http/https scheme and a host). Plain value type;
// immutable once in a Config.
#pragma once

#include <optional>
#include <string>

#include "config/http_config.h"
#include "config/secret.h"
#include "config/source_ref.h"
#include "core/duration.h"

namespace am::config {

// A "host:port" pair (upstream HostPort). Both empty = unset.
struct HostPort {
  std::string host;
  std::string port;

  bool empty() const { return host.empty() && port.empty(); }
  // net.JoinHostPort form ("[::1]:25" for IPv6); "" when unset.
  std::string String() const;
  bool operator==(const HostPort&) const = default;
};

inline constexpr const char* kDefaultSlackAppUrl = "https://slack.com/api/chat.postMessage";
inline constexpr const char* kDefaultPagerdutyUrl = "https://events.pagerduty.com/v2/enqueue";
inline constexpr const char* kDefaultOpsGenieApiUrl = "https://api.opsgenie.com/";
inline constexpr const char* kDefaultWeChatApiUrl = "https://qyapi.weixin.qq.com/cgi-bin/";
inline constexpr const char* kDefaultVictorOpsApiUrl =
    "https://alert.victorops.com/integrations/generic/20131114/alert/";
inline constexpr const char* kDefaultTelegramApiUrl = "https://api.telegram.org";
inline constexpr const char* kDefaultWebexApiUrl = "https://webexapis.com/v1/messages";
inline constexpr const char* kDefaultRocketchatApiUrl = "https://open.rocket.chat/";

struct GlobalConfig {
  Duration resolve_timeout = std::chrono::minutes(5);
  HttpClientConfig http_config;

  std::string jira_api_url;
  std::string smtp_from;
  std::string smtp_hello = "localhost";
  HostPort smtp_smarthost;
  std::string smtp_auth_username;
  Secret smtp_auth_password;
  std::string smtp_auth_password_file;
  Secret smtp_auth_secret;
  std::string smtp_auth_secret_file;
  std::string smtp_auth_identity;
  bool smtp_require_tls = true;
  std::optional<TlsConfig> smtp_tls_config;
  std::optional<bool> smtp_force_implicit_tls;
  Secret slack_api_url;
  std::string slack_api_url_file;
  Secret slack_app_token;
  std::string slack_app_token_file;
  std::string slack_app_url = kDefaultSlackAppUrl;
  std::string pagerduty_url = kDefaultPagerdutyUrl;
  std::string opsgenie_api_url = kDefaultOpsGenieApiUrl;
  Secret opsgenie_api_key;
  std::string opsgenie_api_key_file;
  std::string wechat_api_url = kDefaultWeChatApiUrl;
  Secret wechat_api_secret;
  std::string wechat_api_secret_file;
  std::string wechat_api_corp_id;
  std::string victorops_api_url = kDefaultVictorOpsApiUrl;
  Secret victorops_api_key;
  std::string victorops_api_key_file;
  std::string telegram_api_url = kDefaultTelegramApiUrl;
  Secret telegram_bot_token;
  std::string telegram_bot_token_file;
  std::string webex_api_url = kDefaultWebexApiUrl;
  std::string rocketchat_api_url = kDefaultRocketchatApiUrl;
  Secret rocketchat_token;
  std::string rocketchat_token_file;
  Secret rocketchat_token_id;
  std::string rocketchat_token_id_file;
  Secret mattermost_webhook_url;
  std::string mattermost_webhook_url_file;

  SourceRef src;
  bool operator==(const GlobalConfig&) const = default;
};

}  // namespace am::config
