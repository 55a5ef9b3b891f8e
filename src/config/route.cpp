#include "config/route.h"

#include <algorithm>

namespace am::config {

void Route::Walk(const std::function<void(const Route&)>& visit) const {
  visit(*this);
  for (const auto& child : routes) child->Walk(visit);
}

bool Route::operator==(const Route& o) const {
  if (receiver != o.receiver || group_by != o.group_by || match != o.match ||
      match_re != o.match_re || matchers != o.matchers ||
      mute_time_intervals != o.mute_time_intervals ||
      active_time_intervals != o.active_time_intervals ||
      continue_matching != o.continue_matching || group_wait != o.group_wait ||
      group_interval != o.group_interval || repeat_interval != o.repeat_interval ||
      labels != o.labels || opts != o.opts || all_matchers != o.all_matchers || key_ != o.key_ ||
      id_ != o.id_ || idx_ != o.idx_ || routes.size() != o.routes.size()) {
    return false;
  }
  for (size_t i = 0; i < routes.size(); ++i) {
    if (!(*routes[i] == *o.routes[i])) return false;
  }
  return true;
}

void Route::Finalize(Route* root) {
  int counter = 0;
  FinalizeNode(root, nullptr, 0, &counter);
}

void Route::FinalizeNode(Route* n, const Route* parent, int index, int* counter) {
  n->parent_ = parent;
  RouteOptions opts = parent ? parent->opts : RouteOptions{};

  if (!n->labels.empty()) {
    LabelSet merged = opts.labels;
    for (const auto& [name, value] : n->labels) merged.Set(name, value);
    opts.labels = std::move(merged);
  }
  if (!n->receiver.empty()) opts.receiver = n->receiver;

  if (n->group_by) {
    std::vector<std::string> names;
    bool all = false;
    for (const std::string& l : *n->group_by) {
      if (l == "...") {
        all = true;
      } else {
        names.push_back(l);
      }
    }
    // As 0.25 (checked on the real daemon): an explicit `group_by: []` inherits the parent's
    // grouping like an absent key (0.31+ made it override; we keep 0.25's group keys so that
    // mixed clusters agree); `['...']` alone only sets group_by_all.
    if (!names.empty()) {
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      opts.group_by = std::move(names);
      opts.group_by_all = false;
    } else if (all) {
      opts.group_by_all = true;
    }
  }
  if (n->group_wait) opts.group_wait = *n->group_wait;
  if (n->group_interval) opts.group_interval = *n->group_interval;
  if (n->repeat_interval) opts.repeat_interval = *n->repeat_interval;
  opts.mute_time_intervals = n->mute_time_intervals;
  opts.active_time_intervals = n->active_time_intervals;
  n->opts = std::move(opts);

  Matchers all;
  for (const auto& [name, value] : n->match) {
    all.push_back(Matcher::Create(MatchType::kEqual, name, value));
  }
  // Upstream builds these from the compiled config regexp, whose String() is the anchored form,
  // so the matcher's value (and the route key) reads `name=~"^(?:re)$"`.
  for (const auto& [name, re] : n->match_re) {
    all.push_back(Matcher::Create(MatchType::kRegexp, name, "^(?:" + re + ")$"));
  }
  all.insert(all.end(), n->matchers.begin(), n->matchers.end());
  SortMatchers(&all);
  n->all_matchers = std::move(all);

  std::string ms = MatchersString(n->all_matchers);
  n->key_ = parent ? parent->key_ + "/" + ms : ms;
  n->id_ = parent ? parent->id_ + "/" + ms + "/" + std::to_string(index) : ms;

  for (size_t i = 0; i < n->routes.size(); ++i) {
    FinalizeNode(n->routes[i].get(), n, static_cast<int>(i), counter);
  }
  n->idx_ = (*counter)++;
}

}  // namespace am::config
