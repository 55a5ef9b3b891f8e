#include "dispatch/time_interval.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "config/loader.h"

namespace am::dispatch {
namespace {

// `specs` is the YAML list under the interval's `time_intervals:`, indented by four spaces.
std::shared_ptr<const config::Config> LoadIntervals(const std::string& specs) {
  return config::LoadString(
      "route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals:\n- name: ti\n"
      "  time_intervals:\n" +
          specs,
      "ti.yml", "");
}

class Interval {
 public:
  explicit Interval(const std::string& specs) : cfg_(LoadIntervals(specs)) {}
  bool Has(const char* rfc3339) const {
    auto t = ParseRFC3339(rfc3339);
    if (!t) throw std::invalid_argument(rfc3339);
    return Contains(*cfg_->FindTimeInterval("ti"), *t);
  }

 private:
  std::shared_ptr<const config::Config> cfg_;
};

TEST(TimeInterval, EmptySpecContainsEverything) {
  Interval ti("    - {}\n");
  EXPECT_TRUE(ti.Has("2006-01-02T15:04:00Z"));
  EXPECT_TRUE(ti.Has("2007-01-03T10:04:00Z"));
}

// Upstream timeinterval_test.go: 9am to 5pm, monday to friday.
TEST(TimeInterval, BusinessHours) {
  Interval ti(R"(    - weekdays: ['monday:friday']
      times: [{start_time: '09:00', end_time: '17:00'}]
)");
  EXPECT_TRUE(ti.Has("2020-05-04T15:04:00Z"));
  EXPECT_TRUE(ti.Has("2020-05-05T10:04:00Z"));
  EXPECT_TRUE(ti.Has("2020-06-09T09:04:00Z"));
  EXPECT_FALSE(ti.Has("2020-05-03T15:04:00Z"));  // Sunday
  EXPECT_FALSE(ti.Has("2020-05-04T08:59:00Z"));
  EXPECT_FALSE(ti.Has("2020-05-05T05:00:00Z"));
}

TEST(TimeInterval, TimesAreHalfOpen) {
  Interval ti("    - times: [{start_time: '09:00', end_time: '17:00'}]\n");
  EXPECT_TRUE(ti.Has("2020-07-08T09:00:00Z"));
  EXPECT_TRUE(ti.Has("2020-07-08T16:59:59.999Z"));
  EXPECT_FALSE(ti.Has("2020-07-08T17:00:00Z"));
  EXPECT_FALSE(ti.Has("2020-07-08T08:59:59Z"));
  Interval whole("    - times: [{start_time: '00:00', end_time: '24:00'}]\n");
  EXPECT_TRUE(whole.Has("2020-07-08T00:00:00Z"));
  EXPECT_TRUE(whole.Has("2020-07-08T23:59:59Z"));
}

TEST(TimeInterval, SeveralRangesOrWithinAField) {
  Interval ti(
      R"(    - times: [{start_time: '01:00', end_time: '02:00'}, {start_time: '22:00', end_time: '23:00'}]
      weekdays: ['saturday', 'sunday']
)");
  EXPECT_TRUE(ti.Has("2020-07-11T01:30:00Z"));   // Saturday
  EXPECT_TRUE(ti.Has("2020-07-12T22:30:00Z"));   // Sunday
  EXPECT_FALSE(ti.Has("2020-07-11T12:00:00Z"));  // wrong time
  EXPECT_FALSE(ti.Has("2020-07-10T01:30:00Z"));  // Friday
}

TEST(TimeInterval, SpecsOfOneNamedIntervalAreAlternatives) {
  // alertmanager#2935: separate list entries are OR'd, not combined.
  Interval ti(R"(    - times: [{start_time: '12:00', end_time: '19:00'}]
    - weekdays: ['wednesday']
)");
  EXPECT_TRUE(ti.Has("2022-05-30T13:00:00Z"));  // Monday, in times
  EXPECT_TRUE(ti.Has("2022-06-01T08:00:00Z"));  // Wednesday, outside times
  EXPECT_FALSE(ti.Has("2022-05-30T08:00:00Z"));
}

// Upstream: Easter 2020.
TEST(TimeInterval, DaysMonthsYears) {
  Interval ti(R"(    - days_of_month: ['4:6']
      months: ['april']
      years: ['2020']
)");
  EXPECT_TRUE(ti.Has("2020-04-04T15:04:00Z"));
  EXPECT_TRUE(ti.Has("2020-04-05T00:00:00Z"));
  EXPECT_TRUE(ti.Has("2020-04-06T23:05:00Z"));
  EXPECT_FALSE(ti.Has("2018-05-03T15:04:00Z"));
  EXPECT_FALSE(ti.Has("2020-04-03T23:59:00Z"));
  EXPECT_FALSE(ti.Has("2020-06-04T23:59:00Z"));
  EXPECT_FALSE(ti.Has("2019-04-06T23:59:00Z"));
  EXPECT_FALSE(ti.Has("2020-04-07T00:00:00Z"));
}

// Upstream: last 3 days of each month.
TEST(TimeInterval, NegativeDaysOfMonth) {
  Interval ti("    - days_of_month: ['-3:-1']\n");
  EXPECT_TRUE(ti.Has("2020-01-31T15:04:00Z"));
  EXPECT_TRUE(ti.Has("2020-01-30T15:04:00Z"));
  EXPECT_TRUE(ti.Has("2020-01-29T15:04:00Z"));
  EXPECT_TRUE(ti.Has("2020-06-30T00:00:00Z"));
  EXPECT_TRUE(ti.Has("2020-02-29T23:05:00Z"));  // leap year
  EXPECT_TRUE(ti.Has("2021-02-26T00:00:00Z"));  // 28-day February
  EXPECT_FALSE(ti.Has("2021-02-25T23:59:00Z"));
  EXPECT_FALSE(ti.Has("2018-05-03T15:04:00Z"));
  EXPECT_FALSE(ti.Has("2020-01-27T15:04:00Z"));
  EXPECT_FALSE(ti.Has("2020-04-03T23:59:00Z"));
  EXPECT_FALSE(ti.Has("2020-03-01T00:00:00Z"));
}

// Upstream: out-of-bound days are clamped to the month. The config refuses '-31:31' (a negative
// start needs a negative end), so this spec is built directly, as upstream's test does.
TEST(TimeInterval, NegativeDaysAreClampedToTheMonth) {
  config::TimeIntervalSpec spec;
  spec.months = std::vector<config::InclusiveRange>{{6, 6}};
  spec.days_of_month = std::vector<config::InclusiveRange>{{-31, 31}};
  auto at = [&](const char* s) { return Contains(spec, *ParseRFC3339(s)); };
  EXPECT_TRUE(at("2020-06-30T00:00:00Z"));
  EXPECT_TRUE(at("2020-06-01T00:00:00Z"));
  EXPECT_FALSE(at("2020-05-31T00:00:00Z"));
  EXPECT_FALSE(at("2020-07-01T00:00:00Z"));
  // -31 in a 30-day month is day 0: the range still starts at the 1st.
  config::TimeIntervalSpec neg;
  neg.days_of_month = std::vector<config::InclusiveRange>{{-31, -30}};
  EXPECT_TRUE(Contains(neg, *ParseRFC3339("2020-06-01T12:00:00Z")));
  EXPECT_FALSE(Contains(neg, *ParseRFC3339("2020-06-02T12:00:00Z")));
  EXPECT_TRUE(Contains(neg, *ParseRFC3339("2020-07-01T12:00:00Z")));
  EXPECT_TRUE(Contains(neg, *ParseRFC3339("2020-07-02T12:00:00Z")));
  // A begin beyond the month's end skips the range for that month.
  Interval late("    - days_of_month: ['31']\n");
  EXPECT_TRUE(late.Has("2020-07-31T12:00:00Z"));
  EXPECT_FALSE(late.Has("2020-06-30T12:00:00Z"));
  EXPECT_FALSE(late.Has("2020-07-01T12:00:00Z"));
}

TEST(TimeInterval, MonthsByNameAndNumber) {
  Interval ti("    - months: ['may:august', 'December', '1:2']\n");
  EXPECT_TRUE(ti.Has("2021-05-01T00:00:00Z"));
  EXPECT_TRUE(ti.Has("2021-08-31T23:59:59Z"));
  EXPECT_TRUE(ti.Has("2021-12-15T00:00:00Z"));
  EXPECT_TRUE(ti.Has("2021-02-28T00:00:00Z"));
  EXPECT_FALSE(ti.Has("2021-04-30T23:59:59Z"));
  EXPECT_FALSE(ti.Has("2021-09-01T00:00:00Z"));
  EXPECT_FALSE(ti.Has("2021-03-10T00:00:00Z"));
}

// Upstream: last week of Q1, business hours, 2020-2025 and 2030-2035.
TEST(TimeInterval, YearRangesWithEverythingElse) {
  Interval ti(R"(    - weekdays: ['monday:friday', 'sunday']
      months: ['january:march']
      days_of_month: ['-7:-1']
      years: ['2020:2025', '2030:2035']
      times: [{start_time: '09:00', end_time: '17:00'}]
)");
  EXPECT_TRUE(ti.Has("2021-03-31T12:00:00Z"));   // Wednesday
  EXPECT_TRUE(ti.Has("2030-01-27T09:00:00Z"));   // Sunday
  EXPECT_FALSE(ti.Has("2021-03-27T12:00:00Z"));  // Saturday
  EXPECT_FALSE(ti.Has("2026-03-31T12:00:00Z"));  // year
  EXPECT_FALSE(ti.Has("2021-04-30T12:00:00Z"));  // month
  EXPECT_FALSE(ti.Has("2021-03-24T12:00:00Z"));  // day
  EXPECT_FALSE(ti.Has("2021-03-31T17:00:00Z"));  // time
}

// Upstream: AEST 9AM to 5PM, Monday to Friday; and the same during Sydney's DST.
TEST(TimeInterval, ZonesAustraliaSydney) {
  Interval ti(R"(    - times: [{start_time: '09:00', end_time: '17:00'}]
      weekdays: ['monday:friday']
      location: 'Australia/Sydney'
)");
  EXPECT_TRUE(ti.Has("2021-04-06T13:00:00+10:00"));
  EXPECT_FALSE(ti.Has("2021-04-06T13:00:00Z"));
  Interval nov(R"(    - times: [{start_time: '09:00', end_time: '17:00'}]
      weekdays: ['monday:friday']
      months: ['11']
      location: 'Australia/Sydney'
)");
  EXPECT_TRUE(nov.Has("2021-11-01T09:00:00+11:00"));
  EXPECT_TRUE(nov.Has("2021-10-31T22:00:00Z"));
  EXPECT_FALSE(nov.Has("2021-10-31T21:00:00Z"));
}

TEST(TimeInterval, DefaultAndExplicitUtc) {
  Interval def("    - times: [{start_time: '00:00', end_time: '01:00'}]\n");
  Interval utc("    - times: [{start_time: '00:00', end_time: '01:00'}]\n      location: UTC\n");
  for (const auto* t : {"2021-06-01T00:30:00Z", "2021-06-01T00:30:00+02:00"}) {
    EXPECT_EQ(def.Has(t), utc.Has(t)) << t;
  }
  EXPECT_TRUE(def.Has("2021-06-01T00:30:00Z"));
  EXPECT_FALSE(def.Has("2021-06-01T00:30:00+02:00"));  // 22:30 UTC
}

// Berlin springs forward on 2021-03-28: 02:00 CET becomes 03:00 CEST.
TEST(TimeInterval, EuropeBerlinSpringForward) {
  Interval office(R"(    - times: [{start_time: '09:00', end_time: '17:00'}]
      location: 'Europe/Berlin'
)");
  EXPECT_FALSE(office.Has("2021-03-27T07:59:00Z"));  // 08:59 CET
  EXPECT_TRUE(office.Has("2021-03-27T08:00:00Z"));   // 09:00 CET
  EXPECT_FALSE(office.Has("2021-03-28T06:59:00Z"));  // 08:59 CEST
  EXPECT_TRUE(office.Has("2021-03-28T07:00:00Z"));   // 09:00 CEST
  EXPECT_TRUE(office.Has("2021-03-28T14:59:00Z"));   // 16:59 CEST
  EXPECT_FALSE(office.Has("2021-03-28T15:00:00Z"));  // 17:00 CEST

  // The skipped wall-clock hour never matches.
  Interval gap(R"(    - times: [{start_time: '02:00', end_time: '03:00'}]
      location: 'Europe/Berlin'
)");
  EXPECT_FALSE(gap.Has("2021-03-28T00:59:59Z"));  // 01:59:59 CET
  EXPECT_FALSE(gap.Has("2021-03-28T01:00:00Z"));  // 03:00 CEST
  EXPECT_TRUE(gap.Has("2021-03-27T01:30:00Z"));   // a normal night: 02:30 CET

  // Sunday starts at local midnight, still Saturday in UTC.
  Interval sunday("    - weekdays: ['sunday']\n      location: 'Europe/Berlin'\n");
  EXPECT_TRUE(sunday.Has("2021-03-27T23:30:00Z"));
  EXPECT_FALSE(sunday.Has("2021-03-27T22:59:00Z"));
  EXPECT_TRUE(sunday.Has("2021-03-28T21:59:00Z"));   // 23:59 CEST
  EXPECT_FALSE(sunday.Has("2021-03-28T22:00:00Z"));  // Monday 00:00 CEST
}

TEST(TimeInterval, EuropeBerlinFallBackRepeatsAnHour) {
  // 2021-10-31: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
  Interval twice(R"(    - times: [{start_time: '02:00', end_time: '03:00'}]
      location: 'Europe/Berlin'
)");
  EXPECT_FALSE(twice.Has("2021-10-30T23:59:00Z"));  // 01:59 CEST
  EXPECT_TRUE(twice.Has("2021-10-31T00:30:00Z"));   // 02:30 CEST
  EXPECT_TRUE(twice.Has("2021-10-31T01:30:00Z"));   // 02:30 CET
  EXPECT_FALSE(twice.Has("2021-10-31T02:00:00Z"));  // 03:00 CET
}

TEST(TimeInterval, LastDayOfMonthInASpringForwardMonth) {
  // 0.25 computed March as 30 days here (743 h / 24); the calendar says 31 (alertmanager#5447).
  Interval last("    - days_of_month: ['-1']\n      location: 'Europe/Berlin'\n");
  EXPECT_TRUE(last.Has("2021-03-31T10:00:00Z"));
  EXPECT_FALSE(last.Has("2021-03-30T10:00:00Z"));
  EXPECT_FALSE(last.Has("2021-03-31T22:30:00Z"));  // already April 1st, 00:30 CEST
  Interval ny_last("    - days_of_month: ['-1']\n      location: 'America/New_York'\n");
  EXPECT_TRUE(ny_last.Has("2021-03-31T12:00:00Z"));
  EXPECT_FALSE(ny_last.Has("2021-03-30T12:00:00Z"));
  EXPECT_TRUE(ny_last.Has("2021-04-01T03:59:00Z"));  // 23:59 EDT on March 31st
}

// New York springs forward on 2021-03-14 (02:00 EST → 03:00 EDT) and falls back on 2021-11-07
// (02:00 EDT → 01:00 EST).
TEST(TimeInterval, AmericaNewYorkDstDays) {
  Interval gap(R"(    - times: [{start_time: '02:00', end_time: '03:00'}]
      location: 'America/New_York'
)");
  EXPECT_FALSE(gap.Has("2021-03-14T06:59:59Z"));  // 01:59:59 EST
  EXPECT_FALSE(gap.Has("2021-03-14T07:00:00Z"));  // 03:00 EDT
  EXPECT_TRUE(gap.Has("2021-03-13T07:30:00Z"));   // 02:30 EST the day before

  Interval one_am(R"(    - times: [{start_time: '01:00', end_time: '02:00'}]
      location: 'America/New_York'
)");
  EXPECT_TRUE(one_am.Has("2021-11-07T05:30:00Z"));   // 01:30 EDT
  EXPECT_TRUE(one_am.Has("2021-11-07T06:30:00Z"));   // 01:30 EST
  EXPECT_FALSE(one_am.Has("2021-11-07T07:00:00Z"));  // 02:00 EST

  Interval morning(R"(    - times: [{start_time: '09:00', end_time: '10:00'}]
      weekdays: ['sunday']
      location: 'America/New_York'
)");
  EXPECT_TRUE(morning.Has("2021-03-14T13:00:00Z"));   // 09:00 EDT
  EXPECT_FALSE(morning.Has("2021-03-14T14:00:00Z"));  // 10:00 EDT
  EXPECT_TRUE(morning.Has("2021-11-07T14:00:00Z"));   // 09:00 EST
  EXPECT_FALSE(morning.Has("2021-11-07T13:30:00Z"));  // 08:30 EST
}

TEST(TimeInterval, LocalFollowsTzLikeGo) {
  // Only this test asks for "Local", which is resolved once per process.
  ::setenv("TZ", "Asia/Tokyo", 1);
  Interval local(
      "    - times: [{start_time: '09:00', end_time: '10:00'}]\n      location: Local\n");
  EXPECT_TRUE(local.Has("2021-06-01T00:30:00Z"));   // 09:30 JST
  EXPECT_FALSE(local.Has("2021-06-01T09:30:00Z"));  // 18:30 JST
}

TEST(TimeInterval, NamedListLookup) {
  auto cfg = config::LoadString(R"yaml(
route:
  receiver: r
  routes:
    - matchers: ['a="1"']
      mute_time_intervals: [nights, legacy]
receivers: [{name: r}]
time_intervals:
  - name: nights
    time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]
mute_time_intervals:
  - name: legacy
    time_intervals: [{weekdays: ['saturday', 'sunday']}]
)yaml",
                                "named.yml", "");
  std::vector<std::string> names{"nights", "legacy"};
  Time sat_noon = *ParseRFC3339("2021-06-05T12:00:00Z");
  Time sat_night = *ParseRFC3339("2021-06-05T01:00:00Z");
  Time mon_noon = *ParseRFC3339("2021-06-07T12:00:00Z");
  EXPECT_TRUE(InTimeIntervals(*cfg, names, sat_noon));
  EXPECT_FALSE(InTimeIntervals(*cfg, names, mon_noon));
  EXPECT_EQ(MatchingTimeIntervals(*cfg, names, sat_night), names);
  EXPECT_EQ(MatchingTimeIntervals(*cfg, names, sat_noon), std::vector<std::string>{"legacy"});
  EXPECT_FALSE(InTimeIntervals(*cfg, {}, sat_noon));
  EXPECT_THROW(InTimeIntervals(*cfg, {"nope"}, sat_noon), std::out_of_range);
}

}  // namespace
}  // namespace am::dispatch
