// Key schemas of the integrations upstream 0.34 has and this Alertmanager does not implement yet.
// Their blocks are checked key by key (so a typo is reported as upstream reports it) before the
// loader refuses the receiver.
#include <map>

#include "config/parsers.h"

namespace am::config::detail {

namespace {

enum class Kind {
  kScalar,      // string, number or bool
  kScalarList,  // list of scalars
  kScalarMap,   // map of scalars
  kAnyMap,      // map of anything (pagerduty details, jira fields)
  kAny,         // anything
  kObject,      // nested mapping with its own schema
  kObjectList,  // list of nested mappings
  kHttpConfig,
  kTlsConfig,
};

struct Field;
using Schema = std::vector<Field>;

struct Field {
  const char* name;
  Kind kind;
  const Schema* sub = nullptr;
};

Schema With(Schema base, std::initializer_list<Field> more) {
  base.insert(base.end(), more);
  return base;
}

const Schema kNotifier = {{"send_resolved", Kind::kScalar}, {"http_config", Kind::kHttpConfig}};

const Schema kSlackConfirm = {{"text", Kind::kScalar},
                              {"title", Kind::kScalar},
                              {"ok_text", Kind::kScalar},
                              {"dismiss_text", Kind::kScalar}};
const Schema kSlackAction = {{"type", Kind::kScalar},
                             {"text", Kind::kScalar},
                             {"url", Kind::kScalar},
                             {"style", Kind::kScalar},
                             {"name", Kind::kScalar},
                             {"value", Kind::kScalar},
                             {"confirm", Kind::kObject, &kSlackConfirm}};
const Schema kTitleValueShort = {
    {"title", Kind::kScalar}, {"value", Kind::kScalar}, {"short", Kind::kScalar}};
const Schema kSlack = With(kNotifier, {{"api_url", Kind::kScalar},
                                       {"api_url_file", Kind::kScalar},
                                       {"app_token", Kind::kScalar},
                                       {"app_token_file", Kind::kScalar},
                                       {"app_url", Kind::kScalar},
                                       {"channel", Kind::kScalar},
                                       {"username", Kind::kScalar},
                                       {"color", Kind::kScalar},
                                       {"title", Kind::kScalar},
                                       {"title_link", Kind::kScalar},
                                       {"pretext", Kind::kScalar},
                                       {"text", Kind::kScalar},
                                       {"message_text", Kind::kScalar},
                                       {"fields", Kind::kObjectList, &kTitleValueShort},
                                       {"short_fields", Kind::kScalar},
                                       {"footer", Kind::kScalar},
                                       {"fallback", Kind::kScalar},
                                       {"callback_id", Kind::kScalar},
                                       {"icon_emoji", Kind::kScalar},
                                       {"icon_url", Kind::kScalar},
                                       {"image_url", Kind::kScalar},
                                       {"thumb_url", Kind::kScalar},
                                       {"link_names", Kind::kScalar},
                                       {"mrkdwn_in", Kind::kScalarList},
                                       {"actions", Kind::kObjectList, &kSlackAction},
                                       {"update_message", Kind::kScalar},
                                       {"timeout", Kind::kScalar}});

const Schema kPagerdutyImage = {
    {"src", Kind::kScalar}, {"alt", Kind::kScalar}, {"href", Kind::kScalar}};
const Schema kPagerdutyLink = {{"href", Kind::kScalar}, {"text", Kind::kScalar}};
const Schema kPagerduty = With(kNotifier, {{"service_key", Kind::kScalar},
                                           {"service_key_file", Kind::kScalar},
                                           {"routing_key", Kind::kScalar},
                                           {"routing_key_file", Kind::kScalar},
                                           {"url", Kind::kScalar},
                                           {"client", Kind::kScalar},
                                           {"client_url", Kind::kScalar},
                                           {"description", Kind::kScalar},
                                           {"details", Kind::kAnyMap},
                                           {"images", Kind::kObjectList, &kPagerdutyImage},
                                           {"links", Kind::kObjectList, &kPagerdutyLink},
                                           {"source", Kind::kScalar},
                                           {"severity", Kind::kScalar},
                                           {"class", Kind::kScalar},
                                           {"component", Kind::kScalar},
                                           {"group", Kind::kScalar},
                                           {"timeout", Kind::kScalar}});

const Schema kOpsgenieResponder = {{"id", Kind::kScalar},
                                   {"name", Kind::kScalar},
                                   {"username", Kind::kScalar},
                                   {"type", Kind::kScalar}};
const Schema kOpsgenie = With(kNotifier, {{"api_key", Kind::kScalar},
                                          {"api_key_file", Kind::kScalar},
                                          {"api_url", Kind::kScalar},
                                          {"message", Kind::kScalar},
                                          {"description", Kind::kScalar},
                                          {"source", Kind::kScalar},
                                          {"details", Kind::kScalarMap},
                                          {"entity", Kind::kScalar},
                                          {"responders", Kind::kObjectList, &kOpsgenieResponder},
                                          {"actions", Kind::kScalar},
                                          {"tags", Kind::kScalar},
                                          {"note", Kind::kScalar},
                                          {"priority", Kind::kScalar},
                                          {"update_alerts", Kind::kScalar}});

const Schema kVictorOps = With(kNotifier, {{"api_key", Kind::kScalar},
                                           {"api_key_file", Kind::kScalar},
                                           {"api_url", Kind::kScalar},
                                           {"routing_key", Kind::kScalar},
                                           {"message_type", Kind::kScalar},
                                           {"state_message", Kind::kScalar},
                                           {"entity_display_name", Kind::kScalar},
                                           {"monitoring_tool", Kind::kScalar},
                                           {"custom_fields", Kind::kScalarMap}});

const Schema kPushover = With(kNotifier, {{"user_key", Kind::kScalar},
                                          {"user_key_file", Kind::kScalar},
                                          {"token", Kind::kScalar},
                                          {"token_file", Kind::kScalar},
                                          {"title", Kind::kScalar},
                                          {"message", Kind::kScalar},
                                          {"url", Kind::kScalar},
                                          {"url_title", Kind::kScalar},
                                          {"device", Kind::kScalar},
                                          {"sound", Kind::kScalar},
                                          {"priority", Kind::kScalar},
                                          {"retry", Kind::kScalar},
                                          {"expire", Kind::kScalar},
                                          {"ttl", Kind::kScalar},
                                          {"html", Kind::kScalar},
                                          {"monospace", Kind::kScalar}});

const Schema kWechat = With(kNotifier, {{"api_secret", Kind::kScalar},
                                        {"api_secret_file", Kind::kScalar},
                                        {"corp_id", Kind::kScalar},
                                        {"message", Kind::kScalar},
                                        {"api_url", Kind::kScalar},
                                        {"to_user", Kind::kScalar},
                                        {"to_party", Kind::kScalar},
                                        {"to_tag", Kind::kScalar},
                                        {"agent_id", Kind::kScalar},
                                        {"message_type", Kind::kScalar}});

const Schema kSigv4 = {{"region", Kind::kScalar},
                       {"access_key", Kind::kScalar},
                       {"secret_key", Kind::kScalar},
                       {"profile", Kind::kScalar},
                       {"role_arn", Kind::kScalar},
                       {"external_id", Kind::kScalar},
                       {"use_fips_sts_endpoint", Kind::kScalar}};
const Schema kSns = With(kNotifier, {{"api_url", Kind::kScalar},
                                     {"sigv4", Kind::kObject, &kSigv4},
                                     {"topic_arn", Kind::kScalar},
                                     {"phone_number", Kind::kScalar},
                                     {"target_arn", Kind::kScalar},
                                     {"subject", Kind::kScalar},
                                     {"message", Kind::kScalar},
                                     {"attributes", Kind::kScalarMap},
                                     {"use_aws_http_client", Kind::kScalar}});

const Schema kTelegram = With(kNotifier, {{"api_url", Kind::kScalar},
                                          {"bot_token", Kind::kScalar},
                                          {"bot_token_file", Kind::kScalar},
                                          {"chat_id", Kind::kScalar},
                                          {"chat_id_file", Kind::kScalar},
                                          {"message_thread_id", Kind::kScalar},
                                          {"message", Kind::kScalar},
                                          {"disable_notifications", Kind::kScalar},
                                          {"parse_mode", Kind::kScalar}});

const Schema kDiscord = With(kNotifier, {{"webhook_url", Kind::kScalar},
                                         {"webhook_url_file", Kind::kScalar},
                                         {"content", Kind::kScalar},
                                         {"title", Kind::kScalar},
                                         {"message", Kind::kScalar},
                                         {"username", Kind::kScalar},
                                         {"avatar_url", Kind::kScalar}});

const Schema kWebex =
    With(kNotifier,
         {{"api_url", Kind::kScalar}, {"message", Kind::kScalar}, {"room_id", Kind::kScalar}});

const Schema kMsTeams = With(kNotifier, {{"webhook_url", Kind::kScalar},
                                         {"webhook_url_file", Kind::kScalar},
                                         {"title", Kind::kScalar},
                                         {"summary", Kind::kScalar},
                                         {"text", Kind::kScalar}});

const Schema kMsTeamsV2 = With(kNotifier, {{"webhook_url", Kind::kScalar},
                                           {"webhook_url_file", Kind::kScalar},
                                           {"title", Kind::kScalar},
                                           {"text", Kind::kScalar}});

const Schema kJiraField = {{"template", Kind::kScalar}, {"enable_update", Kind::kScalar}};
const Schema kJira = With(kNotifier, {{"api_url", Kind::kScalar},
                                      {"api_type", Kind::kScalar},
                                      {"project", Kind::kScalar},
                                      {"summary", Kind::kObject, &kJiraField},
                                      {"description", Kind::kObject, &kJiraField},
                                      {"labels", Kind::kScalarList},
                                      {"priority", Kind::kScalar},
                                      {"issue_type", Kind::kScalar},
                                      {"reopen_transition", Kind::kScalar},
                                      {"resolve_transition", Kind::kScalar},
                                      {"wont_fix_resolution", Kind::kScalar},
                                      {"reopen_duration", Kind::kScalar},
                                      {"fields", Kind::kAnyMap}});

// Rocket.Chat's attachment structs have no yaml tags: yaml.v2 uses the lower-cased field names.
const Schema kRocketchatAction = {{"type", Kind::kScalar},
                                  {"text", Kind::kScalar},
                                  {"url", Kind::kScalar},
                                  {"imageurl", Kind::kScalar},
                                  {"iswebview", Kind::kScalar},
                                  {"webviewheightratio", Kind::kScalar},
                                  {"msg", Kind::kScalar},
                                  {"msginchatwindow", Kind::kScalar},
                                  {"msgprocessingtype", Kind::kScalar}};
const Schema kRocketchat = With(kNotifier, {{"api_url", Kind::kScalar},
                                            {"token_id", Kind::kScalar},
                                            {"token_id_file", Kind::kScalar},
                                            {"token", Kind::kScalar},
                                            {"token_file", Kind::kScalar},
                                            {"channel", Kind::kScalar},
                                            {"color", Kind::kScalar},
                                            {"title", Kind::kScalar},
                                            {"title_link", Kind::kScalar},
                                            {"text", Kind::kScalar},
                                            {"fields", Kind::kObjectList, &kTitleValueShort},
                                            {"short_fields", Kind::kScalar},
                                            {"emoji", Kind::kScalar},
                                            {"icon_url", Kind::kScalar},
                                            {"image_url", Kind::kScalar},
                                            {"thumb_url", Kind::kScalar},
                                            {"link_names", Kind::kScalar},
                                            {"actions", Kind::kObjectList, &kRocketchatAction}});

const Schema kIncidentio = With(kNotifier, {{"url", Kind::kScalar},
                                            {"url_file", Kind::kScalar},
                                            {"alert_source_token", Kind::kScalar},
                                            {"alert_source_token_file", Kind::kScalar},
                                            {"max_alerts", Kind::kScalar},
                                            {"timeout", Kind::kScalar}});

const Schema kMattermostAttachment = {
    {"fallback", Kind::kScalar},    {"color", Kind::kScalar},
    {"pretext", Kind::kScalar},     {"text", Kind::kScalar},
    {"author_name", Kind::kScalar}, {"author_link", Kind::kScalar},
    {"author_icon", Kind::kScalar}, {"title", Kind::kScalar},
    {"title_link", Kind::kScalar},  {"fields", Kind::kObjectList, &kTitleValueShort},
    {"thumb_url", Kind::kScalar},   {"footer", Kind::kScalar},
    {"footer_icon", Kind::kScalar}, {"image_url", Kind::kScalar}};
const Schema kMattermostProps = {{"card", Kind::kScalar}};
const Schema kMattermostPriority = {{"priority", Kind::kScalar},
                                    {"requested_ack", Kind::kScalar},
                                    {"persistent_notifications", Kind::kScalar}};
const Schema kMattermost =
    With(kNotifier, {{"webhook_url", Kind::kScalar},
                     {"webhook_url_file", Kind::kScalar},
                     {"channel", Kind::kScalar},
                     {"username", Kind::kScalar},
                     {"text", Kind::kScalar},
                     {"fallback", Kind::kScalar},
                     {"color", Kind::kScalar},
                     {"pretext", Kind::kScalar},
                     {"author_name", Kind::kScalar},
                     {"author_link", Kind::kScalar},
                     {"author_icon", Kind::kScalar},
                     {"title", Kind::kScalar},
                     {"title_link", Kind::kScalar},
                     {"fields", Kind::kObjectList, &kTitleValueShort},
                     {"thumb_url", Kind::kScalar},
                     {"footer", Kind::kScalar},
                     {"footer_icon", Kind::kScalar},
                     {"image_url", Kind::kScalar},
                     {"icon_url", Kind::kScalar},
                     {"icon_emoji", Kind::kScalar},
                     {"attachments", Kind::kObjectList, &kMattermostAttachment},
                     {"type", Kind::kScalar},
                     {"props", Kind::kObject, &kMattermostProps},
                     {"priority", Kind::kObject, &kMattermostPriority}});

const std::map<std::string, const Schema*, std::less<>>& Schemas() {
  static const std::map<std::string, const Schema*, std::less<>> kSchemas = {
      {"discord_configs", &kDiscord},
      {"incidentio_configs", &kIncidentio},
      {"pagerduty_configs", &kPagerduty},
      {"slack_configs", &kSlack},
      {"opsgenie_configs", &kOpsgenie},
      {"wechat_configs", &kWechat},
      {"pushover_configs", &kPushover},
      {"victorops_configs", &kVictorOps},
      {"sns_configs", &kSns},
      {"telegram_configs", &kTelegram},
      {"webex_configs", &kWebex},
      {"msteams_configs", &kMsTeams},
      {"msteamsv2_configs", &kMsTeamsV2},
      {"jira_configs", &kJira},
      {"rocketchat_configs", &kRocketchat},
      {"mattermost_configs", &kMattermost},
  };
  return kSchemas;
}

void Validate(Context& ctx, const Schema& schema, const YAML::Node& node, const std::string& path,
              int line, const std::string& what);

void ValidateField(Context& ctx, const Field& f, const YAML::Node& v, const std::string& path,
                   int line) {
  if (!v.IsDefined() || v.IsNull()) return;
  switch (f.kind) {
    case Kind::kScalar:
      if (!v.IsScalar()) ctx.Add(line, path, "cannot unmarshal " + ShortTag(v) + " into a scalar");
      break;
    case Kind::kScalarList: {
      std::vector<std::string> ignored;
      ReadStringList(ctx, v, line, path, &ignored);
      break;
    }
    case Kind::kScalarMap: {
      std::vector<std::pair<std::string, std::string>> ignored;
      ReadStringMap(ctx, v, line, path, &ignored);
      break;
    }
    case Kind::kAnyMap:
      if (!v.IsMap()) ctx.Add(line, path, "cannot unmarshal " + ShortTag(v) + " into a mapping");
      break;
    case Kind::kAny:
      break;
    case Kind::kObject:
      Validate(ctx, *f.sub, v, path, line, f.name);
      break;
    case Kind::kObjectList:
      if (!v.IsSequence()) {
        ctx.Add(line, path, "cannot unmarshal " + ShortTag(v) + " into a list");
        break;
      }
      for (size_t i = 0; i < v.size(); ++i) {
        int item_line = LineOf(v[i]) ? LineOf(v[i]) : line;
        Validate(ctx, *f.sub, v[i], IndexPath(path, i), item_line, f.name);
      }
      break;
    case Kind::kHttpConfig:
      ParseHttpConfig(ctx, v, path, line);
      break;
    case Kind::kTlsConfig:
      ParseTlsConfig(ctx, v, path, line);
      break;
  }
}

void Validate(Context& ctx, const Schema& schema, const YAML::Node& node, const std::string& path,
              int line, const std::string& what) {
  DepthGuard guard(ctx, node, line, path);
  std::vector<std::string_view> names;
  for (const Field& f : schema) names.push_back(f.name);
  MapReader r(ctx, node, path, line, what, names);
  for (const auto& e : r.entries()) {
    for (const Field& f : schema) {
      if (e.key == f.name) ValidateField(ctx, f, e.value, JoinPath(path, e.key), e.line);
    }
  }
}

const Schema kTracing = {{"client_type", Kind::kScalar},       {"endpoint", Kind::kScalar},
                         {"sampling_fraction", Kind::kScalar}, {"insecure", Kind::kScalar},
                         {"tls_config", Kind::kTlsConfig},     {"headers", Kind::kAnyMap},
                         {"compression", Kind::kScalar},       {"timeout", Kind::kScalar}};
const Schema kEventRecorder = {{"file_outputs", Kind::kAny},
                               {"webhook_outputs", Kind::kAny},
                               {"kafka_outputs", Kind::kAny},
                               {"stdout_outputs", Kind::kAny}};

}  // namespace

void ValidateUnsupportedIntegration(Context& ctx, const std::string& key, const YAML::Node& node,
                                    const std::string& path, int line) {
  auto it = Schemas().find(key);
  if (it == Schemas().end()) return;
  Validate(ctx, *it->second, node, path, line, key);
}

bool ValidateTracing(Context& ctx, const YAML::Node& node, const std::string& path, int line) {
  if (!node.IsDefined() || node.IsNull()) return false;
  Validate(ctx, kTracing, node, path, line, "tracing");
  return true;
}

bool ValidateEventRecorder(Context& ctx, const YAML::Node& node, const std::string& path,
                           int line) {
  if (!node.IsDefined() || node.IsNull()) return false;
  Validate(ctx, kEventRecorder, node, path, line, "event_recorder");
  if (!node.IsMap()) return false;
  for (const auto& kv : node) {
    if (kv.second.IsSequence() && kv.second.size() > 0) return true;
  }
  return false;
}

}  // namespace am::config::detail
