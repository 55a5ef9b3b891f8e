#include "notify/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace am::notify {
namespace {

std::string Scrape(prometheus::Registry& r) {
  return prometheus::TextSerializer().Serialize(r.Collect());
}

TEST(NotifyMetrics, UpstreamNamesHelpAndPreinitialisedIntegrations) {
  prometheus::Registry reg;
  Metrics m(reg);
  const std::string text = Scrape(reg);
  for (const char* line : {
           "# HELP alertmanager_notifications_total The total number of attempted notifications.",
           "# TYPE alertmanager_notifications_total counter",
           "# HELP alertmanager_notifications_failed_total The total number of failed "
           "notifications.",
           "# HELP alertmanager_notification_requests_total The total number of attempted "
           "notification requests.",
           "# HELP alertmanager_notification_requests_failed_total The total number of failed "
           "notification requests.",
           "# HELP alertmanager_notification_latency_seconds The latency of notifications in "
           "seconds.",
           "# TYPE alertmanager_notification_latency_seconds histogram",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  // Every integration name of 0.25's /metrics, with zero values.
  for (std::string_view i : kKnownIntegrations) {
    const std::string in(i);
    EXPECT_NE(text.find("alertmanager_notifications_total{integration=\"" + in + "\"} 0"),
              std::string::npos)
        << in;
    EXPECT_NE(text.find("alertmanager_notification_requests_total{integration=\"" + in + "\"} 0"),
              std::string::npos);
    EXPECT_NE(
        text.find("alertmanager_notification_requests_failed_total{integration=\"" + in + "\"} 0"),
        std::string::npos);
    EXPECT_NE(text.find("alertmanager_notification_latency_seconds_bucket{integration=\"" + in +
                        "\",le=\"20\"} 0"),
              std::string::npos);
    for (const char* reason : {"other", "clientError", "serverError", "authError", "rateLimited",
                               "contextCanceled", "contextDeadlineExceeded"}) {
      EXPECT_NE(text.find("alertmanager_notifications_failed_total{integration=\"" + in +
                          "\",reason=\"" + reason + "\"} 0"),
                std::string::npos)
          << in << " " << reason;
    }
  }
  EXPECT_EQ(std::size(kKnownIntegrations), 10u);
  // Suppressed counts appear on first use only, as upstream.
  EXPECT_EQ(text.find("alertmanager_notifications_suppressed_total{"), std::string::npos);
}

TEST(NotifyMetrics, LatencyBuckets) {
  prometheus::Registry reg;
  Metrics m(reg);
  m.Latency("webhook").Observe(7);
  const std::string text = Scrape(reg);
  for (const char* le : {"1", "5"}) {
    EXPECT_NE(text.find("alertmanager_notification_latency_seconds_bucket{integration=\"webhook\","
                        "le=\"" +
                        std::string(le) + "\"} 0"),
              std::string::npos);
  }
  for (const char* le : {"10", "15", "20", "+Inf"}) {
    EXPECT_NE(text.find("alertmanager_notification_latency_seconds_bucket{integration=\"webhook\","
                        "le=\"" +
                        std::string(le) + "\"} 1"),
              std::string::npos);
  }
}

TEST(FailureReason, FromStatusCode) {
  EXPECT_EQ(ReasonFromStatusCode(401), FailureReason::kAuthError);
  EXPECT_EQ(ReasonFromStatusCode(403), FailureReason::kAuthError);
  EXPECT_EQ(ReasonFromStatusCode(429), FailureReason::kRateLimited);
  EXPECT_EQ(ReasonFromStatusCode(400), FailureReason::kClientError);
  EXPECT_EQ(ReasonFromStatusCode(499), FailureReason::kClientError);
  EXPECT_EQ(ReasonFromStatusCode(500), FailureReason::kServerError);
  EXPECT_EQ(ReasonFromStatusCode(302), FailureReason::kOther);
  EXPECT_EQ(FailureReasonString(FailureReason::kContextDeadlineExceeded),
            "contextDeadlineExceeded");
}

}  // namespace
}  // namespace am::notify
