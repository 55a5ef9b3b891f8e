#include "silence/store.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/error.h"
#include "core/log.h"
#include "silence/codec.h"
#include "silence/file_util.h"
#include "silence/metrics.h"
#include "silence/uuid.h"
#include "silence/validate.h"
#include "silence/wal.h"

namespace am::silence {

struct Store::Pending {
  std::vector<std::string> records;  // one delimited MeshSilence per change
  std::optional<Wal::Ticket> ticket;
  std::vector<std::pair<const char*, Silence>> log;  // for --log.silences
};

namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Go's Time.Unix(): seconds, rounded towards negative infinity.
int64_t UnixSeconds(Time t) {
  int64_t ns = t.time_since_epoch().count();
  int64_t s = ns / 1'000'000'000;
  if (ns % 1'000'000'000 < 0) --s;
  return s;
}

// Upstream canUpdate: whether `b` may replace `a` in place without rewriting history.
bool CanUpdate(const Silence& a, const Silence& b, Time now) {
  if (a.matcher_sets != b.matcher_sets) return false;
  switch (StateAt(a, now)) {
    case State::kActive:
      if (UnixSeconds(a.starts_at) != UnixSeconds(b.starts_at)) return false;
      if (b.ends_at < now) return false;
      return true;
    case State::kPending:
      return !(b.starts_at < now);
    case State::kExpired:
      return false;
  }
  return false;
}

// A change must win against the stored version everywhere, even when the clock stepped back.
Time NextUpdatedAt(const Silence* prev, Time now) {
  if (prev && !(prev->updated_at < now)) return prev->updated_at + std::chrono::nanoseconds(1);
  return now;
}

// time.RFC3339: no fraction.
std::string Rfc3339Seconds(Time t) {
  std::string s = FormatRFC3339Nano(t);
  auto dot = s.find('.');
  if (dot == std::string::npos) return s;
  auto zone = s.find_first_of("Z+-", dot);
  return s.substr(0, dot) + (zone == std::string::npos ? "" : s.substr(zone));
}

// Upstream's logSilence fields.
void LogChange(const char* msg, const Silence& s) {
  std::string ms;
  for (const auto& set : s.matcher_sets) {
    for (const auto& m : set) {
      if (!ms.empty()) ms += ",";
      ms += m.name + MatchTypeString(m.type) + m.pattern;
    }
  }
  AM_LOG(kInfo, "silences", msg,
         {{"Id", s.id},
          {"CreatedBy", s.created_by},
          {"Comment", s.comment},
          {"StartsAt", Rfc3339Seconds(s.starts_at)},
          {"EndsAt", Rfc3339Seconds(s.ends_at)},
          {"Matchers", ms}});
}

void CreateDirs(const std::string& dir) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0777) == 0) {
      FsyncDir(DirName(partial));  // the new directory's entry survives a power loss
    } else if (errno != EEXIST) {
      throw std::system_error(errno, std::generic_category(), "create directory " + partial);
    }
  }
}

}  // namespace

Store::Store(Options options, prometheus::Registry& registry)
    : options_(std::move(options)), metrics_(std::make_unique<Metrics>(registry)) {
  if (!options_.storage_dir.empty()) {
    CreateDirs(options_.storage_dir);
    snapshot_path_ = options_.storage_dir + "/silences";
    wal_ = std::make_unique<Wal>(options_.storage_dir);
    Load();
  }
}

Store::~Store() = default;

