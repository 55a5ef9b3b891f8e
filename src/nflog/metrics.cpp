#include "nflog/metrics.h"

namespace am::nflog {
namespace {

// A Go Summary with no objectives exposes only _sum and _count: no quantiles here either.
prometheus::Summary& NewSummary(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildSummary().Name(name).Help(help).Register(r).Add(
      {}, prometheus::Summary::Quantiles{});
}

prometheus::Counter& NewCounter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

Metrics::Metrics(prometheus::Registry& r)
    : gc_duration(NewSummary(r, "alertmanager_nflog_gc_duration_seconds",
                             "Duration of the last notification log garbage collection cycle.")),
      snapshot_duration(NewSummary(r, "alertmanager_nflog_snapshot_duration_seconds",
                                   "Duration of the last notification log snapshot.")),
      snapshot_size(prometheus::BuildGauge()
                        .Name("alertmanager_nflog_snapshot_size_bytes")
                        .Help("Size of the last notification log snapshot in bytes.")
                        .Register(r)
                        .Add({})),
      maintenance_total(
          NewCounter(r, "alertmanager_nflog_maintenance_total",
                     "How many maintenances were executed for the notification log.")),
      maintenance_errors_total(
          NewCounter(r, "alertmanager_nflog_maintenance_errors_total",
                     "How many maintenances were executed for the notification log that failed.")),
      queries_total(NewCounter(r, "alertmanager_nflog_queries_total",
                               "Number of notification log queries were received.")),
      query_errors_total(NewCounter(r, "alertmanager_nflog_query_errors_total",
                                    "Number notification log received queries that failed.")),
      // Go's prometheus.DefBuckets.
      query_duration(prometheus::BuildHistogram()
                         .Name("alertmanager_nflog_query_duration_seconds")
                         .Help("Duration of notification log query evaluation.")
                         .Register(r)
                         .Add({}, prometheus::Histogram::BucketBoundaries{.005, .01, .025, .05, .1,
                                                                          .25, .5, 1, 2.5, 5, 10})),
      propagated_messages_total(
          NewCounter(r, "alertmanager_nflog_gossip_messages_propagated_total",
                     "Number of received gossip messages that have been further gossiped.")) {}

}  // namespace am::nflog
