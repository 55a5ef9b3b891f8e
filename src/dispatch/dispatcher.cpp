#include "dispatch/dispatcher.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_set>

#include "core/alert_order.h"
#include "core/log.h"
#include "dispatch/clock.h"
#include "dispatch/group_key.h"
#include "dispatch/route_match.h"
#include "dispatch/sum_count_summary.h"

namespace am::dispatch {
namespace {

// notify.MinTimeout: a flush gets at least this long before its context expires.
constexpr Duration kMinFlushTimeout = std::chrono::seconds(10);

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// One aggregation group (upstream aggrGroup).
struct Group {
  Group(const config::Route* r, LabelSet l, uint64_t f, const Strand& strand)
      : route(r), labels(std::move(l)), key(GroupKey(*r, labels)), fp(f), timer(strand) {}

  // Immutable after construction.
  const config::Route* route;
  LabelSet labels;
  std::string key;
  uint64_t fp;
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

  // Read from any thread (Groups(), snapshots); written on the strand.
  mutable std::mutex mu;
  std::unordered_map<uint64_t, AlertPtr> alerts;  // guarded by mu

  // Strand only.
  Timer timer;
  uint64_t timer_gen = 0;  // a tick from an older arming is stale, even if already queued
  bool has_flushed = false;
  bool flushing = false;
  std::optional<Time> pending_tick;  // a tick that came while flushing
  bool stopped = false;

