// The silence store's merge decoder (silence::Store::Merge, codec.h DecodeMeshSilences): the
// input is the `data` of a "sil" part, a stream of varint-delimited silencepb.MeshSilence, as a
// peer gossips it (one silence) or sends it in a push/pull (all of them). Silences from a peer
// are not validated, so whatever they hold reaches the matcher index and the muting path.
// Checks: only am::ParseError for bad bytes, and exactly when the codec rejects them; the store
// keeps one silence per id among the unexpired records; merging is idempotent and the state
// transfers byte for byte to a fresh store; Count() by state agrees with the silences' own
// states; MutedBy (index + cache) agrees with testing every silence's matcher sets one by one
// on label sets built from the silences' own matchers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/labels.h"
#include "fuzz_states.h"
#include "silence/codec.h"
#include "silence/validate.h"

namespace sil = am::silence;

namespace {

// A silence mutes while active when any matcher set matches fully; a silence with a matcher that
// does not compile never mutes (entry.h).
bool NaiveMutes(const sil::Silence& s, const am::LabelSet& labels) {
  if (sil::StateAt(s, am::fuzz::kFixedNow) != sil::State::kActive) return false;
  std::vector<std::vector<am::Matcher>> sets;
  try {
    for (const auto& set : s.matcher_sets) {
      auto& ms = sets.emplace_back();
      for (const auto& m : set) ms.push_back(sil::Compile(m));
    }
  } catch (const am::ParseError&) {
    return false;
  }
  for (const auto& ms : sets) {
    bool all = true;
    for (const auto& m : ms) all = all && m.Matches(labels.Get(m.name()));
    if (all) return true;
  }
  return false;
}

// Label sets an index bug would show on: none, each silence's first set taken literally, and
// all of those together.
std::vector<am::LabelSet> Probes(const std::vector<sil::Silence>& all) {
  std::vector<am::LabelSet> out(1);
  std::vector<am::Label> every;
  for (size_t i = 0; i < all.size() && i < 6; ++i) {
    if (all[i].matcher_sets.empty()) continue;
    std::vector<am::Label> pairs;
    for (const auto& m : all[i].matcher_sets[0]) {
      if (m.type == am::MatchType::kEqual || m.type == am::MatchType::kRegexp) {
        pairs.push_back({m.name, m.pattern});
      }
    }
    every.insert(every.end(), pairs.begin(), pairs.end());
    out.push_back(am::LabelSet::FromPairs(std::move(pairs)));
  }
  out.push_back(am::LabelSet::FromPairs(std::move(every)));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  am::fuzz::QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const am::Time now = am::fuzz::kFixedNow;

  sil::DecodeResult decoded;
  bool codec_threw = false;
  try {
    decoded = sil::DecodeMeshSilences(in);
  } catch (const am::ParseError&) {
    codec_threw = true;
  }

  am::fuzz::ClusterStates a;
  sil::Store& store = a.silences();
  try {
    store.Merge(in);
  } catch (const am::ParseError&) {
    FUZZ_CHECK(codec_threw, "Merge threw on bytes the codec accepts");
    FUZZ_CHECK(store.size() == 0, "a failed merge stored silences");
    return 0;
  }
  FUZZ_CHECK(!codec_threw, "Merge accepted bytes the codec rejects");

  std::set<std::string> ids;
  for (const auto& m : decoded.entries) {
    if (!(m.expires_at < now)) ids.insert(m.silence.id);
  }
  FUZZ_CHECK(store.size() == ids.size(), "stored " + std::to_string(store.size()) + " of " +
                                             std::to_string(ids.size()) + " unexpired ids");

  const std::string mine = store.MarshalBinary();
  FUZZ_CHECK(store.Merge(mine).changed.empty(), "own state is news to ourselves");
  am::fuzz::ClusterStates b;
  FUZZ_CHECK(b.silences().Merge(mine).changed.size() == store.size(),
             "own state not wholly news to a fresh store");
  FUZZ_CHECK(b.silences().MarshalBinary() == mine, "state changed in transfer");

  std::vector<sil::Silence> all = store.Query(sil::SilenceQuery{});
  FUZZ_CHECK(all.size() == store.size(), "Query() != size()");
  size_t by_state[3] = {0, 0, 0};
  for (const auto& s : all) ++by_state[static_cast<int>(sil::StateAt(s, now))];
  for (sil::State st : {sil::State::kPending, sil::State::kActive, sil::State::kExpired}) {
    FUZZ_CHECK(store.Count(st) == by_state[static_cast<int>(st)],
               std::string("Count(") + sil::StateName(st) +
                   ") = " + std::to_string(store.Count(st)) +
                   ", silences in that state: " + std::to_string(by_state[static_cast<int>(st)]));
  }

  for (const am::LabelSet& ls : Probes(all)) {
    std::vector<std::string> want;
    for (const auto& s : all) {
      if (NaiveMutes(s, ls)) want.push_back(s.id);
    }
    std::sort(want.begin(), want.end());
    for (int pass = 0; pass < 2; ++pass) {  // the second answer comes from the cache
      std::vector<std::string> got = store.MutedBy(ls, now);
      FUZZ_CHECK(got == want, "MutedBy(" + ls.String() + ") pass " + std::to_string(pass) + ": " +
                                  std::to_string(got.size()) +
                                  " silences, one by one: " + std::to_string(want.size()));
    }
  }
  return 0;
}
