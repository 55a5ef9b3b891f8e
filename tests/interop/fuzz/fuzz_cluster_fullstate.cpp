// The user state of a memberlist push/pull, a clusterpb.FullState, merged the way
// Peer::Core::MergeRemoteState does: parse it, merge each part into the channel named by its key
// (unknown keys skipped), and stop at the first part whose bytes do not parse, as upstream does.
// Checks: channels throw only am::ParseError; after the merge, our own full state (each
// channel's MarshalBinary, what our next push/pull sends) merged into a fresh node is news there
// exactly when it holds anything, and merged back into us is no news.
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
  clusterpb::FullState fs;
  if (!fs.ParseFromArray(data, static_cast<int>(size))) return 0;
  am::fuzz::ClusterStates states;
  for (const auto& p : fs.parts()) {
    try {
      states.Merge(p.key(), p.data());
    } catch (const am::ParseError&) {
      break;
    }
  }

  // Peer::Core::LocalState, then the receiving side.
  clusterpb::FullState mine;
  auto* nfl = mine.add_parts();
  nfl->set_key("nfl");
  nfl->set_data(states.nflog().MarshalBinary());
  auto* sil = mine.add_parts();
  sil->set_key("sil");
  sil->set_data(states.silences().MarshalBinary());
  std::string wire = mine.SerializeAsString();

  clusterpb::FullState got;
  FUZZ_CHECK(got.ParseFromString(wire), "own FullState does not parse");
  am::fuzz::ClusterStates fresh;
  for (const auto& p : got.parts()) {
    std::optional<bool> news, back;
    try {
      news = fresh.Merge(p.key(), p.data());
      back = states.Merge(p.key(), p.data());
    } catch (const am::ParseError& e) {
      FUZZ_CHECK(false, "own state of " + p.key() + " rejected: " + e.what());
    }
    FUZZ_CHECK(news.has_value() && *news == !p.data().empty(),
               "own state of " + p.key() + " (" + std::to_string(p.data().size()) +
                   " bytes) news to a fresh node: " + (news.value_or(false) ? "yes" : "no"));
    FUZZ_CHECK(back.has_value() && !*back, "own state of " + p.key() + " is news to ourselves");
  }
  FUZZ_CHECK(fresh.nflog().size() == states.nflog().size(), "nflog entries lost in transfer");
  FUZZ_CHECK(fresh.silences().size() == states.silences().size(), "silences lost in transfer");
  return 0;
}
