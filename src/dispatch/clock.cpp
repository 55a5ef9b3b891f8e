#include "dispatch/clock.h"

#include <atomic>

namespace am::dispatch {
namespace {

std::atomic<bool> g_manual{false};
// Manual mode: both clocks are a base plus one shared offset.
std::atomic<int64_t> g_wall_base_ns{0};
std::atomic<int64_t> g_mono_base_ns{0};
std::atomic<int64_t> g_offset_ns{0};

constexpr Clock::duration kManualMaxWait = std::chrono::milliseconds(1);

}  // namespace

Clock::time_point Clock::now() noexcept {
  if (g_manual.load(std::memory_order_acquire)) {
    return time_point(duration(g_mono_base_ns.load() + g_offset_ns.load()));
  }
  return time_point(
      std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

Time Clock::Wall() noexcept {
  if (g_manual.load(std::memory_order_acquire)) {
    return Time(Duration(g_wall_base_ns.load() + g_offset_ns.load()));
  }
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

void ManualClock::Start(Time wall) {
  g_wall_base_ns.store(wall.time_since_epoch().count());
  g_mono_base_ns.store(std::chrono::duration_cast<Clock::duration>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count());
  g_offset_ns.store(0);
  g_manual.store(true, std::memory_order_release);
}

void ManualClock::Advance(Duration d) { g_offset_ns.fetch_add(d.count()); }

void ManualClock::Stop() { g_manual.store(false, std::memory_order_release); }

bool ManualClock::active() { return g_manual.load(std::memory_order_acquire); }

Clock::duration WaitTraits::to_wait_duration(const Clock::duration& d) {
  if (g_manual.load(std::memory_order_acquire) && d > kManualMaxWait) return kManualMaxWait;
  return d;
}

Clock::duration WaitTraits::to_wait_duration(const Clock::time_point& t) {
  return to_wait_duration(t - Clock::now());
}

}  // namespace am::dispatch
