// Entry: one notification-log record as the rest of the daemon sees it (a plain copy of the
// stored nflogpb.MeshEntry), and the receiver identity it is keyed by. Value types; not
// synchronised. The key formats are upstream's, byte for byte, because peers key on them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/timeutil.h"

namespace am::nflog {

// One integration of one configured receiver: upstream's nflogpb.Receiver.
struct Receiver {
  std::string group_name;   // the receiver's configured name
  std::string integration;  // e.g. "webhook"
  uint32_t idx = 0;         // index among the receiver's integrations of that kind

  bool operator==(const Receiver&) const = default;
};

// receiver_data values (field 8, newer than 0.25): string, int64 or double.
using ReceiverDataValue = std::variant<std::string, int64_t, double>;
using ReceiverData = std::map<std::string, ReceiverDataValue>;

struct Entry {
  std::string group_key;
  Receiver receiver;
  // When the notification succeeded. Times a peer sent outside am::Time's range (before 1677 or
  // after 2262) are clamped to kZeroTime / Time::max(); the stored bytes are kept unchanged.
  Time timestamp = kZeroTime;
  std::vector<uint64_t> firing_alerts;
  std::vector<uint64_t> resolved_alerts;
  ReceiverData receiver_data;
  // From the MeshEntry: when peers drop the entry.
  Time expires_at = kZeroTime;
};

// "<group_name>/<integration>/<idx>" (upstream receiverKey).
std::string ReceiverKey(const Receiver& r);
// "<group_key>:<group_name>/<integration>/<idx>" (upstream stateKey): the log's map key.
std::string StateKey(std::string_view group_key, const Receiver& r);

}  // namespace am::nflog
