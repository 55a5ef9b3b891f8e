// HttpServer routing and HTTP/1.x protocol behaviour over real sockets on 127.0.0.1.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_client.h"
#include "test_util.h"

namespace am::api {
namespace {

using namespace std::chrono_literals;
using testing::Fetch;
using testing::RawResponse;
using testing::TestConn;
using testing::TestServer;
using testing::Text;

// Records the last request a handler saw.
struct Recorder {
  std::mutex mu;
  std::optional<Request> last;
  int calls = 0;
  Handler Make(std::string body = "ok") {
    return [this, body](const Request& req, Response& res) {
      std::lock_guard lock(mu);
      last = req;
      ++calls;
      res.content_type = "text/plain; charset=utf-8";
      res.body = body;
    };
  }
  Request Last() {
    std::lock_guard lock(mu);
    return last.value();
  }
  int Calls() {
    std::lock_guard lock(mu);
    return calls;
  }
};

void ExpectGoText(const std::optional<RawResponse>& r, int status, const std::string& body) {
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->body, body);
  EXPECT_EQ(r->Header("Content-Type").value_or(""), "text/plain; charset=utf-8");
  EXPECT_EQ(r->Header("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_EQ(r->Header("Content-Length").value_or(""), std::to_string(body.size()));
  EXPECT_TRUE(r->Header("Date").has_value());
}

TEST(HttpServerRouting, CapturesParamsQueryHeadersAndBody) {
  Recorder rec;
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("POST", "/api/v2/silence/{silenceID}", "/api/v2/silence/{silenceID}", rec.Make());
  });
  TestConn c(ts.port);
  ASSERT_TRUE(
      c.Send("POST /api/v2/silence/abc%20d?filter=a%3Db&filter=c+d&x HTTP/1.1\r\nHost: h\r\n"
             "X-Custom: Val\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  Request req = rec.Last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/api/v2/silence/abc d");
  EXPECT_EQ(req.params.at("silenceID"), "abc d");
  EXPECT_EQ(req.raw_query, "filter=a%3Db&filter=c+d&x");
  std::vector<std::pair<std::string, std::string>> want_query{
      {"filter", "a=b"}, {"filter", "c d"}, {"x", ""}};
  EXPECT_EQ(req.query, want_query);
  EXPECT_EQ(req.QueryAll("filter"), (std::vector<std::string>{"a=b", "c d"}));
  EXPECT_EQ(req.QueryFirst("x"), std::optional<std::string>(""));
  EXPECT_EQ(req.QueryFirst("missing"), std::nullopt);
  EXPECT_EQ(req.Header("x-custom"), "Val");
  EXPECT_EQ(req.Header("host"), "h");
  EXPECT_EQ(req.Header("absent"), "");
  EXPECT_EQ(req.body, "hello");
  EXPECT_EQ(req.remote_address.rfind("127.0.0.1:", 0), 0u) << req.remote_address;
}

TEST(HttpServerRouting, QueryPairsWithSemicolonOrBadEscapeAreSkippedAsGo) {
  Recorder rec;
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/q", "", rec.Make()); });
  auto r = Fetch(ts.port, "GET", "/q?a=1;b=2&c=%zz&d=%41");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::vector<std::pair<std::string, std::string>> want{{"d", "A"}};
  EXPECT_EQ(rec.Last().query, want);
}

TEST(HttpServerRouting, LiteralSegmentBeatsCapture) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/api/v2/{thing}", "", [](const Request& req, Response& res) {
      res.body = "capture:" + req.params.at("thing");
    });
    s.Handle("GET", "/api/v2/silences", "", Text("literal"));
  });
  EXPECT_EQ(Fetch(ts.port, "GET", "/api/v2/silences")->body, "literal");
  EXPECT_EQ(Fetch(ts.port, "GET", "/api/v2/alerts")->body, "capture:alerts");
  // A capture never matches an empty segment: "/api/v2/" is not "/api/v2/{thing}".
  EXPECT_EQ(Fetch(ts.port, "GET", "/api/v2/")->status, 404);
}

TEST(HttpServerRouting, CatchAllTakesTheRestWithLeadingSlash) {
  Recorder rec;
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/debug/{subpath...}", "", rec.Make()); });
  ASSERT_EQ(Fetch(ts.port, "GET", "/debug/pprof/heap")->status, 200);
  EXPECT_EQ(rec.Last().params.at("subpath"), "/pprof/heap");
  ASSERT_EQ(Fetch(ts.port, "GET", "/debug/")->status, 200);
  EXPECT_EQ(rec.Last().params.at("subpath"), "/");
  auto r = Fetch(ts.port, "GET", "/debug");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/debug/");
}

