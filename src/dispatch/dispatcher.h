// The dispatcher (upstream dispatch.Dispatcher): routes every stored alert through the route tree
// into aggregation groups, one per (route, group labels), and flushes each group to the
// FlushHandler on upstream's timers:
//  - a new group waits group_wait, but flushes at once when its first alert's starts_at +
//    group_wait is already past (restarts and reloads therefore flush at once);
//  - then every group_interval while it holds alerts (dedup in notify decides what is sent);
//  - one flush at a time per group: a tick that comes while the previous flush is still running
//    waits for it, as upstream's single goroutine per group does;
//  - after a successful flush, resolved alerts not updated since the flush are dropped; empty
//    groups are destroyed by the maintenance pass every --dispatch.maintenance-interval;
//  - --dispatch.start-delay: no group flushes before start_time + start_delay.
// Reload() swaps the route tree: old groups stop (their in-flight flushes see Cancelled()), and
// every alert of the store, plus alerts still held by old groups that the store has already
// garbage-collected, is routed again into new groups.
//
// Threads and ownership: all routing and timer state lives on one strand of the io_context the
// daemon passes in. Alerts from the store's subscription are queued under a small mutex and
// drained on the strand in batches. Groups() and FlushContext::snapshot may be called from any
// thread: the group table is additionally guarded by a shared_mutex (written only on the strand),
// each group's alerts by the group's own mutex (lock order: table, then group).
// The Dispatcher object is a handle; its state is shared with pending handlers and flush
// callbacks, so it may be destroyed while flushes are still in flight. The FlushHandler must
// outlive every flush it was given. REQUIRES: the Dispatcher is destroyed before the io_context.
// Timers use dispatch::Clock (clock.h), whose manual mode drives the tests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "alert/store.h"
#include "config/config.h"
#include "core/alert.h"
#include "dispatch/flush.h"

namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace am::dispatch {

struct DispatcherOptions {
  // Process start; with start_delay, the earliest time any group may flush.
  Time start_time = kZeroTime;
  Duration start_delay{0};                                   // --dispatch.start-delay
  Duration maintenance_interval = std::chrono::seconds(30);  // --dispatch.maintenance-interval
  // Position × --cluster.peer-timeout, added to every flush deadline. Null = no cluster (0).
  // Called on the dispatcher's strand at every flush: must be thread-safe and cheap.
  std::function<Duration()> cluster_wait;
};

// One group as GET /api/v2/alerts/groups shows it.
struct AlertGroupView {
  LabelSet labels;
  std::string receiver;
  std::string route_key;  // config::Route::Key()
  std::string route_id;   // config::Route::ID()
  std::string group_key;
  std::vector<AlertPtr> alerts;  // those the alert filter kept, sorted as upstream (alert_order.h)
};

struct AlertGroupsView {
  // Sorted as upstream: by labels (LabelSetBefore), equal labels by receiver, then route key.
  std::vector<AlertGroupView> groups;
  // Fingerprint → receivers of the groups listing that alert, sorted.
  std::unordered_map<uint64_t, std::vector<std::string>> receivers;
};

class Dispatcher {
 public:
  using RouteFilter = std::function<bool(const config::Route&)>;
  using AlertFilter = std::function<bool(const Alert&, Time now)>;

  // Subscribes to `store` at once (REQUIRES: as Store::Subscribe, before concurrent Put calls
  // start); nothing is routed before Run(). `config` must be non-null with a route.
  Dispatcher(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
             alert::Store& store, FlushHandler& handler, prometheus::Registry& registry,
             DispatcherOptions options);
  ~Dispatcher();  // Stop()s
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Routes every alert already stored, then every alert stored from now on; starts maintenance.
  // Asynchronous (runs on the strand); call once.
  void Run();
  // Rebuilds all groups from `config`'s route tree (see file comment). Asynchronous, ordered with
  // alert processing. Ignored after Stop().
  void Reload(std::shared_ptr<const config::Config> config);
  // Stops every group and timer; flushes in flight are marked cancelled. Later alerts are
  // ignored. Idempotent; asynchronous on the strand, safe from any thread.
  void Stop();

  // Snapshot for the alert-groups API. Null filters keep everything; the default alert filter of
  // the API (drop alerts whose ends_at is before now) is DefaultAlertFilter().
  AlertGroupsView Groups(const RouteFilter& route_filter = nullptr,
                         const AlertFilter& alert_filter = DefaultAlertFilter()) const;
  static AlertFilter DefaultAlertFilter();

  size_t group_count() const;
  // alertmanager_dispatcher_alert_processing_duration_seconds: not in the Registry (see
  // sum_count_summary.h); serve it on /metrics beside the registry's families.
  std::shared_ptr<prometheus::Collectable> ProcessingMetric() const;
  std::shared_ptr<const config::Config> config() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace am::dispatch
