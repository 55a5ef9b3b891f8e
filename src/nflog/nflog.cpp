#include "nflog/nflog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <map>
#include <random>
#include <system_error>
#include <utility>

#include "core/error.h"
#include "nflog/delimited.h"
#include "nflog/metrics.h"
#include "proto/nflog.pb.h"

namespace am::nflog {

struct Log::State {
  std::map<std::string, nflogpb::MeshEntry, std::less<>> entries;
};

namespace {

using Clock = std::chrono::steady_clock;
using google::protobuf::Timestamp;

// Go's time.Time range as protobuf timestamps (types.TimestampFromProto): 0001-01-01 up to, not
// including, 10000-01-01. Go's zero time is the lower bound.
constexpr int64_t kMinValidSeconds = -62135596800;
constexpr int64_t kMaxValidSeconds = 253402300800;

// A protobuf time as Go sees it after gogoproto's stdtime decoding; absent means Go's zero time.
struct ProtoTime {
  int64_t seconds = kMinValidSeconds;
  int32_t nanos = 0;
  auto operator<=>(const ProtoTime&) const = default;
};

ProtoTime Read(bool present, const Timestamp& ts) {
  if (!present) return {};
  return {ts.seconds(), ts.nanos()};
}

ProtoTime FromTime(Time t) {
  auto ns = t.time_since_epoch().count();
  int64_t s = ns / 1'000'000'000;
  int64_t n = ns % 1'000'000'000;
  if (n < 0) {
    n += 1'000'000'000;
    --s;
  }
  return {s, static_cast<int32_t>(n)};
}

void Write(Time t, Timestamp* ts) {
  ProtoTime p = FromTime(t);
  ts->set_seconds(p.seconds);
  ts->set_nanos(p.nanos);
}

// Clamps to am::Time's int64-nanosecond range; Go's zero time and anything before 1677 become
// kZeroTime.
Time ToTime(ProtoTime p) {
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  constexpr int64_t kMinSeconds = std::numeric_limits<int64_t>::min() / 1'000'000'000 + 1;
  if (p.seconds > kMaxSeconds) return Time::max();
  if (p.seconds < kMinSeconds) return kZeroTime;
  return Time(std::chrono::nanoseconds(p.seconds * 1'000'000'000 + p.nanos));
}

bool Valid(bool present, const Timestamp& ts) {
  if (!present) return true;
  return ts.seconds() >= kMinValidSeconds && ts.seconds() < kMaxValidSeconds && ts.nanos() >= 0 &&
         ts.nanos() < 1'000'000'000;
}

ProtoTime EntryTime(const nflogpb::MeshEntry& e) {
  return Read(e.entry().has_timestamp(), e.entry().timestamp());
}

ProtoTime ExpiresAt(const nflogpb::MeshEntry& e) {
  return Read(e.has_expires_at(), e.expires_at());
}

std::string KeyOf(const nflogpb::MeshEntry& e) {
  const nflogpb::Receiver& r = e.entry().receiver();
  return StateKey(e.entry().group_key(), Receiver{r.group_name(), r.integration(), r.idx()});
}

Entry ToEntry(const nflogpb::MeshEntry& m) {
  const nflogpb::Entry& e = m.entry();
  Entry out;
  out.group_key = e.group_key();
  out.receiver = {e.receiver().group_name(), e.receiver().integration(), e.receiver().idx()};
  out.timestamp = ToTime(EntryTime(m));
  out.firing_alerts.assign(e.firing_alerts().begin(), e.firing_alerts().end());
  out.resolved_alerts.assign(e.resolved_alerts().begin(), e.resolved_alerts().end());
  for (const auto& [k, v] : e.receiver_data()) {
    switch (v.value_case()) {
      case nflogpb::ReceiverDataValue::kStrVal:
        out.receiver_data.emplace(k, v.str_val());
        break;
      case nflogpb::ReceiverDataValue::kIntVal:
        out.receiver_data.emplace(k, v.int_val());
        break;
      case nflogpb::ReceiverDataValue::kDoubleVal:
        out.receiver_data.emplace(k, v.double_val());
        break;
      case nflogpb::ReceiverDataValue::VALUE_NOT_SET:
        break;
    }
  }
  out.expires_at = ToTime(ExpiresAt(m));
  return out;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void ThrowErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::string RandomHex() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = kHex[v & 0xf];
  return s;
}

void WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("nflog snapshot: write " + name);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// The directory entry of a rename is durable only once the directory itself is synced.
void SyncDir(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("nflog snapshot: open directory " + dir);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    ThrowErrno("nflog snapshot: fsync directory " + dir);
  }
}

void WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + "." + RandomHex();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) ThrowErrno("nflog snapshot: create " + tmp);
  try {
    WriteAll(fd, data, tmp);
    if (::fsync(fd) != 0) ThrowErrno("nflog snapshot: fsync " + tmp);
    int rc = ::close(fd);
    fd = -1;
    if (rc != 0) ThrowErrno("nflog snapshot: close " + tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      ThrowErrno("nflog snapshot: rename " + tmp + " to " + path);
    }
  } catch (...) {
    int saved = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    throw;
  }
  SyncDir(path);
}

// Reads the whole file; nullopt when it does not exist.
std::optional<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    ThrowErrno("nflog: open " + path);
  }
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      errno = saved;
      ThrowErrno("nflog: read " + path);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

}  // namespace

