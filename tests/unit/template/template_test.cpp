// API-level behaviour of the template set: data building, overrides, HTML email, errors and
// concurrent execution. Go-semantics details are pinned by the corpus (corpus_test.cpp).
#include "template/template.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace am::tmpl {
namespace {

using std::chrono::sys_days;

Alert MakeAlert(std::string status, Labels labels, Labels annotations) {
  Alert a;
  a.status = std::move(status);
  a.labels = std::move(labels);
  a.annotations = std::move(annotations);
  a.starts_at = Time::At(sys_days{std::chrono::year{2024} / 3 / 5} + std::chrono::hours{14} +
                         std::chrono::nanoseconds{123});
  a.ends_at = Time::Zero();
  a.generator_url = "http://prom/graph";
  a.fingerprint = "0123456789abcdef";
  return a;
}

Data SampleData() {
  return MakeData(
      "team.x", {{"alertname", "Disk"}},
      {MakeAlert("firing", {{"alertname", "Disk"}, {"instance", "a"}, {"sev", "crit"}},
                 {{"summary", "full"}}),
       MakeAlert("resolved", {{"alertname", "Disk"}, {"instance", "b"}, {"sev", "crit"}},
                 {{"summary", "full"}, {"extra", "x"}})},
      "http://am:9093");
}

TEST(MakeData, QuotesReceiverAndComputesCommonSets) {
  Data d = SampleData();
  EXPECT_EQ(d.receiver, "team\\.x");
  EXPECT_EQ(d.status, "firing");
  EXPECT_EQ(d.common_labels, (Labels{{"alertname", "Disk"}, {"sev", "crit"}}));
  EXPECT_EQ(d.common_annotations, (Labels{{"summary", "full"}}));
}

TEST(MakeData, AllResolvedIsResolved) {
  Data d = MakeData("r", {}, {MakeAlert("resolved", {{"a", "1"}}, {})}, "");
  EXPECT_EQ(d.status, "resolved");
}

TEST(QuoteMeta, EscapesRegexpMetacharacters) {
  EXPECT_EQ(QuoteMeta("a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o"),
            "a\\.b\\*c\\+d\\?e\\(f\\)g\\[h\\]i\\{j\\}k\\|l\\^m\\$n\\\\o");
}

TEST(Template, SubjectMatchesUpstreamShape) {
  auto t = Template::Defaults();
  EXPECT_EQ(t->ExecuteText("{{ template \"email.default.subject\" . }}", SampleData()),
            "[FIRING:1] Disk (crit)");
}

TEST(Template, PrintsTimesLikeGo) {
  auto t = Template::Defaults();
  EXPECT_EQ(t->ExecuteText("{{ (index .Alerts 0).StartsAt }}|{{ (index .Alerts 0).EndsAt }}",
                           SampleData()),
            "2024-03-05 14:00:00.000000123 +0000 UTC|0001-01-01 00:00:00 +0000 UTC");
}

TEST(Template, EmptyTextRendersNothing) {
  EXPECT_EQ(Template::Defaults()->ExecuteText("", SampleData()), "");
}

TEST(Template, DefinitionsInTextStayLocalToTheCall) {
  auto t = Template::Defaults();
  EXPECT_EQ(t->ExecuteText(
                "{{ define \"__alertmanager\" }}Mine{{ end }}{{ template \"__alertmanager\" . }}",
                SampleData()),
            "Mine");
  EXPECT_EQ(t->ExecuteText("{{ template \"__alertmanager\" . }}", SampleData()), "Alertmanager");
}

TEST(Template, LaterSourcesOverrideEarlier) {
  auto t = Template::FromSources(
      {{"a.tmpl", "{{ define \"x\" }}A{{ end }}"}, {"b.tmpl", "{{ define \"x\" }}B{{ end }}"}});
  EXPECT_EQ(t->ExecuteText("{{ template \"x\" . }}", SampleData()), "B");
  EXPECT_TRUE(t->Has("email.default.html"));
}

TEST(Template, ParseErrorNamesTheFile) {
  try {
    Template::FromSources({{"bad.tmpl", "\n{{ if }}"}});
    FAIL() << "expected an error";
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "template: bad.tmpl:2: missing value for if");
  }
}

TEST(Template, ExecErrorCarriesLocation) {
  try {
    Template::Defaults()->ExecuteText("ok\n  {{ .Nope }}", SampleData());
    FAIL() << "expected an error";
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(),
                 "template: :2:5: executing \"\" at <.Nope>: can't evaluate field Nope in type "
                 "template.Data");
  }
}

TEST(Template, FromGlobsReadsFilesInOrderAndIgnoresEmptyGlobs) {
  auto dir =
      std::filesystem::temp_directory_path() / ("am_tmpl_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "1.tmpl") << "{{ define \"x\" }}one{{ end }}";
  std::ofstream(dir / "2.tmpl") << "{{ define \"x\" }}two{{ end }}";
  auto t = Template::FromGlobs({(dir / "*.tmpl").string(), (dir / "none-*.tmpl").string()});
  EXPECT_EQ(t->ExecuteText("{{ template \"x\" . }}", SampleData()), "two");
  std::filesystem::remove_all(dir);
}

TEST(Template, ExecuteTemplateUnknownName) {
  EXPECT_THROW(Template::Defaults()->ExecuteTemplate("nope", PreparedData(SampleData()), false),
               TemplateError);
}

TEST(Html, EscapesTextAndAttributes) {
  Data d = SampleData();
  d.alerts[0].annotations = {{"summary", "<script>x</script> & \"q\""}};
  auto t = Template::Defaults();
  EXPECT_EQ(t->ExecuteHtml("<p title=\"{{ (index .Alerts 0).Annotations.summary }}\">"
                           "{{ (index .Alerts 0).Annotations.summary }}</p>",
                           d),
            "<p title=\"&lt;script&gt;x&lt;/script&gt; &amp; &#34;q&#34;\">"
            "&lt;script&gt;x&lt;/script&gt; &amp; &#34;q&#34;</p>");
  EXPECT_EQ(t->ExecuteHtml("{{ safeHtml \"<b>ok</b>\" }}", d), "<b>ok</b>");
  EXPECT_EQ(t->ExecuteText("{{ \"<b>\" }}", d), "<b>");
}

TEST(Html, DefaultEmailIsEscapedAndComplete) {
  Data d = SampleData();
  d.alerts[0].labels.push_back({"evil", "<img src=x onerror=alert(1)>"});
  d.alerts[0].generator_url = "javascript:alert(1)";
  std::string html =
      Template::Defaults()->ExecuteHtml("{{ template \"email.default.html\" . }}", d);
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("href=\"#ZgotmplZ\""), std::string::npos);
  EXPECT_NE(html.find("http://am:9093/#/alerts?receiver=team%5C.x"), std::string::npos);
  EXPECT_NE(html.find("Firing (1)"), std::string::npos);
  EXPECT_NE(html.find("Resolved (1)"), std::string::npos);
}

TEST(Template, ConcurrentExecutionGivesIdenticalResults) {
  auto t = Template::Defaults();
  PreparedData pd(SampleData());
  std::string want = t->ExecuteHtml("{{ template \"email.default.html\" . }}", pd);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        if (t->ExecuteHtml("{{ template \"email.default.html\" . }}", pd) != want) ++bad;
        if (t->ExecuteText(
                "{{ template \"__subject\" . }}{{ reReplaceAll \"(a)\" \"$1\" \"abc\" }}", pd) !=
            "[FIRING:1] Disk (crit)abc")
          ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace am::tmpl
