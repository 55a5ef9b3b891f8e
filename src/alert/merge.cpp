#include "alert/merge.h"

namespace am::alert {

bool Overlaps(const Alert& old_a, const Alert& new_a) {
  // Go's After/Before are strict; a zero EndsAt (never from the store, which always sets one)
  // compares as the earliest instant, as Go's zero time does.
  return (new_a.ends_at > old_a.starts_at && new_a.ends_at < old_a.ends_at) ||
         (new_a.starts_at > old_a.starts_at && new_a.starts_at < old_a.ends_at);
}

Alert Merge(const Alert& a, const Alert& o, Time now) {
  // Let o always be the newer alert.
  if (o.updated_at < a.updated_at) return Merge(o, a, now);
  Alert res = o;
  if (a.starts_at < o.starts_at) res.starts_at = a.starts_at;
  if (o.ResolvedAt(now)) {
    if (a.ResolvedAt(now) && a.ends_at > o.ends_at) res.ends_at = a.ends_at;
  } else {
    if (a.ends_at > o.ends_at && !a.timeout) res.ends_at = a.ends_at;
  }
  return res;
}

}  // namespace am::alert
