// ClusterMetrics: Alertmanager 0.25's cluster metrics (cluster.go, delegate.go, channel.go) with
// the same names, help texts and labels, registered on the daemon's registry.
// alertmanager_cluster_enabled is the daemon's (cmd/), not registered here.
// Upstream computes some gauges at scrape time (members, position, health, queued, failed
// peers); here the Peer sets them whenever they change and once a second.
// Thread-safety: prometheus-cpp metrics are thread-safe; families are created once, in the
// constructor, and per-label children are looked up under the family's own lock.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace am::cluster {

class ClusterMetrics {
 public:
  ClusterMetrics(prometheus::Registry& registry, const std::string& peer_name);

  // The per-channel oversized-message metrics (label key).
  void AddChannel(const std::string& key);

  prometheus::Gauge* failed_peers;
  prometheus::Counter* reconnections_failed;
  prometheus::Counter* reconnections;
  prometheus::Counter* refresh_join_failed;
  prometheus::Counter* refresh_join;
  prometheus::Counter* peers_left;
  prometheus::Counter* peers_update;
  prometheus::Counter* peers_joined;

  prometheus::Counter* received_full_state;
  prometheus::Counter* received_size_full_state;
  prometheus::Counter* received_update;
  prometheus::Counter* received_size_update;
  prometheus::Counter* sent_full_state;
  prometheus::Counter* sent_size_full_state;
  prometheus::Counter* sent_update;
  prometheus::Counter* sent_size_update;
  prometheus::Counter* messages_pruned;
  prometheus::Gauge* members;
  prometheus::Gauge* position;
  prometheus::Gauge* health_score;
  prometheus::Gauge* messages_queued;

  prometheus::Family<prometheus::Counter>* alive_messages;
  prometheus::Family<prometheus::Histogram>* pings_seconds;

  prometheus::Family<prometheus::Counter>* oversized_failure;
  prometheus::Family<prometheus::Counter>* oversized_sent;
  prometheus::Family<prometheus::Counter>* oversized_dropped;
  prometheus::Family<prometheus::Histogram>* oversized_duration;
};

}  // namespace am::cluster