void Store::Load() {
  // Snapshot: replaces nothing (the store is empty); later records for an id win, as upstream.
  if (auto data = ReadFileIfExists(snapshot_path_)) {
    DecodeResult d;
    try {
      d = DecodeMeshSilences(*data);
    } catch (const ParseError& e) {
      throw ParseError("loading silences snapshot " + snapshot_path_ + ": " + e.what());
    }
    if (d.skipped > 0) {
      AM_LOG(kWarn, "silences",
             "Skipped silences the snapshot holds in a form this version cannot use",
             {{"file", snapshot_path_}, {"count", static_cast<unsigned long>(d.skipped)}});
    }
    std::unique_lock lock(mu_);
    for (auto& m : d.entries) Put(MakeEntry(std::move(m)));
  }
  // Log: newer updated_at wins, as for a merge.
  std::vector<std::string> warnings;
  std::string replay = wal_->ReadAll(&warnings);
  for (const auto& w : warnings) AM_LOG(kWarn, "silences", w, {});
  DecodeResult d;
  try {
    d = DecodeMeshSilences(replay);
  } catch (const ParseError& e) {
    throw ParseError("replaying silence WAL in " + options_.storage_dir + ": " + e.what());
  }
  size_t replayed = 0;
  {
    std::unique_lock lock(mu_);
    Time now = options_.now();
    for (auto& m : d.entries) {
      if (m.expires_at < now) continue;
      auto it = by_id_.find(m.silence.id);
      if (it != by_id_.end() && !(it->second->silence().updated_at < m.silence.updated_at)) {
        continue;
      }
      Put(MakeEntry(std::move(m)));
      ++replayed;
    }
    version_.fetch_add(1, std::memory_order_acq_rel);
  }
  // Start a fresh segment; fold the old ones into the snapshot so that a Go node reading this
  // directory, and our next start, see them.
  uint64_t seq = wal_->Rotate();
  if (!d.entries.empty() || !warnings.empty()) {
    std::shared_lock lock(mu_);
    std::string snap = MarshalLocked();
    lock.unlock();
    WriteFileAtomic(snapshot_path_, snap);
    AM_LOG(kInfo, "silences", "Folded the silence write-ahead log into the snapshot",
           {{"records", static_cast<unsigned long>(d.entries.size())},
            {"applied", static_cast<unsigned long>(replayed)}});
  }
  wal_->DropBefore(seq);
}

namespace {

void InsertSorted(std::vector<Time>* v, Time t) {
  v->insert(std::upper_bound(v->begin(), v->end(), t), t);
}

void EraseSorted(std::vector<Time>* v, Time t) {
  auto it = std::lower_bound(v->begin(), v->end(), t);
  if (it != v->end() && *it == t) v->erase(it);
}

Time AccountedEnd(const Silence& s) { return std::max(s.starts_at, s.ends_at); }

}  // namespace

void Store::Put(EntryPtr e) {
  auto it = by_id_.find(e->silence().id);
  if (it != by_id_.end()) Drop(it);
  if (e->compile_error) ++compile_errors_;
  InsertSorted(&starts_, e->silence().starts_at);
  InsertSorted(&ends_, AccountedEnd(e->silence()));
  index_.Add(e.get());
  std::string id = e->silence().id;
  by_id_.emplace(std::move(id), std::move(e));
}

void Store::Drop(std::unordered_map<std::string, EntryPtr>::iterator it) {
  index_.Remove(it->second.get());
  if (it->second->compile_error) --compile_errors_;
  EraseSorted(&starts_, it->second->silence().starts_at);
  EraseSorted(&ends_, AccountedEnd(it->second->silence()));
  by_id_.erase(it);
}

Time Store::ExpiresAt(Time ends_at) const {
  if (ends_at > Time::max() - options_.retention) return Time::max();
  return ends_at + options_.retention;
}

void Store::CheckSize(const MeshSilence& m) const {
  size_t limit = options_.limits.max_silence_size_bytes;
  if (limit == 0) return;
  size_t n = LimitSize(m);
  if (n > limit) {
    throw StoreError(StoreError::Kind::kLimit,
                     "silence exceeded maximum size: " + std::to_string(n) +
                         " bytes (limit: " + std::to_string(limit) + " bytes)");
  }
}

void Store::Commit(std::vector<EntryPtr> changes, Pending* p) {
  std::string payload;
  for (const auto& e : changes) {
    std::string rec;
    AppendMeshSilence(e->mesh, &rec);
    payload += rec;
    p->records.push_back(std::move(rec));
  }
  if (wal_) {
    try {
      p->ticket = wal_->Append(payload);
    } catch (const std::system_error& e) {
      throw StoreError(StoreError::Kind::kStorage,
                       std::string("writing the silence log failed: ") + e.what());
    }
  }
  for (auto& e : changes) Put(std::move(e));
  version_.fetch_add(1, std::memory_order_acq_rel);
}

void Store::Finish(Pending* p) {
  if (p->ticket) {
    try {
      wal_->Sync(*p->ticket);
    } catch (const std::system_error& e) {
      throw StoreError(StoreError::Kind::kStorage,
                       std::string("syncing the silence log failed: ") + e.what());
    }
  }
  if (options_.broadcaster) {
    for (auto& r : p->records) options_.broadcaster->Broadcast(std::move(r));
  }
  for (const auto& [msg, s] : p->log) LogChange(msg, s);
}

