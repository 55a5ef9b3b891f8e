// Small Asio timer helpers the stages share: sleep without blocking a thread, and wait for an
// external event with a bound. Thread-safety: AsyncSleep may be called from any thread;
// TimedWait::Fire may be called from any thread, any number of times (only the first counts).
// Ownership: pending timers keep their own state alive until they complete.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace am::notify {

// Calls `cb` on `ex` after `d` (at once, but never inline, when d <= 0).
void AsyncSleep(const boost::asio::any_io_executor& ex, std::chrono::nanoseconds d,
                std::function<void()> cb);

// Calls `cb(true)` when Fire() is called within `timeout`, else `cb(false)` when it elapses.
// `cb` runs exactly once, on a strand of `ex`. timeout == nanoseconds::max() waits forever.
class TimedWait {
 public:
  static std::shared_ptr<TimedWait> Start(const boost::asio::any_io_executor& ex,
                                          std::chrono::nanoseconds timeout,
                                          std::function<void(bool fired)> cb);
  virtual ~TimedWait() = default;
  virtual void Fire() = 0;
};

}  // namespace am::notify
