#include "api/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>

namespace am::api {
namespace {

// procfs (Go) hard-codes USER_HZ as 100; sysconf gives the same on Linux.
double UserHz() {
  long hz = sysconf(_SC_CLK_TCK);
  return hz > 0 ? static_cast<double>(hz) : 100.0;
}

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Stat {
  double utime = 0, stime = 0, starttime = 0, vsize = 0, rss = 0;
};

// /proc/self/stat; the command name is in parentheses and may hold spaces or parentheses, so the
// fields are counted from the last ')'.
std::optional<Stat> ReadStat() {
  auto text = ReadFile("/proc/self/stat");
  if (!text) return std::nullopt;
  size_t close = text->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(text->substr(close + 1));
  std::string field;
  Stat s;
  // Fields 3.. (state is field 3): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  for (int n = 3; n <= 24 && (in >> field); ++n) {
    switch (n) {
      case 14:
        s.utime = std::stod(field);
        break;
      case 15:
        s.stime = std::stod(field);
        break;
      case 22:
        s.starttime = std::stod(field);
        break;
      case 23:
        s.vsize = std::stod(field);
        break;
      case 24:
        s.rss = std::stod(field);
        break;
      default:
        break;
    }
    if (n == 24) return s;
  }
  return std::nullopt;
}

std::optional<double> BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v;
      if (in >> v) return v;
      return std::nullopt;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

// As procfs' FileDescriptorsLen: the entries of /proc/self/fd (the directory's own fd included).
std::optional<double> OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return std::nullopt;
  double n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

// Soft limit; "unlimited" is reported as Go's ^uint64(0).
std::optional<double> SoftLimit(int resource) {
  rlimit rl{};
  if (getrlimit(resource, &rl) != 0) return std::nullopt;
  if (rl.rlim_cur == RLIM_INFINITY)
    return static_cast<double>(std::numeric_limits<uint64_t>::max());
  return static_cast<double>(rl.rlim_cur);
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double hz = UserHz();
  if (auto st = ReadStat()) {
    out.push_back(Family("process_cpu_seconds_total",
                         "Total user and system CPU time spent in seconds.", MetricType::Counter,
                         (st->utime + st->stime) / hz));
    out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         MetricType::Gauge, st->vsize));
    out.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes.",
                         MetricType::Gauge, st->rss * static_cast<double>(getpagesize())));
    if (auto boot = BootTime()) {
      out.push_back(Family("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.",
                           MetricType::Gauge, *boot + st->starttime / hz));
    }
  }
  if (auto fds = OpenFds()) {
    out.push_back(
        Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, *fds));
  }
  if (auto max_fds = SoftLimit(RLIMIT_NOFILE)) {
    out.push_back(Family("process_max_fds", "Maximum number of open file descriptors.",
                         MetricType::Gauge, *max_fds));
  }
  if (auto max_vsize = SoftLimit(RLIMIT_AS)) {
    out.push_back(Family("process_virtual_memory_max_bytes",
                         "Maximum amount of virtual memory available in bytes.", MetricType::Gauge,
                         *max_vsize));
  }
  return out;
}

}  // namespace am::api
