// The routing tree: each node as written in alertmanager.yml plus its effective options after
// inheritance (upstream dispatch.NewRoute): receiver, group_by, group_by_all and the three timings
// come from the parent when unset (root defaults 30s / 5m / 4h); time intervals are not inherited;
// `labels` (0.34) are merged parent → child. `match`, `match_re` and `matchers` are combined and
// sorted into one Matchers, so Key() and ID() are upstream's strings, byte for byte.
// Nodes are owned by their parent (root by Config); immutable once built, safe to share.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/source_ref.h"
#include "core/duration.h"
#include "core/labels.h"
#include "core/matcher.h"

namespace am::config {

inline constexpr Duration kDefaultGroupWait = std::chrono::seconds(30);
inline constexpr Duration kDefaultGroupInterval = std::chrono::minutes(5);
inline constexpr Duration kDefaultRepeatInterval = std::chrono::hours(4);

// Upstream dispatch.RouteOpts: what a node does with the alerts it matches.
struct RouteOptions {
  std::string receiver;
  std::vector<std::string> group_by;  // sorted, unique; ignored when group_by_all
  bool group_by_all = false;
  Duration group_wait = kDefaultGroupWait;
  Duration group_interval = kDefaultGroupInterval;
  Duration repeat_interval = kDefaultRepeatInterval;
  std::vector<std::string> mute_time_intervals;    // this node's own, not inherited
  std::vector<std::string> active_time_intervals;  // this node's own, not inherited
  LabelSet labels;  // merged from the root down (values are templates)
  bool operator==(const RouteOptions&) const = default;
};

class Route {
 public:
  Route() = default;
  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;

  // ---- As written (what the serialiser prints). ----
  std::string receiver;                                       // "" = inherit
  std::optional<std::vector<std::string>> group_by;           // as written, incl. "..."
  std::vector<std::pair<std::string, std::string>> match;     // sorted by name
  std::vector<std::pair<std::string, std::string>> match_re;  // regex as written, sorted
  Matchers matchers;                                          // parsed `matchers:`, sorted
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
  bool continue_matching = false;  // `continue`
  std::optional<Duration> group_wait;
  std::optional<Duration> group_interval;
  std::optional<Duration> repeat_interval;
  LabelSet labels;  // 0.34 `labels:`
  std::vector<std::unique_ptr<Route>> routes;

  // ---- Effective (computed at load). ----
  RouteOptions opts;
  // match (=), match_re (=~ "^(?:re)$") and matchers together, sorted by name, value, type.
  Matchers all_matchers;

  const Route* parent() const { return parent_; }
  bool is_root() const { return parent_ == nullptr; }
  // Upstream Route.Key(): parent key + "/" + MatchersString(all_matchers); the root's is "{}".
  const std::string& Key() const { return key_; }
  // Upstream Route.ID(): like Key() plus "/<index among siblings>" for non-root nodes.
  const std::string& ID() const { return id_; }
  // Upstream Route.Idx (post-order: children before their parent, root last).
  int idx() const { return idx_; }

  // Depth-first, parent before children (upstream Route.Walk).
  void Walk(const std::function<void(const Route&)>& visit) const;

  // Compares what was written and what was computed, recursively; not the position in the file.
  bool operator==(const Route& o) const;

  SourceRef src;

  // Computes opts, all_matchers, keys, ids and idx for this subtree. Called by the loader.
  // REQUIRES: match_re values compile (the loader checked them).
  static void Finalize(Route* root);

 private:
  static void FinalizeNode(Route* node, const Route* parent, int index, int* counter);

  const Route* parent_ = nullptr;
  std::string key_;
  std::string id_;
  int idx_ = 0;
};

}  // namespace am::config
