// Muter: "is this label set suppressed right now, and by what" (upstream types.Muter). The
// inhibitor implements it; notify's inhibit stage and the API's status.inhibitedBy consume it, so
// either side can be tested with a fake. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "core/labels.h"
#include "core/timeutil.h"

namespace am::dispatch {

class Muter {
 public:
  virtual ~Muter() = default;
  // Fingerprints of the alerts that mute `labels` at `now`; empty = not muted.
  virtual std::vector<uint64_t> Mutes(const LabelSet& labels, Time now) const = 0;
};

}  // namespace am::dispatch
