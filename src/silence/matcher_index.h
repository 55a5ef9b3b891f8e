// MatcherIndex: finds the stored silences whose matchers match a label set without testing every
// silence. Each matcher set is filed under an "anchor": a label (name, value) pair that any label
// set it matches must contain — an equality matcher with a non-empty value, or a regex matcher
// that is an alternation of non-empty literals (`host1|host2`, filed under each). Among a set's
// possible anchors the one with the shortest posting lists at insertion is chosen, so sets that
// share a common pair (severity="critical") spread over their rarer pairs. Sets without any
// anchor (only negative or open regex matchers) are tested for every query.
// A query looks up each of the label set's pairs, tests the candidates' full matcher sets, and
// returns each matching entry once. Time is not considered: callers filter by state.
// Not synchronised: the store guards it with its own lock (reads shared, writes exclusive).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/labels.h"
#include "silence/entry.h"

namespace am::silence {

class MatcherIndex {
 public:
  // REQUIRES: `e` is not indexed yet and outlives its indexing (until Remove or Clear).
  void Add(const Entry* e);
  // No-op for an entry that is not indexed.
  void Remove(const Entry* e);
  void Clear();

  // Appends each indexed entry some matcher set of which matches `labels`, once, in no order.
  void Match(const LabelSet& labels, std::vector<const Entry*>* out) const;

  size_t size() const { return where_.size(); }
  // Matcher sets that have no anchor and are tested on every query.
  size_t unanchored() const { return scan_.size(); }

  // The literal alternatives of a regex pattern that is a plain alternation of non-empty
  // literals (escaped punctuation allowed), e.g. `a|b\.c` → {"a", "b.c"}; false otherwise.
  static bool LiteralAlternatives(std::string_view pattern, std::vector<std::string>* out);

 private:
  struct Ref {
    const Entry* entry;
    uint32_t set;
  };
  using Key = std::pair<std::string, std::string>;
  using KeyView = std::pair<std::string_view, std::string_view>;
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const KeyView& k) const noexcept {
      size_t h = std::hash<std::string_view>()(k.first);
      return h ^ (std::hash<std::string_view>()(k.second) + 0x9e3779b97f4a7c15ULL + (h << 6) +
                  (h >> 2));
    }
    size_t operator()(const Key& k) const noexcept { return (*this)(KeyView(k.first, k.second)); }
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(const KeyView& a, const KeyView& b) const noexcept { return a == b; }
    bool operator()(const Key& a, const KeyView& b) const noexcept {
      return KeyView(a.first, a.second) == b;
    }
    bool operator()(const KeyView& a, const Key& b) const noexcept {
      return a == KeyView(b.first, b.second);
    }
    bool operator()(const Key& a, const Key& b) const noexcept { return a == b; }
  };

  static void Erase(std::vector<Ref>* refs, const Entry* e);

  std::unordered_map<Key, std::vector<Ref>, KeyHash, KeyEq> postings_;
  std::vector<Ref> scan_;
  // For removal: the posting keys each entry is filed under (an entry in scan_ has it noted by
  // in_scan).
  struct Location {
    std::vector<Key> keys;
    bool in_scan = false;
  };
  std::unordered_map<const Entry*, Location> where_;
};

}  // namespace am::silence