  bool empty() const {
    std::lock_guard lock(mu);
    return alerts.empty();
  }
};

// The copies a flush hands out: ends_at zeroed for alerts still firing at `now` (so a receiver
// never sees a future end), sorted as upstream sorts them.
std::vector<Alert> PrepareAlerts(const Group& g, Time now) {
  std::vector<Alert> out;
  {
    std::lock_guard lock(g.mu);
    out.reserve(g.alerts.size());
    for (const auto& [fp, a] : g.alerts) out.push_back(*a);
  }
  for (auto& a : out) {
    if (!a.ResolvedAt(now)) a.ends_at = kZeroTime;
  }
  std::stable_sort(out.begin(), out.end(), AlertLess);
  return out;
}

struct SentAlert {
  uint64_t fp;
  Time updated_at;
  bool resolved;
};

}  // namespace

class Dispatcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
       alert::Store& store, FlushHandler& handler, prometheus::Registry& registry,
       DispatcherOptions options)
      : strand_(boost::asio::make_strand(io)),
        store_(store),
        handler_(handler),
        opts_(std::move(options)),
        config_(std::move(config)),
        maintenance_(strand_) {
    groups_gauge_ = &prometheus::BuildGauge()
                         .Name("alertmanager_dispatcher_aggregation_groups")
                         .Help("Number of active aggregation groups")
                         .Register(registry)
                         .Add({});
    processing_ = std::make_shared<SumCountSummary>(
        "alertmanager_dispatcher_alert_processing_duration_seconds",
        "Summary of latencies for the processing of alerts.");
  }

  // ---- Any thread. ----

  void OnStored(const AlertPtr& a) {
    std::lock_guard lock(inbox_mu_);
    if (!accepting_) return;
    // Coalesced by fingerprint: under a re-post storm the inbox holds at most one entry per
    // distinct alert (memory stays bounded), and Drain() routes the store's current version.
    inbox_[a->Fingerprint()] = a;
    if (!drain_posted_) {
      drain_posted_ = true;
      boost::asio::post(strand_, [self = shared_from_this()] { self->Drain(); });
    }
  }

  void Run() {
    boost::asio::post(strand_, [self = shared_from_this()] { self->DoRun(); });
  }

  void Reload(std::shared_ptr<const config::Config> cfg) {
    boost::asio::post(strand_, [self = shared_from_this(), cfg = std::move(cfg)]() mutable {
      self->DoReload(std::move(cfg));
    });
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    {
      std::lock_guard lock(inbox_mu_);
      accepting_ = false;
      inbox_.clear();
    }
    boost::asio::post(strand_, [self = shared_from_this()] { self->DoStop(); });
  }

  AlertGroupsView Groups(const RouteFilter& route_filter, const AlertFilter& alert_filter) const {
    AlertGroupsView view;
    Time now = Clock::Wall();
    {
      std::shared_lock table(table_mu_);
      for (const auto& [route, by_fp] : groups_) {
        if (route_filter && !route_filter(*route)) continue;
        for (const auto& [fp, g] : by_fp) {
          AlertGroupView gv;
          {
            std::lock_guard lock(g->mu);
            for (const auto& [afp, a] : g->alerts) {
              if (alert_filter && !alert_filter(*a, now)) continue;
              gv.alerts.push_back(a);
            }
          }
          if (gv.alerts.empty()) continue;
          gv.labels = g->labels;
          gv.receiver = route->opts.receiver;
          gv.route_key = route->Key();
          gv.route_id = route->ID();
          gv.group_key = g->key;
          for (const auto& a : gv.alerts) view.receivers[a->Fingerprint()].push_back(gv.receiver);
          view.groups.push_back(std::move(gv));
        }
      }
    }
    std::sort(view.groups.begin(), view.groups.end(),
              [](const AlertGroupView& a, const AlertGroupView& b) {
                if (a.labels == b.labels) {
                  if (a.receiver != b.receiver) return a.receiver < b.receiver;
                  return a.route_key < b.route_key;  // upstream leaves this tie to map order
                }
                return LabelSetBefore(a.labels, b.labels);
              });
    for (auto& g : view.groups) {
      std::sort(g.alerts.begin(), g.alerts.end(),
                [](const AlertPtr& a, const AlertPtr& b) { return AlertLess(*a, *b); });
    }
    for (auto& [fp, receivers] : view.receivers) std::sort(receivers.begin(), receivers.end());
    return view;
  }

  size_t group_count() const {
    std::shared_lock table(table_mu_);
    return group_count_;
  }

  std::shared_ptr<SumCountSummary> processing() const { return processing_; }

  std::shared_ptr<const config::Config> config() const {
    std::shared_lock table(table_mu_);
    return config_;
  }

 private:
  // ---- Strand only from here on. ----

  void DoRun() {
    if (stopped_ || running_) return;
    running_ = true;
    {
      // Alerts stored before this point are in List(); later ones arrive through OnStored.
      std::lock_guard lock(inbox_mu_);
      accepting_ = true;
    }
    for (const auto& a : store_.List()) Process(a);
    ArmMaintenance();
  }

  void Drain() {
    std::unordered_map<uint64_t, AlertPtr> batch;
    {
      std::lock_guard lock(inbox_mu_);
      batch.swap(inbox_);
      drain_posted_ = false;
    }
    if (stopped_) return;
    for (const auto& [fp, a] : batch) {
      // The store's version is the newest even when two concurrent Puts notified out of order;
      // the queued one stands in when GC already removed the alert (its resolution must still
      // reach the group).
      AlertPtr current = store_.Get(fp);
      Process(current ? current : a);
    }
  }

  void DoReload(std::shared_ptr<const config::Config> cfg) {
    if (stopped_) return;
    // Alerts the old groups still hold: the store may have garbage-collected some (resolved, but
    // their resolution not yet notified); they must reach the new groups too.
    std::unordered_map<uint64_t, AlertPtr> held;
    auto old_groups = TakeAllGroups();
    for (const auto& g : old_groups) {
      {
        std::lock_guard lock(g->mu);
        for (const auto& [fp, a] : g->alerts) held.emplace(fp, a);
      }
      StopGroup(*g);
    }
    {
      std::unique_lock table(table_mu_);
      config_ = std::move(cfg);
    }
    AM_LOG(kDebug, "dispatcher", "Route tree reloaded",
           {{"old_groups", static_cast<unsigned long>(old_groups.size())}});
    if (!running_) return;
    {
      // Everything queued so far is covered by the List() below (the store updates before it
      // notifies); what arrives later is queued again.
      std::lock_guard lock(inbox_mu_);
      inbox_.clear();
    }
    for (const auto& a : store_.List()) {
      held.erase(a->Fingerprint());
      Process(a);
    }
    for (const auto& [fp, a] : held) Process(a);
  }

  void DoStop() {
    for (const auto& g : TakeAllGroups()) StopGroup(*g);
    maintenance_.cancel();
  }

  std::vector<std::shared_ptr<Group>> TakeAllGroups() {
    std::vector<std::shared_ptr<Group>> out;
    std::unique_lock table(table_mu_);
    for (auto& [route, by_fp] : groups_) {
      for (auto& [fp, g] : by_fp) out.push_back(std::move(g));
    }
    groups_.clear();
    group_count_ = 0;
    groups_gauge_->Set(0);
    return out;
  }

  void Process(const AlertPtr& a) {
    auto started = std::chrono::steady_clock::now();
    uint64_t fp = a->Fingerprint();
    for (const config::Route* r : MatchRoutes(*config_->route, a->labels)) ProcessAlert(a, fp, *r);
    processing_->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  void ProcessAlert(const AlertPtr& a, uint64_t alert_fp, const config::Route& route) {
    uint64_t fp = GroupFingerprint(route, a->labels);
    std::shared_ptr<Group> g;
    {
      std::shared_lock table(table_mu_);
      auto rit = groups_.find(&route);
      if (rit != groups_.end()) {
        auto git = rit->second.find(fp);
        if (git != rit->second.end()) g = git->second;
      }
    }
    if (!g) {
      g = std::make_shared<Group>(&route, GroupLabels(route, a->labels), fp, strand_);
      {
        std::unique_lock table(table_mu_);
        groups_[&route][fp] = g;
        ++group_count_;
      }
      groups_gauge_->Increment();
      ArmTimer(g, NotBeforeStart(route.opts.group_wait));
    }
    Insert(g, a, alert_fp);
  }

  void Insert(const std::shared_ptr<Group>& g, const AlertPtr& a, uint64_t alert_fp) {
    {
      std::lock_guard lock(g->mu);
      g->alerts[alert_fp] = a;
    }
    // An alert that has already waited group_wait since it started is flushed right away.
    if (!g->has_flushed && a->starts_at + g->route->opts.group_wait < Clock::Wall()) {
      ArmTimer(g, NotBeforeStart(Duration(0)));
    }
  }

  // `wait`, stretched so that the flush is not before start_time + start_delay.
  Duration NotBeforeStart(Duration wait) const {
    if (opts_.start_delay <= Duration(0) || IsZero(opts_.start_time)) return wait;
    Duration left = (opts_.start_time + opts_.start_delay) - Clock::Wall();
    return std::max(wait, left);
  }

  void ArmTimer(const std::shared_ptr<Group>& g, Duration wait) {
    uint64_t gen = ++g->timer_gen;
    g->timer.expires_after(std::max(wait, Duration(0)));
    g->timer.async_wait([self = shared_from_this(), g, gen](const boost::system::error_code& ec) {
      if (ec) return;
      self->OnTick(g, gen);
    });
  }

  void OnTick(const std::shared_ptr<Group>& g, uint64_t gen) {
    if (stopped_ || g->stopped || gen != g->timer_gen) return;
    Time tick = Clock::Wall();
    if (g->flushing) {
      g->pending_tick = tick;
      return;
    }
    StartFlush(g, tick);
  }

  void StartFlush(const std::shared_ptr<Group>& g, Time tick) {
    const config::RouteOptions& ro = g->route->opts;
    ArmTimer(g, ro.group_interval);
    g->has_flushed = true;

    Time now = Clock::Wall();
    std::vector<Alert> alerts = PrepareAlerts(*g, now);
    if (alerts.empty()) return;

    auto ctx = std::make_shared<FlushContext>();
    ctx->group_key = g->key;
    ctx->group_labels = g->labels;
    ctx->receiver = ro.receiver;
    ctx->route_id = g->route->ID();
    ctx->route_labels = ro.labels;
    ctx->group_interval = ro.group_interval;
    ctx->repeat_interval = ro.repeat_interval;
    ctx->mute_time_intervals = ro.mute_time_intervals;
    ctx->active_time_intervals = ro.active_time_intervals;
    ctx->now = tick;
    Duration cluster_wait = opts_.cluster_wait ? opts_.cluster_wait() : Duration(0);
    ctx->deadline = now + std::max(ro.group_interval, kMinFlushTimeout) + cluster_wait;
    std::weak_ptr<Group> weak = g;
    ctx->snapshot = [weak](Time at) -> std::vector<Alert> {
      auto grp = weak.lock();
      if (!grp || grp->cancelled->load(std::memory_order_acquire)) return {};
      return PrepareAlerts(*grp, at);
    };
    {
      std::shared_lock table(table_mu_);
      ctx->config = config_;
    }
    ctx->cancelled = g->cancelled;

    std::vector<SentAlert> sent;
    sent.reserve(alerts.size());
    for (const auto& a : alerts)
      sent.push_back({a.Fingerprint(), a.updated_at, !IsZero(a.ends_at)});

    g->flushing = true;
    AM_LOG(kDebug, "dispatcher", "flushing",
           {{"aggrGroup", g->key}, {"alerts", static_cast<unsigned long>(alerts.size())}});
    std::weak_ptr<Impl> weak_self = weak_from_this();
    auto done_once = std::make_shared<std::atomic<bool>>(false);
    handler_.Flush(std::move(ctx), std::move(alerts),
                   [weak_self, g, sent = std::move(sent), done_once](bool ok) mutable {
                     if (done_once->exchange(true)) return;
                     auto self = weak_self.lock();
                     if (!self) return;
                     boost::asio::post(self->strand_, [self, g, ok, sent = std::move(sent)] {
                       self->OnFlushDone(g, ok, sent);
                     });
                   });
  }

  void OnFlushDone(const std::shared_ptr<Group>& g, bool ok, const std::vector<SentAlert>& sent) {
    g->flushing = false;
    if (g->stopped) return;
    if (ok) {
      std::lock_guard lock(g->mu);
      for (const auto& s : sent) {
        if (!s.resolved) continue;
        // Only if not re-inserted since the flush copied it.
        auto it = g->alerts.find(s.fp);
        if (it != g->alerts.end() && it->second->updated_at == s.updated_at) g->alerts.erase(it);
      }
    } else {
      AM_LOG(kDebug, "dispatcher", "Notify for alerts failed", {{"aggrGroup", g->key}});
    }
    if (g->pending_tick) {
      Time tick = *g->pending_tick;
      g->pending_tick.reset();
      StartFlush(g, tick);
    }
  }

  void StopGroup(Group& g) {
    g.stopped = true;
    g.cancelled->store(true, std::memory_order_release);
    ++g.timer_gen;
    g.timer.cancel();
  }

  void ArmMaintenance() {
    maintenance_.expires_after(opts_.maintenance_interval);
    maintenance_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->stopped_) return;
      self->Maintenance();
      self->ArmMaintenance();
    });
  }

  void Maintenance() {
    std::vector<std::shared_ptr<Group>> removed;
    {
      std::unique_lock table(table_mu_);
      for (auto rit = groups_.begin(); rit != groups_.end();) {
        auto& by_fp = rit->second;
        for (auto git = by_fp.begin(); git != by_fp.end();) {
          if (git->second->empty()) {
            removed.push_back(std::move(git->second));
            git = by_fp.erase(git);
          } else {
            ++git;
          }
        }
        rit = by_fp.empty() ? groups_.erase(rit) : std::next(rit);
      }
      group_count_ -= removed.size();
    }
    for (const auto& g : removed) {
      StopGroup(*g);
      groups_gauge_->Decrement();
    }
  }

  Strand strand_;
  alert::Store& store_;
  FlushHandler& handler_;
  const DispatcherOptions opts_;
  prometheus::Gauge* groups_gauge_ = nullptr;
  std::shared_ptr<SumCountSummary> processing_;

  std::atomic<bool> stopped_{false};

  std::mutex inbox_mu_;
  std::unordered_map<uint64_t, AlertPtr> inbox_;  // guarded by inbox_mu_; latest per fingerprint
  bool accepting_ = false;                        // guarded by inbox_mu_
  bool drain_posted_ = false;                     // guarded by inbox_mu_

  // Written on the strand under a unique lock; read anywhere under a shared lock.
  mutable std::shared_mutex table_mu_;
  std::shared_ptr<const config::Config> config_;
  std::unordered_map<const config::Route*, std::unordered_map<uint64_t, std::shared_ptr<Group>>>
      groups_;
  size_t group_count_ = 0;

  Timer maintenance_;     // strand only
  bool running_ = false;  // strand only
};

