// Durations in the two syntaxes operators write: Go's time.Duration (flags: 200ms, 1m0s, 1.5h,
// 120h) and Prometheus' model.Duration (alertmanager.yml: 30s, 5m, 4h, 1d, 1w, 1y, 1h30m).
// Parse throws ParseError with upstream's message; Format returns upstream's canonical string.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace am {

using Duration = std::chrono::nanoseconds;

// time.ParseDuration. Error: `time: invalid duration "x"`.
Duration ParseGoDuration(std::string_view s);
// time.Duration.String(): "1m0s", "200ms", "0s", "1h0m0s".
std::string FormatGoDuration(Duration d);

// model.ParseDuration. Error: `not a valid duration string: "x"`.
Duration ParseModelDuration(std::string_view s);
// model.Duration.String(): "5m", "4h", "1d", "1h30m", "0s".
std::string FormatModelDuration(Duration d);

}  // namespace am
