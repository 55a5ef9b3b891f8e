// ProcessCollector: client_golang's names, types and help texts, and plausible values for this
// very process.
#include "api/process_collector.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace am::api {
namespace {

std::map<std::string, prometheus::MetricFamily> CollectByName() {
  std::map<std::string, prometheus::MetricFamily> out;
  for (auto& f : ProcessCollector().Collect()) out[f.name] = f;
  return out;
}

double Value(const prometheus::MetricFamily& f) {
  EXPECT_EQ(f.metric.size(), 1u) << f.name;
  EXPECT_TRUE(f.metric.at(0).label.empty()) << f.name;
  return f.type == prometheus::MetricType::Counter ? f.metric.at(0).counter.value
                                                   : f.metric.at(0).gauge.value;
}

TEST(ProcessCollector, NamesTypesAndHelpMatchClientGolang) {
  struct Want {
    const char* name;
    prometheus::MetricType type;
    const char* help;
  };
  std::vector<Want> want = {
      {"process_cpu_seconds_total", prometheus::MetricType::Counter,
       "Total user and system CPU time spent in seconds."},
      {"process_open_fds", prometheus::MetricType::Gauge, "Number of open file descriptors."},
      {"process_max_fds", prometheus::MetricType::Gauge,
       "Maximum number of open file descriptors."},
      {"process_virtual_memory_bytes", prometheus::MetricType::Gauge,
       "Virtual memory size in bytes."},
      {"process_virtual_memory_max_bytes", prometheus::MetricType::Gauge,
       "Maximum amount of virtual memory available in bytes."},
      {"process_resident_memory_bytes", prometheus::MetricType::Gauge,
       "Resident memory size in bytes."},
      {"process_start_time_seconds", prometheus::MetricType::Gauge,
       "Start time of the process since unix epoch in seconds."},
  };
  auto got = CollectByName();
  EXPECT_EQ(got.size(), want.size());
  for (const auto& w : want) {
    ASSERT_TRUE(got.count(w.name)) << w.name;
    EXPECT_EQ(got[w.name].type, w.type) << w.name;
    EXPECT_EQ(got[w.name].help, w.help) << w.name;
  }
}

TEST(ProcessCollector, ValuesArePlausible) {
  auto got = CollectByName();
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double rss = Value(got["process_resident_memory_bytes"]);
  EXPECT_GT(rss, 1 << 20);  // a gtest binary has well over 1 MiB resident
  EXPECT_LT(rss, 1e10);
  EXPECT_GE(Value(got["process_virtual_memory_bytes"]), rss);
  double start = Value(got["process_start_time_seconds"]);
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);
  EXPECT_GE(Value(got["process_cpu_seconds_total"]), 0);
  EXPECT_GT(Value(got["process_max_fds"]), 0);
  EXPECT_GT(Value(got["process_virtual_memory_max_bytes"]), 0);

  // Opening files shows up in process_open_fds.
  double before = Value(got["process_open_fds"]);
  EXPECT_GE(before, 3);
  int fds[4];
  for (int& fd : fds) fd = ::open("/dev/null", O_RDONLY);
  double after = Value(CollectByName()["process_open_fds"]);
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(after, before + 4);
}

TEST(ProcessCollector, CpuCounterDoesNotGoBackwards) {
  double first = Value(CollectByName()["process_cpu_seconds_total"]);
  volatile double sink = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  while (std::chrono::steady_clock::now() < until) sink = sink + 1;
  double second = Value(CollectByName()["process_cpu_seconds_total"]);
  EXPECT_GE(second, first);
}

}  // namespace
}  // namespace am::api
