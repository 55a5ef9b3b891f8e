// The in-memory alert store (provider/mem): one alert per label fingerprint, merged on re-post,
// resolved alerts removed by GC. Alerts are immutable once stored (shared_ptr<const Alert>), so
// readers keep what they got while writers replace entries.
// Thread-safety: all methods are safe from any thread; one shared_mutex guards the map. Listeners
// are called after the lock is released, in Put's calling thread, once per stored alert.
#pragma once

#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/alert.h"

namespace am::alert {

class Store {
 public:
  using Clock = std::function<Time()>;
  using Listener = std::function<void(const AlertPtr&)>;

  explicit Store(Clock clock = &Now);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Stores each alert, merged with the stored one when their activity ranges overlap.
  // Returns what was stored, in input order.
  std::vector<AlertPtr> Put(std::vector<Alert> alerts);
  AlertPtr Get(uint64_t fingerprint) const;
  // Every stored alert, sorted by fingerprint (the order the API answers in).
  std::vector<AlertPtr> List() const;
  // Removes alerts resolved at `now`; returns them (so markers can forget them).
  std::vector<AlertPtr> GC();
  size_t size() const;

  // Registration before concurrent Put calls start.
  void Subscribe(Listener l);

 private:
  Clock clock_;
  mutable std::shared_mutex mu_;
  std::unordered_map<uint64_t, AlertPtr> alerts_;  // guarded by mu_
  std::vector<Listener> listeners_;
};

}  // namespace am::alert
