// HttpServer limits: body and header sizes, read/idle timeouts, the GET concurrency limit, the
// request timeout, and the alertmanager_http_* metrics.
#include <atomic>
#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "api/http_server.h"
#include "test_client.h"
#include "test_util.h"

namespace am::api {
namespace {

using namespace std::chrono_literals;
using testing::Fetch;
using testing::Gate;
using testing::TestConn;
using testing::TestServer;
using testing::Text;
using Clock = std::chrono::steady_clock;

double GaugeValue(TestServer& ts, std::string_view name) {
  auto f = ts.Family(name);
  if (!f || f->metric.size() != 1) return NAN;
  const auto& m = f->metric[0];
  return f->type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
}

TEST(HttpServerLimits, BodyOverLimitIs413AndNothingIsHandled) {
  auto opts = testing::DefaultOptions();
  opts.body_limit = 1024;
  std::atomic<int> calls{0};
  TestServer ts(opts, [&](HttpServer& s) {
    s.Handle("POST", "/api/v2/alerts", "", [&](const Request&, Response&) { ++calls; });
  });
  const std::string want = "Request body too large: the limit is 1024 bytes.";
  {
    TestConn c(ts.port);
    ASSERT_TRUE(c.Send("POST /api/v2/alerts HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" +
                       std::string(2000, 'x')));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->body, want);
    EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(c.WaitClosed(3000ms));
  }
  {
    // Chunked: the limit is enforced while the body streams in.
    TestConn c(ts.port);
    std::string chunk(600, 'y');
    ASSERT_TRUE(
        c.Send("POST /api/v2/alerts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
               "\r\n258\r\n" +
               chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->body, want);
  }
  {
    // With Expect: 100-continue the client is refused before it sends the body.
    TestConn c(ts.port);
    ASSERT_TRUE(
        c.Send("POST /api/v2/alerts HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
               "Content-Length: 5000\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  EXPECT_EQ(calls.load(), 0);
  // At the limit exactly is fine.
  auto r = Fetch(ts.port, "POST", "/api/v2/alerts", std::string(1024, 'z'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerLimits, SlowClientIsCutAfterReadTimeout) {
  auto opts = testing::DefaultOptions();
  opts.read_timeout = 800ms;
  opts.idle_timeout = 10s;
  std::atomic<int> calls{0};
  TestServer ts(opts, [&](HttpServer& s) {
    s.Handle("GET", "/x", "", [&](const Request&, Response&) { ++calls; });
  });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\nX-Slow: "));
  auto start = Clock::now();
  bool closed = false;
  // One header byte every 200 ms, for up to 4 s: a per-read timeout would never fire.
  while (Clock::now() - start < 4s) {
    if (!c.Send("a") || c.WaitClosed(200ms)) {
      closed = true;
      break;
    }
  }
  auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 600ms);
  EXPECT_LT(elapsed, 3000ms);
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServerLimits, ReadTimeoutStartsAtTheFirstByte) {
  auto opts = testing::DefaultOptions();
  opts.read_timeout = 300ms;
  opts.idle_timeout = 5s;
  TestServer ts(opts, [&](HttpServer& s) { s.Handle("GET", "/x", "", Text("x")); });
  TestConn c(ts.port);
  std::this_thread::sleep_for(700ms);  // idle longer than read_timeout: still allowed
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerLimits, IdleKeepAliveConnectionIsClosed) {
  auto opts = testing::DefaultOptions();
  opts.idle_timeout = 400ms;
  TestServer ts(opts, [&](HttpServer& s) { s.Handle("GET", "/x", "", Text("x")); });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c.Read());
  auto start = Clock::now();
  EXPECT_FALSE(c.WaitClosed(150ms));  // not before the idle timeout
  EXPECT_TRUE(c.WaitClosed(3000ms));
  EXPECT_GE(Clock::now() - start, 300ms);

  // A connection that never sends anything is closed too.
  TestConn silent(ts.port);
  EXPECT_TRUE(silent.WaitClosed(3000ms));
}

TEST(HttpServerLimits, GetConcurrencyLimitAnswers503WhileHandlersAreBusy) {
  auto opts = testing::DefaultOptions();
  opts.get_concurrency = 2;
  Gate gate;
  TestServer ts(opts, [&](HttpServer& s) {
    s.HandleBlocking("GET", "/block", "/block", [&](const Request&, Response& res) {
      gate.ArriveAndWait();
      res.body = "done";
    });
    s.Handle("GET", "/fast", "/fast", Text("fast"));
    s.Handle("HEAD", "/fast", "/fast", [](const Request&, Response&) {});
    s.Handle("GET", "/get-only", "/get-only", Text("x"));
    s.Handle("POST", "/post", "/post", Text("posted"));
  });
  EXPECT_EQ(ts.server->GetConcurrencyLimit(), 2);
  TestConn b1(ts.port), b2(ts.port);
  ASSERT_TRUE(b1.Send("GET /block HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(b2.Send("GET /block HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(gate.WaitArrived(2));
  EXPECT_EQ(GaugeValue(ts, "alertmanager_http_requests_in_flight"), 2);

  // http.Error appends "\n" to upstream's message, which already ends in one.
  const std::string want = "Limit of concurrent GET requests reached (2), try again later.\n\n";
  for (const char* path : {"/block", "/fast", "/nope"}) {
    auto r = Fetch(ts.port, "GET", path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 503) << path;
    EXPECT_EQ(r->body, want);
    EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r->Header("X-Content-Type-Options"), "nosniff");
  }
  // Only GET is limited (as upstream's limitHandler), plus HEAD when a GET handler serves it.
  auto post = Fetch(ts.port, "POST", "/post");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200);
  auto head = Fetch(ts.port, "HEAD", "/fast");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  head = Fetch(ts.port, "HEAD", "/get-only");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 503);
  EXPECT_EQ(GaugeValue(ts, "alertmanager_http_concurrency_limit_exceeded_total"), 4);
  EXPECT_EQ(gate.Arrived(), 2);

  gate.Open();
  auto r1 = b1.Read();
  auto r2 = b2.Read();
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->body, "done");
  EXPECT_EQ(r2->body, "done");
  EXPECT_EQ(GaugeValue(ts, "alertmanager_http_requests_in_flight"), 0);
  auto fast = Fetch(ts.port, "GET", "/fast");
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->status, 200);
}

TEST(HttpServerLimits, DefaultGetConcurrencyIsAtLeastEight) {
  prometheus::Registry registry;
  HttpServer s(testing::DefaultOptions(), registry);
  int hw = static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(s.GetConcurrencyLimit(), std::max(8, hw));
}

TEST(HttpServerLimits, RequestTimeoutAnswersAtTheDeadlineForBlockingHandlers) {
  auto opts = testing::DefaultOptions();
  opts.request_timeout = 200ms;
  Gate gate;
  TestServer ts(opts, [&](HttpServer& s) {
    s.HandleBlocking("GET", "/slow", "/slow", [&](const Request&, Response& res) {
      gate.ArriveAndWait();
      res.body = "late";
    });
    s.Handle("GET", "/fast", "/fast", Text("fast"));
  });
  TestConn c(ts.port);
  auto start = Clock::now();
  ASSERT_TRUE(c.Send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = c.Read(3000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "Exceeded configured timeout of 200ms.\n");
  EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_EQ(gate.Arrived(), 1);  // the handler is still blocked: the answer did not wait for it
  // The connection stays usable; the late result is dropped.
  ASSERT_TRUE(c.Send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fast");
  gate.Open();
  ASSERT_TRUE(c.Send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fast");
  EXPECT_TRUE(c.Pending().empty());
}

TEST(HttpServerLimits, RequestTimeoutReplacesALateInlineResponse) {
  auto opts = testing::DefaultOptions();
  opts.request_timeout = 100ms;
  TestServer ts(opts, [&](HttpServer& s) {
    s.Handle("GET", "/slow", "", [](const Request&, Response& res) {
      std::this_thread::sleep_for(250ms);
      res.body = "late";
    });
    s.Handle("GET", "/fast", "", Text("fast"));
  });
  auto r = Fetch(ts.port, "GET", "/slow");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "Exceeded configured timeout of 100ms.\n");
  r = Fetch(ts.port, "GET", "/fast");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

const prometheus::ClientMetric* FindMetric(const prometheus::MetricFamily& f,
                                           const std::string& handler, const std::string& method) {
  for (const auto& m : f.metric) {
    std::string h, me;
    for (const auto& l : m.label) {
      if (l.name == "handler") h = l.value;
      if (l.name == "method") me = l.value;
    }
    if (h == handler && me == method) return &m;
  }
  return nullptr;
}

TEST(HttpServerMetrics, RequestDurationAndResponseSizeByHandlerAndMethod) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/api/v2/silence/{silenceID}", "/api/v2/silence/{silenceID}",
             Text("0123456789"));
    s.Handle("POST", "/-/reload", "/-/reload", Text(""));
    s.Handle("GET", "/api/v2/status", "", Text("{}"));  // not instrumented
  });
  ASSERT_EQ(Fetch(ts.port, "GET", "/api/v2/silence/a")->status, 200);
  ASSERT_EQ(Fetch(ts.port, "GET", "/api/v2/silence/b")->status, 200);
  ASSERT_EQ(Fetch(ts.port, "HEAD", "/api/v2/silence/c")->status, 200);
  ASSERT_EQ(Fetch(ts.port, "POST", "/-/reload")->status, 200);
  ASSERT_EQ(Fetch(ts.port, "GET", "/api/v2/status")->status, 200);
  ASSERT_EQ(Fetch(ts.port, "GET", "/nope")->status, 404);