std::string Store::Set(Silence s) {
  const Time now = options_.now();
  Pending pending;
  std::string id;
  {
    std::unique_lock lock(mu_);
    const Entry* prev = nullptr;
    if (!s.id.empty()) {
      auto it = by_id_.find(s.id);
      if (it == by_id_.end()) throw StoreError(StoreError::Kind::kNotFound, "silence not found");
      prev = it->second.get();
    }
    // 0.28: a silence without a start starts now (0.25 reached the same by moving it later).
    if (IsZero(s.starts_at)) s.starts_at = now;
    if (std::string err = ValidateSilence(s, DefaultParseMode()); !err.empty()) {
      throw StoreError(StoreError::Kind::kInvalid, "silence invalid: " + err);
    }
    std::vector<EntryPtr> changes;
    if (prev && CanUpdate(prev->silence(), s, now)) {
      s.updated_at = NextUpdatedAt(&prev->silence(), now);
      MeshSilence m{std::move(s), kZeroTime};
      m.expires_at = ExpiresAt(m.silence.ends_at);
      CheckSize(m);
      if (options_.log_changes) pending.log.emplace_back("update silence", m.silence);
      changes.push_back(MakeEntry(std::move(m)));
    } else {
      size_t max = options_.limits.max_silences;
      if (max > 0 && by_id_.size() + 1 > max) {
        throw StoreError(StoreError::Kind::kLimit,
                         "exceeded maximum number of silences: " + std::to_string(by_id_.size()) +
                             " (limit: " + std::to_string(max) + ")");
      }
      s.id = NewUuidV4();
      if (s.starts_at < now) s.starts_at = now;
      // 0.25 validates after moving the start: a replacement whose end already passed is refused.
      if (s.ends_at < s.starts_at) {
        throw StoreError(StoreError::Kind::kInvalid,
                         "silence invalid: end time must not be before start time");
      }
      s.updated_at = now;
      MeshSilence m{std::move(s), kZeroTime};
      m.expires_at = ExpiresAt(m.silence.ends_at);
      CheckSize(m);
      if (prev && StateAt(prev->silence(), now) != State::kExpired) {
        // Leave the old silence in history, ended now, as upstream does.
        MeshSilence old = prev->mesh;
        if (StateAt(old.silence, now) == State::kPending) old.silence.starts_at = now;
        old.silence.ends_at = now;
        old.silence.updated_at = NextUpdatedAt(&prev->silence(), now);
        old.expires_at = ExpiresAt(now);
        if (options_.log_changes) pending.log.emplace_back("expire silence", old.silence);
        changes.push_back(MakeEntry(std::move(old)));
      }
      if (options_.log_changes) pending.log.emplace_back("create silence", m.silence);
      changes.push_back(MakeEntry(std::move(m)));
    }
    id = changes.back()->silence().id;
    Commit(std::move(changes), &pending);
  }
  Finish(&pending);
  return id;
}

void Store::Expire(const std::string& id) {
  const Time now = options_.now();
  Pending pending;
  {
    std::unique_lock lock(mu_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) throw StoreError(StoreError::Kind::kNotFound, "silence not found");
    const Entry& prev = *it->second;
    State st = StateAt(prev.silence(), now);
    if (st == State::kExpired) return;
    MeshSilence m = prev.mesh;
    if (st == State::kPending) m.silence.starts_at = now;
    m.silence.ends_at = now;
    m.silence.updated_at = NextUpdatedAt(&prev.silence(), now);
    m.expires_at = ExpiresAt(now);
    if (options_.log_changes) pending.log.emplace_back("expire silence", m.silence);
    std::vector<EntryPtr> changes;
    changes.push_back(MakeEntry(std::move(m)));
    Commit(std::move(changes), &pending);
  }
  Finish(&pending);
}

std::optional<Silence> Store::Get(const std::string& id) const {
  std::shared_lock lock(mu_);
  metrics_->queries_total.Increment();
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second->silence();
}

namespace {

// CheckSilenceMatchesFilterLabels, over every matcher set.
bool HasEqualMatcher(const Silence& s, const Matcher& f) {
  for (const auto& set : s.matcher_sets) {
    for (const auto& m : set) {
      if (m.name == f.name() && m.type == f.type() && m.pattern == f.value()) return true;
    }
  }
  return false;
}

bool MatchesAnySet(const Entry& e, const LabelSet& labels) {
  for (const auto& ms : e.compiled) {
    if (MatchesAll(ms, labels)) return true;
  }
  return false;
}

}  // namespace

