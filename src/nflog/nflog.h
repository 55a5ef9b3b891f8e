// am::nflog::Log: the notification log. For each (aggregation group key, receiver integration) it
// keeps the last successful notification (firing and resolved alert hashes, time) as an
// nflogpb.MeshEntry, so the DedupStage can decide what to send and HA peers can learn what others
// sent. Entries expire (GC), are gossiped (Broadcaster on Record; Merge of remote bytes) and are
// snapshotted to `<storage.path>/nflog` in Alertmanager 0.25's format.
//
// Thread-safety: every public method may be called from any thread. One mutex (mu_) guards the
// entry map; it is never held while calling the Broadcaster, doing file I/O or fsync, so a
// Broadcaster may call back into the Log. No other lock is taken while mu_ is held.
// Ownership: the Log owns its entries; the Broadcaster and the prometheus::Registry passed in
// Options must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/broadcaster.h"
#include "core/timeutil.h"
#include "nflog/entry.h"

namespace prometheus {
class Registry;
}

namespace am::nflog {

class Metrics;

// Upstream's default --data.retention.
inline constexpr std::chrono::nanoseconds kDefaultRetention = std::chrono::hours(120);
// Largest single MeshEntry accepted from a snapshot or from a peer. An entry is a group key plus
// ~10 bytes per alert hash, so this allows groups of over a million alerts.
inline constexpr size_t kDefaultMaxEntryBytes = 16 << 20;

struct Options {
  std::chrono::nanoseconds retention = kDefaultRetention;
  // The clock; tests inject a fake one.
  std::function<Time()> now = [] { return Now(); };
  // Receives the delimited bytes of every recorded entry. nullptr: nothing is broadcast.
  Broadcaster* broadcaster = nullptr;
  // Where the alertmanager_nflog_* metrics are registered. nullptr: a private registry (the
  // metrics still count, nobody scrapes them).
  prometheus::Registry* registry = nullptr;
  size_t max_entry_bytes = kDefaultMaxEntryBytes;
};

class Log {
 public:
  explicit Log(Options options = {});
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // The last entry for (group key, receiver), or nullopt. Counts
  // alertmanager_nflog_queries_total and, as upstream does for "not found",
  // alertmanager_nflog_query_errors_total.
  std::optional<Entry> Query(std::string_view group_key, const Receiver& receiver) const;

  // Upstream's Log(): records a successful notification at now() with
  // expires_at = now + retention, or now + expiry when 0 < expiry < retention (SetNotifiesStage
  // passes expiry = 2 × repeat_interval), then broadcasts the entry. Does nothing and returns
  // false when the stored entry for the key is newer than now (a peer with a clock ahead).
  bool Record(const Receiver& receiver, std::string_view group_key,
              std::vector<uint64_t> firing_alerts, std::vector<uint64_t> resolved_alerts,
              std::chrono::nanoseconds expiry, const ReceiverData& receiver_data = {});

  // Merges a peer's bytes: a full state (push/pull) or one broadcast part, both delimited
  // MeshEntry streams. Entries whose expires_at is before now are skipped; otherwise an entry
  // replaces the stored one for its key only if its timestamp is strictly newer. Returns whether
  // anything was stored: the cluster layer then re-gossips the same bytes (unless oversized) and
  // calls CountPropagated(). Throws am::ParseError if any entry is malformed (nothing is merged).
  bool Merge(std::string_view bytes);

  // Counts alertmanager_nflog_gossip_messages_propagated_total (the cluster layer re-gossiped
  // bytes that Merge reported as new).
  void CountPropagated();

  // The full state: every entry as a delimited MeshEntry, ordered by state key.
  std::string MarshalBinary() const;

  // Removes entries with expires_at <= now; returns how many. Upstream aborts GC on an entry
  // without expires_at (and so never snapshots again); such an entry is removed here instead.
  size_t GC(Time now);

  // Writes MarshalBinary() to `path` atomically: `<path>.<random hex>` is written and fsynced,
  // renamed over `path`, and the directory fsynced. On failure the temporary file is removed,
  // `path` is left as it was, and std::system_error is thrown. Returns the bytes written.
  size_t Snapshot(const std::string& path) const;

  // Replaces the state with the snapshot at `path` (upstream loads at start, before anything is
  // recorded). A missing file is not an error: returns false and keeps the state. Throws
  // am::ParseError naming the file on a malformed or truncated snapshot and std::system_error on
  // a read error; the state is unchanged then.
  bool Load(const std::string& path);

  // One maintenance run (upstream's default MaintenanceFunc): GC(now()), then Snapshot(path)
  // unless `path` is empty. Updates the maintenance, GC and snapshot metrics; rethrows errors.
  // Returns the snapshot size.
  size_t Maintain(const std::string& path);

  size_t size() const;

 private:
  // The entries by state key (defined in nflog.cpp, so that this header stays free of protobuf).
  struct State;

  // Decodes and validates a delimited stream; throws am::ParseError.
  std::unique_ptr<State> Decode(std::string_view bytes) const;

  const Options options_;
  std::unique_ptr<prometheus::Registry> own_registry_;  // when options_.registry is null
  std::unique_ptr<Metrics> metrics_;

  mutable std::mutex mu_;
  std::unique_ptr<State> state_;  // guarded by mu_; never null
};

}  // namespace am::nflog
