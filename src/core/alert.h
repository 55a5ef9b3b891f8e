// Alert: what Prometheus posts, as Alertmanager's types.Alert holds it (model.Alert + UpdatedAt +
// Timeout). Value type; the alert store owns the canonical copies and hands out shared_ptr<const>.
#pragma once

#include <memory>
#include <string>

#include "core/labels.h"
#include "core/timeutil.h"

namespace am {

struct Alert {
  LabelSet labels;
  LabelSet annotations;
  Time starts_at = kZeroTime;
  Time ends_at = kZeroTime;
  Time updated_at = kZeroTime;
  std::string generator_url;
  // Set when ends_at was filled in from resolve_timeout rather than sent by the client.
  bool timeout = false;

  uint64_t Fingerprint() const { return labels.Fingerprint(); }
  // model.Alert.ResolvedAt: ends_at set and not after `now`.
  bool ResolvedAt(Time now) const { return !IsZero(ends_at) && ends_at <= now; }
  // "firing" or "resolved".
  const char* StatusAt(Time now) const { return ResolvedAt(now) ? "resolved" : "firing"; }
};

using AlertPtr = std::shared_ptr<const Alert>;

}  // namespace am
