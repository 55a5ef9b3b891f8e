// Named time intervals (`time_intervals:` and the deprecated `mute_time_intervals:`), parsed and
// validated as upstream's timeinterval package does. Only the parsed ranges live here; deciding
// whether an instant is inside an interval belongs to dispatch. Plain value types.
//
// An absent field (nullopt) means "any"; a present but empty list matches nothing, as upstream
// (which tests `!= nil`) behaves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/source_ref.h"

namespace am::config {

// Minutes of the day, [start_minute, end_minute), 0..1440.
struct TimeRange {
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const TimeRange&) const = default;
};

// Inclusive [begin, end]. Weekdays 0..6 (0 = Sunday); days of month -31..-1 or 1..31 (negative
// counts from the end of the month); months as numbers (upstream does not range-check them);
// years as written.
struct InclusiveRange {
  int begin = 0;
  int end = 0;
  bool operator==(const InclusiveRange&) const = default;
};

struct TimeIntervalSpec {
  std::optional<std::vector<TimeRange>> times;
  std::optional<std::vector<InclusiveRange>> weekdays;
  std::optional<std::vector<InclusiveRange>> days_of_month;
  std::optional<std::vector<InclusiveRange>> months;
  std::optional<std::vector<InclusiveRange>> years;
  // IANA zone name validated against the zone database, or "UTC" / "Local". nullopt = UTC.
  std::optional<std::string> location;

  SourceRef src;
  bool operator==(const TimeIntervalSpec&) const = default;
};

struct NamedTimeInterval {
  std::string name;
  std::vector<TimeIntervalSpec> time_intervals;

  SourceRef src;
  bool operator==(const NamedTimeInterval&) const = default;
};

}  // namespace am::config
