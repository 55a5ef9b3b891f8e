// `time_intervals:` / `mute_time_intervals:` entries (upstream timeinterval package parsing).
#include <date/tz.h>

#include <regex>

#include "config/parsers.h"
#include "core/strings.h"

namespace am::config::detail {

namespace {

// Thrown inside this file for a bad field value; turned into a problem at the value's line.
struct RangeError {
  std::string message;
};

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// strconv.Atoi with Go's error text (values beyond int32 are refused as out of range).
int Atoi(const std::string& s) {
  std::string_view v = s;
  bool neg = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    neg = v[0] == '-';
    v.remove_prefix(1);
  }
  if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) {
    throw RangeError{"strconv.Atoi: parsing " + GoQuote(s) + ": invalid syntax"};
  }
  int64_t out = 0;
  for (char c : v) {
    out = out * 10 + (c - '0');
    if (out > INT32_MAX)
      throw RangeError{"strconv.Atoi: parsing " + GoQuote(s) + ": value out of range"};
  }
  return static_cast<int>(neg ? -out : out);
}

const char* const kWeekdays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                 "thursday", "friday", "saturday"};
const char* const kMonths[] = {"january",   "february", "march",    "april",
                               "may",       "june",     "july",     "august",
                               "september", "october",  "november", "december"};

int Weekday(const std::string& in) {
  for (int i = 0; i < 7; ++i) {
    if (in == kWeekdays[i]) return i;
  }
  throw RangeError{in + " is not a valid weekday"};
}

int Month(const std::string& in) {
  for (int i = 0; i < 12; ++i) {
    if (in == kMonths[i]) return i + 1;
  }
  try {
    return Atoi(in);
  } catch (const RangeError&) {
    throw RangeError{in + " is not a valid month"};
  }
}

std::string MonthName(int m) { return m >= 1 && m <= 12 ? kMonths[m - 1] : ""; }

// stringableRangeFromString: "a:b" or "a", lower-cased first.
template <typename MemberFn>
InclusiveRange ParseRange(const std::string& raw, MemberFn member) {
  std::string in = ToLower(raw);
  size_t colon = in.find(':');
  if (colon == std::string::npos) {
    int v = member(in);
    return InclusiveRange{v, v};
  }
  if (in.find(':', colon + 1) != std::string::npos) {
    throw RangeError{"couldn't parse range " + in + ", invalid format"};
  }
  int begin = member(in.substr(0, colon));
  int end = member(in.substr(colon + 1));
  return InclusiveRange{begin, end};
}

InclusiveRange ParseWeekdayRange(const std::string& s) {
  InclusiveRange r = ParseRange(s, Weekday);
  if (r.begin > r.end) throw RangeError{"start day cannot be before end day"};
  if (r.begin < 0 || r.begin > 6 || r.end < 0 || r.end > 6) {
    throw RangeError{s + " is not a valid day of the week: out of range"};
  }
  return r;
}

InclusiveRange ParseDayOfMonthRange(const std::string& s) {
  InclusiveRange r = ParseRange(s, Atoi);
  if (r.begin == 0 || r.begin < -31 || r.begin > 31) {
    throw RangeError{std::to_string(r.begin) + " is not a valid day of the month: out of range"};
  }
  if (r.end == 0 || r.end < -31 || r.end > 31) {
    throw RangeError{std::to_string(r.end) + " is not a valid day of the month: out of range"};
  }
  if (r.begin < 0 && r.end > 0)
    throw RangeError{"end day must be negative if start day is negative"};
  int check_begin = r.begin < 0 ? 28 + r.begin : r.begin;
  int check_end = r.end < 0 ? 28 + r.end : r.end;
  if (check_begin > check_end) {
    throw RangeError{"end day " + std::to_string(r.end) + " is always before start day " +
                     std::to_string(r.begin)};
  }
  return r;
}

InclusiveRange ParseMonthRange(const std::string& s) {
  InclusiveRange r = ParseRange(s, Month);
  if (r.begin > r.end) {
    throw RangeError{"end month " + MonthName(r.end) + " is before start month " +
                     MonthName(r.begin)};
  }
  return r;
}

