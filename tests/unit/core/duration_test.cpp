// Go time.Duration and Prometheus model.Duration: parsing, canonical strings and error messages.
// Expectations are the outputs of time.ParseDuration / Duration.String (Go 1.19.8) and
// model.ParseDuration / model.Duration.String (the prometheus/common sources Debian's
// Alertmanager 0.25 is built from) on the same inputs.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

#include "core/duration.h"
#include "core/error.h"

namespace am {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

template <typename F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "no error";
}

std::string GoError(std::string_view s) {
  return ErrorOf([&] { ParseGoDuration(s); });
}
std::string ModelError(std::string_view s) {
  return ErrorOf([&] { ParseModelDuration(s); });
}

TEST(GoDuration, Parse) {
  EXPECT_EQ(ParseGoDuration("0"), Duration(0));
  EXPECT_EQ(ParseGoDuration("-0"), Duration(0));
  EXPECT_EQ(ParseGoDuration("1s"), seconds(1));
  EXPECT_EQ(ParseGoDuration("+1s"), seconds(1));
  EXPECT_EQ(ParseGoDuration("-1s"), seconds(-1));
  EXPECT_EQ(ParseGoDuration("200ms"), milliseconds(200));
  EXPECT_EQ(ParseGoDuration("1m0s"), minutes(1));
  EXPECT_EQ(ParseGoDuration("1.5h"), minutes(90));
  EXPECT_EQ(ParseGoDuration("-1.5h"), minutes(-90));
  EXPECT_EQ(ParseGoDuration("120h"), hours(120));
  EXPECT_EQ(ParseGoDuration("1h1h"), hours(2));
  EXPECT_EQ(ParseGoDuration("1ms1s"), milliseconds(1001));
  EXPECT_EQ(ParseGoDuration("1us"), microseconds(1));
  EXPECT_EQ(ParseGoDuration("1\u00b5s"), microseconds(1));  // micro sign
  EXPECT_EQ(ParseGoDuration("1\u03bcs"), microseconds(1));  // Greek mu
  EXPECT_EQ(ParseGoDuration("1ns"), nanoseconds(1));
  EXPECT_EQ(ParseGoDuration(".5s"), milliseconds(500));
  EXPECT_EQ(ParseGoDuration("5.s"), seconds(5));
  EXPECT_EQ(ParseGoDuration("0.5ms"), microseconds(500));
  EXPECT_EQ(ParseGoDuration("1.000000001s"), nanoseconds(1000000001));
  EXPECT_EQ(ParseGoDuration("1.0000000001s"), seconds(1));  // beyond ns precision: dropped
  EXPECT_EQ(ParseGoDuration("9223372036854775807ns"),
            nanoseconds(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(ParseGoDuration("2562047h47m16.854775807s"),
            nanoseconds(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(ParseGoDuration("-9223372036854775808ns"),
            nanoseconds(std::numeric_limits<int64_t>::min()));
}

TEST(GoDuration, ParseErrors) {
  EXPECT_EQ(GoError(""), R"(time: invalid duration "")");
  EXPECT_EQ(GoError("1"), R"(time: missing unit in duration "1")");
  EXPECT_EQ(GoError(".s"), R"(time: invalid duration ".s")");
  EXPECT_EQ(GoError("s"), R"(time: invalid duration "s")");
  EXPECT_EQ(GoError(" 1s"), R"(time: invalid duration " 1s")");
  EXPECT_EQ(GoError("1d"), R"(time: unknown unit "d" in duration "1d")");
  EXPECT_EQ(GoError("1S"), R"(time: unknown unit "S" in duration "1S")");
  EXPECT_EQ(GoError("1 s"), R"(time: unknown unit " s" in duration "1 s")");
  EXPECT_EQ(GoError("1s "), R"(time: unknown unit "s " in duration "1s ")");
  EXPECT_EQ(GoError("1h-1m"), R"(time: unknown unit "h-" in duration "1h-1m")");
  EXPECT_EQ(GoError("1e3s"), R"(time: unknown unit "e" in duration "1e3s")");
  EXPECT_EQ(GoError("1.1.1s"), R"(time: missing unit in duration "1.1.1s")");
  EXPECT_EQ(GoError("9223372036854775808ns"), R"(time: invalid duration "9223372036854775808ns")");
  EXPECT_EQ(GoError("2562047h47m16.854775808s"),
            R"(time: invalid duration "2562047h47m16.854775808s")");
  EXPECT_EQ(GoError("2562048h"), R"(time: invalid duration "2562048h")");
  // The time package quotes every non-ASCII byte as \xNN, unlike strconv.Quote.
  EXPECT_EQ(GoError("\uff11s"), R"(time: invalid duration "\xef\xbc\x91s")");
  EXPECT_EQ(GoError("2y-\u00b5s"),
            R"(time: unknown unit "y-\xc2\xb5s" in duration "2y-\xc2\xb5s")");
  EXPECT_EQ(GoError("a\"b"), R"(time: invalid duration "a\"b")");
}

TEST(GoDuration, Format) {
  EXPECT_EQ(FormatGoDuration(Duration(0)), "0s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(1)), "1ns");
  EXPECT_EQ(FormatGoDuration(nanoseconds(-1)), "-1ns");
  EXPECT_EQ(FormatGoDuration(microseconds(1)), "1\u00b5s");
  EXPECT_EQ(FormatGoDuration(microseconds(500)), "500\u00b5s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(1500)), "1.5\u00b5s");
  EXPECT_EQ(FormatGoDuration(milliseconds(200)), "200ms");
  EXPECT_EQ(FormatGoDuration(nanoseconds(513580183)), "513.580183ms");
  EXPECT_EQ(FormatGoDuration(seconds(1)), "1s");
  EXPECT_EQ(FormatGoDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatGoDuration(milliseconds(1001)), "1.001s");
  EXPECT_EQ(FormatGoDuration(minutes(1)), "1m0s");
  EXPECT_EQ(FormatGoDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatGoDuration(hours(1)), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(hours(120)), "120h0m0s");
  EXPECT_EQ(FormatGoDuration(minutes(-90)), "-1h30m0s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(-103849814476547)), "-28h50m49.814476547s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(std::numeric_limits<int64_t>::max())),
            "2562047h47m16.854775807s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(std::numeric_limits<int64_t>::min())),
            "-2562047h47m16.854775808s");
}

TEST(GoDuration, FormatParsesBack) {
  for (int64_t n : {int64_t{1}, int64_t{999}, int64_t{1000001}, int64_t{61000000000},
                    int64_t{-7322000000001}, std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(ParseGoDuration(FormatGoDuration(nanoseconds(n))), nanoseconds(n));
  }
}

TEST(ModelDuration, Parse) {
  EXPECT_EQ(ParseModelDuration("0"), Duration(0));
  EXPECT_EQ(ParseModelDuration("0s"), Duration(0));
  EXPECT_EQ(ParseModelDuration("0m"), Duration(0));
  EXPECT_EQ(ParseModelDuration("00s"), Duration(0));
  EXPECT_EQ(ParseModelDuration("01s"), seconds(1));
  EXPECT_EQ(ParseModelDuration("30s"), seconds(30));
  EXPECT_EQ(ParseModelDuration("5m"), minutes(5));
  EXPECT_EQ(ParseModelDuration("4h"), hours(4));
  EXPECT_EQ(ParseModelDuration("1d"), hours(24));
  EXPECT_EQ(ParseModelDuration("1w"), hours(24 * 7));
  EXPECT_EQ(ParseModelDuration("1y"), hours(24 * 365));
  EXPECT_EQ(ParseModelDuration("1h30m"), minutes(90));
  EXPECT_EQ(ParseModelDuration("1s1ms"), milliseconds(1001));
  EXPECT_EQ(ParseModelDuration("1500ms"), milliseconds(1500));
  EXPECT_EQ(ParseModelDuration("1y1w1d1h1m1s1ms"), milliseconds(32230861001));
  EXPECT_EQ(ParseModelDuration("106751d"), nanoseconds(9223286400000000000));
  EXPECT_EQ(ParseModelDuration("292y"), nanoseconds(9208512000000000000));
}

TEST(ModelDuration, ParseErrors) {
  EXPECT_EQ(ModelError(""), "empty duration string");
  EXPECT_EQ(ModelError("1"), R"(not a valid duration string: "1")");
  EXPECT_EQ(ModelError("1.5h"), R"(not a valid duration string: "1.5h")");
  EXPECT_EQ(ModelError("-5m"), R"(not a valid duration string: "-5m")");
  EXPECT_EQ(ModelError("+1s"), R"(not a valid duration string: "+1s")");
  EXPECT_EQ(ModelError("1us"), R"(not a valid duration string: "1us")");
  EXPECT_EQ(ModelError("1ns"), R"(not a valid duration string: "1ns")");
  EXPECT_EQ(ModelError("1h1h"), R"(not a valid duration string: "1h1h")");
  EXPECT_EQ(ModelError("1m1h"), R"(not a valid duration string: "1m1h")");  // order is y..ms
  EXPECT_EQ(ModelError("1ms1s"), R"(not a valid duration string: "1ms1s")");
  EXPECT_EQ(ModelError("1w1y"), R"(not a valid duration string: "1w1y")");
  EXPECT_EQ(ModelError(" 1s"), R"(not a valid duration string: " 1s")");
  EXPECT_EQ(ModelError("1s "), R"(not a valid duration string: "1s ")");
  EXPECT_EQ(ModelError("1S"), R"(not a valid duration string: "1S")");
  EXPECT_EQ(ModelError("\uff11s"), "not a valid duration string: \"\uff11s\"");  // strconv %q
  EXPECT_EQ(ModelError("106752d"), "duration out of range");
  EXPECT_EQ(ModelError("293y"), "duration out of range");
  EXPECT_EQ(ModelError("2562048h"), "duration out of range");
  EXPECT_EQ(ModelError("999999999999999999y"), "duration out of range");
  EXPECT_EQ(ModelError("1000000000000000000000s"), "duration out of range");
}

TEST(ModelDuration, Format) {
  EXPECT_EQ(FormatModelDuration(Duration(0)), "0s");
  EXPECT_EQ(FormatModelDuration(microseconds(999)), "0s");  // below a millisecond
  EXPECT_EQ(FormatModelDuration(milliseconds(200)), "200ms");
  EXPECT_EQ(FormatModelDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatModelDuration(seconds(30)), "30s");
  EXPECT_EQ(FormatModelDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatModelDuration(minutes(5)), "5m");
  EXPECT_EQ(FormatModelDuration(minutes(90)), "1h30m");
  EXPECT_EQ(FormatModelDuration(hours(4)), "4h");
  EXPECT_EQ(FormatModelDuration(hours(24)), "1d");
  EXPECT_EQ(FormatModelDuration(hours(120)), "5d");
  EXPECT_EQ(FormatModelDuration(hours(24 * 7)), "1w");
  EXPECT_EQ(FormatModelDuration(hours(24 * 365)), "1y");
  // Years and weeks only when they divide exactly: "9d", not "1w2d".
  EXPECT_EQ(FormatModelDuration(hours(24 * 9)), "9d");
  EXPECT_EQ(FormatModelDuration(hours(24 * 367)), "367d");
  EXPECT_EQ(FormatModelDuration(hours(24 * 7 * 59)), "59w");
  EXPECT_EQ(FormatModelDuration(milliseconds(32230861001)), "373d1h1m1s1ms");
  EXPECT_EQ(FormatModelDuration(hours(100000)), "4166d16h");
  EXPECT_EQ(FormatModelDuration(nanoseconds(9223286400000000000)), "106751d");
  // model.Duration.String() of a negative duration is empty upstream.
  EXPECT_EQ(FormatModelDuration(seconds(-5)), "");
}

}  // namespace
}  // namespace am
