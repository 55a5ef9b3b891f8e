#include "config/serialiser.h"

#include <yaml-cpp/yaml.h>

#include "config/paths.h"
#include "core/duration.h"

namespace am::config {

namespace {

// Would this text, written plain, read back as something other than a string (YAML 1.1)?
bool ResolvesToNonString(const std::string& s) {
  if (s.empty()) return true;
  static const char* kSpecial[] = {
      "~",     "null",  "Null", "NULL", "y",    "Y",     "yes",   "Yes",   "YES",   "n",
      "N",     "no",    "No",   "NO",   "true", "True",  "TRUE",  "false", "False", "FALSE",
      "on",    "On",    "ON",   "off",  "Off",  "OFF",   ".inf",  ".Inf",  ".INF",  "-.inf",
      "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "+.inf", "+.Inf", "+.INF", "<<"};
  for (const char* k : kSpecial) {
    if (s == k) return true;
  }
  // Numbers: anything starting like one is quoted; harmless when it was not one.
  char c = s[0];
  if ((c >= '0' && c <= '9') || ((c == '-' || c == '+' || c == '.') && s.size() > 1 &&
                                 ((s[1] >= '0' && s[1] <= '9') || s[1] == '.'))) {
    bool numeric = true;
    for (char ch : s) {
      if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' ||
            ch == 'E' || ch == '_' || ch == 'x' || ch == 'X' || ch == 'o' || ch == 'O' ||
            ch == 'b' || ch == 'B' || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') ||
            ch == ':')) {
        numeric = false;
        break;
      }
    }
    if (numeric) return true;
  }
  return false;
}

// A literal block reads back exactly only for text ending in one newline, not starting with
// blanks, without trailing blanks or carriage returns.
bool LiteralSafe(const std::string& s) {
  if (s.size() < 2 || s.back() != '\n' || s[s.size() - 2] == '\n') return false;
  if (s[0] == ' ' || s[0] == '\t') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '\r' || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return false;
    if (c == '\n' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')) return false;
  }
  return true;
}

class Writer {
 public:
  Writer(YAML::Emitter& out, SecretMode mode) : out_(out), mode_(mode) {}

  void Str(const std::string& v) {
    if (v.find('\n') != std::string::npos) {
      out_ << (LiteralSafe(v) ? YAML::Literal : YAML::DoubleQuoted) << v;
    } else if (ResolvesToNonString(v)) {
      out_ << YAML::DoubleQuoted << v;
    } else {
      out_ << v;
    }
  }
  void Key(const char* k) { out_ << YAML::Key << k << YAML::Value; }
  void Str(const char* k, const std::string& v) {
    Key(k);
    Str(v);
  }
  void StrIf(const char* k, const std::string& v) {
    if (!v.empty()) Str(k, v);
  }
  void SecretText(const Secret& s) { Str(mode_ == SecretMode::kReveal ? s.value : kSecretToken); }
  void SecretIf(const char* k, const Secret& s) {
    if (s.empty()) return;
    Key(k);
    SecretText(s);
  }
  void Bool(const char* k, bool b) {
    Key(k);
    out_ << (b ? "true" : "false");
  }
  void Raw(const char* k, const std::string& v) {
    Key(k);
    out_ << v;
  }
  void StrList(const char* k, const std::vector<std::string>& v, bool flow = false) {
    Key(k);
    if (flow) out_ << YAML::Flow;
    out_ << YAML::BeginSeq;
    for (const auto& s : v) {
      // In flow context ':' and ',' are indicators for libyaml (upstream's reader): quote.
      if (flow) {
        out_ << YAML::DoubleQuoted << s;
      } else {
        Str(s);
      }
    }
    out_ << YAML::EndSeq;
  }
  void StrListIf(const char* k, const std::vector<std::string>& v) {
    if (!v.empty()) StrList(k, v);
  }
  void StrMapIf(const char* k, const std::vector<std::pair<std::string, std::string>>& m) {
    if (m.empty()) return;
    Key(k);
    out_ << YAML::BeginMap;
    for (const auto& [name, value] : m) {
      out_ << YAML::Key;
      Str(name);
      out_ << YAML::Value;
      Str(value);
    }
    out_ << YAML::EndMap;
  }
  void LabelsIf(const char* k, const LabelSet& ls) {
    if (ls.empty()) return;
    StrMapIf(k, ls.pairs());
  }
  void MatchersIf(const char* k, const Matchers& ms) {
    if (ms.empty()) return;
    std::vector<std::string> strs;
    for (const Matcher& m : ms) strs.push_back(m.String());
    StrList(k, strs);
  }