  auto dur = ts.Family("alertmanager_http_request_duration_seconds");
  ASSERT_TRUE(dur);
  EXPECT_EQ(dur->help, "Histogram of latencies for HTTP requests.");
  EXPECT_EQ(dur->type, prometheus::MetricType::Histogram);
  const auto* get = FindMetric(*dur, "/api/v2/silence/{silenceID}", "get");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->histogram.sample_count, 2u);
  std::vector<double> bounds;
  for (const auto& b : get->histogram.bucket) bounds.push_back(b.upper_bound);
  std::vector<double> want{
      .05, .1, .25, .5, .75, 1, 2, 5, 20, 60, std::numeric_limits<double>::infinity()};
  EXPECT_EQ(bounds, want);
  const auto* head = FindMetric(*dur, "/api/v2/silence/{silenceID}", "head");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->histogram.sample_count, 1u);
  const auto* post = FindMetric(*dur, "/-/reload", "post");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->histogram.sample_count, 1u);
  for (const auto& m : dur->metric) {
    for (const auto& l : m.label) {
      if (l.name == "handler") {
        EXPECT_TRUE(l.value == "/api/v2/silence/{silenceID}" || l.value == "/-/reload") << l.value;
      }
    }
  }

  auto size = ts.Family("alertmanager_http_response_size_bytes");
  ASSERT_TRUE(size);
  EXPECT_EQ(size->help, "Histogram of response size for HTTP requests.");
  const auto* get_size = FindMetric(*size, "/api/v2/silence/{silenceID}", "get");
  ASSERT_TRUE(get_size);
  EXPECT_EQ(get_size->histogram.sample_count, 2u);
  EXPECT_EQ(get_size->histogram.sample_sum, 20);
  bounds.clear();
  for (const auto& b : get_size->histogram.bucket) bounds.push_back(b.upper_bound);
  want = {100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, std::numeric_limits<double>::infinity()};
  EXPECT_EQ(bounds, want);

  auto in_flight = ts.Family("alertmanager_http_requests_in_flight");
  ASSERT_TRUE(in_flight);
  EXPECT_EQ(in_flight->help, "Current number of HTTP requests being processed.");
  EXPECT_EQ(in_flight->type, prometheus::MetricType::Gauge);
  ASSERT_EQ(in_flight->metric.size(), 1u);
  ASSERT_EQ(in_flight->metric[0].label.size(), 1u);
  EXPECT_EQ(in_flight->metric[0].label[0].name, "method");
  EXPECT_EQ(in_flight->metric[0].label[0].value, "get");
  EXPECT_EQ(in_flight->metric[0].gauge.value, 0);

  auto exceeded = ts.Family("alertmanager_http_concurrency_limit_exceeded_total");
  ASSERT_TRUE(exceeded);
  EXPECT_EQ(exceeded->help,
            "Total number of times an HTTP request failed because the concurrency limit was "
            "reached.");
  EXPECT_EQ(exceeded->type, prometheus::MetricType::Counter);
  ASSERT_EQ(exceeded->metric.size(), 1u);
  EXPECT_EQ(exceeded->metric[0].label[0].value, "get");
  EXPECT_EQ(exceeded->metric[0].counter.value, 0);
}

}  // namespace
}  // namespace am::api
