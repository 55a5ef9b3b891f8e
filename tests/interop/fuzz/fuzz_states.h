// The daemon's two replicated states as the cluster Peer sees them ("nfl" = notification log,
// "sil" = silences), wired the way cmd/alertmanager/daemon.cpp adapts them to StateChannel, on
// the fixed clock, plus the quiet logging the protobuf-using targets need.
// Thread-safety: none needed; libFuzzer runs one input at a time on one thread.
// Ownership: a ClusterStates owns its registry, log and store; make a fresh one per input so a
// run never depends on earlier inputs.
#pragma once

#include <google/protobuf/stubs/logging.h>
#include <prometheus/registry.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/log.h"
#include "fuzz_util.h"
#include "nflog/nflog.h"
#include "silence/store.h"

namespace am::fuzz {

// Call from LLVMFuzzerInitialize: protobuf's parse-error lines and our warnings would otherwise
// cost more than the decoding.
inline void QuietLogs() {
  google::protobuf::SetLogHandler(nullptr);
  am::log::Configure(am::log::Level::kError, am::log::Format::kLogfmt, 2);
}

class ClusterStates {
 public:
  ClusterStates()
      : registry_(std::make_unique<prometheus::Registry>()),
        nflog_(NflogOptions(registry_.get())),
        silences_(SilenceOptions(), *registry_) {}

  // As daemon.cpp's adapters: Log::Merge for "nfl", "anything changed" of Store::Merge for
  // "sil". nullopt: no channel with that key (the Peer skips the part). Throws what the
  // channel's Merge throws for malformed bytes.
  std::optional<bool> Merge(const std::string& key, std::string_view data) {
    if (key == "nfl") return nflog_.Merge(data);
    if (key == "sil") return !silences_.Merge(data).changed.empty();
    return std::nullopt;
  }

  nflog::Log& nflog() { return nflog_; }
  silence::Store& silences() { return silences_; }

 private:
  static nflog::Options NflogOptions(prometheus::Registry* r) {
    nflog::Options o;
    o.now = [] { return kFixedNow; };
    o.registry = r;
    return o;
  }
  static silence::Options SilenceOptions() {
    silence::Options o;
    o.now = [] { return kFixedNow; };
    return o;
  }

  std::unique_ptr<prometheus::Registry> registry_;
  nflog::Log nflog_;
  silence::Store silences_;
};

}  // namespace am::fuzz
