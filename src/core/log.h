// Structured logging in the shape of Alertmanager 0.25's go-kit logger, so operators' greps and
// log pipelines keep working: logfmt `ts=<RFC3339 ms UTC> caller=<file>:<line> level=<lvl>
// component=<c> msg=<m> k=v ...` (key order fixed), or one JSON object per line with
// --log.format=json. Thread-safe: each record is formatted off-lock and written with one write().
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace am::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kLogfmt, kJson };

// Throws ParseError for an unknown level/format name (same words as upstream's promlog).
Level ParseLevel(std::string_view s);
Format ParseFormat(std::string_view s);

// Process-wide settings; call before starting threads. Defaults: info, logfmt, stderr.
void Configure(Level level, Format format, int fd = 2);
bool Enabled(Level level);

// One key/value of a record. Values are rendered as go-kit renders them.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned long long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, double v);
  Field(std::string_view k, std::chrono::nanoseconds d);  // Go duration string
  std::string_view key;
  std::string value;
};

void Write(Level level, const char* file, int line, std::string_view component,
           std::string_view msg, std::initializer_list<Field> fields = {});

// Formats one logfmt record (exposed for tests).
std::string FormatLogfmt(std::string_view ts, std::string_view caller, Level level,
                         std::string_view component, std::string_view msg,
                         std::initializer_list<Field> fields);

}  // namespace am::log

// AM_LOG(kInfo, "cluster", "msg", {{"k", v}, ...}); component "" is omitted.
#define AM_LOG(level, component, msg, ...)                                          \
  do {                                                                              \
    if (::am::log::Enabled(::am::log::Level::level))                                \
      ::am::log::Write(::am::log::Level::level, __FILE__, __LINE__, component, msg, \
                       ##__VA_ARGS__);                                              \
  } while (0)
