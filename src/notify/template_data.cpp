#include "notify/template_data.h"

#include "core/strings.h"

namespace am::notify {
namespace {

// Keeps the pairs of `common` that `other` has with the same value.
LabelSet Intersect(const LabelSet& common, const LabelSet& other) {
  std::vector<Label> kept;
  kept.reserve(common.size());
  for (const auto& [k, v] : common) {
    const std::string* ov = other.Find(k);
    if (ov && *ov == v) kept.emplace_back(k, v);
  }
  return LabelSet::FromPairs(std::move(kept));
}

}  // namespace

TemplateData MakeTemplateData(std::string_view receiver, const LabelSet& group_labels,
                              std::span<const Alert> alerts, std::string_view external_url,
                              Time now) {
  TemplateData d;
  d.receiver = QuoteMeta(receiver);
  d.group_labels = group_labels;
  d.external_url = std::string(external_url);
  d.alerts.reserve(alerts.size());
  bool any_firing = false;
  for (const Alert& a : alerts) {
    AlertData ad;
    const bool resolved = a.ResolvedAt(now);
    any_firing = any_firing || !resolved;
    ad.status = resolved ? "resolved" : "firing";
    ad.labels = a.labels;
    ad.annotations = a.annotations;
    ad.starts_at = a.starts_at;
    ad.ends_at = resolved ? a.ends_at : kZeroTime;
    ad.generator_url = a.generator_url;
    ad.fingerprint = FingerprintString(a.Fingerprint());
    d.alerts.push_back(std::move(ad));
  }
  d.status = any_firing ? "firing" : "resolved";
  if (!alerts.empty()) {
    d.common_labels = alerts[0].labels;
    d.common_annotations = alerts[0].annotations;
    for (size_t i = 1; i < alerts.size(); ++i) {
      if (d.common_labels.empty() && d.common_annotations.empty()) break;
      d.common_labels = Intersect(d.common_labels, alerts[i].labels);
      d.common_annotations = Intersect(d.common_annotations, alerts[i].annotations);
    }
  }
  return d;
}

}  // namespace am::notify
