// SourceRef: where a config object was written (1-based line of its mapping and of each key), so
// that checks made after parsing (undefined receiver, duplicate names...) can still name the line.
// It is not part of the object's value: two SourceRefs always compare equal, so a config and its
// re-serialised-and-reloaded copy compare equal. Plain value type.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace am::config {

struct SourceRef {
  int line = 0;
  std::vector<std::pair<std::string, int>> key_lines;

  // Line of `key` when it was written, else the object's own line.
  int KeyLine(std::string_view key) const {
    for (const auto& [k, l] : key_lines) {
      if (k == key) return l;
    }
    return line;
  }
  bool HasKey(std::string_view key) const {
    for (const auto& kl : key_lines) {
      if (kl.first == key) return true;
    }
    return false;
  }
  bool operator==(const SourceRef&) const { return true; }
};

}  // namespace am::config
