// types.AlertSlice ordering: by label "job", then "instance" (alerts that have the label come
// first), then LabelSetBefore. Upstream sorts a group's alerts this way before every flush and in
// the alert-groups API, so receivers see the same order from Go and C++ replicas. Pure; thread-safe.
#pragma once

#include "core/alert.h"

namespace am {

inline bool AlertLess(const Alert& a, const Alert& b) {
  for (const char* key : {"job", "instance"}) {
    const std::string* av = a.labels.Find(key);
    const std::string* bv = b.labels.Find(key);
    if (!av && !bv) continue;
    if (!av) return false;
    if (!bv) return true;
    if (*av != *bv) return *av < *bv;
  }
  return LabelSetBefore(a.labels, b.labels);
}

}  // namespace am
