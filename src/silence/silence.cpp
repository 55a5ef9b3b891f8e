#include "silence/silence.h"

namespace am::silence {

State StateAt(const Silence& s, Time now) {
  if (now < s.starts_at) return State::kPending;
  if (now > s.ends_at) return State::kExpired;
  return State::kActive;
}

State ApiStateAt(const Silence& s, Time now) {
  if (now < s.starts_at) return State::kPending;
  if (now < s.ends_at) return State::kActive;
  return State::kExpired;
}

const char* StateName(State s) {
  switch (s) {
    case State::kPending:
      return "pending";
    case State::kActive:
      return "active";
    case State::kExpired:
      return "expired";
  }
  return "unknown";
}

}  // namespace am::silence
