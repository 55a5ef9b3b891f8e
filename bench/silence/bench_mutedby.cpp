// MutedBy cost at scale: 10,000 silences against 50,000 alert label sets, cold (index only),
// warm (per-fingerprint cache), after a change of the silence set, against a brute-force scan
// of every silence (what Alertmanager 0.25 does on each silence-set change), from several
// threads, and the create throughput with the fdatasync'ed write-ahead log.
// Usage: bench_silence [storage dir for the write-ahead-log part, default /tmp]
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "silence/store.h"

using namespace std::chrono_literals;
using am::LabelSet;
using am::MatchType;
using am::silence::Silence;
using am::silence::SilenceMatcher;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

Silence Make(std::vector<SilenceMatcher> ms, am::Time now) {
  Silence s;
  s.matcher_sets.push_back(std::move(ms));
  s.starts_at = now;
  s.ends_at = now + 24h;
  s.created_by = "bench";
  s.comment = "bench";
  return s;
}

std::string Host(int i) { return "host-" + std::to_string(i) + ".example:9100"; }

// 7,000 equality silences, 2,000 with a literal alternation, 900 anchored on a shared job plus an
// open regex, 100 with open regexes only (tested against every alert).
std::vector<Silence> MakeSilences(am::Time now) {
  std::vector<Silence> out;
  for (int k = 0; k < 7000; ++k) {
    out.push_back(Make({{MatchType::kEqual, "alertname", "A" + std::to_string(k % 500)},
                        {MatchType::kEqual, "instance", Host(k * 7 % 50000)}},
                       now));
  }
  for (int k = 0; k < 2000; ++k) {
    int h = 1 + k * 23 % 49000;
    out.push_back(Make({{MatchType::kRegexp, "instance",
                         "host-" + std::to_string(h) + "\\.example:9100|host-" +
                             std::to_string(h + 1) + "\\.example:9100"}},
                       now));
  }
  for (int k = 0; k < 900; ++k) {
    out.push_back(Make({{MatchType::kEqual, "job", "job" + std::to_string(k % 50)},
                        {MatchType::kRegexp, "instance", "host-" + std::to_string(k) + "1.*"}},
                       now));
  }
  for (int k = 0; k < 100; ++k) {
    out.push_back(Make({{MatchType::kRegexp, "instance", ".*-" + std::to_string(k) + "7\\..*"},
                        {MatchType::kNotEqual, "severity", "info"}},
                       now));
  }
  return out;
}

std::vector<LabelSet> MakeAlerts() {
  std::vector<LabelSet> out;
  out.reserve(50000);
  for (int j = 0; j < 50000; ++j) {
    out.push_back(LabelSet{{"alertname", "A" + std::to_string(j % 500)},
                           {"instance", Host(j)},
                           {"job", "job" + std::to_string(j % 50)},
                           {"severity", j % 2 ? "critical" : "warning"}});
  }
  return out;
}

struct Pass {
  double ms;
  size_t muted;
};

Pass RunPass(const am::silence::Store& store, const std::vector<LabelSet>& alerts,
             const std::vector<uint64_t>& fps, am::Time now) {
  auto t0 = Clock::now();
  size_t muted = 0;
  for (size_t i = 0; i < alerts.size(); ++i)
    muted += !store.MutedBy(alerts[i], fps[i], now).empty();
  return {Ms(Clock::now() - t0), muted};
}

}  // namespace

int main(int argc, char** argv) {
  std::string wal_dir = argc > 1 ? argv[1] : "/tmp";
  am::Time now = am::Now();
  auto silences = MakeSilences(now);
  auto alerts = MakeAlerts();
  std::vector<uint64_t> fps;
  for (const auto& a : alerts) fps.push_back(a.Fingerprint());

  prometheus::Registry reg;
  am::silence::Options o;
  o.now = [now] { return now; };
  am::silence::Store store(o, reg);
  auto t0 = Clock::now();
  for (const auto& s : silences) store.Set(s);
  std::printf("create %zu silences (memory only): %.1f ms\n", silences.size(),
              Ms(Clock::now() - t0));

  Pass cold = RunPass(store, alerts, fps, now);
  std::printf("MutedBy cold  (index, %zu alerts): %8.1f ms  %6.2f us/alert  muted=%zu\n",
              alerts.size(), cold.ms, cold.ms * 1000 / alerts.size(), cold.muted);
  Pass warm = RunPass(store, alerts, fps, now);
  std::printf("MutedBy warm  (cache):             %8.1f ms  %6.2f us/alert  muted=%zu\n", warm.ms,
              warm.ms * 1000 / alerts.size(), warm.muted);
  store.Set(Make({{MatchType::kEqual, "alertname", "new"}}, now));
  Pass after = RunPass(store, alerts, fps, now);
  std::printf("MutedBy after one new silence:     %8.1f ms  %6.2f us/alert\n", after.ms,
              after.ms * 1000 / alerts.size());

  // Brute force over every silence, as upstream's QMatches scan does on a version change.
  {
    auto all = store.Query({});
    std::vector<std::vector<am::Matcher>> compiled;
    for (const auto& s : all) {
      auto& ms = compiled.emplace_back();
      for (const auto& m : s.matcher_sets[0])
        ms.push_back(am::Matcher::Create(m.type, m.name, m.pattern));
    }
    const size_t n = 2000;
    auto t1 = Clock::now();
    size_t muted = 0;
    for (size_t i = 0; i < n; ++i) {
      bool any = false;
      for (const auto& ms : compiled) any |= am::MatchesAll(ms, alerts[i]);
      muted += any;
    }
    double ms = Ms(Clock::now() - t1);
    std::printf(
        "brute force scan (%zu of the alerts): %8.1f ms  %6.2f us/alert  (x%.0f the cold index)\n",
        n, ms, ms * 1000 / n, (ms / n) / (cold.ms / alerts.size()));
  }

  // Two threads, warm.
  {
    auto t1 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < 2; ++t) ts.emplace_back([&] { RunPass(store, alerts, fps, now); });
    for (auto& t : ts) t.join();
    std::printf("MutedBy warm, 2 threads x %zu alerts: %.1f ms\n", alerts.size(),
                Ms(Clock::now() - t1));
  }

  // Durable creates: every Set fdatasyncs the log before returning.
  std::string dir = wal_dir + "/bench-silence-wal-" + std::to_string(::getpid());
  for (int threads : {1, 8}) {
    std::filesystem::remove_all(dir);
    prometheus::Registry reg2;
    am::silence::Options od;
    od.storage_dir = dir;
    am::silence::Store durable(od, reg2);
    const int per_thread = threads == 1 ? 300 : 100;
    auto t1 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          durable.Set(Make({{MatchType::kEqual, "alertname", "D" + std::to_string(t * 1000 + i)}},
                           am::Now()));
        }
      });
    }
    for (auto& t : ts) t.join();
    double ms = Ms(Clock::now() - t1);
    std::printf("durable creates, %d thread(s): %d in %.1f ms = %.0f/s (%s)\n", threads,
                threads * per_thread, ms, threads * per_thread * 1000 / ms, wal_dir.c_str());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
