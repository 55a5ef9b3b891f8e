#include "config/loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/parsers.h"
#include "config/paths.h"
#include "config/template_glob.h"
#include "core/strings.h"

namespace am::config {

namespace {

using detail::Context;
using detail::MapReader;

void CheckGlobal(const Context& ctx, const GlobalConfig& g) {
  auto fail = [&](std::string_view key, std::string msg) {
    ctx.Fail(g.src.KeyLine(key), "global." + std::string(key), std::move(msg));
  };
  auto at_most_one = [&](bool a, bool b, std::string_view key_a, std::string_view key_b) {
    if (a && b) {
      fail(key_b, "at most one of " + std::string(key_a) + " & " + std::string(key_b) +
                      " must be configured");
    }
  };
  at_most_one(!g.slack_app_token.empty(), !g.slack_app_token_file.empty(), "slack_app_token",
              "slack_app_token_file");
  at_most_one(!g.slack_api_url.empty(), !g.slack_api_url_file.empty(), "slack_api_url",
              "slack_api_url_file");
  if ((!g.slack_app_token.empty() || !g.slack_app_token_file.empty()) &&
      (!g.slack_api_url.empty() || !g.slack_api_url_file.empty()) &&
      g.slack_api_url.value != g.slack_app_url) {
    fail(g.slack_app_token.empty() ? "slack_app_token_file" : "slack_app_token",
         "at most one of slack_app_token/slack_app_token_file & slack_api_url/slack_api_url_file "
         "must be configured");
  }
  at_most_one(!g.opsgenie_api_key.empty(), !g.opsgenie_api_key_file.empty(), "opsgenie_api_key",
              "opsgenie_api_key_file");
  at_most_one(!g.victorops_api_key.empty(), !g.victorops_api_key_file.empty(), "victorops_api_key",
              "victorops_api_key_file");
  at_most_one(!g.telegram_bot_token.empty(), !g.telegram_bot_token_file.empty(),
              "telegram_bot_token", "telegram_bot_token_file");
  at_most_one(!g.smtp_auth_password.empty(), !g.smtp_auth_password_file.empty(),
              "smtp_auth_password", "smtp_auth_password_file");
  at_most_one(!g.rocketchat_token.empty(), !g.rocketchat_token_file.empty(), "rocketchat_token",
              "rocketchat_token_file");
  at_most_one(!g.rocketchat_token_id.empty(), !g.rocketchat_token_id_file.empty(),
              "rocketchat_token_id", "rocketchat_token_id_file");
  at_most_one(!g.smtp_auth_secret.empty(), !g.smtp_auth_secret_file.empty(), "smtp_auth_secret",
              "smtp_auth_secret_file");
  at_most_one(!g.wechat_api_secret.empty(), !g.wechat_api_secret_file.empty(), "wechat_api_secret",
              "wechat_api_secret_file");
  at_most_one(!g.mattermost_webhook_url.empty(), !g.mattermost_webhook_url_file.empty(),
              "mattermost_webhook_url", "mattermost_webhook_url_file");
}

void InheritEmail(const Context& ctx, const GlobalConfig& g, const std::string& path,
                  bool has_require_tls, EmailConfig* e) {
  if (!e->tls_config) e->tls_config = g.smtp_tls_config;
  if (e->smarthost.empty()) e->smarthost = g.smtp_smarthost;
  if (e->smarthost.empty()) ctx.Fail(e->src.line, path, "no global SMTP smarthost set");
  if (e->from.empty()) e->from = g.smtp_from;
  if (e->from.empty()) ctx.Fail(e->src.line, path, "no global SMTP from set");
  if (e->hello.empty()) e->hello = g.smtp_hello;
  if (e->auth_username.empty()) e->auth_username = g.smtp_auth_username;
  if (e->auth_password.empty() && e->auth_password_file.empty()) {
    e->auth_password = g.smtp_auth_password;
    e->auth_password_file = g.smtp_auth_password_file;
  }
  if (e->auth_secret.empty() && e->auth_secret_file.empty()) {
    e->auth_secret = g.smtp_auth_secret;
    e->auth_secret_file = g.smtp_auth_secret_file;
  }
  if (e->auth_identity.empty()) e->auth_identity = g.smtp_auth_identity;
  if (!has_require_tls) e->require_tls = g.smtp_require_tls;
  if (!e->force_implicit_tls) e->force_implicit_tls = g.smtp_force_implicit_tls;
  // notify/email fills these three in when it builds the notifier; doing it here shows them in
  // the printed config as upstream's status page does.
  auto set_default = [&](const char* name, const std::string& value) {
    if (!e->Header(name)) e->headers.emplace_back(name, value);
  };
  set_default("Subject", kDefaultEmailSubject);
  set_default("To", e->to);
  set_default("From", e->from);
  std::sort(e->headers.begin(), e->headers.end());
}

// Children before their parent, as upstream's checkReceiver / checkTimeInterval recurse.
void CheckRouteRefs(const Context& ctx, const Route& r, const std::string& path,
                    const std::set<std::string>& receivers) {
  for (size_t i = 0; i < r.routes.size(); ++i) {
    CheckRouteRefs(ctx, *r.routes[i], path + ".routes[" + std::to_string(i) + "]", receivers);
  }
  if (!r.receiver.empty() && !receivers.count(r.receiver)) {
    ctx.Fail(r.src.KeyLine("receiver"), path + ".receiver",
             "undefined receiver " + GoQuote(r.receiver) + " used in route");
  }
}

void CheckRouteIntervals(const Context& ctx, const Route& r, const std::string& path,
                         const std::set<std::string>& intervals) {
  for (size_t i = 0; i < r.routes.size(); ++i) {
    CheckRouteIntervals(ctx, *r.routes[i], path + ".routes[" + std::to_string(i) + "]", intervals);
  }
  for (const char* key : {"active_time_intervals", "mute_time_intervals"}) {
    const auto& names = std::string_view(key) == "active_time_intervals" ? r.active_time_intervals
                                                                         : r.mute_time_intervals;
    for (const std::string& name : names) {
      if (!intervals.count(name)) {
        ctx.Fail(r.src.KeyLine(key), path + "." + key,
                 "undefined time interval " + GoQuote(name) + " used in route");
      }
    }
  }
}

}  // namespace

std::shared_ptr<const Config> LoadString(std::string_view yaml,
                                         const std::string& filename_for_errors,
                                         const std::string& base_dir) {
  Context ctx(filename_for_errors, base_dir);
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    ctx.Fail(e.mark.is_null() ? 0 : e.mark.line + 1, "", "yaml: " + e.msg);
  }
  auto cfg = std::make_shared<Config>();
  cfg->original = std::string(yaml);
  cfg->filename = filename_for_errors;
  cfg->base_dir = base_dir;

