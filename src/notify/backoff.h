// ExponentialBackoff: the retry schedule of upstream's RetryStage (cenkalti/backoff/v4
// ExponentialBackOff with its defaults and MaxElapsedTime 0): intervals start at 500ms, grow by
// 1.5 up to 60s, and each is randomised by ±50%. Not thread-safe: one per retry loop.
#pragma once

#include <chrono>
#include <functional>

namespace am::notify {

struct BackoffPolicy {
  std::chrono::nanoseconds initial_interval = std::chrono::milliseconds(500);
  double randomization_factor = 0.5;
  double multiplier = 1.5;
  std::chrono::nanoseconds max_interval = std::chrono::seconds(60);
};

class ExponentialBackoff {
 public:
  // `random01` returns a uniform value in [0, 1); nullptr uses a per-thread PRNG.
  explicit ExponentialBackoff(BackoffPolicy policy = {},
                              std::function<double()> random01 = nullptr);

  // The wait before the next attempt: current ± randomization × current, then the current
  // interval grows (to max_interval once current >= max_interval / multiplier).
  std::chrono::nanoseconds Next();

  std::chrono::nanoseconds current_interval() const { return current_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> random01_;
  std::chrono::nanoseconds current_;
};

}  // namespace am::notify
