// RFC 3339 parsing and Go's time formats. Expected values are those of Go 1.19.8 (the toolchain of
// Debian's Alertmanager 0.25): time.Parse(time.RFC3339, s), then .UTC() formatted with
// time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00" (go-openapi strfmt) and Time.String().
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

#include "core/timeutil.h"

namespace am {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

// The three forms of the parsed instant, or "ERR".
std::string Parse(std::string_view s) {
  auto t = ParseRFC3339(s);
  if (!t) return "ERR";
  return FormatRFC3339Nano(*t) + " " + FormatRFC3339Millis(*t) + " " + FormatGoTimeString(*t);
}

TEST(RFC3339, ParseAndFormatLikeGo) {
  EXPECT_EQ(Parse("2023-01-02T03:04:05Z"),
            "2023-01-02T03:04:05Z 2023-01-02T03:04:05.000Z 2023-01-02 03:04:05 +0000 UTC");
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"),
            "1970-01-01T00:00:00Z 1970-01-01T00:00:00.000Z 1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"),
            "2024-02-29T00:00:00Z 2024-02-29T00:00:00.000Z 2024-02-29 00:00:00 +0000 UTC");
  EXPECT_EQ(Parse("2000-02-29T12:00:00Z"),
            "2000-02-29T12:00:00Z 2000-02-29T12:00:00.000Z 2000-02-29 12:00:00 +0000 UTC");
  EXPECT_EQ(Parse("2100-02-28T12:00:00Z"),
            "2100-02-28T12:00:00Z 2100-02-28T12:00:00.000Z 2100-02-28 12:00:00 +0000 UTC");
}

TEST(RFC3339, Fractions) {
  EXPECT_EQ(Parse("2023-01-02T03:04:05.123Z"),
            "2023-01-02T03:04:05.123Z 2023-01-02T03:04:05.123Z 2023-01-02 03:04:05.123 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05.123456789Z"),
            "2023-01-02T03:04:05.123456789Z 2023-01-02T03:04:05.123Z "
            "2023-01-02 03:04:05.123456789 +0000 UTC");
  // More than nine digits are accepted and truncated; trailing zeros are trimmed.
  EXPECT_EQ(Parse("2023-01-02T03:04:05.1234567891Z"),
            "2023-01-02T03:04:05.123456789Z 2023-01-02T03:04:05.123Z "
            "2023-01-02 03:04:05.123456789 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05.999999999999Z"),
            "2023-01-02T03:04:05.999999999Z 2023-01-02T03:04:05.999Z "
            "2023-01-02 03:04:05.999999999 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05.100Z"),
            "2023-01-02T03:04:05.1Z 2023-01-02T03:04:05.100Z 2023-01-02 03:04:05.1 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05.000000000Z"),
            "2023-01-02T03:04:05Z 2023-01-02T03:04:05.000Z 2023-01-02 03:04:05 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05,5Z"),  // Go accepts a comma too
            "2023-01-02T03:04:05.5Z 2023-01-02T03:04:05.500Z 2023-01-02 03:04:05.5 +0000 UTC");
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999999999Z"),
            "1969-12-31T23:59:59.999999999Z 1969-12-31T23:59:59.999Z "
            "1969-12-31 23:59:59.999999999 +0000 UTC");
}

TEST(RFC3339, Offsets) {
  EXPECT_EQ(Parse("2023-01-02T03:04:05+01:00"),
            "2023-01-02T02:04:05Z 2023-01-02T02:04:05.000Z 2023-01-02 02:04:05 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05-07:30"),
            "2023-01-02T10:34:05Z 2023-01-02T10:34:05.000Z 2023-01-02 10:34:05 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05.5+14:00"),
            "2023-01-01T13:04:05.5Z 2023-01-01T13:04:05.500Z 2023-01-01 13:04:05.5 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05-00:00"),
            "2023-01-02T03:04:05Z 2023-01-02T03:04:05.000Z 2023-01-02 03:04:05 +0000 UTC");
  EXPECT_EQ(Parse("2023-06-15T12:00:00.5-00:30"),
            "2023-06-15T12:30:00.5Z 2023-06-15T12:30:00.500Z 2023-06-15 12:30:00.5 +0000 UTC");
  // Go 1.19 does not range-check offsets.
  EXPECT_EQ(Parse("2023-01-02T03:04:05+24:00"),
            "2023-01-01T03:04:05Z 2023-01-01T03:04:05.000Z 2023-01-01 03:04:05 +0000 UTC");
  EXPECT_EQ(Parse("2023-01-02T03:04:05+01:60"),
            "2023-01-02T01:04:05Z 2023-01-02T01:04:05.000Z 2023-01-02 01:04:05 +0000 UTC");
}

