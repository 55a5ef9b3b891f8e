// Renders email.default.html for one group of 100 alerts.
//   BM_EmailHtml_OurDefault:   our built-in email.default.html.
//   BM_EmailHtml_UpstreamText: upstream 0.25's email.tmpl read from Debian's Go sources at run
//                              time (not shipped), i.e. the same template amtool renders, so the
//                              number compares engines rather than designs.
//   BM_Subject:                __subject, the hot text template of every integration.
// compare_amtool.sh measures amtool on the same data.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "template/template.h"

namespace {

using namespace am::tmpl;

Data HundredAlerts() {
  std::vector<Alert> alerts;
  for (int i = 0; i < 100; ++i) {
    Alert a;
    a.status = i % 4 == 0 ? "resolved" : "firing";
    a.labels = {{"alertname", "HighLatency"},
                {"instance", "web-" + std::to_string(i) + ":9090"},
                {"job", "api"},
                {"severity", i % 3 == 0 ? "critical" : "warning"},
                {"cluster", "eu-west-1"}};
    a.annotations = {{"summary", "Latency above 500ms on web-" + std::to_string(i)},
                     {"description", "p99 latency is 730ms <over budget> & rising"},
                     {"runbook_url", "https://runbooks.example.com/latency"}};
    a.starts_at =
        Time::At(std::chrono::sys_days{std::chrono::year{2024} / 3 / 5} + std::chrono::minutes{i});
    a.ends_at =
        a.status == "resolved" ? Time::At(a.starts_at.at + std::chrono::hours{1}) : Time::Zero();
    a.generator_url = "http://prometheus:9090/graph?g0.expr=latency&i=" + std::to_string(i);
    a.fingerprint = "0123456789abcdef";
    alerts.push_back(std::move(a));
  }
  return MakeData("team-api", {{"alertname", "HighLatency"}, {"job", "api"}}, std::move(alerts),
                  "http://alertmanager.example:9093");
}

void BM_EmailHtml_OurDefault(benchmark::State& state) {
  auto t = Template::Defaults();
  PreparedData d(HundredAlerts());
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = t->ExecuteHtml("{{ template \"email.default.html\" . }}", d);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EmailHtml_OurDefault)->Unit(benchmark::kMicrosecond);

void BM_EmailHtml_OurDefaultIncludingConversion(benchmark::State& state) {
  auto t = Template::Defaults();
  Data d = HundredAlerts();
  for (auto _ : state) {
    std::string out = t->ExecuteHtml("{{ template \"email.default.html\" . }}", d);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EmailHtml_OurDefaultIncludingConversion)->Unit(benchmark::kMicrosecond);

void BM_EmailHtml_UpstreamText(benchmark::State& state) {
  const char* path = "/usr/share/gocode/src/github.com/prometheus/alertmanager/template/email.tmpl";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("Debian's alertmanager Go sources are not installed");
    return;
  }
  auto t = Template::FromGlobs({path});
  PreparedData d(HundredAlerts());
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = t->ExecuteHtml("{{ template \"email.default.html\" . }}", d);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EmailHtml_UpstreamText)->Unit(benchmark::kMicrosecond);

void BM_Subject(benchmark::State& state) {
  auto t = Template::Defaults();
  PreparedData d(HundredAlerts());
  for (auto _ : state) {
    std::string out = t->ExecuteText("{{ template \"__subject\" . }}", d);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Subject)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
