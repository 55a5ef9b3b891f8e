#include "dispatch/route_match.h"

#include <algorithm>

namespace am::dispatch {
namespace {

bool MatchInto(const config::Route& r, const LabelSet& labels,
               std::vector<const config::Route*>* out) {
  if (!MatchesAll(r.all_matchers, labels)) return false;
  size_t before = out->size();
  for (const auto& child : r.routes) {
    bool matched = MatchInto(*child, labels, out);
    if (matched && !child->continue_matching) break;
  }
  if (out->size() == before) out->push_back(&r);
  return true;
}

}  // namespace

std::vector<const config::Route*> MatchRoutes(const config::Route& root, const LabelSet& labels) {
  std::vector<const config::Route*> out;
  MatchInto(root, labels, &out);
  return out;
}

LabelSet GroupLabels(const config::Route& route, const LabelSet& labels) {
  if (route.opts.group_by_all) return labels;
  std::vector<Label> kept;
  for (const auto& l : labels) {
    if (std::binary_search(route.opts.group_by.begin(), route.opts.group_by.end(), l.first)) {
      kept.push_back(l);
    }
  }
  return LabelSet::FromPairs(std::move(kept));
}

uint64_t GroupFingerprint(const config::Route& route, const LabelSet& labels) {
  if (route.opts.group_by_all) return labels.Fingerprint();
  // Same FNV-1a over the same sorted (name, value) pairs that LabelSet::Fingerprint hashes.
  constexpr uint64_t kPrime = 1099511628211ULL;
  uint64_t h = 14695981039346656037ULL;
  auto add = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= kPrime;
    }
  };
  auto sep = [&] {
    h ^= 0xFF;
    h *= kPrime;
  };
  for (const auto& l : labels) {
    if (!std::binary_search(route.opts.group_by.begin(), route.opts.group_by.end(), l.first)) {
      continue;
    }
    add(l.first);
    sep();
    add(l.second);
    sep();
  }
  return h;
}

}  // namespace am::dispatch
