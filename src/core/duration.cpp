#include "core/duration.h"

#include <cstdint>
#include <limits>

#include "core/error.h"
#include "core/strings.h"

namespace am {
namespace {

constexpr int64_t kNs = 1;
constexpr int64_t kUs = 1000 * kNs;
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;

// The time package's own quote(): unlike strconv.Quote it writes every byte of a non-ASCII or
// control rune as \xNN (and DEL as is).
std::string TimeQuote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80 || c < ' ') {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

[[noreturn]] void BadGo(std::string_view s) {
  throw ParseError("time: invalid duration " + TimeQuote(s));
}

// Go's fmtFrac/fmtInt logic, writing right to left into buf.
size_t FmtFrac(char* buf, size_t w, uint64_t v, int prec, uint64_t* nv) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    int digit = v % 10;
    print = print || digit != 0;
    if (print) {
      buf[--w] = static_cast<char>('0' + digit);
    }
    v /= 10;
  }
  if (print) buf[--w] = '.';
  *nv = v;
  return w;
}

size_t FmtInt(char* buf, size_t w, uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
  } else {
    while (v > 0) {
      buf[--w] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  }
  return w;
}

}  // namespace

Duration ParseGoDuration(std::string_view orig) {
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration(0);
  if (s.empty()) BadGo(orig);
  uint64_t total = 0;
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) BadGo(orig);
    size_t pl = s.size();
    // integer part
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (v > (std::numeric_limits<uint64_t>::max() >> 1) / 10) BadGo(orig);
      v = v * 10 + (s[i] - '0');
      if (v > (1ULL << 63)) BadGo(orig);
    }
    bool pre = i != 0;
    s.remove_prefix(i);
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && s[j] >= '0' && s[j] <= '9'; ++j) {
        if (overflow) continue;
        if (f > (std::numeric_limits<uint64_t>::max() >> 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t y = f * 10 + (s[j] - '0');
        if (y > (1ULL << 63)) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j != 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) BadGo(orig);
    (void)pl;
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) ++u;
    if (u == 0) throw ParseError("time: missing unit in duration " + TimeQuote(orig));
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    uint64_t mult;
    if (unit == "ns")
      mult = kNs;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = kUs;
    else if (unit == "ms")
      mult = kMs;
    else if (unit == "s")
      mult = kSec;
    else if (unit == "m")
      mult = kMin;
    else if (unit == "h")
      mult = kHour;
    else
      throw ParseError("time: unknown unit " + TimeQuote(unit) + " in duration " + TimeQuote(orig));
    if (v > (1ULL << 63) / mult) BadGo(orig);
    v *= mult;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(mult) / scale));
      if (v > (1ULL << 63)) BadGo(orig);
    }
    total += v;
    if (total > (1ULL << 63)) BadGo(orig);
  }
  if (neg) return Duration(-static_cast<int64_t>(total));
  if (total > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) BadGo(orig);
  return Duration(static_cast<int64_t>(total));
}

std::string FormatGoDuration(Duration d) {
  char buf[32];
  size_t w = sizeof buf;
  int64_t n = d.count();
  bool neg = n < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
  if (u < static_cast<uint64_t>(kSec)) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) return "0s";
    if (u < static_cast<uint64_t>(kUs)) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < static_cast<uint64_t>(kMs)) {
      prec = 3;
      // U+00B5 'µ' as Go prints it.
      buf[--w] = static_cast<char>(0xB5);
      buf[--w] = static_cast<char>(0xC2);
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    w = FmtFrac(buf, w, u, prec, &u);
    w = FmtInt(buf, w, u);
  } else {
    buf[--w] = 's';
    w = FmtFrac(buf, w, u, 9, &u);
    w = FmtInt(buf, w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = FmtInt(buf, w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        w = FmtInt(buf, w, u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof buf - w);
}

Duration ParseModelDuration(std::string_view s) {
  auto bad = [&]() -> ParseError {
    return ParseError("not a valid duration string: " + GoQuote(s));
  };
  if (s.empty()) throw ParseError("empty duration string");
  if (s == "0") return Duration(0);
  struct Unit {
    std::string_view name;
    int64_t mult;
  };
  static constexpr Unit kUnits[] = {{"y", 365 * 24 * kHour},
                                    {"w", 7 * 24 * kHour},
                                    {"d", 24 * kHour},
                                    {"h", kHour},
                                    {"m", kMin},
                                    {"s", kSec},
                                    {"ms", kMs}};
  size_t next_unit = 0;
  std::string_view rest = s;
  __int128 total = 0;
  // Upstream matches the syntax with a regex first and reports overflow only for well-formed
  // input, so overflow is remembered and raised at the end.
  bool overflow = false;
  while (!rest.empty()) {
    size_t i = 0;
    uint64_t v = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      if (v > 1000000000000000000ULL) overflow = true;
      if (!overflow) v = v * 10 + (rest[i] - '0');
      ++i;
    }
    if (i == 0) throw bad();
    rest.remove_prefix(i);
    size_t u = 0;
    while (u < rest.size() && !(rest[u] >= '0' && rest[u] <= '9')) ++u;
    std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    bool found = false;
    for (; next_unit < std::size(kUnits); ++next_unit) {
      if (kUnits[next_unit].name == unit) {
        total += static_cast<__int128>(v) * kUnits[next_unit].mult;
        ++next_unit;
        found = true;
        break;
      }
    }
    if (!found) throw bad();
  }
  if (overflow || total > std::numeric_limits<int64_t>::max()) {
    throw ParseError("duration out of range");
  }
  return Duration(static_cast<int64_t>(total));
}

std::string FormatModelDuration(Duration d) {
  int64_t ms = d.count() / kMs;
  if (ms == 0) return "0s";
  std::string out;
  // model.Duration.String() prints nothing for a negative duration (no unit count is positive);
  // config values are never negative, and we keep upstream's output rather than invent one.
  if (ms < 0) return out;
  struct Unit {
    const char* name;
    int64_t ms;
    bool exact;  // years and weeks only when nothing remains: "90d" rather than "12w6d"
  };
  static constexpr Unit kUnits[] = {{"y", 1000LL * 60 * 60 * 24 * 365, true},
                                    {"w", 1000LL * 60 * 60 * 24 * 7, true},
                                    {"d", 1000LL * 60 * 60 * 24, false},
                                    {"h", 1000LL * 60 * 60, false},
                                    {"m", 1000LL * 60, false},
                                    {"s", 1000LL, false},
                                    {"ms", 1, false}};
  for (const auto& u : kUnits) {
    if (u.exact && ms % u.ms != 0) continue;
    int64_t v = ms / u.ms;
    if (v > 0) {
      out += std::to_string(v);
      out += u.name;
      ms -= v * u.ms;
    }
  }
  return out;
}

}  // namespace am
