// Receivers and the integrations this Alertmanager implements: `webhook_configs` and
// `email_configs`, fully parsed with upstream's defaults and the global inheritance already
// applied (http_config, smtp_*). Every other integration of upstream 0.34 is validated key by key
// and then refused at load time, naming the receiver and the integration. Plain value types;
// immutable once in a Config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/global.h"
#include "config/http_config.h"
#include "config/secret.h"
#include "config/source_ref.h"
#include "core/duration.h"
#include "core/labels.h"

namespace am::config {

// An arbitrary YAML value (webhook `payload`, 0.32): kept as a tree so notify can template every
// string and encode it as JSON. Scalars keep their text and the YAML 1.1 type they resolve to.
struct YamlValue {
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kSequence, kMapping };
  Kind kind = Kind::kNull;
  std::string scalar;                                  // text of a scalar
  std::vector<YamlValue> items;                        // kSequence
  std::vector<std::pair<std::string, YamlValue>> map;  // kMapping, document order
  bool operator==(const YamlValue&) const = default;
};

struct WebhookConfig {
  bool send_resolved = true;
  HttpClientConfig http_config;  // the receiver's own, else a copy of global.http_config
  // Secret since 0.26; may be a Go template since 0.31 (templated URLs are not checked here).
  // "<secret>" is accepted as a placeholder, as upstream does for configs shown by the API.
  Secret url;
  std::string url_file;
  uint64_t max_alerts = 0;  // 0 = all
  Duration timeout{0};      // 0 = none (0.28)
  std::optional<YamlValue> payload;

  SourceRef src;
  bool operator==(const WebhookConfig&) const = default;
};

inline constexpr const char* kDefaultEmailSubject = "{{ template \"email.default.subject\" . }}";
inline constexpr const char* kDefaultEmailHtml = "{{ template \"email.default.html\" . }}";

struct EmailThreading {
  bool enabled = false;
  std::string thread_by_date;  // "none" | "daily" when enabled
  bool operator==(const EmailThreading&) const = default;
};

struct EmailConfig {
  bool send_resolved = false;
  std::string to;
  std::string from;    // else global.smtp_from (one of them is required)
  std::string hello;   // else global.smtp_hello
  HostPort smarthost;  // else global.smtp_smarthost (one of them is required)
  std::string auth_username;
  Secret auth_password;  // password and password_file are inherited together
  std::string auth_password_file;
  Secret auth_secret;
  std::string auth_secret_file;
  std::string auth_identity;
  // Canonical MIME keys (textproto.CanonicalMIMEHeaderKey), sorted; Subject, To and From are
  // always present (defaults: the email.default.subject template, `to`, `from`).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string html = kDefaultEmailHtml;
  std::string text;
  bool require_tls = true;                 // else global.smtp_require_tls
  std::optional<TlsConfig> tls_config;     // else global.smtp_tls_config
  std::optional<bool> force_implicit_tls;  // else global.smtp_force_implicit_tls; unset = port 465
  EmailThreading threading;

  const std::string* Header(std::string_view canonical_name) const;

  SourceRef src;
  bool operator==(const EmailConfig&) const = default;
};

struct Receiver {
  std::string name;
  // 0.33 `labels:`; "name" is always set to the receiver's name. `labels_written` says whether
  // the file had the key (the serialiser prints it only then, as 0.25 has no such key).
  LabelSet labels;
  bool labels_written = false;

  std::vector<EmailConfig> email_configs;
  std::vector<WebhookConfig> webhook_configs;

  // A receiver with no integration is valid: alerts routed to it are dropped silently.
  bool IsNull() const { return email_configs.empty() && webhook_configs.empty(); }

  SourceRef src;
  bool operator==(const Receiver&) const = default;
};

}  // namespace am::config
