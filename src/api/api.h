// The HTTP API: /api/v2 and /api/v1 (0.25 shapes), /-/healthy, /-/ready, /-/reload, /metrics and
// the root page, registered on an HttpServer. Stateless apart from metrics; everything else comes
// from the Backend. Thread-safe: handlers run concurrently on the server's I/O threads.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "api/backend.h"
#include "api/http_server.h"

namespace am::api {

struct VersionInfo {
  std::string version, revision, branch, build_user, build_date, go_version;
};

class Api {
 public:
  Api(Backend& backend, std::shared_ptr<prometheus::Registry> registry, VersionInfo version,
      Time start_time, bool utf8_names);
  // Extra collectables served on /metrics beside the registry (prometheus-cpp's Registry only holds
  // metric families; its Exposer, which we do not use, is what keeps collectables).
  void AddCollectable(std::shared_ptr<prometheus::Collectable> c) {
    collectables_.push_back(std::move(c));
  }
  // Registers every route on `server` (before server.Start()).
  void Register(HttpServer& server);

 private:
  void PostAlerts(const Request& req, Response& res, bool v2);
  void GetAlertsV2(const Request& req, Response& res);
  void GetAlertGroupsV2(const Request& req, Response& res);
  void GetReceiversV2(const Request& req, Response& res);
  void GetStatusV2(const Request& req, Response& res);
  void GetAlertsV1(const Request& req, Response& res);
  void GetStatusV1(const Request& req, Response& res);
  void GetReceiversV1(const Request& req, Response& res);
  void Metrics(const Request& req, Response& res);

  Backend& backend_;
  std::shared_ptr<prometheus::Registry> registry_;
  VersionInfo version_;
  Time start_time_;
  bool utf8_names_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  prometheus::Family<prometheus::Counter>* received_;
  prometheus::Family<prometheus::Counter>* invalid_;
};

}  // namespace am::api
