// template.Data: what a notification says about one aggregation group (upstream
// template.Template.Data), shared by the webhook payload and, later, templated integrations.
// Built from the alerts a notifier is about to send. Value types; thread-compatible.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/alert.h"
#include "core/labels.h"
#include "core/timeutil.h"

namespace am::notify {

struct AlertData {
  std::string status;  // "firing" | "resolved"
  LabelSet labels;
  LabelSet annotations;
  Time starts_at = kZeroTime;
  Time ends_at = kZeroTime;  // kZeroTime for firing alerts
  std::string generator_url;
  std::string fingerprint;  // 16 hex digits
};

struct TemplateData {
  // The receiver's name passed through regexp.QuoteMeta, as 0.25 does (`team.x` → `team\.x`;
  // observed on the real daemon).
  std::string receiver;
  std::string status;  // "firing" if any alert fires, else "resolved"
  std::vector<AlertData> alerts;
  LabelSet group_labels;
  LabelSet common_labels;       // pairs present with the same value in every alert
  LabelSet common_annotations;  // likewise
  std::string external_url;
};

// `now` decides which alerts have resolved (upstream uses the wall clock at send time); a firing
// alert's ends_at is reported as the zero time, as types.Alerts does.
TemplateData MakeTemplateData(std::string_view receiver, const LabelSet& group_labels,
                              std::span<const Alert> alerts, std::string_view external_url,
                              Time now);

}  // namespace am::notify
