// TimeMuter: whether an instant lies inside any of a route's named time intervals (upstream
// types.TimeMuter / timeinterval.Intervener). dispatch/ owns the evaluation (zones, weekdays,
// negative days of month); the daemon adapts it to this interface. Implementations must be
// thread-safe and read the same Config the flush carries.
#pragma once

#include <string>
#include <vector>

#include "core/timeutil.h"

namespace am::notify {

class TimeMuter {
 public:
  virtual ~TimeMuter() = default;
  // True when `now` is inside at least one interval of at least one of `names`. Throws
  // std::invalid_argument("time interval <name> doesn't exist in config") for an unknown name.
  virtual bool InAnyInterval(const std::vector<std::string>& names, Time now) const = 0;
};

}  // namespace am::notify
