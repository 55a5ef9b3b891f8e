#include "dispatch/inhibitor.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "dispatch/clock.h"

namespace am::dispatch {
namespace {

struct Bucket {
  // Ordered by fingerprint so the reported inhibitor is deterministic. Alerts that also match the
  // target side are kept apart: a two-sided target must skip them, and only them.
  std::map<uint64_t, AlertPtr> source_only;
  std::map<uint64_t, AlertPtr> two_sided;
  bool empty() const { return source_only.empty() && two_sided.empty(); }
};

struct Rule {
  Matchers source;
  Matchers target;
  std::vector<std::string> equal;  // sorted, unique
  std::unordered_map<std::string, Bucket> buckets;
};

// Length-prefixed values, so no choice of label values can make two different tuples collide.
std::string EqualKey(const Rule& r, const LabelSet& labels) {
  std::string key;
  for (const auto& name : r.equal) {
    std::string_view v = labels.Get(name);
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return key;
}

std::vector<Rule> BuildRules(const std::vector<config::InhibitRule>& rules) {
  std::vector<Rule> out;
  out.reserve(rules.size());
  for (const auto& cr : rules) {
    Rule r;
    r.source = cr.source;
    r.target = cr.target;
    r.equal = cr.equal;
    std::sort(r.equal.begin(), r.equal.end());
    r.equal.erase(std::unique(r.equal.begin(), r.equal.end()), r.equal.end());
    out.push_back(std::move(r));
  }
  return out;
}

void IndexInto(Rule& r, const AlertPtr& a) {
  if (!MatchesAll(r.source, a->labels)) return;
  Bucket& b = r.buckets[EqualKey(r, a->labels)];
  uint64_t fp = a->Fingerprint();
  if (MatchesAll(r.target, a->labels)) {
    b.two_sided[fp] = a;
  } else {
    b.source_only[fp] = a;
  }
}

// Lowest fingerprint in `m` whose alert is firing at `now`, or nullopt.
std::optional<uint64_t> FirstFiring(const std::map<uint64_t, AlertPtr>& m, Time now) {
  for (const auto& [fp, a] : m) {
    if (!a->ResolvedAt(now)) return fp;
  }
  return std::nullopt;
}

}  // namespace

struct Inhibitor::State {
  mutable std::shared_mutex mu;
  std::vector<Rule> rules;  // guarded by mu

  void Put(const AlertPtr& a) {
    std::unique_lock lock(mu);
    for (auto& r : rules) IndexInto(r, a);
  }

  size_t Gc(Time now) {
    auto resolved = [now](const auto& e) { return e.second->ResolvedAt(now); };
    size_t removed = 0;
    std::unique_lock lock(mu);
    for (auto& r : rules) {
      for (auto it = r.buckets.begin(); it != r.buckets.end();) {
        removed += std::erase_if(it->second.source_only, resolved);
        removed += std::erase_if(it->second.two_sided, resolved);
        it = it->second.empty() ? r.buckets.erase(it) : std::next(it);
      }
    }
    return removed;
  }
};

struct Inhibitor::GcLoop {
  GcLoop(boost::asio::io_context& io, std::weak_ptr<State> s, Duration iv)
      : strand(boost::asio::make_strand(io)), timer(strand), state(std::move(s)), interval(iv) {}
  // The timer and `stopped` are touched only by handlers on `strand`.
  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  Timer timer;
  std::weak_ptr<State> state;
  Duration interval;
  bool stopped = false;

  static void Arm(const std::shared_ptr<GcLoop>& self) {
    self->timer.expires_after(self->interval);
    self->timer.async_wait([self](const boost::system::error_code& ec) {
      if (ec || self->stopped) return;
      auto st = self->state.lock();
      if (!st) return;
      st->Gc(Clock::Wall());
      Arm(self);
    });
  }
};

Inhibitor::Inhibitor(const std::vector<config::InhibitRule>& rules, alert::Store* store)
    : state_(std::make_shared<State>()), store_(store) {
  state_->rules = BuildRules(rules);
  if (store_ != nullptr) {
    std::weak_ptr<State> weak = state_;
    // Subscribe before listing: an alert stored meanwhile is seen twice, never missed.
    store_->Subscribe([weak](const AlertPtr& a) {
      if (auto st = weak.lock()) st->Put(a);
    });
    for (const auto& a : store_->List()) state_->Put(a);
  }
}

Inhibitor::~Inhibitor() { Stop(); }

void Inhibitor::Reload(const std::vector<config::InhibitRule>& rules) {
  std::vector<Rule> fresh = BuildRules(rules);
  std::unique_lock lock(state_->mu);
  std::vector<AlertPtr> alerts;
  if (store_ != nullptr) {
    alerts = store_->List();
  } else {
    std::unordered_map<uint64_t, AlertPtr> seen;
    for (const auto& r : state_->rules) {
      for (const auto& [key, b] : r.buckets) {
        for (const auto& [fp, a] : b.source_only) seen.emplace(fp, a);
        for (const auto& [fp, a] : b.two_sided) seen.emplace(fp, a);
      }
    }
    for (auto& [fp, a] : seen) alerts.push_back(std::move(a));
  }
  for (auto& r : fresh) {
    for (const auto& a : alerts) IndexInto(r, a);
  }
  state_->rules = std::move(fresh);
}

void Inhibitor::Put(const AlertPtr& alert) { state_->Put(alert); }

std::vector<uint64_t> Inhibitor::Mutes(const LabelSet& labels, Time now) const {
  std::shared_lock lock(state_->mu);
  for (const auto& r : state_->rules) {
    if (!MatchesAll(r.target, labels)) continue;
    auto it = r.buckets.find(EqualKey(r, labels));
    if (it == r.buckets.end()) continue;
    // A target that is also a source ignores sources that are also targets (itself included).
    bool exclude_two_sided = MatchesAll(r.source, labels);
    std::optional<uint64_t> best = FirstFiring(it->second.source_only, now);
    if (!exclude_two_sided) {
      std::optional<uint64_t> other = FirstFiring(it->second.two_sided, now);
      if (other && (!best || *other < *best)) best = other;
    }
    if (best) return {*best};
  }
  return {};
}

size_t Inhibitor::GC(Time now) { return state_->Gc(now); }

void Inhibitor::StartGC(boost::asio::io_context& io, Duration interval) {
  Stop();
  gc_ = std::make_shared<GcLoop>(io, state_, interval);
  auto loop = gc_;
  boost::asio::post(loop->strand, [loop] {
    if (!loop->stopped) GcLoop::Arm(loop);
  });
}

void Inhibitor::Stop() {
  if (!gc_) return;
  auto loop = std::move(gc_);
  boost::asio::post(loop->strand, [loop] {
    loop->stopped = true;
    loop->timer.cancel();
  });
}

size_t Inhibitor::rule_count() const {
  std::shared_lock lock(state_->mu);
  return state_->rules.size();
}

size_t Inhibitor::indexed_count() const {
  std::shared_lock lock(state_->mu);
  size_t n = 0;
  for (const auto& r : state_->rules) {
    for (const auto& [key, b] : r.buckets) n += b.source_only.size() + b.two_sided.size();
  }
  return n;
}

}  // namespace am::dispatch
