// The webhook integration (upstream notify/webhook): POSTs the group as JSON to a URL.
// The body is 0.25's Message byte for byte (reference §8; keys receiver, status, alerts,
// groupLabels, commonLabels, commonAnnotations, externalURL, version "4", groupKey,
// truncatedAlerts, in that order; Go's json.Encoder escaping and trailing newline). `max_alerts`
// keeps the first N alerts and reports the rest in truncatedAlerts. 2xx is success, 5xx and
// network errors are retried, anything else fails at once.
//
// Not implemented yet: the 0.32 `payload` template and templated URLs (0.31); a configured
// `payload` is ignored with a warning and the default body is sent.
//
// Thread-safety: Notify may run concurrently; the notifier is immutable. Ownership: shares the
// HttpClient; copies its config.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/receiver.h"
#include "notify/http_client.h"
#include "notify/integration.h"
#include "notify/template_data.h"

namespace am::notify {

// The request body for `data` (already truncated).
std::string EncodeWebhookMessage(const TemplateData& data, std::string_view group_key,
                                 uint64_t truncated_alerts);

struct WebhookOptions {
  std::shared_ptr<HttpClient> http;  // required
  std::string external_url;          // --web.external-url
  std::string version = "0.25.0";    // User-Agent: Alertmanager/<version>
  // The wall clock that decides which alerts have resolved. nullptr: am::Now.
  std::function<Time()> now;
  // Per-request bound when the flush has no deadline (never the case in the daemon).
  std::chrono::milliseconds fallback_timeout{60000};
};

class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(config::WebhookConfig conf, WebhookOptions options);

  void Notify(std::shared_ptr<const ExecContext> ctx, const Alerts& alerts,
              std::function<void(NotifyResult)> done) override;

 private:
  const config::WebhookConfig conf_;
  const WebhookOptions options_;
};

}  // namespace am::notify
