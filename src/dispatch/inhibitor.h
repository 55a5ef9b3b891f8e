// Inhibition (upstream inhibit.Inhibitor): a target alert is muted while a *firing* source alert
// of some rule has the same values for all of the rule's `equal` labels (a missing label counts as
// the empty value). An alert that matches both sides of a rule is never muted by alerts that also
// match both sides (itself included), so a pair of such alerts cannot inhibit each other.
//
// Source alerts are indexed per rule by their `equal` values, so Mutes() looks at one bucket per
// rule instead of every source alert. Resolved source alerts stay indexed (Mutes() skips them at
// the time asked) until GC() drops them; upstream runs that every 15 minutes.
//
// Mutes() reports at most one fingerprint, as upstream does (its marker records one inhibiting
// alert); we pick the first rule in config order that mutes and, within it, the lowest firing
// fingerprint, where upstream's pick is map-order random.
//
// Thread-safety: every method may be called from any thread; one shared_mutex guards the rules and
// the index (Mutes() takes it shared). Ownership: the store subscription and the GC timer hold
// only weak references, so the Inhibitor may be destroyed before the store or the io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "alert/store.h"
#include "config/inhibit_rule.h"
#include "core/alert.h"
#include "core/duration.h"
#include "dispatch/muter.h"

namespace am::dispatch {

class Inhibitor : public Muter {
 public:
  static constexpr Duration kDefaultGcInterval = std::chrono::minutes(15);

  // Subscribes to `store` (REQUIRES: as Store::Subscribe, before concurrent Put calls start) and
  // indexes the alerts it already holds. With a null store, feed alerts through Put().
  Inhibitor(const std::vector<config::InhibitRule>& rules, alert::Store* store);
  ~Inhibitor() override;
  Inhibitor(const Inhibitor&) = delete;
  Inhibitor& operator=(const Inhibitor&) = delete;

  // Replaces the rules (config reload) and re-indexes every alert of the store (without a store:
  // the source alerts indexed so far).
  void Reload(const std::vector<config::InhibitRule>& rules);

  // One stored alert (new or updated); what the store subscription calls.
  void Put(const AlertPtr& alert);

  std::vector<uint64_t> Mutes(const LabelSet& labels, Time now) const override;

  // Drops source alerts resolved at `now`; returns how many entries were removed.
  size_t GC(Time now);
  // Runs GC every `interval` on `io` until Stop() or destruction.
  void StartGC(boost::asio::io_context& io, Duration interval = kDefaultGcInterval);
  void Stop();

  size_t rule_count() const;
  // Source alerts indexed over all rules (an alert counts once per rule it is a source of).
  size_t indexed_count() const;

 private:
  struct State;
  struct GcLoop;
  std::shared_ptr<State> state_;
  std::shared_ptr<GcLoop> gc_;
  alert::Store* store_;
};

}  // namespace am::dispatch
