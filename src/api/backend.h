// What the API handlers need from the rest of the daemon, as one interface that cmd/ implements,
// so api/ stays independent of how config, routing, silences and the cluster are wired.
// Implementations must be thread-safe: handlers call them from every HTTP I/O thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/alert_codec.h"
#include "core/alert.h"
#include "core/duration.h"

namespace am::api {

struct ClusterPeerView {
  std::string name;
  std::string address;
};

struct ClusterStatusView {
  bool enabled = false;
  std::string name;
  std::string status = "disabled";     // "ready" | "settling" | "disabled"
  std::vector<ClusterPeerView> peers;  // sorted by name, including self
};

// One route an alert matches, and the group it falls into there.
struct RouteMatchView {
  const void* route = nullptr;  // identity of the route node
  std::string receiver;
  LabelSet group_labels;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual Duration ResolveTimeout() const = 0;
  virtual std::vector<std::string> ReceiverNames() const = 0;
  // config.original of /api/v2/status (re-serialised, secrets masked) and v1's configJSON.
  virtual std::string ConfigYaml() const = 0;
  virtual std::string ConfigJson() const = 0;
  // Routes matched by a label set, in the route tree's match order.
  virtual std::vector<RouteMatchView> Match(const LabelSet& labels) const = 0;
  // Just the receivers of those routes, in order (what GET /alerts shows; no group labels).
  virtual void Receivers(const LabelSet& labels, std::vector<std::string>* out) const = 0;
  // Query-time suppression state of an alert (silences, inhibition).
  virtual AlertStatusView Status(const Alert& alert) const = 0;
  // Synchronous reload; "" on success, else the error.
  virtual std::string Reload() = 0;
  virtual ClusterStatusView Cluster() const = 0;
  virtual bool Ready() const = 0;
  // Stores validated alerts.
  virtual void PutAlerts(std::vector<Alert> alerts) = 0;
  // All stored alerts sorted by fingerprint.
  virtual std::vector<AlertPtr> Alerts() const = 0;
};

}  // namespace am::api
