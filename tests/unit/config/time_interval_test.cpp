// time_intervals / mute_time_intervals parsing (upstream timeinterval): ranges as numbers,
// names resolved, nil vs empty kept, locations checked against the zone database.
#include <gtest/gtest.h>

#include "config/loader.h"

namespace am::config {
namespace {

std::shared_ptr<const Config> LoadIntervals(const std::string& intervals) {
  return LoadString("route:\n  receiver: a\nreceivers:\n  - name: a\n" + intervals, "am.yml", "");
}

std::string FailureOf(const std::string& spec) {
  try {
    LoadIntervals("time_intervals:\n  - name: t\n    time_intervals:\n      - " + spec + "\n");
  } catch (const ConfigError& e) {
    return e.problems().back().message;
  }
  return "loaded";
}

TEST(TimeInterval, ParsesEveryField) {
  auto cfg = LoadIntervals(R"(
time_intervals:
  - name: business
    time_intervals:
      - times:
          - start_time: '09:00'
            end_time: '12:30'
          - start_time: '13:30'
            end_time: '24:00'
        weekdays: ['Monday:FRIDAY', 'sunday']
        days_of_month: ['1:7', '-7:-1', '15']
        months: ['january:3', 'JULY', '12']
        years: ['2024:2026', '2030']
        location: 'America/New_York'
)");
  ASSERT_EQ(cfg->time_intervals.size(), 1u);
  const NamedTimeInterval& ti = cfg->time_intervals[0];
  EXPECT_EQ(ti.name, "business");
  ASSERT_EQ(ti.time_intervals.size(), 1u);
  const TimeIntervalSpec& s = ti.time_intervals[0];
  ASSERT_TRUE(s.times);
  EXPECT_EQ(*s.times, (std::vector<TimeRange>{{540, 750}, {810, 1440}}));
  EXPECT_EQ(*s.weekdays, (std::vector<InclusiveRange>{{1, 5}, {0, 0}}));
  EXPECT_EQ(*s.days_of_month, (std::vector<InclusiveRange>{{1, 7}, {-7, -1}, {15, 15}}));
  EXPECT_EQ(*s.months, (std::vector<InclusiveRange>{{1, 3}, {7, 7}, {12, 12}}));
  EXPECT_EQ(*s.years, (std::vector<InclusiveRange>{{2024, 2026}, {2030, 2030}}));
  EXPECT_EQ(s.location, std::optional<std::string>("America/New_York"));
  EXPECT_EQ(cfg->FindTimeInterval("business"), &ti);
}

TEST(TimeInterval, AbsentFieldsMeanAnyEmptyListsMeanNone) {
  auto cfg = LoadIntervals(
      "time_intervals:\n  - name: t\n    time_intervals:\n      - weekdays: []\n"
      "      - {}\n");
  const auto& specs = cfg->time_intervals[0].time_intervals;
  ASSERT_EQ(specs.size(), 2u);
  ASSERT_TRUE(specs[0].weekdays.has_value());
  EXPECT_TRUE(specs[0].weekdays->empty());
  EXPECT_FALSE(specs[0].times.has_value());
  EXPECT_FALSE(specs[1].weekdays.has_value());
  EXPECT_FALSE(specs[1].location.has_value());
}

TEST(TimeInterval, DeprecatedTopLevelFormAndLookup) {
  auto cfg = LoadIntervals(
      "mute_time_intervals:\n  - name: old\n    time_intervals:\n      - weekdays: [saturday]\n"
      "time_intervals:\n  - name: new\n    time_intervals: []\n");
  EXPECT_EQ(cfg->FindTimeInterval("old"), &cfg->mute_time_intervals[0]);
  EXPECT_EQ(cfg->FindTimeInterval("new"), &cfg->time_intervals[0]);
  EXPECT_EQ(cfg->FindTimeInterval("none"), nullptr);
}

TEST(TimeInterval, LocationsAsUpstreamLoadsThem) {
  EXPECT_EQ(FailureOf("location: UTC"), "loaded");
  EXPECT_EQ(FailureOf("location: Local"), "loaded");
  EXPECT_EQ(FailureOf("location: Europe/Berlin"), "loaded");
  EXPECT_EQ(FailureOf("location: Etc/GMT+5"), "loaded");
  EXPECT_EQ(FailureOf("location: europe/berlin"), "unknown time zone europe/berlin");
  EXPECT_EQ(FailureOf("location: ../etc/passwd"), "time: invalid location name");
  EXPECT_EQ(FailureOf("location: /etc/localtime"), "time: invalid location name");
}

TEST(TimeInterval, UpstreamErrorTexts) {
  EXPECT_EQ(FailureOf("times: [{start_time: '10:00'}]"),
            "both start and end times must be provided");
  EXPECT_EQ(FailureOf("times: [{start_time: '10:00', end_time: '10:00'}]"),
            "start time cannot be equal or greater than end time");
  EXPECT_EQ(FailureOf("times: [{start_time: '9:00', end_time: '10:00'}]"),
            "couldn't parse timestamp 9:00, invalid format");
  EXPECT_EQ(FailureOf("times: [{start_time: '10:00', end_time: '24:01'}]"),
            "couldn't parse timestamp 24:01, invalid format");
  EXPECT_EQ(FailureOf("weekdays: ['mon']"), "mon is not a valid weekday");
  EXPECT_EQ(FailureOf("weekdays: ['monday:tuesday:friday']"),
            "couldn't parse range monday:tuesday:friday, invalid format");
  EXPECT_EQ(FailureOf("days_of_month: ['0']"), "0 is not a valid day of the month: out of range");
  EXPECT_EQ(FailureOf("days_of_month: ['-32:-1']"),
            "-32 is not a valid day of the month: out of range");
  EXPECT_EQ(FailureOf("days_of_month: ['10:5']"), "end day 5 is always before start day 10");
  EXPECT_EQ(FailureOf("days_of_month: ['-1:-5']"), "end day -5 is always before start day -1");
  EXPECT_EQ(FailureOf("days_of_month: ['first']"),
            "strconv.Atoi: parsing \"first\": invalid syntax");
  EXPECT_EQ(FailureOf("months: ['jan']"), "jan is not a valid month");
  EXPECT_EQ(FailureOf("months: ['12:1']"), "end month january is before start month december");
  EXPECT_EQ(FailureOf("years: ['2030:2020']"), "end year 2020 is before start year 2030");
  EXPECT_EQ(FailureOf("years: ['20x']"), "strconv.Atoi: parsing \"20x\": invalid syntax");
  // Upstream does not range-check month numbers, nor negative days ending positive... only the
  // latter is refused.
  EXPECT_EQ(FailureOf("months: ['13']"), "loaded");
  EXPECT_EQ(FailureOf("days_of_month: ['5:-1']"), "loaded");
}

}  // namespace
}  // namespace am::config
