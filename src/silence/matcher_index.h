// MatcherIndex: finds the stored silences whose matchers match a label set without testing every
// silence. Each matcher set is filed in one of three places:
//  1. under an "anchor" pair (name, value) that any label set it matches must contain: an
//     equality matcher with a non-empty value, or a regex matcher that is an alternation of
//     non-empty literals (`host1|host2`, filed under each). Among a set's possible anchors the one
//     whose posting lists are shortest at insertion wins, so sets sharing a common pair
//     (severity="critical") spread over their rarer pairs;
//  2. else, under the label name of a regex matcher that cannot match the empty string (so the
//     label must be present): all such regexes on one name are run as one RE2::Set, so a query
//     costs one automaton pass per label instead of one regex per silence;
//  3. else (only negative matchers, or regexes that match ""), in a list tested on every query.
// A query looks up each of the label set's pairs and names, then tests the candidates' full
// matcher sets (equality first; a regex is skipped when the value lies outside the range of
// strings it can match, RE2::PossibleMatchRange) and returns each matching entry once. Time is
// not considered: callers filter by state.
// Thread-safety: not synchronised for writers; the store calls Add/Remove/Clear under its
// exclusive lock and Match under its shared lock. Match may run concurrently with itself: the
// RE2::Sets are rebuilt lazily by the first query after a change, under a per-group mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/labels.h"
#include "silence/entry.h"

namespace re2 {
class RE2;
}

namespace am::silence {

class MatcherIndex {
 public:
  MatcherIndex();
  ~MatcherIndex();
  MatcherIndex(const MatcherIndex&) = delete;
  MatcherIndex& operator=(const MatcherIndex&) = delete;

  // REQUIRES: `e` is not indexed yet and outlives its indexing (until Remove or Clear).
  void Add(const Entry* e);
  // No-op for an entry that is not indexed.
  void Remove(const Entry* e);
  void Clear();

  // Appends each indexed entry some matcher set of which matches `labels`, once, in no order.
  void Match(const LabelSet& labels, std::vector<const Entry*>* out) const;

  size_t size() const { return where_.size(); }
  // Matcher sets filed by regex (place 2) and tested on every query (place 3).
  size_t regex_filed() const;
  size_t unanchored() const { return scan_.size(); }

  // The literal alternatives of a regex pattern that is a plain alternation of non-empty
  // literals (escaped punctuation allowed), e.g. `a|b\.c` → {"a", "b.c"}; false otherwise.
  static bool LiteralAlternatives(std::string_view pattern, std::vector<std::string>* out);

 private:
  // One matcher of a set, with a cheap pre-check for regexes.
  struct Check {
    const Matcher* m;
    bool range = false;  // min/max valid: a value outside [min, max] cannot match the regex
    std::string min, max;
  };
  // One matcher set of one entry, ready to test.
  struct Prepared {
    const Entry* entry;
    uint32_t set;
    std::vector<Check> checks;  // equality matchers first
  };
  class RegexGroup;

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
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>()(s);
    }
  };

  static std::unique_ptr<Prepared> Prepare(const Entry* e, uint32_t set);
  static bool Test(const Prepared& p, const LabelSet& labels);
  static void Erase(std::vector<const Prepared*>* refs, const Entry* e);

  std::unordered_map<Key, std::vector<const Prepared*>, KeyHash, KeyEq> postings_;
  std::unordered_map<std::string, std::unique_ptr<RegexGroup>, NameHash, std::equal_to<>>
      regex_groups_;
  std::vector<const Prepared*> scan_;
  // Per entry: its prepared sets and where they are filed, for removal.
  struct Location {
    std::vector<std::unique_ptr<Prepared>> prepared;
    std::vector<Key> keys;
    std::vector<std::string> regex_names;
    bool in_scan = false;
  };
  std::unordered_map<const Entry*, Location> where_;
};

}  // namespace am::silence
