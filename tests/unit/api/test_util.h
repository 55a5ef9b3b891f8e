// Helpers shared by the api tests: a server on 127.0.0.1:0 with routes set up by the test, and a
// gate that blocks handlers until the test opens it (every wait bounded).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "api/http_server.h"

namespace am::api::testing {

class Gate {
 public:
  // Called by a handler: counts the arrival, then blocks until Open() or `limit` passes.
  bool ArriveAndWait(std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
    std::unique_lock lock(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(lock, limit, [&] { return open_; });
  }
  bool WaitArrived(int n, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return arrived_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int Arrived() {
    std::lock_guard lock(mu_);
    return arrived_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

// Owns a registry and a started server; Stop()s on destruction.
struct TestServer {
  prometheus::Registry registry;
  std::unique_ptr<HttpServer> server;
  uint16_t port = 0;

  explicit TestServer(HttpServer::Options opts, const std::function<void(HttpServer&)>& setup) {
    if (opts.listen_addresses.empty()) opts.listen_addresses = {"127.0.0.1:0"};
    server = std::make_unique<HttpServer>(std::move(opts), registry);
    setup(*server);
    server->Start();
    port = server->BoundPorts().at(0);
  }
  ~TestServer() { server->Stop(); }

  std::optional<prometheus::MetricFamily> Family(std::string_view name) {
    for (auto& f : registry.Collect()) {
      if (f.name == name) return f;
    }
    return std::nullopt;
  }
};

inline HttpServer::Options DefaultOptions() {
  HttpServer::Options o;
  o.threads = 2;
  return o;
}

// A handler answering `body` as text/plain.
inline Handler Text(std::string body) {
  return [body](const Request&, Response& res) {
    res.content_type = "text/plain; charset=utf-8";
    res.body = body;
  };
}

}  // namespace am::api::testing