  void Tls(const TlsConfig& t) {
    out_ << YAML::BeginMap;
    StrIf("ca", t.ca);
    StrIf("cert", t.cert);
    SecretIf("key", t.key);
    StrIf("ca_file", t.ca_file);
    StrIf("cert_file", t.cert_file);
    StrIf("key_file", t.key_file);
    StrIf("server_name", t.server_name);
    Bool("insecure_skip_verify", t.insecure_skip_verify);
    StrIf("min_version", t.min_version);
    StrIf("max_version", t.max_version);
    out_ << YAML::EndMap;
  }

  void Http(const HttpClientConfig& h) {
    out_ << YAML::BeginMap;
    if (h.basic_auth) {
      Key("basic_auth");
      out_ << YAML::BeginMap;
      Str("username", h.basic_auth->username);
      StrIf("username_file", h.basic_auth->username_file);
      SecretIf("password", h.basic_auth->password);
      StrIf("password_file", h.basic_auth->password_file);
      out_ << YAML::EndMap;
    }
    if (h.authorization) {
      Key("authorization");
      out_ << YAML::BeginMap;
      StrIf("type", h.authorization->type);
      SecretIf("credentials", h.authorization->credentials);
      StrIf("credentials_file", h.authorization->credentials_file);
      out_ << YAML::EndMap;
    }
    if (!h.proxy_url.empty()) {
      Str("proxy_url", mode_ == SecretMode::kReveal ? h.proxy_url : detail::RedactUrl(h.proxy_url));
    }
    StrIf("no_proxy", h.no_proxy);
    if (h.proxy_from_environment) Bool("proxy_from_environment", true);
    if (!h.proxy_connect_header.empty()) {
      Key("proxy_connect_header");
      out_ << YAML::BeginMap;
      for (const auto& [name, values] : h.proxy_connect_header) {
        out_ << YAML::Key;
        Str(name);
        out_ << YAML::Value << YAML::BeginSeq;
        for (const Secret& s : values) SecretText(s);
        out_ << YAML::EndSeq;
      }
      out_ << YAML::EndMap;
    }
    if (!h.tls_config.IsZero()) {
      Key("tls_config");
      Tls(h.tls_config);
    }
    Bool("follow_redirects", h.follow_redirects);
    Bool("enable_http2", h.enable_http2);
    if (!h.http_headers.empty()) {
      Key("http_headers");
      out_ << YAML::BeginMap;
      for (const auto& [name, header] : h.http_headers) {
        out_ << YAML::Key;
        Str(name);
        out_ << YAML::Value << YAML::BeginMap;
        StrListIf("values", header.values);
        if (!header.secrets.empty()) {
          Key("secrets");
          out_ << YAML::BeginSeq;
          for (const Secret& s : header.secrets) SecretText(s);
          out_ << YAML::EndSeq;
        }
        StrListIf("files", header.files);
        out_ << YAML::EndMap;
      }
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndMap;
  }

  void Global(const GlobalConfig& g) {
    out_ << YAML::BeginMap;
    Raw("resolve_timeout", FormatModelDuration(g.resolve_timeout));
    Key("http_config");
    Http(g.http_config);
    StrIf("jira_api_url", g.jira_api_url);
    StrIf("smtp_from", g.smtp_from);
    StrIf("smtp_hello", g.smtp_hello);
    StrIf("smtp_smarthost", g.smtp_smarthost.String());
    StrIf("smtp_auth_username", g.smtp_auth_username);
    SecretIf("smtp_auth_password", g.smtp_auth_password);
    StrIf("smtp_auth_password_file", g.smtp_auth_password_file);
    SecretIf("smtp_auth_secret", g.smtp_auth_secret);
    StrIf("smtp_auth_secret_file", g.smtp_auth_secret_file);
    StrIf("smtp_auth_identity", g.smtp_auth_identity);
    Bool("smtp_require_tls", g.smtp_require_tls);
    if (g.smtp_tls_config) {
      Key("smtp_tls_config");
      Tls(*g.smtp_tls_config);
    }
    if (g.smtp_force_implicit_tls) Bool("smtp_force_implicit_tls", *g.smtp_force_implicit_tls);
    SecretIf("slack_api_url", g.slack_api_url);
    StrIf("slack_api_url_file", g.slack_api_url_file);
    SecretIf("slack_app_token", g.slack_app_token);
    StrIf("slack_app_token_file", g.slack_app_token_file);
    if (g.slack_app_url != kDefaultSlackAppUrl) StrIf("slack_app_url", g.slack_app_url);
    StrIf("pagerduty_url", g.pagerduty_url);
    StrIf("opsgenie_api_url", g.opsgenie_api_url);
    SecretIf("opsgenie_api_key", g.opsgenie_api_key);
    StrIf("opsgenie_api_key_file", g.opsgenie_api_key_file);
    StrIf("wechat_api_url", g.wechat_api_url);
    SecretIf("wechat_api_secret", g.wechat_api_secret);
    StrIf("wechat_api_secret_file", g.wechat_api_secret_file);
    StrIf("wechat_api_corp_id", g.wechat_api_corp_id);
    StrIf("victorops_api_url", g.victorops_api_url);
    SecretIf("victorops_api_key", g.victorops_api_key);
    StrIf("victorops_api_key_file", g.victorops_api_key_file);
    StrIf("telegram_api_url", g.telegram_api_url);
    SecretIf("telegram_bot_token", g.telegram_bot_token);
    StrIf("telegram_bot_token_file", g.telegram_bot_token_file);
    StrIf("webex_api_url", g.webex_api_url);
    if (g.rocketchat_api_url != kDefaultRocketchatApiUrl) {
      StrIf("rocketchat_api_url", g.rocketchat_api_url);
    }
    SecretIf("rocketchat_token", g.rocketchat_token);
    StrIf("rocketchat_token_file", g.rocketchat_token_file);
    SecretIf("rocketchat_token_id", g.rocketchat_token_id);
    StrIf("rocketchat_token_id_file", g.rocketchat_token_id_file);
    SecretIf("mattermost_webhook_url", g.mattermost_webhook_url);
    StrIf("mattermost_webhook_url_file", g.mattermost_webhook_url_file);
    out_ << YAML::EndMap;
  }

  void RouteNode(const Route& r) {
    out_ << YAML::BeginMap;
    StrIf("receiver", r.receiver);
    // Upstream omits an empty group_by, which loses 0.31's "explicit [] overrides the parent";
    // printing it keeps the config's meaning.
    if (r.group_by) StrList("group_by", *r.group_by);
    StrMapIf("match", r.match);
    StrMapIf("match_re", r.match_re);
    MatchersIf("matchers", r.matchers);
    StrListIf("mute_time_intervals", r.mute_time_intervals);
    StrListIf("active_time_intervals", r.active_time_intervals);
    Bool("continue", r.continue_matching);
    if (!r.routes.empty()) {
      Key("routes");
      out_ << YAML::BeginSeq;
      for (const auto& child : r.routes) RouteNode(*child);
      out_ << YAML::EndSeq;
    }
    if (r.group_wait) Raw("group_wait", FormatModelDuration(*r.group_wait));
    if (r.group_interval) Raw("group_interval", FormatModelDuration(*r.group_interval));
    if (r.repeat_interval) Raw("repeat_interval", FormatModelDuration(*r.repeat_interval));
    LabelsIf("labels", r.labels);
    out_ << YAML::EndMap;
  }

  void Inhibit(const InhibitRule& ir) {
    out_ << YAML::BeginMap;
    StrIf("name", ir.name);
    StrMapIf("source_match", ir.source_match);
    StrMapIf("source_match_re", ir.source_match_re);
    MatchersIf("source_matchers", ir.source_matchers);
    StrMapIf("target_match", ir.target_match);
    StrMapIf("target_match_re", ir.target_match_re);
    MatchersIf("target_matchers", ir.target_matchers);
    StrListIf("equal", ir.equal);
    out_ << YAML::EndMap;
  }

  void Email(const EmailConfig& e) {
    out_ << YAML::BeginMap;
    Bool("send_resolved", e.send_resolved);
    StrIf("to", e.to);
    StrIf("from", e.from);
    StrIf("hello", e.hello);
    StrIf("smarthost", e.smarthost.String());
    StrIf("auth_username", e.auth_username);
    SecretIf("auth_password", e.auth_password);
    StrIf("auth_password_file", e.auth_password_file);
    SecretIf("auth_secret", e.auth_secret);
    StrIf("auth_secret_file", e.auth_secret_file);
    StrIf("auth_identity", e.auth_identity);
    StrMapIf("headers", e.headers);
    // Upstream omits an empty html, which reloads as the default template (an HTML part the
    // operator switched off); printing "" keeps the meaning.
    Str("html", e.html);
    StrIf("text", e.text);
    Bool("require_tls", e.require_tls);
    if (e.tls_config && !e.tls_config->IsZero()) {
      Key("tls_config");
      Tls(*e.tls_config);
    }
    if (e.force_implicit_tls) Bool("force_implicit_tls", *e.force_implicit_tls);
    if (e.threading.enabled) {
      Key("threading");
      out_ << YAML::BeginMap;
      Bool("enabled", true);
      StrIf("thread_by_date", e.threading.thread_by_date);
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndMap;
  }

  void Value(const YamlValue& v) {
    switch (v.kind) {
      case YamlValue::Kind::kNull:
        out_ << YAML::Null;
        break;
      case YamlValue::Kind::kBool:
      case YamlValue::Kind::kInt:
      case YamlValue::Kind::kFloat:
        out_ << v.scalar;
        break;
      case YamlValue::Kind::kString:
        Str(v.scalar);
        break;
      case YamlValue::Kind::kSequence:
        out_ << YAML::BeginSeq;
        for (const auto& item : v.items) Value(item);
        out_ << YAML::EndSeq;
        break;
      case YamlValue::Kind::kMapping:
        out_ << YAML::BeginMap;
        for (const auto& [k, item] : v.map) {
          out_ << YAML::Key;
          Str(k);
          out_ << YAML::Value;
          Value(item);
        }
        out_ << YAML::EndMap;
        break;
    }
  }

  void Webhook(const WebhookConfig& w) {
    out_ << YAML::BeginMap;
    Bool("send_resolved", w.send_resolved);
    Key("http_config");
    Http(w.http_config);
    // 0.25 prints the webhook URL as written (0.26+ masks it). We follow 0.25, which is what
    // operators' amtool parses: a masked URL makes 0.25's `amtool config routes` fail with
    // `unsupported scheme "" for URL`.
    StrIf("url", w.url.value);
    StrIf("url_file", w.url_file);
    Raw("max_alerts", std::to_string(w.max_alerts));
    if (w.timeout.count() != 0) Raw("timeout", FormatGoDuration(w.timeout));
    if (w.payload) {
      Key("payload");
      Value(*w.payload);
    }
    out_ << YAML::EndMap;
  }

  void ReceiverNode(const Receiver& r) {
    out_ << YAML::BeginMap;
    Str("name", r.name);
    if (r.labels_written) LabelsIf("labels", r.labels);
    if (!r.email_configs.empty()) {
      Key("email_configs");
      out_ << YAML::BeginSeq;
      for (const auto& e : r.email_configs) Email(e);
      out_ << YAML::EndSeq;
    }
    if (!r.webhook_configs.empty()) {
      Key("webhook_configs");
      out_ << YAML::BeginSeq;
      for (const auto& w : r.webhook_configs) Webhook(w);
      out_ << YAML::EndSeq;
    }
    out_ << YAML::EndMap;
  }

  void Ranges(const char* k, const std::optional<std::vector<InclusiveRange>>& rs,
              std::string (*name)(int)) {
    if (!rs) return;
    std::vector<std::string> strs;
    for (const InclusiveRange& r : *rs) {
      strs.push_back(r.begin == r.end ? name(r.begin) : name(r.begin) + ":" + name(r.end));
    }
    StrList(k, strs, /*flow=*/true);
  }

  void Interval(const NamedTimeInterval& ti) {
    static const char* kDays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                  "thursday", "friday", "saturday"};
    out_ << YAML::BeginMap;
    Str("name", ti.name);
    Key("time_intervals");
    out_ << YAML::BeginSeq;
    for (const TimeIntervalSpec& s : ti.time_intervals) {
      out_ << YAML::BeginMap;
      if (s.times) {
        Key("times");
        out_ << YAML::BeginSeq;
        for (const TimeRange& tr : *s.times) {
          auto clock = [](int m) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
            return std::string(buf);
          };
          out_ << YAML::BeginMap;
          Str("start_time", clock(tr.start_minute));
          Str("end_time", clock(tr.end_minute));
          out_ << YAML::EndMap;
        }
        out_ << YAML::EndSeq;
      }
      Ranges("weekdays", s.weekdays,
             [](int d) { return std::string(d >= 0 && d <= 6 ? kDays[d] : ""); });
      Ranges("days_of_month", s.days_of_month, [](int d) { return std::to_string(d); });
      Ranges("months", s.months, [](int d) { return std::to_string(d); });
      Ranges("years", s.years, [](int d) { return std::to_string(d); });
      if (s.location) Str("location", *s.location);
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
    out_ << YAML::EndMap;
  }

  void Top(const Config& c) {
    out_ << YAML::BeginMap;
    Key("global");
    Global(c.global);
    if (c.route) {
      Key("route");
      RouteNode(*c.route);
    }
    if (!c.inhibit_rules.empty()) {
      Key("inhibit_rules");
      out_ << YAML::BeginSeq;
      for (const auto& ir : c.inhibit_rules) Inhibit(ir);
      out_ << YAML::EndSeq;
    }
    if (!c.receivers.empty()) {
      Key("receivers");
      out_ << YAML::BeginSeq;
      for (const auto& r : c.receivers) ReceiverNode(r);
      out_ << YAML::EndSeq;
    }
    StrList("templates", c.templates);
    for (const auto* list : {&c.mute_time_intervals, &c.time_intervals}) {
      if (list->empty()) continue;
      Key(list == &c.mute_time_intervals ? "mute_time_intervals" : "time_intervals");
      out_ << YAML::BeginSeq;
      for (const auto& ti : *list) Interval(ti);
      out_ << YAML::EndSeq;
    }
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
  SecretMode mode_;
};

}  // namespace

std::string ToYaml(const Config& cfg, SecretMode mode) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Writer w(out, mode);
  w.Top(cfg);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += "\n";
  return s;
}

}  // namespace am::config
