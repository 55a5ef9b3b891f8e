// Integration: one configured notifier of a receiver (a `webhook_configs` entry, an
// `email_configs` entry, ...), identified as upstream does by name and index among the receiver's
// integrations of that kind, e.g. webhook[0]. The Notifier does one delivery attempt; retries,
// dedup and the notification log are the pipeline's job.
// Thread-safety: Notify may be called concurrently for different flushes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "notify/stage.h"
#include "notify/status.h"

namespace am::notify {

struct NotifyResult {
  bool ok = true;
  // Whether another attempt may succeed (network errors, 5xx); false stops retrying at once.
  bool retry = false;
  std::string error;
  FailureReason reason = FailureReason::kOther;

  static NotifyResult Success() { return {}; }
  static NotifyResult Failure(std::string error, bool retry,
                              FailureReason reason = FailureReason::kOther) {
    return NotifyResult{false, retry, std::move(error), reason};
  }
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // One delivery attempt of `alerts` (already filtered and in upstream's order). The context
  // gives the receiver, group key, group labels and deadline. `done` runs exactly once, from any
  // thread, never inline from a network thread that other groups depend on.
  virtual void Notify(std::shared_ptr<const ExecContext> ctx, const Alerts& alerts,
                      std::function<void(NotifyResult)> done) = 0;
};

struct Integration {
  std::string name;  // "webhook", "email"
  uint32_t idx = 0;
  bool send_resolved = true;
  std::shared_ptr<Notifier> notifier;

  // "webhook[0]", as upstream's Integration.String().
  std::string String() const { return name + "[" + std::to_string(idx) + "]"; }
};

}  // namespace am::notify
