// Alertmanager's rules for combining a re-posted alert with the stored one (types.Alert.Merge and
// the overlap test of provider/mem.Alerts.Put). Pure functions; thread-safe.
#pragma once

#include "core/alert.h"

namespace am::alert {

// True when the new alert's activity range overlaps the stored one's, i.e. upstream merges
// instead of replacing: (new.end in (old.start, old.end)) or (new.start in (old.start, old.end)).
bool Overlaps(const Alert& old_alert, const Alert& new_alert);

// types.Alert.Merge: the alert with the newer updated_at provides labels/annotations; the
// earliest starts_at wins; for a resolved result the latest explicit end wins, otherwise a later
// non-timeout end wins. `now` decides "resolved".
Alert Merge(const Alert& a, const Alert& b, Time now);

}  // namespace am::alert
