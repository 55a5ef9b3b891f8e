// Suspicion and awareness arithmetic from memberlist (suspicion.go, awareness.go, util.go):
// how long a suspected node has to refute before it is declared dead, how independent
// confirmations shorten that, and the local health score that stretches probe deadlines.
// Thread-safety: Suspicion is owned by the memberlist strand; Awareness reads are atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <set>
#include <string>

namespace am::cluster::memberlist {

// min = SuspicionMult x max(1, log10(max(1, n))) x interval (4 s for n <= 10 with defaults).
std::chrono::nanoseconds SuspicionTimeout(int suspicion_mult, int n,
                                          std::chrono::nanoseconds interval);

// Remaining time after `elapsed` given n of k confirmations: the total timeout slides from max
// to min as log(n+1)/log(k+1), floored to milliseconds, never below min. May be negative.
std::chrono::nanoseconds RemainingSuspicionTime(int n, int k, std::chrono::nanoseconds elapsed,
                                                std::chrono::nanoseconds min,
                                                std::chrono::nanoseconds max);

// One node's suspicion: who confirmed it and the current deadline.
class Suspicion {
 public:
  // `from` (the first accuser) never counts as a confirmation. With k < 1 the timer runs for
  // min, otherwise for max until confirmations arrive.
  Suspicion(const std::string& from, int k, std::chrono::nanoseconds min,
            std::chrono::nanoseconds max, std::chrono::steady_clock::time_point start);

  // The first timeout, from start.
  std::chrono::nanoseconds InitialTimeout() const { return k_ < 1 ? min_ : max_; }

  // Registers a confirmation. True if it was new (the suspect message should be re-gossiped);
  // then *remaining is the new time left from `now` (may be <= 0: fire at once).
  bool Confirm(const std::string& from, std::chrono::steady_clock::time_point now,
               std::chrono::nanoseconds* remaining);

  int confirmations() const { return n_; }

 private:
  int n_ = 0;
  int k_;
  std::chrono::nanoseconds min_, max_;
  std::chrono::steady_clock::time_point start_;
  std::set<std::string> confirmations_;
};

// The health score, 0 (healthy) to max-1.
class Awareness {
 public:
  explicit Awareness(int max) : max_(max) {}
  // Returns true if the score changed.
  bool ApplyDelta(int delta) {
    int initial = score_.load();
    int s = initial + delta;
    if (s < 0) s = 0;
    if (s > max_ - 1) s = max_ - 1;
    score_.store(s);
    return s != initial;
  }
  int Score() const { return score_.load(); }
  std::chrono::nanoseconds ScaleTimeout(std::chrono::nanoseconds t) const {
    return t * (Score() + 1);
  }

 private:
  const int max_;
  std::atomic<int> score_{0};
};

}  // namespace am::cluster::memberlist
