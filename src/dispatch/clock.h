// The dispatcher's time source. Asio timers need a clock *type*, not an object, so this is a
// process-wide clock with a manual mode for tests:
//  - Clock satisfies Asio's Clock requirements; dispatch timers are Timer (below). In real mode its
//    now() is std::chrono::steady_clock's, so a wall-clock step never stretches a group_wait.
//  - Clock::Wall() is the wall time the dispatcher stamps flushes with and compares alert times
//    against (real mode: system_clock).
//  - ManualClock::Start(t) freezes both at a fixed point; ManualClock::Advance(d) moves both by d.
//    In manual mode WaitTraits caps every reactor wait at 1 ms of real time, so a running
//    io_context notices advanced time within a millisecond (run it with run_for, never run()).
// Thread-safety: all functions are safe from any thread (atomics). Manual mode is for tests only.
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>
#include <chrono>

#include "core/duration.h"
#include "core/timeutil.h"

namespace am::dispatch {

class Clock {
 public:
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<Clock, duration>;
  static constexpr bool is_steady = true;

  // Monotonic time for Asio timers (manual time in manual mode).
  static time_point now() noexcept;
  // Wall time for everything compared with alert timestamps (manual time in manual mode).
  static Time Wall() noexcept;
};

// Test hooks; see the file comment.
class ManualClock {
 public:
  static void Start(Time wall);
  static void Advance(Duration d);
  static void Stop();
  static bool active();
};

struct WaitTraits {
  static Clock::duration to_wait_duration(const Clock::duration& d);
  static Clock::duration to_wait_duration(const Clock::time_point& t);
};

using Timer = boost::asio::basic_waitable_timer<Clock, WaitTraits>;

}  // namespace am::dispatch
