// Entry: a stored silence with its GC deadline and its compiled matchers. Entries are immutable
// once made and shared by pointer between the store's map, the matcher index and cached query
// results; a change to a silence replaces its entry. Thread-safe to read from any thread.
#pragma once

#include <memory>
#include <vector>

#include "core/matcher.h"
#include "silence/codec.h"

namespace am::silence {

struct Entry {
  MeshSilence mesh;
  // One compiled set per matcher set; empty if any matcher failed to compile (such a silence is
  // kept, shown and gossiped, but never mutes anything).
  std::vector<Matchers> compiled;
  bool compile_error = false;

  const Silence& silence() const { return mesh.silence; }
};

using EntryPtr = std::shared_ptr<const Entry>;

EntryPtr MakeEntry(MeshSilence mesh);

}  // namespace am::silence
