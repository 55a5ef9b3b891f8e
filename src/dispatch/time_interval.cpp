#include "dispatch/time_interval.h"

#include <date/date.h>
#include <date/tz.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace am::dispatch {
namespace {

// Go's time.Local: $TZ unset → /etc/localtime; TZ="" → UTC; otherwise the named zone (a leading
// ':' ignored); anything that cannot be loaded → UTC.
const date::time_zone* LocalZone() {
  static const date::time_zone* const zone = []() -> const date::time_zone* {
    try {
      const char* tz = std::getenv("TZ");
      if (tz == nullptr) return date::current_zone();
      std::string_view name(tz);
      if (!name.empty() && name.front() == ':') name.remove_prefix(1);
      if (name.empty() || name == "UTC") return nullptr;
      return date::locate_zone(name);
    } catch (const std::exception&) {
      return nullptr;
    }
  }();
  return zone;
}

// nullptr = UTC. The config loader validated every name, so a failed lookup (the tz database
// changed under us) degrades to UTC instead of failing a notification.
const date::time_zone* ResolveZone(const std::string& location) {
  if (location == "UTC") return nullptr;
  if (location == "Local") return LocalZone();
  static std::mutex mu;
  static std::unordered_map<std::string, const date::time_zone*> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(location);
  if (it != cache.end()) return it->second;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(location);
  } catch (const std::exception&) {
    zone = nullptr;
  }
  cache.emplace(location, zone);
  return zone;
}

struct WallClock {
  int year;
  int month;  // 1..12
  int day;    // 1..31
  int days_in_month;
  int weekday;  // 0 = Sunday
  int minute_of_day;
};

WallClock ToWall(Time t, const date::time_zone* zone) {
  using namespace std::chrono;
  date::local_time<nanoseconds> local;
  if (zone == nullptr) {
    local = date::local_time<nanoseconds>(t.time_since_epoch());
  } else {
    local = zone->to_local(t);
  }
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd(day);
  auto since_midnight = duration_cast<minutes>(local - day);
  WallClock w;
  w.year = int(ymd.year());
  w.month = int(unsigned(ymd.month()));
  w.day = int(unsigned(ymd.day()));
  w.days_in_month =
      int(unsigned(date::year_month_day_last(ymd.year(), date::month_day_last(ymd.month())).day()));
  w.weekday = int(date::weekday(day).c_encoding());
  w.minute_of_day = int(since_midnight.count());
  return w;
}

int Clamp(int n, int lo, int hi) {
  if (n <= lo) return lo;
  if (n >= hi) return hi;
  return n;
}

template <typename Range, typename Pred>
bool AnyOf(const std::vector<Range>& v, Pred pred) {
  for (const auto& r : v) {
    if (pred(r)) return true;
  }
  return false;
}

}  // namespace

bool Contains(const config::TimeIntervalSpec& spec, Time t) {
  const date::time_zone* zone = spec.location ? ResolveZone(*spec.location) : nullptr;
  WallClock w = ToWall(t, zone);
  if (spec.times && !AnyOf(*spec.times, [&](const config::TimeRange& r) {
        return w.minute_of_day >= r.start_minute && w.minute_of_day < r.end_minute;
      })) {
    return false;
  }
  if (spec.days_of_month && !AnyOf(*spec.days_of_month, [&](const config::InclusiveRange& r) {
        int dim = w.days_in_month;
        int begin = r.begin < 0 ? dim + r.begin + 1 : r.begin;
        int end = r.end < 0 ? dim + r.end + 1 : r.end;
        // A range starting after the month's end does not apply to this month at all.
        if (begin > dim) return false;
        begin = Clamp(begin, -dim, dim);
        end = Clamp(end, -dim, dim);
        return w.day >= begin && w.day <= end;
      })) {
    return false;
  }
  if (spec.months && !AnyOf(*spec.months, [&](const config::InclusiveRange& r) {
        return w.month >= r.begin && w.month <= r.end;
      })) {
    return false;
  }
  if (spec.weekdays && !AnyOf(*spec.weekdays, [&](const config::InclusiveRange& r) {
        return w.weekday >= r.begin && w.weekday <= r.end;
      })) {
    return false;
  }
  if (spec.years && !AnyOf(*spec.years, [&](const config::InclusiveRange& r) {
        return w.year >= r.begin && w.year <= r.end;
      })) {
    return false;
  }
  return true;
}

bool Contains(const config::NamedTimeInterval& interval, Time t) {
  for (const auto& spec : interval.time_intervals) {
    if (Contains(spec, t)) return true;
  }
  return false;
}

namespace {
const config::NamedTimeInterval& Lookup(const config::Config& cfg, const std::string& name) {
  const config::NamedTimeInterval* ti = cfg.FindTimeInterval(name);
  if (ti == nullptr) throw std::out_of_range("time interval " + name + " doesn't exist in config");
  return *ti;
}
}  // namespace

bool InTimeIntervals(const config::Config& cfg, const std::vector<std::string>& names, Time t) {
  for (const auto& name : names) {
    if (Contains(Lookup(cfg, name), t)) return true;
  }
  return false;
}

std::vector<std::string> MatchingTimeIntervals(const config::Config& cfg,
                                               const std::vector<std::string>& names, Time t) {
  std::vector<std::string> out;
  for (const auto& name : names) {
    if (Contains(Lookup(cfg, name), t)) out.push_back(name);
  }
  return out;
}

}  // namespace am::dispatch
