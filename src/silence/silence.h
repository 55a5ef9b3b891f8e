// am::silence::Silence: one silence as the store keeps it, independent of protobuf and JSON.
// A silence mutes an alert while it is active and any of its matcher sets matches the alert's
// labels (every matcher of the set matches; a missing label matches as ""). Silences created
// through the API have exactly one matcher set; Alertmanager 0.32+ peers may gossip several
// (proto field 11, OR-ed), which the store keeps and honours.
// Plain value types and pure functions; thread-safe as values are.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/matcher.h"
#include "core/timeutil.h"

namespace am::silence {

// A matcher as stored: uncompiled, so a silence whose regex does not compile can still be held,
// shown and gossiped (it never matches).
struct SilenceMatcher {
  MatchType type = MatchType::kEqual;
  std::string name;
  std::string pattern;

  bool operator==(const SilenceMatcher&) const = default;
};

using MatcherSet = std::vector<SilenceMatcher>;

struct Silence {
  std::string id;  // UUIDv4 string; empty on a silence to be created
  std::vector<MatcherSet> matcher_sets;
  Time starts_at = kZeroTime;
  Time ends_at = kZeroTime;
  Time updated_at = kZeroTime;
  std::string created_by;
  std::string comment;
  std::vector<std::pair<std::string, std::string>> annotations;  // sorted by key (0.32+ field)

  bool operator==(const Silence&) const = default;
};

// The store's view of time (upstream getState): pending before starts_at, expired after
// ends_at, active in between (both ends inclusive).
enum class State { kPending, kActive, kExpired };
State StateAt(const Silence& s, Time now);

// The API's view (upstream types.CalcSilenceState): an instant equal to ends_at is already
// expired. Used for the "status.state" shown by GET endpoints.
State ApiStateAt(const Silence& s, Time now);

// "pending", "active", "expired".
const char* StateName(State s);

}  // namespace am::silence
