// The webhook body byte for byte against bodies captured from the real Alertmanager 0.25
// (testdata/capture.sh shows how).
#include <gtest/gtest.h>

#include "notify/template_data.h"
#include "notify/webhook.h"
#include "payload_util.h"

namespace am::notify {
namespace {

using testing::CapturedAlerts;
using testing::CaptureNow;
using testing::ReadTestdata;

TEST(WebhookPayload, MatchesCapturedBodyWithEscapesAndResolvedAlert) {
  const auto alerts = CapturedAlerts("alerts_full.json", CaptureNow());
  ASSERT_EQ(alerts.size(), 3u);
  const TemplateData d = MakeTemplateData("team.x-web", LabelSet{{"alertname", "Capture"}}, alerts,
                                          "http://am.example:9093/prefix", CaptureNow());
  EXPECT_EQ(EncodeWebhookMessage(d, "{}:{alertname=\"Capture\"}", 0),
            ReadTestdata("webhook_full.json"));
}

TEST(WebhookPayload, MatchesCapturedTruncatedBody) {
  const auto alerts = CapturedAlerts("alerts_full.json", CaptureNow());
  const std::span<const Alert> first(alerts.data(), 2);
  const TemplateData d = MakeTemplateData("team.x-web", LabelSet{{"alertname", "Capture"}}, first,
                                          "http://am.example:9093/prefix", CaptureNow());
  EXPECT_EQ(EncodeWebhookMessage(d, "{}:{alertname=\"Capture\"}", 1),
            ReadTestdata("webhook_truncated.json"));
}

TEST(WebhookPayload, MatchesCapturedFiringBodyWithCommonAnnotations) {
  const auto alerts = CapturedAlerts("alerts_firing.json", CaptureNow());
  const TemplateData d = MakeTemplateData("web", LabelSet{{"alertname", "Capture2"}}, alerts,
                                          "http://vm:19793", CaptureNow());
  EXPECT_EQ(EncodeWebhookMessage(d, "{}:{alertname=\"Capture2\"}", 0),
            ReadTestdata("webhook_firing.json"));
}

TEST(WebhookPayload, MatchesCapturedResolvedBody) {
  const auto alerts = CapturedAlerts("alerts_resolved.json", CaptureNow());
  const TemplateData d = MakeTemplateData("web", LabelSet{{"alertname", "Capture2"}}, alerts,
                                          "http://vm:19793", CaptureNow());
  EXPECT_EQ(d.status, "resolved");
  EXPECT_EQ(EncodeWebhookMessage(d, "{}:{alertname=\"Capture2\"}", 0),
            ReadTestdata("webhook_resolved.json"));
}

TEST(TemplateData, ReceiverIsQuoteMetaAndStatusFiringIfAnyFires) {
  const Time now = CaptureNow();
  std::vector<Alert> alerts(2);
  alerts[0].labels = LabelSet{{"a", "1"}};
  alerts[0].ends_at = now - std::chrono::seconds(1);  // resolved
  alerts[1].labels = LabelSet{{"a", "2"}};
  const TemplateData d = MakeTemplateData("a.b*c", {}, alerts, "", now);
  EXPECT_EQ(d.receiver, "a\\.b\\*c");
  EXPECT_EQ(d.status, "firing");
  EXPECT_EQ(d.alerts[0].status, "resolved");
  EXPECT_EQ(d.alerts[1].status, "firing");
  EXPECT_TRUE(d.common_labels.empty());
}

TEST(TemplateData, FutureEndsAtIsFiringWithZeroEnd) {
  const Time now = CaptureNow();
  std::vector<Alert> alerts(1);
  alerts[0].labels = LabelSet{{"a", "1"}};
  alerts[0].ends_at = now + std::chrono::minutes(5);  // resolve_timeout not reached
  const TemplateData d = MakeTemplateData("r", {}, alerts, "", now);
  EXPECT_EQ(d.alerts[0].status, "firing");
  EXPECT_TRUE(IsZero(d.alerts[0].ends_at));
}

TEST(TemplateData, EmptyAlertsGiveEmptyArrayAndResolved) {
  const TemplateData d = MakeTemplateData("r", {}, {}, "http://x", CaptureNow());
  EXPECT_EQ(EncodeWebhookMessage(d, "k", 0),
            "{\"receiver\":\"r\",\"status\":\"resolved\",\"alerts\":[],\"groupLabels\":{},"
            "\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"http://x\","
            "\"version\":\"4\",\"groupKey\":\"k\",\"truncatedAlerts\":0}\n");
}

}  // namespace
}  // namespace am::notify
