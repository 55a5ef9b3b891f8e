// Shared by the libFuzzer targets: a check that turns a broken invariant into a crash libFuzzer
// records (with the input), and the fixed clock every target uses, so that a run depends only on
// its input and seed, never on the wall clock.
// Thread-safety: none needed; libFuzzer runs one input at a time on one thread.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/timeutil.h"

// A broken invariant is a finding: print why and abort.
#define FUZZ_CHECK(cond, what)                                                                 \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                                 \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

namespace am::fuzz {

// 2026-11-22T16:13:20Z: after the timestamps of the committed nflog and silence snapshots and
// before their expiry, so the seeds are merged rather than skipped as expired.
inline const Time kFixedNow = Time(std::chrono::seconds(1795340000));

}  // namespace am::fuzz