TEST(HttpServerRouting, UnknownPathIsGoNotFound) {
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/-/healthy", "", Text("OK")); });
  ExpectGoText(Fetch(ts.port, "GET", "/nope"), 404, "404 page not found\n");
  ExpectGoText(Fetch(ts.port, "POST", "/nope"), 404, "404 page not found\n");
  auto head = Fetch(ts.port, "HEAD", "/nope");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 404);
  EXPECT_EQ(head->Header("Content-Length"), "19");
}

TEST(HttpServerRouting, WrongMethodIs405WithAllow) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/-/healthy", "", Text("OK"));
    s.Handle("POST", "/-/reload", "", Text(""));
    s.Handle("GET", "/api/v1/alerts", "", Text("[]"));
    s.Handle("POST", "/api/v1/alerts", "", Text(""));
  });
  auto r = Fetch(ts.port, "DELETE", "/-/healthy");
  ExpectGoText(r, 405, "Method Not Allowed\n");
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD, OPTIONS");
  r = Fetch(ts.port, "GET", "/-/reload");
  ExpectGoText(r, 405, "Method Not Allowed\n");
  EXPECT_EQ(r->Header("Allow"), "OPTIONS, POST");
  r = Fetch(ts.port, "PUT", "/api/v1/alerts");
  ExpectGoText(r, 405, "Method Not Allowed\n");
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD, OPTIONS, POST");
}

TEST(HttpServerRouting, OptionsIsAnsweredAutomatically) {
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("POST", "/-/reload", "", Text("")); });
  auto r = Fetch(ts.port, "OPTIONS", "/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Allow"), "OPTIONS, POST");
  EXPECT_EQ(r->Header("Content-Length"), "0");
  EXPECT_EQ(Fetch(ts.port, "OPTIONS", "/nope")->status, 404);
}

