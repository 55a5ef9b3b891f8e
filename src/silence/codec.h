// Silences on the wire and on disk: conversion between am::silence::Silence and Alertmanager's
// silencepb.MeshSilence, one varint-delimited MeshSilence per record (snapshot files, gossip
// parts, our write-ahead log payloads). Written as 0.33+ writes them: the legacy `matchers`
// (field 2) holds the first matcher set, so 0.25 peers understand it, and `matcher_sets`
// (field 11) holds all of them. Read as upstream reads them: `matcher_sets` when present, else
// `matchers`; the deprecated `comments` (field 7) become created_by/comment; an absent timestamp
// is Go's zero time. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "silence/silence.h"

namespace am::silence {

// A silence with its garbage-collection deadline (ends_at + retention).
struct MeshSilence {
  Silence silence;
  Time expires_at = kZeroTime;
};

// Largest single MeshSilence accepted from a file or a peer.
inline constexpr size_t kMaxMeshSilenceBytes = 16 << 20;

// Appends one delimited MeshSilence to *out.
void AppendMeshSilence(const MeshSilence& m, std::string* out);

// Bytes of the (undelimited) MeshSilence as Alertmanager 0.28 measures it for
// --silences.max-silence-size-bytes: the silence with its matchers in the legacy field only.
size_t LimitSize(const MeshSilence& m);

struct DecodeResult {
  std::vector<MeshSilence> entries;
  // Records dropped because a matcher has a type outside EQUAL..NOT_REGEXP or the id is empty:
  // the store cannot interpret them.
  size_t skipped = 0;
};

// Decodes a stream of delimited MeshSilence records. Throws am::ParseError naming the byte offset
// on a framing error, a record that does not parse, or a record without a silence (upstream's
// "invalid state").
DecodeResult DecodeMeshSilences(std::string_view bytes,
                                size_t max_entry_bytes = kMaxMeshSilenceBytes);

}  // namespace am::silence
