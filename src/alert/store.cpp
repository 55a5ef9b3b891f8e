#include "alert/store.h"

#include <algorithm>

#include "alert/merge.h"

namespace am::alert {

Store::Store(Clock clock) : clock_(std::move(clock)) {}

std::vector<AlertPtr> Store::Put(std::vector<Alert> alerts) {
  std::vector<AlertPtr> stored;
  stored.reserve(alerts.size());
  Time now = clock_();
  {
    std::unique_lock lock(mu_);
    for (auto& a : alerts) {
      uint64_t fp = a.Fingerprint();
      auto it = alerts_.find(fp);
      AlertPtr p;
      if (it != alerts_.end() && Overlaps(*it->second, a)) {
        p = std::make_shared<const Alert>(Merge(*it->second, a, now));
      } else {
        p = std::make_shared<const Alert>(std::move(a));
      }
      if (it != alerts_.end()) {
        it->second = p;
      } else {
        alerts_.emplace(fp, p);
      }
      stored.push_back(std::move(p));
    }
  }
  for (const auto& l : listeners_) {
    for (const auto& p : stored) l(p);
  }
  return stored;
}

AlertPtr Store::Get(uint64_t fp) const {
  std::shared_lock lock(mu_);
  auto it = alerts_.find(fp);
  return it == alerts_.end() ? nullptr : it->second;
}

std::vector<AlertPtr> Store::List() const {
  std::vector<std::pair<uint64_t, AlertPtr>> v;
  {
    std::shared_lock lock(mu_);
    v.assign(alerts_.begin(), alerts_.end());
  }
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<AlertPtr> out;
  out.reserve(v.size());
  for (auto& e : v) out.push_back(std::move(e.second));
  return out;
}

std::vector<AlertPtr> Store::GC() {
  Time now = clock_();
  std::vector<AlertPtr> removed;
  std::unique_lock lock(mu_);
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    if (it->second->ResolvedAt(now)) {
      removed.push_back(it->second);
      it = alerts_.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

size_t Store::size() const {
  std::shared_lock lock(mu_);
  return alerts_.size();
}

void Store::Subscribe(Listener l) { listeners_.push_back(std::move(l)); }

}  // namespace am::alert