std::vector<Silence> Store::Query(const SilenceQuery& q) const {
  const auto start = SteadyClock::now();
  const Time now = options_.now();
  std::vector<const Entry*> candidates;
  std::vector<Silence> out;
  {
    std::shared_lock lock(mu_);
    metrics_->queries_total.Increment();
    if (q.ids) {
      for (const auto& id : *q.ids) {
        auto it = by_id_.find(id);
        if (it != by_id_.end()) candidates.push_back(it->second.get());
      }
      if (q.matches) {
        std::erase_if(candidates, [&](const Entry* e) { return !MatchesAnySet(*e, *q.matches); });
      }
    } else if (q.matches) {
      index_.Match(*q.matches, &candidates);
    } else {
      candidates.reserve(by_id_.size());
      for (const auto& [id, e] : by_id_) candidates.push_back(e.get());
    }
    if (q.matches && compile_errors_ > 0) metrics_->query_errors_total.Increment();
    for (const Entry* e : candidates) {
      const Silence& s = e->silence();
      if (!q.states.empty() &&
          std::find(q.states.begin(), q.states.end(), StateAt(s, now)) == q.states.end()) {
        continue;
      }
      bool ok = true;
      for (const auto& f : q.filter) {
        if (!HasEqualMatcher(s, f)) {
          ok = false;
          break;
        }
      }
      if (ok) out.push_back(s);
    }
  }
  if (!q.ids) {
    std::sort(out.begin(), out.end(),
              [](const Silence& a, const Silence& b) { return a.id < b.id; });
  }
  metrics_->query_duration.Observe(SecondsSince(start));
  return out;
}

std::vector<std::string> Store::MutedBy(const LabelSet& labels, Time now) const {
  return MutedBy(labels, labels.Fingerprint(), now);
}

std::vector<std::string> Store::MutedBy(const LabelSet& labels, uint64_t fingerprint,
                                        Time now) const {
  std::vector<std::string> ids;
  auto collect = [&](const std::vector<const Entry*>& matches) {
    for (const Entry* e : matches) {
      if (StateAt(e->silence(), now) == State::kActive) ids.push_back(e->silence().id);
    }
  };
  std::shared_lock lock(mu_);
  metrics_->queries_total.Increment();
  const uint64_t version = version_.load(std::memory_order_acquire);
  const uint64_t epoch = epoch_.load(std::memory_order_relaxed);
  CacheShard& shard = cache_[fingerprint % kCacheShards];
  {
    std::lock_guard sl(shard.mu);
    auto it = shard.map.find(fingerprint);
    if (it != shard.map.end() && it->second.version == version) {
      it->second.epoch = epoch;
      collect(it->second.matches);
    } else {
      it = shard.map.end();
    }
    if (it != shard.map.end()) {
      lock.unlock();
      if (ids.size() > 1) std::sort(ids.begin(), ids.end());
      return ids;
    }
  }
  // Miss: evaluate with the index (outside the shard lock: other fingerprints of the shard keep
  // being served).
  const auto start = SteadyClock::now();
  std::vector<const Entry*> matches;
  index_.Match(labels, &matches);
  if (compile_errors_ > 0) metrics_->query_errors_total.Increment();
  collect(matches);
  {
    std::lock_guard sl(shard.mu);
    if (shard.map.size() >= kMaxCachePerShard) shard.map.clear();
    CacheEntry& ce = shard.map[fingerprint];
    ce.version = version;
    ce.epoch = epoch;
    ce.matches = std::move(matches);
  }
  lock.unlock();
  metrics_->query_duration.Observe(SecondsSince(start));
  if (ids.size() > 1) std::sort(ids.begin(), ids.end());
  return ids;
}

MergeResult Store::Merge(std::string_view bytes) {
  DecodeResult d = DecodeMeshSilences(bytes);
  MergeResult res;
  res.skipped = d.skipped;
  const Time now = options_.now();
  {
    std::unique_lock lock(mu_);
    for (auto& m : d.entries) {
      if (m.expires_at < now) continue;
      auto it = by_id_.find(m.silence.id);
      if (it != by_id_.end() && !(it->second->silence().updated_at < m.silence.updated_at)) {
        continue;
      }
      res.changed.push_back(m.silence.id);
      Put(MakeEntry(std::move(m)));
    }
    if (!res.changed.empty()) version_.fetch_add(1, std::memory_order_acq_rel);
  }
  return res;
}