TEST(HttpServerRouting, HeadIsServedByGetWithoutBody) {
  Recorder rec;
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/metrics", "", rec.Make("hello")); });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send("HEAD /metrics HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = c.Read(5000ms, /*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Length"), "5");
  EXPECT_EQ(rec.Last().method, "HEAD");
  // No body bytes may follow: the next response on the connection must parse cleanly.
  ASSERT_TRUE(c.Send("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST(HttpServerRouting, HeadFallbackCanBeDisabled) {
  auto opts = testing::DefaultOptions();
  opts.head_falls_back_to_get = false;
  TestServer ts(opts, [&](HttpServer& s) { s.Handle("GET", "/metrics", "", Text("x")); });
  auto r = Fetch(ts.port, "HEAD", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);  // as upstream 0.25
  EXPECT_EQ(r->Header("Allow"), "GET, OPTIONS");
}

TEST(HttpServerRouting, AnyMethodRoute) {
  Recorder rec;
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("*", "/any", "", rec.Make()); });
  for (const char* m : {"GET", "PUT", "DELETE", "PATCH", "FOO"}) {
    auto r = Fetch(ts.port, m, "/any");
    ASSERT_TRUE(r) << m;
    EXPECT_EQ(r->status, 200) << m;
    EXPECT_EQ(rec.Last().method, m);
  }
}

TEST(HttpServerRouting, RedirectsLikeHttprouterAndServeMux) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/-/healthy", "", Text("OK"));
    s.Handle("POST", "/-/reload", "", Text(""));
  });
  auto r = Fetch(ts.port, "GET", "/-/healthy/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/-/healthy");
  EXPECT_EQ(r->Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->body, "<a href=\"/-/healthy\">Moved Permanently</a>.\n\n");

  r = Fetch(ts.port, "POST", "/-/reload/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->Header("Location"), "/-/reload");
  EXPECT_EQ(r->body, "");
  EXPECT_FALSE(r->Header("Content-Type"));

  r = Fetch(ts.port, "GET", "/-/HEALTHY?a=b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/-/healthy?a=b");

  // Unclean paths: ServeMux's 301 for every method, query kept.
  r = Fetch(ts.port, "GET", "//-/healthy?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/-/healthy?x=1");
  EXPECT_EQ(r->body, "<a href=\"/-/healthy?x=1\">Moved Permanently</a>.\n\n");
  r = Fetch(ts.port, "POST", "/x/../-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/-/reload");
  EXPECT_EQ(r->Header("Content-Length"), "0");
}

TEST(HttpServerRouting, RoutePrefix) {
  Recorder rec;
  auto opts = testing::DefaultOptions();
  opts.route_prefix = "/foo/";  // normalised to "/foo" as upstream does
  TestServer ts(opts, [&](HttpServer& s) {
    s.Handle("GET", "/", "/", Text("ui"));
    s.Handle("GET", "/-/healthy", "/-/healthy", rec.Make("OK"));
  });
  auto r = Fetch(ts.port, "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("Location"), "/foo");
  EXPECT_EQ(r->body, "<a href=\"/foo\">Found</a>.\n\n");

  r = Fetch(ts.port, "GET", "/foo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/foo/");

  r = Fetch(ts.port, "GET", "/foo/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ui");

  r = Fetch(ts.port, "GET", "/foo/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(rec.Last().path, "/-/healthy");

  EXPECT_EQ(Fetch(ts.port, "GET", "/-/healthy")->status, 404);
  EXPECT_EQ(Fetch(ts.port, "GET", "/bar")->status, 404);
  EXPECT_EQ(Fetch(ts.port, "GET", "/foobar/-/healthy")->status, 404);
  r = Fetch(ts.port, "POST", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST(HttpServerRouting, UnmatchedSubtreeGoesToItsHandler) {
  std::mutex mu;
  std::vector<std::string> seen_allowed;
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/api/v2/status", "", Text("{}"));
    s.Handle("GET", "/api/v1/status", "", Text("{}"));
    s.HandleUnmatched("/api/v2/", [&](const Request& req, Response& res,
                                      const std::vector<std::string>& allowed) {
      std::lock_guard lock(mu);
      seen_allowed = allowed;
      res.content_type = "application/json";
      res.status = allowed.empty() ? 404 : 405;
      res.body = allowed.empty()
                     ? "{\"code\":404,\"message\":\"path " + req.path + " was not found\"}"
                     : "{\"code\":405}";
    });
  });
  auto r = Fetch(ts.port, "GET", "/api/v2/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "{\"code\":404,\"message\":\"path /api/v2/nope was not found\"}");
  r = Fetch(ts.port, "DELETE", "/api/v2/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen_allowed, std::vector<std::string>{"GET"});
  }
  r = Fetch(ts.port, "GET", "/api/v2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Header("Location"), "/api/v2/");
  // Outside the subtree the router answers.
  ExpectGoText(Fetch(ts.port, "GET", "/api/v1/nope"), 404, "404 page not found\n");
}

TEST(HttpServerProtocol, KeepAliveServesTwoRequestsOnOneConnection) {
  Recorder rec;
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/x", "", rec.Make("one")); });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r1 = c.Read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_FALSE(r1->Header("Connection"));
  std::string first_remote = rec.Last().remote_address;
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r2 = c.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(rec.Last().remote_address, first_remote);
  EXPECT_EQ(rec.Calls(), 2);
}

TEST(HttpServerProtocol, PipelinedRequestsAreAnsweredInOrder) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/a", "", Text("A"));
    s.Handle("POST", "/b", "", [](const Request& req, Response& res) { res.body = req.body; });
  });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send(
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
      "xyzGET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
  auto r1 = c.Read();
  auto r2 = c.Read();
  auto r3 = c.Read();
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_EQ(r1->body, "A");
  EXPECT_EQ(r2->body, "xyz");
  EXPECT_EQ(r3->body, "A");
  EXPECT_EQ(r3->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitClosed(2000ms));
}

TEST(HttpServerProtocol, Http10ClosesUnlessKeepAliveAsked) {
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/-/healthy", "", Text("OK")); });
  {
    TestConn c(ts.port);
    ASSERT_TRUE(c.Send("GET /-/healthy HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, "HTTP/1.0");
    EXPECT_EQ(r->body, "OK");
    EXPECT_TRUE(c.WaitClosed(2000ms));
  }
  {
    TestConn c(ts.port);
    ASSERT_TRUE(c.Send("GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Header("Connection"), "keep-alive");
    ASSERT_TRUE(c.Send("GET /-/healthy HTTP/1.0\r\n\r\n"));
    r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "OK");
  }
}

TEST(HttpServerProtocol, ConnectionCloseIsHonoured) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/x", "", Text("x"));
    s.Handle("GET", "/bye", "", [](const Request&, Response& res) {
      res.headers.emplace_back("Connection", "close");
    });
  });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitClosed(2000ms));

  TestConn c2(ts.port);
  ASSERT_TRUE(c2.Send("GET /bye HTTP/1.1\r\nHost: h\r\n\r\n"));
  r = c2.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c2.WaitClosed(2000ms));
}

TEST(HttpServerProtocol, ChunkedRequestBody) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("POST", "/echo", "", [](const Request& req, Response& res) { res.body = req.body; });
  });
  TestConn c(ts.port);
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
}

TEST(HttpServerProtocol, ExpectContinue) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("POST", "/echo", "", [](const Request& req, Response& res) { res.body = req.body; });
  });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send(
      "POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("hello"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST(HttpServerProtocol, MalformedRequestsGet400AndClose) {
  auto opts = testing::DefaultOptions();
  opts.header_limit = 4096;
  TestServer ts(opts, [&](HttpServer& s) { s.Handle("GET", "/x", "", Text("x")); });
  struct Case {
    std::string request;
    int status;
    std::string body;
  };
  std::vector<Case> cases = {
      {"GARBAGE\r\n\r\n", 400, "400 Bad Request"},
      {"GET /x HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n", 400, "400 Bad Request"},
      {"GET /x HTTP/1.1\r\n\r\n", 400, "400 Bad Request: missing required Host header"},
      {"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
       "400 Bad Request: too many Host headers"},
      {"GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400, "400 Bad Request"},
      {"GET x HTTP/1.1\r\nHost: h\r\n\r\n", 400, "400 Bad Request"},
      {"GET /x HTTP/2.0\r\nHost: h\r\n\r\n", 505,
       "505 HTTP Version Not Supported: unsupported protocol version"},
      {"GET /x HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n", 431,
       "431 Request Header Fields Too Large"},
      {"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400, "400 Bad Request"},
      {"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
       "400 Bad Request"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.request.substr(0, 60));
    TestConn c(ts.port);
    ASSERT_TRUE(c.Send(tc.request));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, tc.status);
    EXPECT_EQ(r->body, tc.body);
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(r->Header("Date"));
    EXPECT_TRUE(c.WaitClosed(3000ms));
  }
  // Absolute-form targets are accepted, as Go does.
  auto r = Fetch(ts.port, "GET", "http://example/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerProtocol, RandomGarbageNeverKillsTheServer) {
  TestServer ts(testing::DefaultOptions(),
                [&](HttpServer& s) { s.Handle("GET", "/x", "", Text("alive")); });
  std::mt19937 rng(1234);
  std::vector<std::string> seeds = {"GET / HTTP/1.1\r\n",
                                    "POST /x HTTP/1.1\r\nHost: h\r\n",
                                    "Transfer-Encoding: chunked\r\n\r\n",
                                    "Content-Length: 9\r\n",
                                    "\r\n",
                                    "%",
                                    "\x00\xff",
                                    "HTTP/1.1",
                                    " ",
                                    ":"};
  for (int i = 0; i < 60; ++i) {
    TestConn c(ts.port);
    std::string junk;
    int parts = 1 + static_cast<int>(rng() % 12);
    for (int p = 0; p < parts; ++p) {
      if (rng() % 2) {
        junk += seeds[rng() % seeds.size()];
      } else {
        for (int k = static_cast<int>(rng() % 40); k > 0; --k) junk.push_back(char(rng()));
      }
    }
    c.Send(junk);
    // Either an answer, a close, or silence (waiting for more): all fine, nothing may crash.
    c.Read(50ms);
  }
  auto r = Fetch(ts.port, "GET", "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "alive");
}

TEST(HttpServerProtocol, ResponseHeadersAndContentType) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/json", "", [](const Request&, Response& res) {
      res.status = 422;
      res.content_type = "application/json";
      res.body = "{}";
      res.headers.emplace_back("Cache-Control", "no-store");
      res.headers.emplace_back("Content-Length", "999");  // ignored: the server's own
    });
    s.Handle("GET", "/empty", "", [](const Request&, Response&) {});
    s.Handle("GET", "/nocontent", "", [](const Request&, Response& res) { res.status = 204; });
  });
  auto r = Fetch(ts.port, "GET", "/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(r->reason, "Unprocessable Entity");
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(r->Header("Cache-Control"), "no-store");
  EXPECT_EQ(r->Header("Content-Length"), "2");
  EXPECT_EQ(r->body, "{}");
  r = Fetch(ts.port, "GET", "/empty");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->Header("Content-Type"));
  EXPECT_EQ(r->Header("Content-Length"), "0");
  EXPECT_TRUE(r->Header("Date"));
  r = Fetch(ts.port, "GET", "/nocontent");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->Header("Content-Length"));
}

TEST(HttpServerProtocol, HandlerExceptionIs500AndClose) {
  TestServer ts(testing::DefaultOptions(), [&](HttpServer& s) {
    s.Handle("GET", "/boom", "",
             [](const Request&, Response&) { throw std::runtime_error("boom"); });
  });
  TestConn c(ts.port);
  ASSERT_TRUE(c.Send("GET /boom HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = c.Read();
  ExpectGoText(r, 500, "Internal Server Error\n");
  EXPECT_TRUE(c.WaitClosed(2000ms));
}

TEST(HttpServerProtocol, ConcurrentClientsOnSeveralThreads) {
  auto opts = testing::DefaultOptions();
  opts.threads = 3;
  std::atomic<int> calls{0};
  TestServer ts(opts, [&](HttpServer& s) {
    s.Handle("POST", "/echo", "/echo", [&](const Request& req, Response& res) {
      ++calls;
      res.body = req.body;
    });
  });
  constexpr int kClients = 6, kRequests = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      TestConn c(ts.port);
      for (int j = 0; j < kRequests; ++j) {
        std::string body = std::to_string(i) + "-" + std::to_string(j);
        if (!c.Send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body)) {
          return;
        }
        auto r = c.Read();
        if (r && r->body == body) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(calls.load(), kClients * kRequests);
}

TEST(HttpServerLifecycle, TwoListenAddresses) {
  auto opts = testing::DefaultOptions();
  opts.listen_addresses = {"127.0.0.1:0", "127.0.0.1:0"};
  TestServer ts(opts, [&](HttpServer& s) { s.Handle("GET", "/x", "", Text("x")); });
  auto ports = ts.server->BoundPorts();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], ports[1]);
  for (uint16_t p : ports) {
    auto r = Fetch(p, "GET", "/x");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST(HttpServerLifecycle, Ipv6Loopback) {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_addr = in6addr_loopback;
  bool v6 = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  if (fd >= 0) ::close(fd);
  if (!v6) GTEST_SKIP() << "no IPv6 loopback here";
  auto opts = testing::DefaultOptions();
  opts.listen_addresses = {"[::1]:0"};
  Recorder rec;
  TestServer ts(opts, [&](HttpServer& s) { s.Handle("GET", "/x", "", rec.Make()); });
  TestConn c(ts.port, "::1");
  ASSERT_TRUE(c.IsOpen());
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(rec.Last().remote_address.rfind("[::1]:", 0), 0u) << rec.Last().remote_address;
}

TEST(HttpServerLifecycle, StartFailsNamingTheAddress) {
  TestServer first(testing::DefaultOptions(),
                   [&](HttpServer& s) { s.Handle("GET", "/x", "", Text("x")); });
  std::string busy = "127.0.0.1:" + std::to_string(first.port);
  prometheus::Registry registry;
  auto opts = testing::DefaultOptions();
  opts.listen_addresses = {busy};
  HttpServer second(opts, registry);
  try {
    second.Start();
    FAIL() << "a second server bound a busy port (SO_REUSEPORT must not share it)";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(busy), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("address already in use"), std::string::npos) << e.what();
  }
  for (std::string bad : {"nonsense", "127.0.0.1:99999", "127.0.0.1:http", "[::1:80"}) {
    prometheus::Registry r2;
    auto o = testing::DefaultOptions();
    o.listen_addresses = {bad};
    HttpServer s(o, r2);
    try {
      s.Start();
      ADD_FAILURE() << "started on " << bad;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  // The first server still serves.
  EXPECT_EQ(Fetch(first.port, "GET", "/x")->status, 200);
}

TEST(HttpServerLifecycle, RegistrationErrors) {
  prometheus::Registry registry;
  HttpServer s(testing::DefaultOptions(), registry);
  s.Handle("GET", "/a/{id}", "", Text(""));
  EXPECT_THROW(s.Handle("GET", "/a/{id}", "", Text("")), std::logic_error);
  EXPECT_THROW(s.Handle("GET", "no-slash", "", Text("")), std::logic_error);
  EXPECT_THROW(s.Handle("GET", "/a/{rest...}/b", "", Text("")), std::logic_error);
  EXPECT_THROW(s.Handle("GET", "/a/{}", "", Text("")), std::logic_error);
  EXPECT_THROW(s.HandleUnmatched("/api/v2", nullptr), std::logic_error);
}

TEST(HttpServerLifecycle, StopClosesConnectionsAndIsIdempotent) {
  prometheus::Registry registry;
  auto opts = testing::DefaultOptions();
  opts.listen_addresses = {"127.0.0.1:0"};
  HttpServer s(opts, registry);
  s.Handle("GET", "/x", "", Text("x"));
  s.Start();
  uint16_t port = s.BoundPorts().at(0);
  TestConn c(port);
  ASSERT_TRUE(c.Send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c.Read());
  s.Stop();
  EXPECT_TRUE(c.WaitClosed(2000ms));
  s.Stop();
  TestConn after(port);
  EXPECT_FALSE(after.IsOpen());
}

}  // namespace
}  // namespace am::api
