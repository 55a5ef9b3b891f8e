#include "nflog/dedup.h"

#include <unordered_set>

namespace am::nflog {
namespace {

// Upstream's isSubset(set(listed), current): every current hash was listed.
bool AllListed(std::span<const uint64_t> current, const std::vector<uint64_t>& listed) {
  if (current.empty()) return true;
  // Linear scans beat hashing for the usual handful of alerts.
  if (listed.size() <= 8) {
    for (uint64_t h : current) {
      bool found = false;
      for (uint64_t l : listed) found = found || l == h;
      if (!found) return false;
    }
    return true;
  }
  std::unordered_set<uint64_t> set(listed.begin(), listed.end());
  for (uint64_t h : current) {
    if (!set.contains(h)) return false;
  }
  return true;
}

// timestamp < now - repeat without overflowing int64 nanoseconds (kZeroTime is Time::min()).
bool RepeatElapsed(Time timestamp, Time now, std::chrono::nanoseconds repeat) {
  const __int128 ts = timestamp.time_since_epoch().count();
  const __int128 limit = static_cast<__int128>(now.time_since_epoch().count()) - repeat.count();
  return ts < limit;
}

}  // namespace

std::string_view ReasonString(NotifyReason r) {
  switch (r) {
    case NotifyReason::kDoNotNotify:
      return "none";
    case NotifyReason::kFirstNotification:
      return "first notification";
    case NotifyReason::kNewAlertsInGroup:
      return "new alerts added";
    case NotifyReason::kNewResolvedAlerts:
      return "some alerts resolved";
    case NotifyReason::kAllAlertsResolved:
      return "all alerts resolved";
    case NotifyReason::kRepeatIntervalElapsed:
      return "repeat interval elapsed";
    case NotifyReason::kUnknown:
      break;
  }
  return "unknown";
}

NotifyReason NeedsUpdate(std::span<const uint64_t> firing, std::span<const uint64_t> resolved,
                         const Entry* previous, bool send_resolved,
                         std::chrono::nanoseconds repeat_interval, Time now) {
  if (previous == nullptr) {
    return firing.empty() ? NotifyReason::kDoNotNotify : NotifyReason::kFirstNotification;
  }
  if (!AllListed(firing, previous->firing_alerts)) {
    return previous->firing_alerts.empty() ? NotifyReason::kFirstNotification
                                           : NotifyReason::kNewAlertsInGroup;
  }
  if (firing.empty()) {
    // Alerts that fired and resolved between two flushes were never announced: nothing to say.
    return previous->firing_alerts.empty() ? NotifyReason::kDoNotNotify
                                           : NotifyReason::kAllAlertsResolved;
  }
  if (send_resolved && !AllListed(resolved, previous->resolved_alerts)) {
    return NotifyReason::kNewResolvedAlerts;
  }
  if (RepeatElapsed(previous->timestamp, now, repeat_interval)) {
    return NotifyReason::kRepeatIntervalElapsed;
  }
  return NotifyReason::kDoNotNotify;
}

}  // namespace am::nflog