  bool empty_document = !doc.IsDefined() || doc.IsNull();
  MapReader top(ctx, doc, "", 1, "config",
                {"global", "route", "inhibit_rules", "receivers", "templates",
                 "mute_time_intervals", "time_intervals", "tracing", "event_recorder"});
  if (top.Has("global")) {
    cfg->global = detail::ParseGlobal(ctx, *top.Value("global"), "global", top.Line("global"));
  }
  if (top.Has("route")) {
    cfg->route = detail::ParseRoute(ctx, *top.Value("route"), "route", top.Line("route"));
  }
  top.ForEach("inhibit_rules", [&](const YAML::Node& n, const std::string& p, int l) {
    cfg->inhibit_rules.push_back(detail::ParseInhibitRule(ctx, n, p, l));
  });
  std::vector<detail::ReceiverExtras> extras;
  top.ForEach("receivers", [&](const YAML::Node& n, const std::string& p, int l) {
    extras.emplace_back();
    cfg->receivers.push_back(detail::ParseReceiver(ctx, n, p, l, &extras.back()));
  });
  top.ForEach("templates", [&](const YAML::Node& n, const std::string& p, int l) {
    std::string pattern;
    if (!detail::ReadString(ctx, n, l, p, &pattern)) return;
    if (!pattern.empty() && pattern[0] != '/' && !base_dir.empty()) {
      pattern = detail::JoinDir(base_dir, pattern);
    }
    if (std::string err = CheckGlobPattern(pattern); !err.empty()) ctx.Fail(l, p, err);
    cfg->templates.push_back(std::move(pattern));
  });
  top.ForEach("mute_time_intervals", [&](const YAML::Node& n, const std::string& p, int l) {
    cfg->mute_time_intervals.push_back(detail::ParseNamedTimeInterval(ctx, n, p, l, true));
  });
  top.ForEach("time_intervals", [&](const YAML::Node& n, const std::string& p, int l) {
    cfg->time_intervals.push_back(detail::ParseNamedTimeInterval(ctx, n, p, l, false));
  });
  bool tracing = top.Present("tracing") && detail::ValidateTracing(ctx, *top.Value("tracing"),
                                                                   "tracing", top.Line("tracing"));
  bool recorder = top.Present("event_recorder") &&
                  detail::ValidateEventRecorder(ctx, *top.Value("event_recorder"), "event_recorder",
                                                top.Line("event_recorder"));
  ctx.ThrowIfErrors();

