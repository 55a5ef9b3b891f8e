// Reads the alerts posted to the real daemon during the capture (testdata/alerts_*.json) and
// prepares them as a flush does: firing alerts with ends_at zeroed, sorted as upstream sorts.
#pragma once

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/alert.h"
#include "core/alert_order.h"
#include "core/timeutil.h"

namespace am::notify::testing {

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream f(std::string(AM_NOTIFY_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline LabelSet JsonLabels(const nlohmann::json& j) {
  std::vector<Label> pairs;
  for (auto it = j.begin(); it != j.end(); ++it) {
    pairs.emplace_back(it.key(), it.value().get<std::string>());
  }
  return LabelSet::FromPairs(std::move(pairs));
}

// `now` decides which alerts are resolved.
inline std::vector<Alert> CapturedAlerts(const std::string& file, Time now) {
  const nlohmann::json j = nlohmann::json::parse(ReadTestdata(file));
  std::vector<Alert> out;
  for (const auto& a : j) {
    Alert al;
    al.labels = JsonLabels(a.at("labels"));
    al.annotations = JsonLabels(a.value("annotations", nlohmann::json::object()));
    al.starts_at = *ParseRFC3339(a.at("startsAt").get<std::string>());
    if (a.contains("endsAt")) al.ends_at = *ParseRFC3339(a.at("endsAt").get<std::string>());
    al.generator_url = a.value("generatorURL", "");
    if (!al.ResolvedAt(now)) al.ends_at = kZeroTime;
    out.push_back(std::move(al));
  }
  std::sort(out.begin(), out.end(), AlertLess);
  return out;
}

// A fixed instant after every endsAt in the captures.
inline Time CaptureNow() { return *ParseRFC3339("2026-06-01T00:00:00Z"); }

}  // namespace am::notify::testing