Dispatcher::Dispatcher(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
                       alert::Store& store, FlushHandler& handler, prometheus::Registry& registry,
                       DispatcherOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(config), store, handler, registry,
                                   std::move(options))) {
  std::weak_ptr<Impl> weak = impl_;
  store.Subscribe([weak](const AlertPtr& a) {
    if (auto impl = weak.lock()) impl->OnStored(a);
  });
}

Dispatcher::~Dispatcher() { impl_->Stop(); }

void Dispatcher::Run() { impl_->Run(); }

void Dispatcher::Reload(std::shared_ptr<const config::Config> config) {
  impl_->Reload(std::move(config));
}

void Dispatcher::Stop() { impl_->Stop(); }

AlertGroupsView Dispatcher::Groups(const RouteFilter& route_filter,
                                   const AlertFilter& alert_filter) const {
  return impl_->Groups(route_filter, alert_filter);
}

Dispatcher::AlertFilter Dispatcher::DefaultAlertFilter() {
  return [](const Alert& a, Time now) { return IsZero(a.ends_at) || !(a.ends_at < now); };
}

size_t Dispatcher::group_count() const { return impl_->group_count(); }
std::shared_ptr<prometheus::Collectable> Dispatcher::ProcessingMetric() const {
  return impl_->processing();
}

std::shared_ptr<const config::Config> Dispatcher::config() const { return impl_->config(); }

}  // namespace am::dispatch
