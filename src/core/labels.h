// LabelSet: an immutable-by-convention, name-sorted list of (name, value) pairs, the identity of an
// alert (labels) and its payload (annotations). Sorted by byte order of the name, as Go sorts
// strings, so String() and Fingerprint() equal Alertmanager's. Value type; not synchronised: share
// only const instances across threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace am {

using Label = std::pair<std::string, std::string>;

class LabelSet {
 public:
  LabelSet() = default;
  LabelSet(std::initializer_list<Label> labels);
  // Takes pairs in any order; a later duplicate name replaces an earlier one.
  static LabelSet FromPairs(std::vector<Label> pairs);

  // Inserts or replaces.
  void Set(std::string name, std::string value);
  bool Erase(std::string_view name);
  // nullptr when absent.
  const std::string* Find(std::string_view name) const;
  // "" when absent: Alertmanager treats a missing label as the empty value.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  auto begin() const { return labels_.begin(); }
  auto end() const { return labels_.end(); }
  const std::vector<Label>& pairs() const { return labels_; }

  bool operator==(const LabelSet& o) const { return labels_ == o.labels_; }
  bool operator<(const LabelSet& o) const { return labels_ < o.labels_; }

  // model.LabelSet.String() of 0.25's prometheus/common: `name="value"` strings (Go-quoted values)
  // sorted as strings and joined with ", " inside braces.
  std::string String() const;
  // model.LabelSet.Fingerprint(): FNV-1a 64 over name 0xFF value 0xFF, names sorted.
  uint64_t Fingerprint() const;
  // xxhash64 over name 0xFF value 0xFF (notify's hashAlert, used by the notification log).
  uint64_t XxHash() const;

 private:
  std::vector<Label> labels_;  // sorted by name, unique names
};

// 16 lower-case hex digits, as model.Fingerprint.String().
std::string FingerprintString(uint64_t fp);
// Parses 16 hex digits (or fewer); false on anything else.
bool ParseFingerprint(std::string_view s, uint64_t* fp);

// Label name rules: classic is [a-zA-Z_][a-zA-Z0-9_]*; UTF-8 mode accepts any non-empty valid
// UTF-8 string.
bool IsValidClassicLabelName(std::string_view name);
bool IsValidUtf8LabelName(std::string_view name);

}  // namespace am

namespace am {
// model.LabelSet.Before: shorter sets first, then by the first differing (name, value) over the
// union of names. Used for ordering groups and alerts exactly as upstream does.
bool LabelSetBefore(const LabelSet& a, const LabelSet& b);
}  // namespace am
