#include "notify/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace am::notify {
namespace {

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& r, const char* name,
                                                       const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets{1, 5, 10, 15, 20};
  return kBuckets;
}

}  // namespace

Metrics::Metrics(prometheus::Registry& r)
    : notifications_(CounterFamily(r, "alertmanager_notifications_total",
                                   "The total number of attempted notifications.")),
      failed_(CounterFamily(r, "alertmanager_notifications_failed_total",
                            "The total number of failed notifications.")),
      requests_(CounterFamily(r, "alertmanager_notification_requests_total",
                              "The total number of attempted notification requests.")),
      requests_failed_(CounterFamily(r, "alertmanager_notification_requests_failed_total",
                                     "The total number of failed notification requests.")),
      latency_(prometheus::BuildHistogram()
                   .Name("alertmanager_notification_latency_seconds")
                   .Help("The latency of notifications in seconds.")
                   .Register(r)),
      suppressed_(CounterFamily(
          r, "alertmanager_notifications_suppressed_total",
          "The total number of notifications suppressed for being silenced, inhibited, outside "
          "of active time intervals or within muted time intervals.")) {
  for (std::string_view integration : kKnownIntegrations) {
    Notifications(integration);
    Requests(integration);
    RequestsFailed(integration);
    Latency(integration);
    for (FailureReason reason : kAllFailureReasons) NotificationsFailed(integration, reason);
  }
}

prometheus::Counter& Metrics::Notifications(std::string_view integration) {
  return notifications_.Add({{"integration", std::string(integration)}});
}

prometheus::Counter& Metrics::NotificationsFailed(std::string_view integration,
                                                  FailureReason reason) {
  return failed_.Add({{"integration", std::string(integration)},
                      {"reason", std::string(FailureReasonString(reason))}});
}

prometheus::Counter& Metrics::Requests(std::string_view integration) {
  return requests_.Add({{"integration", std::string(integration)}});
}

prometheus::Counter& Metrics::RequestsFailed(std::string_view integration) {
  return requests_failed_.Add({{"integration", std::string(integration)}});
}

prometheus::Histogram& Metrics::Latency(std::string_view integration) {
  return latency_.Add({{"integration", std::string(integration)}}, LatencyBuckets());
}

prometheus::Counter& Metrics::Suppressed(std::string_view reason) {
  return suppressed_.Add({{"reason", std::string(reason)}});
}

}  // namespace am::notify
