#include "cluster/metrics.h"

namespace am::cluster {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

ClusterMetrics::ClusterMetrics(prometheus::Registry& r, const std::string& peer_name) {
  BuildGauge()
      .Name("alertmanager_cluster_peer_info")
      .Help("A metric with a constant '1' value labeled by peer name.")
      .Register(r)
      .Add({{"peer", peer_name}})
      .Set(1);
  failed_peers = &BuildGauge()
                      .Name("alertmanager_cluster_failed_peers")
                      .Help("Number indicating the current number of failed peers in the cluster.")
                      .Register(r)
                      .Add({});
  reconnections_failed =
      &BuildCounter()
           .Name("alertmanager_cluster_reconnections_failed_total")
           .Help("A counter of the number of failed cluster peer reconnection attempts.")
           .Register(r)
           .Add({});
  reconnections = &BuildCounter()
                       .Name("alertmanager_cluster_reconnections_total")
                       .Help("A counter of the number of cluster peer reconnections.")
                       .Register(r)
                       .Add({});
  refresh_join_failed =
      &BuildCounter()
           .Name("alertmanager_cluster_refresh_join_failed_total")
           .Help("A counter of the number of failed cluster peer joined attempts via refresh.")
           .Register(r)
           .Add({});
  refresh_join = &BuildCounter()
                      .Name("alertmanager_cluster_refresh_join_total")
                      .Help("A counter of the number of cluster peer joined via refresh.")
                      .Register(r)
                      .Add({});
  peers_left = &BuildCounter()
                    .Name("alertmanager_cluster_peers_left_total")
                    .Help("A counter of the number of peers that have left.")
                    .Register(r)
                    .Add({});
  peers_update = &BuildCounter()
                      .Name("alertmanager_cluster_peers_update_total")
                      .Help("A counter of the number of peers that have updated metadata.")
                      .Register(r)
                      .Add({});
  peers_joined = &BuildCounter()
                      .Name("alertmanager_cluster_peers_joined_total")
                      .Help("A counter of the number of peers that have joined.")
                      .Register(r)
                      .Add({});

  auto& received = BuildCounter()
                       .Name("alertmanager_cluster_messages_received_total")
                       .Help("Total number of cluster messages received.")
                       .Register(r);
  auto& received_size = BuildCounter()
                            .Name("alertmanager_cluster_messages_received_size_total")
                            .Help("Total size of cluster messages received.")
                            .Register(r);
  auto& sent = BuildCounter()
                   .Name("alertmanager_cluster_messages_sent_total")
                   .Help("Total number of cluster messages sent.")
                   .Register(r);
  auto& sent_size = BuildCounter()
                        .Name("alertmanager_cluster_messages_sent_size_total")
                        .Help("Total size of cluster messages sent.")
                        .Register(r);
  received_full_state = &received.Add({{"msg_type", "full_state"}});
  received_size_full_state = &received_size.Add({{"msg_type", "full_state"}});
  received_update = &received.Add({{"msg_type", "update"}});
  received_size_update = &received_size.Add({{"msg_type", "update"}});
  sent_full_state = &sent.Add({{"msg_type", "full_state"}});
  sent_size_full_state = &sent_size.Add({{"msg_type", "full_state"}});
  sent_update = &sent.Add({{"msg_type", "update"}});
  sent_size_update = &sent_size.Add({{"msg_type", "update"}});
  messages_pruned = &BuildCounter()
                         .Name("alertmanager_cluster_messages_pruned_total")
                         .Help("Total number of cluster messages pruned.")
                         .Register(r)
                         .Add({});
  members = &BuildGauge()
                 .Name("alertmanager_cluster_members")
                 .Help("Number indicating current number of members in cluster.")
                 .Register(r)
                 .Add({});
  position = &BuildGauge()
                  .Name("alertmanager_peer_position")
                  .Help(
                      "Position the Alertmanager instance believes it's in. The position "
                      "determines a peer's behavior in the cluster.")
                  .Register(r)
                  .Add({});
  health_score = &BuildGauge()
                      .Name("alertmanager_cluster_health_score")
                      .Help(
                          "Health score of the cluster. Lower values are better and zero means "
                          "'totally healthy'.")
                      .Register(r)
                      .Add({});
  messages_queued = &BuildGauge()
                         .Name("alertmanager_cluster_messages_queued")
                         .Help("Number of cluster messages which are queued.")
                         .Register(r)
                         .Add({});
  alive_messages = &BuildCounter()
                        .Name("alertmanager_cluster_alive_messages_total")
                        .Help("Total number of received alive messages.")
                        .Register(r);
  pings_seconds = &BuildHistogram()
                       .Name("alertmanager_cluster_pings_seconds")
                       .Help("Histogram of latencies for ping messages.")
                       .Register(r);

  oversized_failure = &BuildCounter()
                           .Name("alertmanager_oversized_gossip_message_failure_total")
                           .Help("Number of oversized gossip message sends that failed.")
                           .Register(r);
  oversized_sent = &BuildCounter()
                        .Name("alertmanager_oversized_gossip_message_sent_total")
                        .Help("Number of oversized gossip message sent.")
                        .Register(r);
  oversized_dropped = &BuildCounter()
                           .Name("alertmanager_oversized_gossip_message_dropped_total")
                           .Help(
                               "Number of oversized gossip messages that were dropped due to a "
                               "full message queue.")
                           .Register(r);
  oversized_duration = &BuildHistogram()
                            .Name("alertmanager_oversize_gossip_message_duration_seconds")
                            .Help("Duration of oversized gossip message requests.")
                            .Register(r);
}

void ClusterMetrics::AddChannel(const std::string& key) {
  oversized_failure->Add({{"key", key}});
  oversized_sent->Add({{"key", key}});
  oversized_dropped->Add({{"key", key}});
  // Go's prometheus.DefBuckets.
  oversized_duration->Add({{"key", key}}, prometheus::Histogram::BucketBoundaries{
                                              .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10});
}

}  // namespace am::cluster
