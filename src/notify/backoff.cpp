#include "notify/backoff.h"

#include <random>

namespace am::notify {
namespace {

double ThreadRandom01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

ExponentialBackoff::ExponentialBackoff(BackoffPolicy policy, std::function<double()> random01)
    : policy_(policy),
      random01_(random01 ? std::move(random01) : ThreadRandom01),
      current_(policy.initial_interval) {}

std::chrono::nanoseconds ExponentialBackoff::Next() {
  std::chrono::nanoseconds next = current_;
  if (policy_.randomization_factor != 0) {
    const double cur = static_cast<double>(current_.count());
    const double delta = policy_.randomization_factor * cur;
    const double lo = cur - delta;
    const double hi = cur + delta;
    // Same formula as upstream, including its "+ 1" nanosecond.
    next = std::chrono::nanoseconds(static_cast<int64_t>(lo + random01_() * (hi - lo + 1)));
  }
  if (static_cast<double>(current_.count()) >=
      static_cast<double>(policy_.max_interval.count()) / policy_.multiplier) {
    current_ = policy_.max_interval;
  } else {
    current_ = std::chrono::nanoseconds(
        static_cast<int64_t>(static_cast<double>(current_.count()) * policy_.multiplier));
  }
  return next;
}

}  // namespace am::notify
