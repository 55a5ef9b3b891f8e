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

// How often cancellable waits look at their cancellation flag (it has no notification).
inline constexpr std::chrono::milliseconds kCancelPoll{50};

// Like AsyncSleep, but checks `cancelled` every kCancelPoll and then ends early:
// cb(true) when cancelled, cb(false) when `d` elapsed. `cancelled` may be nullptr.
void CancellableSleep(const boost::asio::any_io_executor& ex, std::chrono::nanoseconds d,
                      std::function<bool()> cancelled, std::function<void(bool cancelled)> cb);

// Calls `cb(kFired)` when Fire() is called within `timeout`, `cb(kTimedOut)` when it elapses,
// `cb(kCancelled)` when `cancelled` (polled every kCancelPoll; may be nullptr) turns true first.
// `cb` runs exactly once, on a strand of `ex`. timeout == nanoseconds::max() waits forever.
class TimedWait {
 public:
  enum class Outcome { kFired, kTimedOut, kCancelled };
  static std::shared_ptr<TimedWait> Start(const boost::asio::any_io_executor& ex,
                                          std::chrono::nanoseconds timeout,
                                          std::function<bool()> cancelled,
                                          std::function<void(Outcome)> cb);
  virtual ~TimedWait() = default;
  virtual void Fire() = 0;
};

}  // namespace am::notify
