// Muter: decides whether one alert is muted, and by what (upstream types.Muter, with the ids the
// API shows as inhibitedBy / silencedBy). The dispatcher's inhibitor and the silence store
// implement it; MuteStage calls it once per alert per flush. Implementations must be thread-safe;
// they also update the alert's marker, as upstream's Mutes does.
#pragma once

#include <string>
#include <vector>

#include "core/labels.h"
#include "core/timeutil.h"

namespace am::notify {

class Muter {
 public:
  virtual ~Muter() = default;
  // The ids of whatever mutes an alert with these labels at `now` (inhibiting alerts'
  // fingerprints, active silences' ids); empty when not muted.
  virtual std::vector<std::string> MutedBy(const LabelSet& labels, Time now) = 0;
};

}  // namespace am::notify
