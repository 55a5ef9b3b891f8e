#include "cluster/memberlist/suspicion.h"

#include <algorithm>
#include <cmath>

namespace am::cluster::memberlist {

using std::chrono::nanoseconds;

nanoseconds SuspicionTimeout(int suspicion_mult, int n, nanoseconds interval) {
  double node_scale = std::max(1.0, std::log10(std::max(1.0, static_cast<double>(n))));
  // Go keeps three decimals of the scale in integer arithmetic.
  int64_t scaled = static_cast<int64_t>(node_scale * 1000);
  return nanoseconds(static_cast<int64_t>(suspicion_mult) * scaled * interval.count() / 1000);
}

nanoseconds RemainingSuspicionTime(int n, int k, nanoseconds elapsed, nanoseconds min,
                                   nanoseconds max) {
  double frac = std::log(static_cast<double>(n) + 1.0) / std::log(static_cast<double>(k) + 1.0);
  double max_s = std::chrono::duration<double>(max).count();
  double min_s = std::chrono::duration<double>(min).count();
  double raw = max_s - frac * (max_s - min_s);
  nanoseconds timeout = std::chrono::milliseconds(static_cast<int64_t>(std::floor(1000.0 * raw)));
  if (timeout < min) timeout = min;
  return timeout - elapsed;
}

Suspicion::Suspicion(const std::string& from, int k, nanoseconds min, nanoseconds max,
                     std::chrono::steady_clock::time_point start)
    : k_(k), min_(min), max_(max), start_(start) {
  confirmations_.insert(from);
}

bool Suspicion::Confirm(const std::string& from, std::chrono::steady_clock::time_point now,
                        nanoseconds* remaining) {
  if (n_ >= k_) return false;
  if (!confirmations_.insert(from).second) return false;
  ++n_;
  *remaining = RemainingSuspicionTime(n_, k_, now - start_, min_, max_);
  return true;
}

}  // namespace am::cluster::memberlist
