// Aggregation-group identity: the group key exactly as Alertmanager 0.25
// prints them. The group key is what the notification log is keyed by and what the webhook sends
// as groupKey, so Go and C++ replicas must produce the same bytes. Pure functions; thread-safe.
#pragma once

#include <string>

#include "config/route.h"
#include "core/labels.h"

namespace am::dispatch {

// `<route.Key()>:<group_labels.String()>`, e.g. `{}/{team="x"}:{alertname="A", job="b"}`.
std::string GroupKey(const config::Route& route, const LabelSet& group_labels);

}  // namespace am::dispatch
