// Whether an instant lies inside a time interval (upstream timeinterval.TimeInterval.ContainsTime
// and notify's inTimeIntervals), for mute_time_intervals / active_time_intervals and the API's
// mutedBy. The instant is converted to the interval's location (IANA zone from the system tz
// database through date/tz, "Local" = the process's zone as Go resolves it, default UTC) and judged
// in that zone's wall time, so DST change days behave as the local calendar says.
// Beyond 0.25: negative days_of_month use the calendar length of the month; 0.25 derived it from
// elapsed hours / 24 and so took March to have 30 days in zones that spring forward in March
// (fixed upstream in alertmanager#5447).
// Pure functions over immutable config; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "config/time_interval.h"
#include "core/timeutil.h"

namespace am::dispatch {

// All present fields of `spec` match t (fields AND, list entries OR, absent field = any).
bool Contains(const config::TimeIntervalSpec& spec, Time t);
// Any of the named interval's specs contains t.
bool Contains(const config::NamedTimeInterval& interval, Time t);

// Upstream inTimeIntervals: t lies in any interval named in `names`, looked up in `cfg`
// (time_intervals and the deprecated mute_time_intervals). Throws std::out_of_range
// ("time interval <name> doesn't exist in config") for a name the config lacks, which a loaded
// config never has.
bool InTimeIntervals(const config::Config& cfg, const std::vector<std::string>& names, Time t);

// The names among `names` whose intervals contain t, in the given order (for the API's mutedBy).
std::vector<std::string> MatchingTimeIntervals(const config::Config& cfg,
                                               const std::vector<std::string>& names, Time t);

}  // namespace am::dispatch