TEST(RFC3339, Malformed) {
  for (const char* s : {"",
                        "2023-01-02t03:04:05z",
                        "2023-01-02T03:04:05z",
                        "2023-01-02 03:04:05Z",
                        "2023-01-02T03:04:05",
                        "2023-01-02T03:04Z",
                        "2023-02-29T00:00:00Z",
                        "1900-02-29T12:00:00Z",
                        "2023-13-01T00:00:00Z",
                        "2023-00-01T00:00:00Z",
                        "2023-01-32T00:00:00Z",
                        "2023-01-01T24:00:00Z",
                        "2023-01-01T23:60:00Z",
                        "2023-01-01T23:59:60Z",
                        "2023-01-02T03:04:05+0100",
                        "2023-01-02T03:04:05+01",
                        "2023-01-02T03:04:05.Z",
                        "2023-01-02T03:04:05.+01:00",
                        "2023-1-02T03:04:05Z",
                        "23-01-02T03:04:05Z",
                        "2023-01-02T03:04:05Zjunk",
                        " 2023-01-02T03:04:05Z",
                        "+2023-01-02T03:04:05Z",
                        "2023-01-02T03:04:05UTC"}) {
    EXPECT_EQ(Parse(s), "ERR") << s;
  }
}

TEST(RFC3339, ZeroTime) {
  EXPECT_EQ(ParseRFC3339("0001-01-01T00:00:00Z"), kZeroTime);
  EXPECT_EQ(ParseRFC3339("0001-01-01T00:00:00.000Z"), kZeroTime);
  EXPECT_EQ(ParseRFC3339("0001-01-01T00:00:00+00:00"), kZeroTime);
  EXPECT_EQ(ParseRFC3339("0001-01-01T01:00:00+01:00"), kZeroTime);  // same instant
  EXPECT_TRUE(IsZero(kZeroTime));
  EXPECT_EQ(FormatRFC3339Nano(kZeroTime), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRFC3339Millis(kZeroTime), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatGoTimeString(kZeroTime), "0001-01-01 00:00:00 +0000 UTC");
}

TEST(RFC3339, RepresentableRangeIsInt64Nanoseconds) {
  EXPECT_EQ(ParseRFC3339("2262-04-11T23:47:16.854775807Z"),
            Time(nanoseconds(std::numeric_limits<int64_t>::max())));
  EXPECT_EQ(ParseRFC3339("2262-04-11T23:47:16.854775808Z"), std::nullopt);
  EXPECT_EQ(ParseRFC3339("1677-09-21T00:12:43.145224193Z"),
            Time(nanoseconds(std::numeric_limits<int64_t>::min() + 1)));
  // Go accepts years up to 9999; we cannot represent them.
  EXPECT_EQ(ParseRFC3339("9999-12-31T23:59:59Z"), std::nullopt);
}

TEST(RFC3339, FormatOfKnownInstants) {
  Time t = Time(seconds(1672628645)) + nanoseconds(120000000);
  EXPECT_EQ(FormatRFC3339Nano(t), "2023-01-02T03:04:05.12Z");
  EXPECT_EQ(FormatRFC3339Millis(t), "2023-01-02T03:04:05.120Z");
  EXPECT_EQ(FormatGoTimeString(t), "2023-01-02 03:04:05.12 +0000 UTC");
  // Millisecond output truncates like Go's .000 layout, it does not round.
  EXPECT_EQ(FormatRFC3339Millis(Time(nanoseconds(1999999))), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatRFC3339Nano(Time(nanoseconds(-1))), "1969-12-31T23:59:59.999999999Z");
}

TEST(RFC3339, RoundTrip) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{1672628645123456789}, int64_t{-86400000000001},
                    std::numeric_limits<int64_t>::max()}) {
    Time t{nanoseconds(n)};
    EXPECT_EQ(ParseRFC3339(FormatRFC3339Nano(t)), t) << n;
  }
}

TEST(Now, IsRecent) {
  Time now = Now();
  auto t = ParseRFC3339("2023-01-01T00:00:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_GT(now, *t);
  EXPECT_FALSE(IsZero(now));
}

}  // namespace
}  // namespace am
