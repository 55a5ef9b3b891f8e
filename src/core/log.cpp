#include "core/log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/duration.h"
#include "core/error.h"
#include "core/timeutil.h"

namespace am::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kLogfmt)};
std::atomic<int> g_fd{2};

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool NeedsQuote(std::string_view v) {
  for (unsigned char c : v) {
    if (c <= ' ' || c == '=' || c == '"') return true;
  }
  return false;
}

// go-logfmt's writeQuotedString: JSON-style escapes.
void AppendQuoted(std::string* out, std::string_view v) {
  out->push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendKV(std::string* out, std::string_view k, std::string_view v) {
  if (!out->empty()) out->push_back(' ');
  *out += k;
  out->push_back('=');
  if (v == "null") {
    *out += "\"null\"";
  } else if (NeedsQuote(v)) {
    AppendQuoted(out, v);
  } else {
    *out += v;
  }
}

void AppendJsonString(std::string* out, std::string_view v) {
  out->push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string Caller(const char* file, int line) {
  const char* base = std::strrchr(file, '/');
  return std::string(base ? base + 1 : file) + ":" + std::to_string(line);
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  value = buf;
}

Field::Field(std::string_view k, std::chrono::nanoseconds d) : key(k), value(FormatGoDuration(d)) {}

Level ParseLevel(std::string_view s) {
  if (s == "debug") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  throw ParseError("unrecognized log level " + std::string(s));
}

Format ParseFormat(std::string_view s) {
  if (s == "logfmt") return Format::kLogfmt;
  if (s == "json") return Format::kJson;
  throw ParseError("unrecognized log format " + std::string(s));
}

void Configure(Level level, Format format, int fd) {
  g_level = static_cast<int>(level);
  g_format = static_cast<int>(format);
  g_fd = fd;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

std::string FormatLogfmt(std::string_view ts, std::string_view caller, Level level,
                         std::string_view component, std::string_view msg,
                         std::initializer_list<Field> fields) {
  std::string out;
  out.reserve(128);
  AppendKV(&out, "ts", ts);
  AppendKV(&out, "caller", caller);
  AppendKV(&out, "level", LevelName(level));
  if (!component.empty()) AppendKV(&out, "component", component);
  // Upstream logs some records without a message (e.g. build_context at start).
  if (!msg.empty()) AppendKV(&out, "msg", msg);
  for (const auto& f : fields) AppendKV(&out, f.key, f.value);
  out.push_back('\n');
  return out;
}

void Write(Level level, const char* file, int line, std::string_view component,
           std::string_view msg, std::initializer_list<Field> fields) {
  std::string ts = FormatRFC3339Millis(Now());
  std::string caller = Caller(file, line);
  std::string out;
  if (static_cast<Format>(g_format.load()) == Format::kJson) {
    // go-kit's JSON logger marshals a map: keys come out sorted.
    std::vector<std::pair<std::string_view, std::string_view>> kv = {
        {"ts", ts}, {"caller", caller}, {"level", LevelName(level)}};
    if (!msg.empty()) kv.emplace_back("msg", msg);
    if (!component.empty()) kv.emplace_back("component", component);
    for (const auto& f : fields) kv.emplace_back(f.key, f.value);
    std::stable_sort(kv.begin(), kv.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    out.push_back('{');
    for (size_t i = 0; i < kv.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(&out, kv[i].first);
      out.push_back(':');
      AppendJsonString(&out, kv[i].second);
    }
    out += "}\n";
  } else {
    out = FormatLogfmt(ts, caller, level, component, msg, fields);
  }
  int fd = g_fd.load();
  const char* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace am::log
