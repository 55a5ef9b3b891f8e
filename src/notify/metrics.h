// The notification metrics (upstream notify.Metrics): attempted and failed notifications, HTTP
// requests, latency, and alerts suppressed before sending. Upstream's names, help texts and
// buckets; every integration name upstream knows is pre-initialised (0.25's list, observed on the
// real daemon's /metrics), with every failure reason. Registered once per daemon: pipelines
// rebuilt on reload share one Metrics. prometheus-cpp metrics are thread-safe; the registry must
// outlive this object.
#pragma once

#include <string_view>

#include "notify/status.h"

namespace prometheus {
class Counter;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace am::notify {

// 0.25's pre-initialised integration names, in upstream's order.
inline constexpr std::string_view kKnownIntegrations[] = {
    "email",    "pagerduty", "wechat",    "pushover", "slack",
    "opsgenie", "webhook",   "victorops", "sns",      "telegram",
};

// notifications_suppressed_total reasons (upstream's SuppressedReason*).
inline constexpr std::string_view kSuppressedSilence = "silence";
inline constexpr std::string_view kSuppressedInhibition = "inhibition";
inline constexpr std::string_view kSuppressedMuteTimeInterval = "mute_time_interval";
inline constexpr std::string_view kSuppressedActiveTimeInterval = "active_time_interval";

class Metrics {
 public:
  explicit Metrics(prometheus::Registry& registry);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // alertmanager_notifications_total{integration}
  prometheus::Counter& Notifications(std::string_view integration);
  // alertmanager_notifications_failed_total{integration,reason}
  prometheus::Counter& NotificationsFailed(std::string_view integration, FailureReason reason);
  // alertmanager_notification_requests_total{integration}
  prometheus::Counter& Requests(std::string_view integration);
  // alertmanager_notification_requests_failed_total{integration}
  prometheus::Counter& RequestsFailed(std::string_view integration);
  // alertmanager_notification_latency_seconds{integration}
  prometheus::Histogram& Latency(std::string_view integration);
  // alertmanager_notifications_suppressed_total{reason}; not pre-initialised, as upstream.
  prometheus::Counter& Suppressed(std::string_view reason);

 private:
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& requests_failed_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& suppressed_;
};

}  // namespace am::notify
