// The HTTP/1.x server under every endpoint: listening sockets, connections, request parsing with
// size and time limits, routing (Go httprouter + ServeMux behaviour: path cleaning, trailing-slash
// and case redirects, 404/405/OPTIONS answers), the route prefix, the GET concurrency limit, the
// request timeout and the alertmanager_http_* metrics. Boost.Beast stays inside http_server.cpp.
//
// Threads: `Options::threads` I/O threads, each with its own io_context and its own acceptor per
// listen address (SO_REUSEPORT), so a connection lives on one thread for its whole life. Handlers
// registered with Handle() run synchronously on that I/O thread: they must be fast and must not
// block (a blocked handler stalls every connection of its thread). Handlers that may take long
// (config reload, large queries) are registered with HandleBlocking() and run on a small worker
// pool; the connection waits without holding its I/O thread. Any handler may run concurrently with
// itself on several threads.
//
// Ownership and lifecycle: construct, register routes, Start(), Stop() (or destroy). The server
// keeps a reference to the registry, which must outlive it. Registration is not thread-safe and is
// allowed only before Start(); Start/Stop/BoundPorts may be called from any one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace prometheus {
class Registry;
}

namespace am::api {

class HttpServer {
 public:
  struct Options {
    std::vector<std::string>
        listen_addresses;            // "host:port", ":port" (all interfaces), "[::1]:port"
    std::string route_prefix = "/";  // e.g. "/alertmanager"; normalised like upstream ("/" + trim)
    size_t body_limit = 32 << 20;    // bytes; larger bodies get 413 naming the limit, then close
    size_t header_limit = 1 << 20;   // request line + headers; larger → 431, then close
    // The whole request (headers + body) must arrive within this once its first byte has arrived;
    // a client trickling bytes (slowloris) is cut off.
    std::chrono::milliseconds read_timeout{30000};
    // A keep-alive connection with no request (no first byte) for this long is closed.
    std::chrono::milliseconds idle_timeout{120000};
    // Writing one response (to a client that does not read) may take at most this long.
    std::chrono::milliseconds write_timeout{120000};
    // Concurrent GET requests; 0 → max(hardware threads, 8). Excess → 503 with upstream's text.
    int get_concurrency = 0;
    // --web.timeout; 0 = none. A request whose handler exceeds it is answered 503 with Go's
    // http.TimeoutHandler text. Inline handlers are not interrupted: their late response is
    // replaced. Blocking handlers are answered at the deadline; their late result is dropped.
    std::chrono::milliseconds request_timeout{0};
    int threads = 2;           // I/O threads (each with its own io_context)
    int blocking_threads = 8;  // worker threads for HandleBlocking routes (started only if used)
    // HEAD on a path that only has a GET route is served by the GET handler without the body.
    // (Upstream 0.25's router answers 405 there; kept on because load balancers probe with HEAD.)
    bool head_falls_back_to_get = true;
  };

  // Registers the alertmanager_http_* families on `registry` (which must outlive the server).
  HttpServer(Options opts, prometheus::Registry& registry);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes `method pattern` to `h`. Pattern segments "{name}" capture one non-empty path segment
  // into Request::params; a last segment "{name...}" (or "*name") captures the rest of the path
  // with its leading "/", as httprouter's catch-all does. Literal segments win over captures.
  // `metric_handler` is the `handler` label of the request duration and response size histograms
  // (e.g. "/api/v2/silence/{silenceID}"); empty → the route is not instrumented (as upstream
  // 0.25's /api/v2). Method "*" = any method. The pattern is relative to the route prefix.
  // REQUIRES: before Start(); method + pattern not registered yet (else std::logic_error).
  void Handle(std::string method, std::string pattern, std::string metric_handler, Handler h);
  // Same, but the handler runs on the worker pool and may block.
  void HandleBlocking(std::string method, std::string pattern, std::string metric_handler,
                      Handler h);
  // Requests under `subtree` (relative to the route prefix, ending in "/", e.g. "/api/v2/") that no
  // route matches go to `h` instead of the router's text 404/405/OPTIONS answers, and `subtree`
  // without its trailing "/" redirects to it (as Go's ServeMux does for a mounted subtree).
  // The longest matching subtree wins. REQUIRES: before Start().
  void HandleUnmatched(std::string subtree, UnmatchedHandler h);

  // Binds every listen address on every I/O thread and starts serving. Throws std::runtime_error
  // naming the address on failure (nothing is left listening then). REQUIRES: called once.
  void Start();
  // Stops accepting, closes every connection, joins all threads. Waits for running blocking
  // handlers to return. Idempotent. REQUIRES: not called from a handler (it joins that thread).
  void Stop();
  // The bound port of each listen address, in order (resolves ":0"). Empty before Start().
  std::vector<uint16_t> BoundPorts() const;

  // The GET concurrency limit in effect (after the 0 → default rule).
  int GetConcurrencyLimit() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace am::api
