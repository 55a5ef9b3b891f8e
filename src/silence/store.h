// am::silence::Store: the silences of this node. Creates, updates and expires silences with
// Alertmanager's rules (silence.Silences.Set / Expire), answers queries (by ids, by an API filter,
// by state, by label set) and the hot muting question MutedBy(), merges peers' gossip, garbage-
// collects silences `retention` after they ended, and persists them.
//
// Persistence, under Options::storage_dir (empty: memory only):
//  - `<dir>/silences`: the snapshot in Alertmanager's format (varint-delimited MeshSilence, both
//    the legacy `matchers` field and `matcher_sets`), written atomically (temporary file, fsync,
//    rename, directory fsync) by Maintenance() — which cmd/ calls every
//    --data.maintenance-interval and once at shutdown — and loaded by the constructor.
//  - `<dir>/silences.wal.NNNNNNNN`: our write-ahead log (see wal.h). Every Set() and Expire()
//    appends its changes there and returns only after fdatasync succeeded, so a silence answered
//    with HTTP 200 survives SIGKILL and power loss. Maintenance() folds the log into the
//    snapshot; the constructor replays it (and folds it at once).
//  - Guarantee and its limit: an acknowledged Set()/Expire() is durable. Changes learnt from
//    peers (Merge) are not logged: they reach disk with the next snapshot (and come back from the
//    peers otherwise). An Alertmanager (Go) node started on our directory reads only `silences`,
//    so it sees what the last Maintenance() (or our start-up) folded into the snapshot, not
//    changes made since.
//
// Muting at scale: silences are compiled once and indexed (matcher_index.h) by their equality
// and literal-alternation matchers, other regexes are run per label name as one RE2::Set, so a
// label set meets only the silences that can match it; MutedBy() results are cached per
// label-set fingerprint and reused while the silence set's version is unchanged, so that only
// the activity window (which moves with time) is re-checked per call. On this project's 2-core
// machine, 10,000 silences x 50,000 label sets: ~0.3 us per MutedBy from the cache, ~5-10 us
// after a change (bench/silence).
//
// Thread-safety: every public method may be called from any thread. One std::shared_mutex (mu_)
// guards the silences, the index and the version: queries take it shared, changes exclusive.
// The MutedBy cache is split into shards, each with its own mutex, taken only while mu_ is held
// (lock order: mu_, then a shard). A change writes its log record under mu_ (write(2) only)
// and waits for fdatasync after releasing it, so concurrent changes share one fdatasync. mu_ is
// never held during fdatasync (except to start a new log segment after an I/O error), snapshot
// writes or calls to the Broadcaster, so a Broadcaster may call back into the Store.
// Ownership: the Broadcaster (optional) and the prometheus::Registry must outlive the Store.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/broadcaster.h"
#include "core/labels.h"
#include "core/matcher.h"
#include "core/timeutil.h"
#include "silence/entry.h"
#include "silence/matcher_index.h"
#include "silence/silence.h"

namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace am::silence {

class Metrics;
class Wal;

// Why a change was refused. The API maps kNotFound → 404, kInvalid and kLimit → 400,
// kStorage → 500.
class StoreError : public std::runtime_error {
 public:
  enum class Kind { kNotFound, kInvalid, kLimit, kStorage };
  StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// --silences.max-silences and --silences.max-silence-size-bytes (0.28); 0 = no limit.
struct Limits {
  // Silences held, expired ones included (until GC), counted when a new id would be created.
  size_t max_silences = 0;
  // Protobuf size of one MeshSilence (as 0.28 measures it: see codec.h LimitSize).
  size_t max_silence_size_bytes = 0;
};

// Upstream's default --data.retention.
inline constexpr std::chrono::nanoseconds kDefaultRetention = std::chrono::hours(120);

struct Options {
  std::string storage_dir;  // --storage.path; "" = no snapshot, no log
  std::chrono::nanoseconds retention = kDefaultRetention;
  Limits limits;
  // The clock; tests inject a fake one.
  std::function<Time()> now = [] { return am::Now(); };
  // Receives every local change (one delimited MeshSilence each). nullptr: nothing is gossiped.
  Broadcaster* broadcaster = nullptr;
  // --log.silences (0.32): log "create silence" / "update silence" / "expire silence" at info.
  bool log_changes = false;
};

struct SilenceQuery {
  // Only these ids (in this order, unknown ones skipped). nullopt: all silences.
  std::optional<std::vector<std::string>> ids;
  // Only silences some matcher set of which matches these labels (upstream QMatches).
  std::optional<LabelSet> matches;
  // API v2 filter (CheckSilenceMatchesFilterLabels): each filter matcher must equal one of the
  // silence's matchers (same name, type and value).
  Matchers filter;
  // Only silences in one of these states at now() (upstream QState). Empty: any state.
  std::vector<State> states;
};

struct MergeResult {
  // Ids stored or replaced by this merge; non-empty means the bytes were news and the cluster
  // layer should re-gossip them (then call CountPropagated()).
  std::vector<std::string> changed;
  // Records the store could not interpret (unknown matcher type, empty id).
  size_t skipped = 0;
};

class Store {
 public:
  // Loads `<storage_dir>/silences` (a missing file is fine) and replays the write-ahead log;
  // if the log held anything, folds it into a new snapshot at once. Creates storage_dir if it
  // does not exist. Throws am::ParseError naming the file for a corrupt snapshot or log segment,
  // std::system_error for I/O errors. Registers the alertmanager_silences* metrics on `registry`.
  Store(Options options, prometheus::Registry& registry);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Upstream Set(): creates a silence (empty id) or updates the silence with `s.id`.
  // An update keeps the id when the matchers are equal and either the old silence is active, the
  // new start is in the same second as the old one and the new end is not in the past, or the
  // old silence is pending and the new start is not in the past; otherwise the old silence is
  // expired (unless it already is) and a new silence with a new id is created. A new silence
  // gets starts_at = max(starts_at, now); every change gets updated_at = now (kept strictly
  // increasing per id, so peers always take it). Returns the id. Durable (logged and
  // fdatasync'ed) and broadcast before it returns.
  // Throws StoreError: kNotFound "silence not found" for an unknown id; kInvalid
  // "silence invalid: <why>" (validate.h); kLimit "exceeded maximum number of silences: N
  // (limit: M)" / "silence exceeded maximum size: N bytes (limit: M bytes)"; kStorage when the
  // log write or sync failed (the change may then be visible in memory but is not durable).
  std::string Set(Silence s);

  // Upstream Expire(): an active silence ends now; a pending one starts and ends now; an expired
  // one is left as it is (no error). Durable and broadcast before it returns.
  // Throws StoreError kNotFound "silence not found", or kStorage.
  void Expire(const std::string& id);

  std::optional<Silence> Get(const std::string& id) const;

  // Matching silences, ordered by id. Counts the query metrics.
  std::vector<Silence> Query(const SilenceQuery& q) const;

  // Ids of the silences that are active at `now` and match `labels`, sorted. The hot path of the
  // notification pipeline and of GET /api/v2/alerts. `fingerprint` must be labels.Fingerprint().
  std::vector<std::string> MutedBy(const LabelSet& labels, Time now) const;
  std::vector<std::string> MutedBy(const LabelSet& labels, uint64_t fingerprint, Time now) const;

  // Increases on every change of the silence set (create, update, expire, merge, GC, load).
  uint64_t Version() const { return version_.load(std::memory_order_acquire); }

  // Merges a peer's bytes: a full state or one broadcast part (both delimited MeshSilence
  // streams). Records whose expires_at is before now are skipped; otherwise a record replaces
  // the stored silence with its id only if its updated_at is strictly newer. Throws
  // am::ParseError for malformed bytes (nothing is merged then).
  MergeResult Merge(std::string_view bytes);

  // Counts alertmanager_silences_gossip_messages_propagated_total.
  void CountPropagated();

  // The full state as delimited MeshSilence records (for push/pull), ordered by id.
  std::string MarshalBinary() const;

  // Removes silences whose expires_at (ends_at + retention) is not after now; returns how many.
  size_t GC();

  // One maintenance run: GC, then (with a storage dir) write the snapshot atomically and fold the
  // write-ahead log into it. Updates the maintenance, GC and snapshot metrics. Returns the snapshot
  // size in bytes. Throws std::system_error on I/O errors (the log is kept then, so nothing is
  // lost). Call it at the maintenance interval and at shutdown.
  size_t Maintenance();

  // Silences in state `s` at now() (by binary search over sorted starts and ends).
  size_t Count(State s) const;
  // Silences held, expired ones included.
  size_t size() const;

  // alertmanager_silences{state="active"|"expired"|"pending"}, counted at each collection as
  // upstream's GaugeFunc does, so that silences moving between states with time are seen at once.
  // Register it with the /metrics handler (api::Api::AddCollectable). The collectable refers to
  // this Store, which must outlive it.
  std::shared_ptr<prometheus::Collectable> StateCollectable() const;

  Time Now() const { return options_.now(); }

  // The write-ahead log, for fault-injection tests; nullptr without a storage dir.
  Wal* wal_for_test() { return wal_.get(); }

 private:
  struct CacheEntry {
    uint64_t version = 0;
    uint64_t epoch = 0;
    std::vector<const Entry*> matches;  // valid only while version == version_
  };
  struct CacheShard {
    std::mutex mu;
    std::unordered_map<uint64_t, CacheEntry> map;
  };
  static constexpr size_t kCacheShards = 16;
  // Per shard; a shard that grows past it is emptied, so label-set churn cannot grow memory
  // beyond 16 x 16384 cached results (262k label sets; 50k alerts use a fifth of it).
  static constexpr size_t kMaxCachePerShard = 1 << 14;

  void Load();
  // Under exclusive mu_: stores `e` (replacing any entry with its id) and indexes it.
  void Put(EntryPtr e);
  void Drop(std::unordered_map<std::string, EntryPtr>::iterator it);
  // Under exclusive mu_: appends the records to the log (if any), applies them, bumps the
  // version. Returns the log ticket to sync after unlocking.
  struct Pending;
  void Commit(std::vector<EntryPtr> changes, Pending* p);
  // Without mu_: waits for durability, broadcasts, refreshes the gauges.
  void Finish(Pending* p);
  Time ExpiresAt(Time ends_at) const;
  size_t GCLocked(Time now);
  std::string MarshalLocked() const;
  void CheckSize(const MeshSilence& m) const;

  const Options options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Wal> wal_;  // null without a storage dir
  std::string snapshot_path_;

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, EntryPtr> by_id_;  // guarded by mu_
  MatcherIndex index_;                               // guarded by mu_
  size_t compile_errors_ = 0;                        // guarded by mu_
  // Sorted starts and ends (max(start, end)) of all silences, so that the state gauges are
  // counted by binary search instead of a scan per change. Guarded by mu_.
  std::vector<Time> starts_, ends_;
  std::atomic<uint64_t> version_{0};  // written under exclusive mu_

  mutable std::array<CacheShard, kCacheShards> cache_;
  std::atomic<uint64_t> epoch_{1};  // advanced by Maintenance(); older cache entries are evicted
};

}  // namespace am::silence
