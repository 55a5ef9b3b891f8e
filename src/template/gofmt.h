// Go's formatting rules for template output: fmt.Sprint/Sprintf/Sprintln over Values, strconv
// float and quote forms, and time.Time / time.Duration formatting and parsing with Go layouts.
// These decide the exact bytes a template prints, so they follow Go's documented behaviour.
//
// Thread-safety: all functions are pure (zone lookups go through the date library, which is
// safe for concurrent use).
#ifndef AM_TEMPLATE_GOFMT_H_
#define AM_TEMPLATE_GOFMT_H_

#include <optional>
#include <string>
#include <string_view>

#include "template/value.h"

namespace am::tmpl {

// fmt.Sprint: spaces between operands when neither side is a string.
std::string Sprint(const ValueList& args);
// fmt.Sprintln: spaces between all operands, newline at the end.
std::string Sprintln(const ValueList& args);
// fmt.Sprintf with Go's verbs, flags, width, precision, argument indexes and error forms.
std::string Sprintf(std::string_view format, const ValueList& args);
// Appends the %v form of v.
void AppendValue(std::string& out, const Value& v);

// strconv.Quote.
std::string GoQuote(std::string_view s);
// strconv.FormatFloat(v, fmt, prec, 64) for fmt in 'e','E','f','g','G'; prec -1 = shortest.
std::string FormatFloat(double v, char fmt, int prec);

// time.Duration.String.
std::string DurationString(int64_t ns);
// time.Time.String.
std::string TimeString(const GoTime& t);
// time.Time.Format(layout).
std::string TimeFormat(const GoTime& t, std::string_view layout);
// time.ParseInLocation(layout, value, UTC). Returns the Go error text on failure.
std::optional<GoTime> TimeParse(std::string_view layout, std::string_view value, std::string* err);
// The same instant shown in the zone `name` (IANA name, "UTC", "" or "Local").
// Returns nullopt and Go's error text ("unknown time zone X") when the zone is unknown.
std::optional<GoTime> TimeIn(const GoTime& t, std::string_view name, std::string* err);
// Current time, UTC, with a monotonic reading like time.Now().
GoTime TimeNow();
// Civil fields of t in its own zone.
struct Civil {
  int64_t year;
  int month, day, hour, minute, second, weekday, yday;
};
Civil ToCivil(const GoTime& t);
// Unix seconds for a civil date/time in UTC.
int64_t CivilToUnix(int64_t y, int m, int d, int hh, int mm, int ss);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_GOFMT_H_