Log::Log(Options options) : options_(std::move(options)), state_(std::make_unique<State>()) {
  prometheus::Registry* registry = options_.registry;
  if (registry == nullptr) {
    own_registry_ = std::make_unique<prometheus::Registry>();
    registry = own_registry_.get();
  }
  metrics_ = std::make_unique<Metrics>(*registry);
}

Log::~Log() = default;

std::unique_ptr<Log::State> Log::Decode(std::string_view bytes) const {
  auto st = std::make_unique<State>();
  DelimitedReader reader(bytes, options_.max_entry_bytes);
  for (size_t i = 0;; ++i) {
    const size_t at = reader.offset();
    nflogpb::MeshEntry e;
    if (!reader.Next(&e)) break;
    auto where = [&] {
      return "entry " + std::to_string(i) + " at byte " + std::to_string(at) + ": ";
    };
    // Upstream's ErrInvalidState.
    if (!e.has_entry() || !e.entry().has_receiver()) {
      throw ParseError(where() + "invalid state: entry or receiver missing");
    }
    // Go's decoder rejects timestamps outside time.Time's range.
    if (!Valid(e.has_expires_at(), e.expires_at()) ||
        !Valid(e.entry().has_timestamp(), e.entry().timestamp())) {
      throw ParseError(where() + "timestamp out of range");
    }
    std::string key = KeyOf(e);
    st->entries.insert_or_assign(std::move(key), std::move(e));
  }
  return st;
}

std::optional<Entry> Log::Query(std::string_view group_key, const Receiver& receiver) const {
  const auto start = Clock::now();
  metrics_->queries_total.Increment();
  std::optional<Entry> out;
  {
    std::lock_guard lock(mu_);
    auto it = state_->entries.find(StateKey(group_key, receiver));
    if (it != state_->entries.end()) out = ToEntry(it->second);
  }
  if (!out) metrics_->query_errors_total.Increment();
  metrics_->query_duration.Observe(SecondsSince(start));
  return out;
}

