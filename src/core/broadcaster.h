// Broadcaster: how silence/ and nflog/ hand the bytes of a changed entry to the cluster without
// depending on cluster/ (which implements it by gossiping on the "sil"/"nfl" channel).
// Implementations must be thread-safe: Broadcast may be called from any thread.
#pragma once

#include <string>

namespace am {

class Broadcaster {
 public:
  virtual ~Broadcaster() = default;
  // `bytes` is one varint-length-delimited mesh entry (MeshEntry / MeshSilence).
  virtual void Broadcast(std::string bytes) = 0;
};

// Used when the cluster is disabled.
class NullBroadcaster final : public Broadcaster {
 public:
  void Broadcast(std::string) override {}
};

}  // namespace am
