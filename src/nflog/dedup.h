// The DedupStage decision (upstream notify.DedupStage.needsUpdate, with HEAD's reasons): whether
// an aggregation group's current alerts must be sent to one receiver integration, given what the
// notification log last recorded for it. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/timeutil.h"
#include "nflog/entry.h"

namespace am::nflog {

// Upstream's NotifyReason, in upstream's order.
enum class NotifyReason {
  kDoNotNotify,
  kFirstNotification,
  kNewAlertsInGroup,
  kNewResolvedAlerts,
  kAllAlertsResolved,
  kRepeatIntervalElapsed,
  kUnknown,
};

// "none", "first notification", "new alerts added", "some alerts resolved",
// "all alerts resolved", "repeat interval elapsed", "unknown".
std::string_view ReasonString(NotifyReason r);
inline bool ShouldNotify(NotifyReason r) { return r != NotifyReason::kDoNotNotify; }

// `firing` / `resolved`: hashes (LabelSet::XxHash) of the group's alerts now; duplicates allowed,
// they are compared as sets. `previous`: the log's entry for (group key, receiver), or nullptr.
// In order:
//  - no entry: first notification iff anything fires;
//  - something fires that the entry did not list as firing: first notification when the entry
//    listed nothing firing (the last one was a resolution), else new alerts added;
//  - nothing fires: all alerts resolved iff the entry listed something firing (regardless of
//    send_resolved, so that the log forgets the firing set), else none;
//  - send_resolved and something resolved that the entry did not list as resolved: some alerts
//    resolved;
//  - entry.timestamp < now - repeat_interval: repeat interval elapsed; else none.
NotifyReason NeedsUpdate(std::span<const uint64_t> firing, std::span<const uint64_t> resolved,
                         const Entry* previous, bool send_resolved,
                         std::chrono::nanoseconds repeat_interval, Time now);

}  // namespace am::nflog
