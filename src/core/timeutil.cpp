#include "core/timeutil.h"

#include <cstdio>
#include <limits>

namespace am {
namespace {

using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct Parts {
  int y;
  unsigned mo, d, h, mi, s;
  int64_t ns;
};

Parts Split(Time t) {
  auto dp = std::chrono::floor<days>(t);
  std::chrono::year_month_day ymd{dp};
  auto rem = t - dp;
  int64_t total_ns = rem.count();
  int64_t secs = total_ns / 1000000000;
  Parts p;
  p.y = static_cast<int>(ymd.year());
  p.mo = static_cast<unsigned>(ymd.month());
  p.d = static_cast<unsigned>(ymd.day());
  p.h = static_cast<unsigned>(secs / 3600);
  p.mi = static_cast<unsigned>((secs / 60) % 60);
  p.s = static_cast<unsigned>(secs % 60);
  p.ns = total_ns % 1000000000;
  return p;
}

void PutDigits(char* at, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
}

// "YYYY-MM-DDTHH:MM:SS" without printf: this runs three times per alert on GET /api/v2/alerts.
std::string DateTime(const Parts& p) {
  if (p.y < 0 || p.y > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u", p.y, p.mo, p.d, p.h, p.mi, p.s);
    return buf;
  }
  std::string out = "0000-00-00T00:00:00";
  PutDigits(&out[0], static_cast<unsigned>(p.y), 4);
  PutDigits(&out[5], p.mo, 2);
  PutDigits(&out[8], p.d, 2);
  PutDigits(&out[11], p.h, 2);
  PutDigits(&out[14], p.mi, 2);
  PutDigits(&out[17], p.s, 2);
  return out;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Time Now() { return std::chrono::time_point_cast<nanoseconds>(std::chrono::system_clock::now()); }

std::string FormatRFC3339Nano(Time t) {
  if (IsZero(t)) return "0001-01-01T00:00:00Z";
  Parts p = Split(t);
  std::string out = DateTime(p);
  if (p.ns != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(p.ns));
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

std::string FormatRFC3339Millis(Time t) {
  if (IsZero(t)) return "0001-01-01T00:00:00.000Z";
  Parts p = Split(t);
  std::string out = DateTime(p);
  char frac[5] = {'.', '0', '0', '0', 'Z'};
  PutDigits(&frac[1], static_cast<unsigned>(p.ns / 1000000), 3);
  out.append(frac, 5);
  return out;
}

std::string FormatGoTimeString(Time t) {
  if (IsZero(t)) return "0001-01-01 00:00:00 +0000 UTC";
  Parts p = Split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02u:%02u:%02u", p.y, p.mo, p.d, p.h, p.mi, p.s);
  std::string out = buf;
  if (p.ns != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(p.ns));
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += " +0000 UTC";
  return out;
}

std::optional<Time> ParseRFC3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || s[10] != 'T' || !Digits(s, 11, 2, &h) ||
      s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                  std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int64_t ns = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale > 0) {
        ns += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int64_t offset_s = 0;
  // Go's layout matching is case-sensitive: "T" and "Z" only.
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om)) {  // Go 1.19 does not range-check the offset
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // Only instants within int64 nanoseconds since 1970 are representable (about 1678..2262);
  // Time::min() is taken by kZeroTime.
  int64_t secs = std::chrono::sys_days(ymd).time_since_epoch().count() * int64_t{86400} + h * 3600 +
                 mi * 60 + sec - offset_s;
  __int128 total = static_cast<__int128>(secs) * 1000000000 + ns;
  // Go's zero time, 0001-01-01T00:00:00Z, in any offset.
  constexpr int64_t kZeroUnixSeconds = -62135596800;
  if (total == static_cast<__int128>(kZeroUnixSeconds) * 1000000000) return kZeroTime;
  if (total <= std::numeric_limits<int64_t>::min() || total > std::numeric_limits<int64_t>::max()) {
    return std::nullopt;
  }
  return Time(nanoseconds(static_cast<int64_t>(total)));
}

}  // namespace am