InclusiveRange ParseYearRange(const std::string& s) {
  InclusiveRange r = ParseRange(s, Atoi);
  if (r.begin > r.end) {
    throw RangeError{"end year " + std::to_string(r.end) + " is before start year " +
                     std::to_string(r.begin)};
  }
  return r;
}

int ParseClock(const std::string& in) {
  static const std::regex kValid("^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)");
  if (!std::regex_search(in, kValid)) {
    throw RangeError{"couldn't parse timestamp " + in + ", invalid format"};
  }
  return std::stoi(in.substr(0, 2)) * 60 + std::stoi(in.substr(3, 2));
}

std::optional<std::vector<InclusiveRange>> ReadRanges(const MapReader& r, std::string_view key,
                                                      InclusiveRange (*parse)(const std::string&)) {
  if (!r.Has(key)) return std::nullopt;
  std::vector<InclusiveRange> out;
  r.ForEach(key, [&](const YAML::Node& item, const std::string& path, int line) {
    std::string s;
    if (!ReadString(r.ctx(), item, line, path, &s)) return;
    try {
      out.push_back(parse(s));
    } catch (const RangeError& e) {
      r.ctx().Fail(line, path, e.message);
    }
  });
  return out;
}

// time.LoadLocation's rules, checked against the zone database.
std::optional<std::string> CheckLocation(const std::string& name) {
  if (name.empty() || name == "UTC" || name == "Local") return std::nullopt;
  if (name.find("..") != std::string::npos || name[0] == '/' || name[0] == '\\') {
    return std::string("time: invalid location name");
  }
  try {
    date::locate_zone(name);
  } catch (const std::exception&) {
    return "unknown time zone " + name;
  }
  return std::nullopt;
}

TimeIntervalSpec ParseSpec(Context& ctx, const YAML::Node& node, const std::string& path,
                           int line) {
  MapReader r(ctx, node, path, line, "time interval",
              {"times", "weekdays", "days_of_month", "months", "years", "location"});
  TimeIntervalSpec spec;
  spec.src = r.Src();
  if (r.Has("times")) {
    spec.times.emplace();
    r.ForEach("times", [&](const YAML::Node& item, const std::string& tpath, int tline) {
      MapReader t(ctx, item, tpath, tline, "times", {"start_time", "end_time"});
      size_t before = t.start_errors();
      std::string start = t.String("start_time");
      std::string end = t.String("end_time");
      if (ctx.error_count() != before) return;
      if (start.empty() || end.empty()) t.FailBlock("both start and end times must be provided");
      TimeRange tr;
      try {
        tr.start_minute = ParseClock(start);
      } catch (const RangeError& e) {
        t.Fail("start_time", e.message);
      }
      try {
        tr.end_minute = ParseClock(end);
      } catch (const RangeError& e) {
        t.Fail("end_time", e.message);
      }
      if (tr.start_minute >= tr.end_minute) {
        t.FailBlock("start time cannot be equal or greater than end time");
      }
      spec.times->push_back(tr);
    });
  }
  spec.weekdays = ReadRanges(r, "weekdays", ParseWeekdayRange);
  spec.days_of_month = ReadRanges(r, "days_of_month", ParseDayOfMonthRange);
  spec.months = ReadRanges(r, "months", ParseMonthRange);
  spec.years = ReadRanges(r, "years", ParseYearRange);
  if (r.Has("location")) {
    std::string loc = r.String("location");
    if (auto err = CheckLocation(loc)) r.Fail("location", *err);
    spec.location = loc;
  }
  return spec;
}

}  // namespace

NamedTimeInterval ParseNamedTimeInterval(Context& ctx, const YAML::Node& node,
                                         const std::string& path, int line, bool deprecated_form) {
  MapReader r(ctx, node, path, line, deprecated_form ? "mute time interval" : "time interval",
              {"name", "time_intervals"});
  NamedTimeInterval ti;
  ti.src = r.Src();
  size_t before = r.start_errors();
  ti.name = r.String("name");
  r.ForEach("time_intervals", [&](const YAML::Node& item, const std::string& ipath, int iline) {
    ti.time_intervals.push_back(ParseSpec(ctx, item, ipath, iline));
  });
  if (ctx.error_count() == before && ti.name.empty()) {
    r.FailBlock(deprecated_form ? "missing name in mute time interval"
                                : "missing name in time interval");
  }
  return ti;
}

}  // namespace am::config::detail
