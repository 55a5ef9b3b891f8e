// Route tree matching (upstream dispatch.Route.Match and getGroupLabels): depth-first, a node
// matches if its matchers match; the first matching child wins unless it has `continue`; a node
// whose children all miss is itself the match. Pure functions over an immutable tree; thread-safe.
#pragma once

#include <vector>

#include "config/route.h"
#include "core/labels.h"

namespace am::dispatch {

// Matching routes in match order (empty when the root's matchers miss, which a valid root with
// no matchers never does).
std::vector<const config::Route*> MatchRoutes(const config::Route& root, const LabelSet& labels);

// The alert's values for the route's group_by labels (all labels with `...`); labels the alert
// does not have are left out, as upstream does.
LabelSet GroupLabels(const config::Route& route, const LabelSet& labels);

// GroupLabels(route, labels).Fingerprint() without building the label set (the dispatcher's hot
// path: every stored alert).
uint64_t GroupFingerprint(const config::Route& route, const LabelSet& labels);

}  // namespace am::dispatch
