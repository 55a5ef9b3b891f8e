// The seam between dispatch/ and notify/: what an aggregation group hands to the notification
// pipeline when its timer fires (upstream: the context values and alerts passed to Stage.Exec).
// dispatch/ declares it; notify/ implements FlushHandler; cmd/ wires them. FlushContext is
// immutable once built and shared by every stage of one flush.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/alert.h"

namespace am::dispatch {

struct FlushContext {
  // Upstream's group key: `<route key>:<group labels>`, e.g. `{}/{team="x"}:{alertname="A"}`.
  // Byte-identical across HA peers; the notification log and the webhook's groupKey use it.
  std::string group_key;
  LabelSet group_labels;
  std::string receiver;   // the route's receiver name
  std::string route_id;   // config::Route::ID()
  LabelSet route_labels;  // 0.34 route labels (not templated here)
  Duration group_interval{0};
  Duration repeat_interval{0};
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
  Time now = kZeroTime;       // the flush tick: every stage judges time by it
  Time deadline = kZeroTime;  // max(group_interval, 10s) + cluster wait after `now`
  // The group's alerts as they are now, prepared like the flush's own copies (firing alerts with
  // ends_at zeroed, sorted). The notify wait stage calls it after waiting its turn, so a replica
  // never sends a "firing" that resolved while it waited. Safe to call from any thread; returns
  // an empty list once the group is gone.
  std::function<std::vector<Alert>(Time now)> snapshot;
  // Keeps the route tree and receivers alive while the flush runs, even across a reload.
  std::shared_ptr<const config::Config> config;
  // Set once the group is stopped (config reload, shutdown): upstream cancels the flush's
  // context then, so waiting and retrying stages should give up (and report done(false)).
  std::shared_ptr<const std::atomic<bool>> cancelled;
  bool Cancelled() const { return cancelled && cancelled->load(std::memory_order_acquire); }
};

class FlushHandler {
 public:
  virtual ~FlushHandler() = default;
  // Runs the pipeline for one group flush. `alerts` are copies taken at the tick: firing alerts
  // have ends_at zeroed (kZeroTime), sorted as upstream sorts them (core/alert_order.h).
  // Must not block the caller; calls `done(true)` when every integration succeeded (or nothing
  // needed sending), `done(false)` otherwise — exactly once, from any thread.
  virtual void Flush(std::shared_ptr<const FlushContext> ctx, std::vector<Alert> alerts,
                     std::function<void(bool ok)> done) = 0;
};

}  // namespace am::dispatch