bool Log::Record(const Receiver& receiver, std::string_view group_key,
                 std::vector<uint64_t> firing_alerts, std::vector<uint64_t> resolved_alerts,
                 std::chrono::nanoseconds expiry, const ReceiverData& receiver_data) {
  const Time now = options_.now();
  Time expires_at = now + options_.retention;
  if (expiry.count() > 0 && options_.retention > expiry) expires_at = now + expiry;

  nflogpb::MeshEntry m;
  nflogpb::Entry* e = m.mutable_entry();
  e->set_group_key(std::string(group_key));
  nflogpb::Receiver* r = e->mutable_receiver();
  r->set_group_name(receiver.group_name);
  r->set_integration(receiver.integration);
  r->set_idx(receiver.idx);
  Write(now, e->mutable_timestamp());
  e->mutable_firing_alerts()->Add(firing_alerts.begin(), firing_alerts.end());
  e->mutable_resolved_alerts()->Add(resolved_alerts.begin(), resolved_alerts.end());
  for (const auto& [k, v] : receiver_data) {
    nflogpb::ReceiverDataValue& pv = (*e->mutable_receiver_data())[k];
    if (const auto* s = std::get_if<std::string>(&v)) {
      pv.set_str_val(*s);
    } else if (const auto* i = std::get_if<int64_t>(&v)) {
      pv.set_int_val(*i);
    } else {
      pv.set_double_val(std::get<double>(v));
    }
  }
  Write(expires_at, m.mutable_expires_at());

  std::string bytes;
  AppendDelimited(m, &bytes);
  const ProtoTime pnow = FromTime(now);
  {
    std::lock_guard lock(mu_);
    std::string key = StateKey(group_key, receiver);
    auto it = state_->entries.find(key);
    // A newer entry (a peer whose clock is ahead, or a racing Record) wins.
    if (it != state_->entries.end() && EntryTime(it->second) > pnow) return false;
    // As upstream's state.merge: an entry already expired is not kept (still broadcast).
    if (!(ExpiresAt(m) < pnow)) state_->entries.insert_or_assign(std::move(key), std::move(m));
  }
  if (options_.broadcaster != nullptr) options_.broadcaster->Broadcast(std::move(bytes));
  return true;
}

bool Log::Merge(std::string_view bytes) {
  std::unique_ptr<State> incoming = Decode(bytes);
  bool changed = false;
  std::lock_guard lock(mu_);
  const ProtoTime now = FromTime(options_.now());
  for (auto& [key, e] : incoming->entries) {
    if (ExpiresAt(e) < now) continue;
    auto it = state_->entries.find(key);
    if (it == state_->entries.end()) {
      state_->entries.emplace(key, std::move(e));
      changed = true;
    } else if (EntryTime(it->second) < EntryTime(e)) {
      it->second = std::move(e);
      changed = true;
    }
  }
  return changed;
}

void Log::CountPropagated() { metrics_->propagated_messages_total.Increment(); }

std::string Log::MarshalBinary() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [key, e] : state_->entries) AppendDelimited(e, &out);
  return out;
}

size_t Log::GC(Time now) {
  const auto start = Clock::now();
  const ProtoTime pnow = FromTime(now);
  size_t removed = 0;
  {
    std::lock_guard lock(mu_);
    for (auto it = state_->entries.begin(); it != state_->entries.end();) {
      if (ExpiresAt(it->second) <= pnow) {
        it = state_->entries.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  metrics_->gc_duration.Observe(SecondsSince(start));
  return removed;
}

size_t Log::Snapshot(const std::string& path) const {
  const auto start = Clock::now();
  const std::string data = MarshalBinary();
  WriteFileAtomically(path, data);
  metrics_->snapshot_duration.Observe(SecondsSince(start));
  return data.size();
}

bool Log::Load(const std::string& path) {
  std::optional<std::string> data = ReadFile(path);
  if (!data) return false;
  std::unique_ptr<State> st;
  try {
    st = Decode(*data);
  } catch (const ParseError& e) {
    throw ParseError("nflog snapshot " + path + ": " + e.what());
  }
  std::lock_guard lock(mu_);
  state_ = std::move(st);
  return true;
}

size_t Log::Maintain(const std::string& path) {
  metrics_->maintenance_total.Increment();
  size_t size = 0;
  try {
    GC(options_.now());
    if (!path.empty()) size = Snapshot(path);
  } catch (...) {
    metrics_->snapshot_size.Set(0);
    metrics_->maintenance_errors_total.Increment();
    throw;
  }
  metrics_->snapshot_size.Set(static_cast<double>(size));
  return size;
}

size_t Log::size() const {
  std::lock_guard lock(mu_);
  return state_->entries.size();
}

}  // namespace am::nflog
