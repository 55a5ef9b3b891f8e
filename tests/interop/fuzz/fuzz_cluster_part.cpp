// A gossiped clusterpb.Part (the payload of a memberlist user message, UDP or TCP) delivered the
// way Peer::Core::NotifyMsg does: parse the Part, pick the channel by key ("nfl": notification
// log, "sil": silences), merge its data (one delimited MeshEntry / MeshSilence) and, when it was
// news, hand the same bytes on for re-gossip.
// Checks: a channel throws only am::ParseError for bad bytes (the Peer would log and drop them;
// anything else is a broken contract); re-delivering bytes that were news is no longer news.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "fuzz_states.h"
#include "proto/cluster.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  am::fuzz::QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  clusterpb::Part p;
  if (!p.ParseFromArray(data, static_cast<int>(size))) return 0;
  am::fuzz::ClusterStates states;
  std::optional<bool> changed;
  try {
    changed = states.Merge(p.key(), p.data());
  } catch (const am::ParseError&) {
    return 0;
  }
  if (!changed || !*changed) return 0;
  // The Peer re-gossips the part; every peer, us included, may receive it again.
  std::optional<bool> again = states.Merge(p.key(), p.data());
  FUZZ_CHECK(again.has_value() && !*again, "the same part was news twice (key " + p.key() + ")");
  return 0;
}
