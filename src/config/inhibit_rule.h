// One inhibit rule: the form as written (new `*_matchers` and legacy `*_match` / `*_match_re`) and
// the effective source / target matchers built from all of them as upstream's NewInhibitRule
// does (legacy `*_match_re` values become `=~ "^(?:re)$"`, exactly upstream's matcher value).
// Plain value type.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/source_ref.h"
#include "core/matcher.h"

namespace am::config {

struct InhibitRule {
  std::string name;  // 0.30, optional

  // As written (maps sorted by label name).
  std::vector<std::pair<std::string, std::string>> source_match;
  std::vector<std::pair<std::string, std::string>> source_match_re;  // regex as written
  Matchers source_matchers;                                          // sorted
  std::vector<std::pair<std::string, std::string>> target_match;
  std::vector<std::pair<std::string, std::string>> target_match_re;
  Matchers target_matchers;
  std::vector<std::string> equal;

  // Effective: what an alert must match to be a source / a target.
  Matchers source;
  Matchers target;

  SourceRef src;
  bool operator==(const InhibitRule&) const = default;
};

}  // namespace am::config
