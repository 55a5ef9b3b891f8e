// Wall-clock instants with nanosecond precision and the Go time formats Alertmanager emits.
// Go's zero time.Time (0001-01-01T00:00:00Z) is outside the int64-nanosecond range, so it is
// represented by the sentinel kZeroTime and printed as Go prints it. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace am {

using Time = std::chrono::sys_time<std::chrono::nanoseconds>;

inline constexpr Time kZeroTime = Time::min();
inline bool IsZero(Time t) { return t == kZeroTime; }

Time Now();

// RFC3339Nano as Go's time.Time JSON marshalling in UTC: trailing zeros of the fraction trimmed,
// "Z" suffix; kZeroTime → "0001-01-01T00:00:00Z".
std::string FormatRFC3339Nano(Time t);
// go-openapi strfmt.DateTime: always three fractional digits, "Z" suffix (API v2 output).
std::string FormatRFC3339Millis(Time t);
// Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
std::string FormatGoTimeString(Time t);

// Accepts RFC 3339 with optional fraction (up to 9 digits) and Z or ±hh:mm offset; also accepts
// "0001-01-01T00:00:00Z" (→ kZeroTime). nullopt on malformed input or out-of-range year.
std::optional<Time> ParseRFC3339(std::string_view s);

}  // namespace am
