#include "silence/metrics.h"

namespace am::silence {
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
    : gc_duration(NewSummary(r, "alertmanager_silences_gc_duration_seconds",
                             "Duration of the last silence garbage collection cycle.")),
      snapshot_duration(NewSummary(r, "alertmanager_silences_snapshot_duration_seconds",
                                   "Duration of the last silence snapshot.")),
      snapshot_size(prometheus::BuildGauge()
                        .Name("alertmanager_silences_snapshot_size_bytes")
                        .Help("Size of the last silence snapshot in bytes.")
                        .Register(r)
                        .Add({})),
      queries_total(NewCounter(r, "alertmanager_silences_queries_total",
                               "How many silence queries were received.")),
      query_errors_total(NewCounter(r, "alertmanager_silences_query_errors_total",
                                    "How many silence received queries did not succeed.")),
      // Go's prometheus.DefBuckets.
      query_duration(prometheus::BuildHistogram()
                         .Name("alertmanager_silences_query_duration_seconds")
                         .Help("Duration of silence query evaluation.")
                         .Register(r)
                         .Add({}, prometheus::Histogram::BucketBoundaries{.005, .01, .025, .05, .1,
                                                                          .25, .5, 1, 2.5, 5, 10})),
      propagated_messages_total(
          NewCounter(r, "alertmanager_silences_gossip_messages_propagated_total",
                     "Number of received gossip messages that have been further gossiped.")),
      maintenance_total(NewCounter(r, "alertmanager_silences_maintenance_total",
                                   "How many maintenances were executed for silences.")),
      maintenance_errors_total(
          NewCounter(r, "alertmanager_silences_maintenance_errors_total",
                     "How many maintenances were executed for silences that failed.")) {}

}  // namespace am::silence
