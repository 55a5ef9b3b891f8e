// ULIDs (github.com/oklog/ulid) for node names: 26 characters of Crockford base32 holding a
// 48-bit Unix-millisecond timestamp then 80 random bits. Names sort by start time, as
// Alertmanager's do, so a restarted node takes the last position.
// Thread-safety: NewUlid may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace am::cluster::memberlist {

// Encodes the timestamp (milliseconds since the Unix epoch, low 48 bits) and 10 entropy bytes.
std::string EncodeUlid(uint64_t unix_ms, const std::array<uint8_t, 10>& entropy);

// A ULID for `now` with entropy from the operating system's random source.
std::string NewUlid(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace am::cluster::memberlist
