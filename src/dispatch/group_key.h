// Aggregation-group identity: the label-set string and the group key exactly as Alertmanager 0.25
// prints them. The group key is what the notification log is keyed by and what the webhook sends
// as groupKey, so Go and C++ replicas must produce the same bytes. Pure functions; thread-safe.
#pragma once

#include <string>

#include "config/route.h"
#include "core/labels.h"

namespace am::dispatch {

// model.LabelSet.String() of prometheus/common as vendored by 0.25: each pair printed as
// `name="Go-quoted value"`, the *printed strings* sorted bytewise, joined with ", ", in braces.
// Sorting the printed pairs differs from sorting by name when one name is a prefix of another
// followed by a byte below '=' (e.g. `a0="y"` sorts before `a="x"`); observed on the real 0.25
// daemon. LabelSet::String() sorts by name (the newer common's order), hence this function.
std::string GoLabelSetString(const LabelSet& labels);

// `<route.Key()>:<GoLabelSetString(group_labels)>`, e.g. `{}/{team="x"}:{alertname="A", job="b"}`.
std::string GroupKey(const config::Route& route, const LabelSet& group_labels);

}  // namespace am::dispatch