  // Cross-block checks, in the order upstream's Config.UnmarshalYAML and Load make them.
  if (tracing) {
    const YAML::Node& t = *top.Value("tracing");
    bool has_endpoint = false;
    if (t.IsMap()) {
      for (const auto& kv : t) {
        if (kv.first.IsScalar() && kv.first.Scalar() == "endpoint" && kv.second.IsScalar() &&
            !kv.second.Scalar().empty()) {
          has_endpoint = true;
        }
      }
    }
    ctx.Fail(top.Line("tracing"), "tracing",
             has_endpoint ? "tracing is not supported by this Alertmanager yet"
                          : "tracing endpoint must be set");
  }
  if (recorder) {
    ctx.Fail(top.Line("event_recorder"), "event_recorder",
             "event_recorder is not supported by this Alertmanager yet");
  }
  GlobalConfig& g = cfg->global;
  CheckGlobal(ctx, g);
  detail::SetHttpConfigDirectory(&g.http_config, base_dir);

  std::set<std::string> receiver_names;
  for (size_t i = 0; i < cfg->receivers.size(); ++i) {
    Receiver& rcv = cfg->receivers[i];
    std::string path = "receivers[" + std::to_string(i) + "]";
    if (!receiver_names.insert(rcv.name).second) {
      ctx.Fail(rcv.src.KeyLine("name"), path + ".name",
               "notification config name " + GoQuote(rcv.name) + " is not unique");
    }
    for (size_t j = 0; j < rcv.webhook_configs.size(); ++j) {
      WebhookConfig& w = rcv.webhook_configs[j];
      if (!extras[i].webhook_has_http_config[j]) {
        w.http_config = g.http_config;
      } else {
        detail::SetHttpConfigDirectory(&w.http_config, base_dir);
      }
    }
    for (size_t j = 0; j < rcv.email_configs.size(); ++j) {
      InheritEmail(ctx, g, path + ".email_configs[" + std::to_string(j) + "]",
                   extras[i].email_has_require_tls[j], &rcv.email_configs[j]);
    }
    for (const auto& u : extras[i].unsupported) {
      ctx.Fail(u.line, u.path,
               "receiver " + GoQuote(rcv.name) + ": " + u.key +
                   " is not supported by this Alertmanager yet");
    }
  }

  if (!cfg->route) {
    if (empty_document) ctx.Fail(0, "route", "no route provided in config");
    ctx.Fail(top.Line("route"), "route", "no routes provided");
  }
  const Route& root = *cfg->route;
  if (root.receiver.empty()) {
    ctx.Fail(root.src.line, "route", "root route must specify a default receiver");
  }
  if (!root.match.empty() || !root.match_re.empty() || !root.matchers.empty()) {
    const char* key = !root.match.empty()      ? "match"
                      : !root.match_re.empty() ? "match_re"
                                               : "matchers";
    ctx.Fail(root.src.KeyLine(key), std::string("route.") + key,
             "root route must not have any matchers");
  }
  if (!root.mute_time_intervals.empty()) {
    ctx.Fail(root.src.KeyLine("mute_time_intervals"), "route.mute_time_intervals",
             "root route must not have any mute time intervals");
  }
  if (!root.active_time_intervals.empty()) {
    ctx.Fail(root.src.KeyLine("active_time_intervals"), "route.active_time_intervals",
             "root route must not have any active time intervals");
  }
  CheckRouteRefs(ctx, root, "route", receiver_names);

  std::set<std::string> interval_names;
  for (size_t i = 0; i < cfg->mute_time_intervals.size(); ++i) {
    const NamedTimeInterval& t = cfg->mute_time_intervals[i];
    if (!interval_names.insert(t.name).second) {
      ctx.Fail(t.src.KeyLine("name"), "mute_time_intervals[" + std::to_string(i) + "].name",
               "mute time interval " + GoQuote(t.name) + " is not unique");
    }
  }
  for (size_t i = 0; i < cfg->time_intervals.size(); ++i) {
    const NamedTimeInterval& t = cfg->time_intervals[i];
    if (!interval_names.insert(t.name).second) {
      ctx.Fail(t.src.KeyLine("name"), "time_intervals[" + std::to_string(i) + "].name",
               "time interval " + GoQuote(t.name) + " is not unique");
    }
  }
  CheckRouteIntervals(ctx, root, "route", interval_names);

  if (root.continue_matching) {
    ctx.Fail(root.src.KeyLine("continue"), "route.continue", "cannot have continue in root route");
  }

  Route::Finalize(cfg->route.get());
  cfg->warnings = std::move(ctx.warnings());
  return cfg;
}

std::shared_ptr<const Config> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    throw ConfigError({ConfigProblem{path, 0, "", "open " + path + ": " + std::strerror(err)}});
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    throw ConfigError({ConfigProblem{path, 0, "", "read " + path + ": " + std::strerror(errno)}});
  }
  std::string dir = ".";
  if (size_t slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  return LoadString(ss.str(), path, detail::CleanPath(dir));
}

}  // namespace am::config