void Store::CountPropagated() { metrics_->propagated_messages_total.Increment(); }

std::string Store::MarshalLocked() const {
  std::vector<const Entry*> all;
  all.reserve(by_id_.size());
  for (const auto& [id, e] : by_id_) all.push_back(e.get());
  std::sort(all.begin(), all.end(),
            [](const Entry* a, const Entry* b) { return a->silence().id < b->silence().id; });
  std::string out;
  for (const Entry* e : all) AppendMeshSilence(e->mesh, &out);
  return out;
}

std::string Store::MarshalBinary() const {
  std::shared_lock lock(mu_);
  return MarshalLocked();
}

size_t Store::GCLocked(Time now) {
  size_t n = 0;
  for (auto it = by_id_.begin(); it != by_id_.end();) {
    // Upstream stops GC at an entry without expires_at; such an entry is dropped here instead.
    const Time exp = it->second->mesh.expires_at;
    if (IsZero(exp) || !(exp > now)) {
      auto next = std::next(it);
      Drop(it);
      it = next;
      ++n;
    } else {
      ++it;
    }
  }
  if (n > 0) version_.fetch_add(1, std::memory_order_acq_rel);
  return n;
}

size_t Store::GC() {
  const auto start = SteadyClock::now();
  size_t n;
  {
    std::unique_lock lock(mu_);
    n = GCLocked(options_.now());
  }
  metrics_->gc_duration.Observe(SecondsSince(start));
  return n;
}

size_t Store::Maintenance() {
  metrics_->maintenance_total.Increment();
  try {
    // The next log segment is made durable before the lock is taken; under the lock the snapshot
    // content and the switch of segments are one step, so every change is either in the
    // snapshot or in a segment that is kept.
    std::shared_ptr<Wal::Segment> seg;
    if (wal_) seg = wal_->CreateSegment();
    std::string snapshot;
    uint64_t seq = 0;
    {
      std::unique_lock lock(mu_);
      const auto gc_start = SteadyClock::now();
      GCLocked(options_.now());
      metrics_->gc_duration.Observe(SecondsSince(gc_start));
      if (wal_) {
        snapshot = MarshalLocked();
        seq = wal_->Install(std::move(seg));
      }
      // Forget cached results of label sets nobody asked about since the previous run.
      const uint64_t old_epoch = epoch_.fetch_add(1, std::memory_order_relaxed);
      for (auto& shard : cache_) {
        std::lock_guard sl(shard.mu);
        std::erase_if(shard.map, [&](const auto& kv) { return kv.second.epoch < old_epoch; });
      }
    }
    if (!wal_) {
      metrics_->snapshot_size.Set(0);
      return 0;
    }
    const auto snap_start = SteadyClock::now();
    WriteFileAtomic(snapshot_path_, snapshot);
    metrics_->snapshot_duration.Observe(SecondsSince(snap_start));
    wal_->DropBefore(seq);
    metrics_->snapshot_size.Set(static_cast<double>(snapshot.size()));
    return snapshot.size();
  } catch (...) {
    metrics_->maintenance_errors_total.Increment();
    throw;
  }
}

size_t Store::Count(State s) const {
  const Time now = options_.now();
  std::shared_lock lock(mu_);
  size_t pending = starts_.end() - std::upper_bound(starts_.begin(), starts_.end(), now);
  size_t expired = std::lower_bound(ends_.begin(), ends_.end(), now) - ends_.begin();
  switch (s) {
    case State::kPending:
      return pending;
    case State::kExpired:
      return expired;
    case State::kActive:
      return starts_.size() - pending - expired;
  }
  return 0;
}

size_t Store::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

namespace {

// upstream's three GaugeFuncs with a const "state" label, as one family.
class StateCollector : public prometheus::Collectable {
 public:
  explicit StateCollector(const Store& store) : store_(store) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily f;
    f.name = "alertmanager_silences";
    f.help = "How many silences by state.";
    f.type = prometheus::MetricType::Gauge;
    for (State s : {State::kActive, State::kExpired, State::kPending}) {
      prometheus::ClientMetric m;
      m.label.push_back({"state", StateName(s)});
      m.gauge.value = static_cast<double>(store_.Count(s));
      f.metric.push_back(std::move(m));
    }
    return {std::move(f)};
  }

 private:
  const Store& store_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> Store::StateCollectable() const {
  return std::make_shared<StateCollector>(*this);
}

}  // namespace am::silence
