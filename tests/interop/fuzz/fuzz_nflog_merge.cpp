// The notification log's merge decoder (nflog::Log::Merge): the input is the `data` of an "nfl"
// part, a stream of varint-delimited nflogpb.MeshEntry, as a peer gossips it (one entry) or
// sends it in a push/pull (the whole log).
// Checks: only am::ParseError for bad bytes; merging is idempotent (our own state merged back is
// no news); the state transfers whole to a fresh log (news exactly when non-empty, same number of
// entries, same size on the wire); every stored entry can be queried under its own key and comes
// back with its group key, receiver and alert hashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "fuzz_states.h"
#include "nflog/delimited.h"
#include "proto/nflog.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  am::fuzz::QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  am::fuzz::ClusterStates a;
  am::nflog::Log& log = a.nflog();
  try {
    log.Merge(in);
  } catch (const am::ParseError&) {
    FUZZ_CHECK(log.size() == 0, "a failed merge stored entries");
    return 0;
  }

  const std::string mine = log.MarshalBinary();
  FUZZ_CHECK(!log.Merge(mine), "own state is news to ourselves");
  am::fuzz::ClusterStates b;
  FUZZ_CHECK(b.nflog().Merge(mine) == (log.size() > 0), "own state news to a fresh log");
  FUZZ_CHECK(b.nflog().size() == log.size(), "entries lost in transfer");
  // Map iteration order inside an entry may differ, the size may not.
  FUZZ_CHECK(b.nflog().MarshalBinary().size() == mine.size(), "state changed in transfer");

  am::nflog::DelimitedReader reader(mine, am::nflog::kDefaultMaxEntryBytes);
  nflogpb::MeshEntry e;
  size_t n = 0;
  while (reader.Next(&e)) {
    ++n;
    const auto& pe = e.entry();
    am::nflog::Receiver r{pe.receiver().group_name(), pe.receiver().integration(),
                          pe.receiver().idx()};
    auto got = log.Query(pe.group_key(), r);
    FUZZ_CHECK(got.has_value(), "stored entry not found by its own key");
    FUZZ_CHECK(got->group_key == pe.group_key() && got->receiver == r, "query gave another entry");
    FUZZ_CHECK(got->firing_alerts == std::vector<uint64_t>(pe.firing_alerts().begin(),
                                                           pe.firing_alerts().end()) &&
                   got->resolved_alerts == std::vector<uint64_t>(pe.resolved_alerts().begin(),
                                                                 pe.resolved_alerts().end()),
               "alert hashes changed");
  }
  FUZZ_CHECK(n == log.size(), "MarshalBinary count != size()");
  return 0;
}
