// am::nflog::Log: recording, queries, merge rules, GC, snapshots and their atomic writes, bounded
// decoding of untrusted bytes, the exact bytes of an entry, and the metrics.
#include "nflog/nflog.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>
#include <thread>

#include <google/protobuf/stubs/logging.h>
#include "core/error.h"
#include "nflog/delimited.h"
#include "proto/nflog.pb.h"

namespace am::nflog {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const Receiver kHook{"hook", "webhook", 0};
const std::string kGroup = "{}:{alertname=\"A\"}";

class RecordingBroadcaster : public Broadcaster {
 public:
  void Broadcast(std::string bytes) override { sent.push_back(std::move(bytes)); }
  std::vector<std::string> sent;
};

// A settable clock shared by the Log and the test.
struct FakeClock {
  Time now = Time(seconds(1'700'000'000));
  std::function<Time()> fn() {
    return [this] { return now; };
  }
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("nflog_test_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path path_;
};

void SetTime(Time t, google::protobuf::Timestamp* ts) {
  auto ns = t.time_since_epoch().count();
  ts->set_seconds(ns / 1'000'000'000);
  ts->set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
}

// One delimited MeshEntry built by hand, as a peer would send it.
std::string PeerEntry(const std::string& group_key, const Receiver& r, Time ts, Time expires,
                      std::vector<uint64_t> firing, std::vector<uint64_t> resolved = {}) {
  nflogpb::MeshEntry m;
  m.mutable_entry()->set_group_key(group_key);
  m.mutable_entry()->mutable_receiver()->set_group_name(r.group_name);
  m.mutable_entry()->mutable_receiver()->set_integration(r.integration);
  m.mutable_entry()->mutable_receiver()->set_idx(r.idx);
  SetTime(ts, m.mutable_entry()->mutable_timestamp());
  for (auto h : firing) m.mutable_entry()->add_firing_alerts(h);
  for (auto h : resolved) m.mutable_entry()->add_resolved_alerts(h);
  SetTime(expires, m.mutable_expires_at());
  std::string out;
  AppendDelimited(m, &out);
  return out;
}

double Value(prometheus::Registry& reg, const std::string& name) {
  for (const auto& fam : reg.Collect()) {
    if (fam.name != name) continue;
    const auto& m = fam.metric.at(0);
    switch (fam.type) {
      case prometheus::MetricType::Counter:
        return m.counter.value;
      case prometheus::MetricType::Gauge:
        return m.gauge.value;
      case prometheus::MetricType::Summary:
        return static_cast<double>(m.summary.sample_count);
      case prometheus::MetricType::Histogram:
        return static_cast<double>(m.histogram.sample_count);
      default:
        return -1;
    }
  }
  return -2;
}

class NflogTest : public ::testing::Test {
 protected:
  NflogTest() : log_(MakeOptions()) {}
  Options MakeOptions() {
    Options o;
    o.now = clock_.fn();
    o.broadcaster = &bc_;
    o.registry = &registry_;
    return o;
  }

  FakeClock clock_;
  RecordingBroadcaster bc_;
  prometheus::Registry registry_;
  Log log_;
};

TEST_F(NflogTest, QueryOfUnknownKeyIsNotFound) {
  EXPECT_FALSE(log_.Query(kGroup, kHook).has_value());
  EXPECT_EQ(log_.size(), 0u);
}

TEST_F(NflogTest, RecordThenQueryReturnsTheEntry) {
  ASSERT_TRUE(log_.Record(kHook, kGroup, {1, 2}, {3}, hours(8)));
  auto e = log_.Query(kGroup, kHook);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->group_key, kGroup);
  EXPECT_EQ(e->receiver, kHook);
  EXPECT_EQ(e->timestamp, clock_.now);
  EXPECT_EQ(e->firing_alerts, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(e->resolved_alerts, (std::vector<uint64_t>{3}));
  EXPECT_EQ(e->expires_at, clock_.now + hours(8));
  // The key includes every part of the receiver.
  EXPECT_FALSE(log_.Query(kGroup, {"hook", "webhook", 1}).has_value());
  EXPECT_FALSE(log_.Query(kGroup, {"hook", "email", 0}).has_value());
  EXPECT_FALSE(log_.Query(kGroup, {"hook2", "webhook", 0}).has_value());
  EXPECT_FALSE(log_.Query("{}:{alertname=\"B\"}", kHook).has_value());
}

TEST_F(NflogTest, ExpiresAtIsTheSmallerOfRetentionAndExpiry) {
  // Default retention 120h.
  log_.Record(kHook, "g1", {1}, {}, hours(8));
  EXPECT_EQ(log_.Query("g1", kHook)->expires_at, clock_.now + hours(8));
  log_.Record(kHook, "g2", {1}, {}, hours(240));
  EXPECT_EQ(log_.Query("g2", kHook)->expires_at, clock_.now + hours(120));
  log_.Record(kHook, "g3", {1}, {}, hours(120));
  EXPECT_EQ(log_.Query("g3", kHook)->expires_at, clock_.now + hours(120));
  // No expiry: retention.
  log_.Record(kHook, "g4", {1}, {}, nanoseconds(0));
  EXPECT_EQ(log_.Query("g4", kHook)->expires_at, clock_.now + hours(120));
}

TEST_F(NflogTest, CustomRetention) {
  Options o = MakeOptions();
  o.retention = hours(1);
  Log log(o);
  log.Record(kHook, "g", {1}, {}, hours(8));
  EXPECT_EQ(log.Query("g", kHook)->expires_at, clock_.now + hours(1));
  log.Record(kHook, "h", {1}, {}, minutes(30));
  EXPECT_EQ(log.Query("h", kHook)->expires_at, clock_.now + minutes(30));
}

TEST_F(NflogTest, RecordBroadcastsTheDelimitedEntry) {
  log_.Record(kHook, kGroup, {7}, {}, hours(8));
  ASSERT_EQ(bc_.sent.size(), 1u);
  EXPECT_EQ(bc_.sent[0], log_.MarshalBinary());
  DelimitedReader r(bc_.sent[0], 1 << 20);
  nflogpb::MeshEntry m;
  ASSERT_TRUE(r.Next(&m));
  EXPECT_EQ(m.entry().group_key(), kGroup);
  EXPECT_EQ(m.entry().firing_alerts(0), 7u);
  EXPECT_FALSE(r.Next(&m));
}

TEST_F(NflogTest, RecordDoesNotOverwriteANewerEntry) {
  // A peer whose clock is ahead logged this group 1 minute "in the future".
  ASSERT_TRUE(
      log_.Merge(PeerEntry(kGroup, kHook, clock_.now + minutes(1), clock_.now + hours(8), {1})));
  EXPECT_FALSE(log_.Record(kHook, kGroup, {2}, {}, hours(8)));
  EXPECT_TRUE(bc_.sent.empty());
  EXPECT_EQ(log_.Query(kGroup, kHook)->firing_alerts, (std::vector<uint64_t>{1}));
  // At the same instant it does overwrite.
  clock_.now += minutes(1);
  EXPECT_TRUE(log_.Record(kHook, kGroup, {2}, {}, hours(8)));
  EXPECT_EQ(log_.Query(kGroup, kHook)->firing_alerts, (std::vector<uint64_t>{2}));
}

TEST_F(NflogTest, RecordKeepsReceiverData) {
  ReceiverData data{{"ts", std::string("1234.5678")}, {"n", int64_t{-3}}, {"f", 0.5}};
  log_.Record(kHook, kGroup, {1}, {}, hours(8), data);
  EXPECT_EQ(log_.Query(kGroup, kHook)->receiver_data, data);
  Log other({.now = clock_.fn()});
  ASSERT_TRUE(other.Merge(bc_.sent.at(0)));
  EXPECT_EQ(other.Query(kGroup, kHook)->receiver_data, data);
}

// The exact bytes of one entry, computed by hand from the protobuf encoding rules.
TEST_F(NflogTest, EncodedEntryMatchesHandComputedBytes) {
  Options o = MakeOptions();
  o.now = [] { return Time(seconds(300) + nanoseconds(1)); };
  Log log(o);
  bc_.sent.clear();
  log.Record({"r", "webhook", 1}, "{}:{a=\"b\"}", {1, 300}, {2}, seconds(3600));
  // clang-format off
  const unsigned char kWant[] = {
      0x34,                          // delimiter: the MeshEntry is 52 bytes
      0x0a, 0x2b,                    // MeshEntry.entry (1, LEN), 43 bytes
      0x0a, 0x0a,                    //   Entry.group_key (1, LEN), 10 bytes
      '{', '}', ':', '{', 'a', '=', '"', 'b', '"', '}',
      0x12, 0x0e,                    //   Entry.receiver (2, LEN), 14 bytes
      0x0a, 0x01, 'r',               //     Receiver.group_name (1) "r"
      0x12, 0x07, 'w', 'e', 'b', 'h', 'o', 'o', 'k',  // Receiver.integration (2) "webhook"
      0x18, 0x01,                    //     Receiver.idx (3, VARINT) 1
      0x2a, 0x05,                    //   Entry.timestamp (5, LEN), 5 bytes
      0x08, 0xac, 0x02,              //     seconds 300
      0x10, 0x01,                    //     nanos 1
      0x32, 0x03, 0x01, 0xac, 0x02,  //   Entry.firing_alerts (6) packed: 1, 300
      0x3a, 0x01, 0x02,              //   Entry.resolved_alerts (7) packed: 2
      0x12, 0x05,                    // MeshEntry.expires_at (2, LEN), 5 bytes
      0x08, 0xbc, 0x1e,              //   seconds 3900 = 300 + 3600
      0x10, 0x01,                    //   nanos 1
  };
  // clang-format on
  const std::string want(reinterpret_cast<const char*>(kWant), sizeof kWant);
  ASSERT_EQ(bc_.sent.size(), 1u);
  EXPECT_EQ(bc_.sent[0], want);
  EXPECT_EQ(log.MarshalBinary(), want);
}

TEST_F(NflogTest, MergeStoresUnknownEntries) {
  EXPECT_TRUE(log_.Merge(PeerEntry(kGroup, kHook, clock_.now, clock_.now + hours(1), {5})));
  EXPECT_EQ(log_.Query(kGroup, kHook)->firing_alerts, (std::vector<uint64_t>{5}));
  // Merging never broadcasts: re-gossip is the cluster layer's decision.
  EXPECT_TRUE(bc_.sent.empty());
}

TEST_F(NflogTest, MergeKeepsTheNewerTimestamp) {
  log_.Record(kHook, kGroup, {1}, {}, hours(8));
  const Time t = clock_.now;
  // Older: ignored.
  EXPECT_FALSE(log_.Merge(PeerEntry(kGroup, kHook, t - seconds(1), t + hours(8), {2})));
  EXPECT_EQ(log_.Query(kGroup, kHook)->firing_alerts, (std::vector<uint64_t>{1}));
  // Same timestamp: ignored (strictly newer wins).
  EXPECT_FALSE(log_.Merge(PeerEntry(kGroup, kHook, t, t + hours(8), {3})));
  EXPECT_EQ(log_.Query(kGroup, kHook)->firing_alerts, (std::vector<uint64_t>{1}));
  // Newer by a nanosecond: replaces.
  EXPECT_TRUE(log_.Merge(PeerEntry(kGroup, kHook, t + nanoseconds(1), t + hours(8), {4})));
  EXPECT_EQ(log_.Query(kGroup, kHook)->firing_alerts, (std::vector<uint64_t>{4}));
  EXPECT_EQ(log_.Query(kGroup, kHook)->timestamp, t + nanoseconds(1));
}

TEST_F(NflogTest, MergeSkipsExpiredEntries) {
  const Time t = clock_.now;
  EXPECT_FALSE(log_.Merge(PeerEntry(kGroup, kHook, t - hours(9), t - nanoseconds(1), {1})));
  EXPECT_FALSE(log_.Query(kGroup, kHook).has_value());
  // expires_at == now is not before now: kept.
  EXPECT_TRUE(log_.Merge(PeerEntry(kGroup, kHook, t - hours(8), t, {1})));
  EXPECT_TRUE(log_.Query(kGroup, kHook).has_value());
}

TEST_F(NflogTest, MergeOfFullStateReportsAnyChange) {
  const Time t = clock_.now;
  log_.Record(kHook, "g1", {1}, {}, hours(8));
  std::string full = PeerEntry("g1", kHook, t - seconds(5), t + hours(8), {9}) +  // older
                     PeerEntry("g2", kHook, t, t + hours(8), {2}) +               // new key
                     PeerEntry("g3", kHook, t - hours(9), t - hours(1), {3});     // expired
  EXPECT_TRUE(log_.Merge(full));
  EXPECT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_.Query("g1", kHook)->firing_alerts, (std::vector<uint64_t>{1}));
  EXPECT_EQ(log_.Query("g2", kHook)->firing_alerts, (std::vector<uint64_t>{2}));
  EXPECT_FALSE(log_.Query("g3", kHook).has_value());
  EXPECT_FALSE(log_.Merge(full));  // nothing new the second time
  EXPECT_FALSE(log_.Merge(""));    // an empty state is valid and changes nothing
}

TEST_F(NflogTest, MergeRejectsMalformedBytesWithoutMergingAnything) {
  const Time t = clock_.now;
  std::string good = PeerEntry("g1", kHook, t, t + hours(1), {1});
  EXPECT_THROW(log_.Merge(good + "\x05\x0a"), ParseError);  // truncated second entry
  EXPECT_EQ(log_.size(), 0u);

  nflogpb::MeshEntry no_receiver;
  no_receiver.mutable_entry()->set_group_key("g");
  std::string bad;
  AppendDelimited(no_receiver, &bad);
  EXPECT_THROW(log_.Merge(good + bad), ParseError);
  EXPECT_THROW(log_.Merge(std::string("\x00", 1)), ParseError);  // empty MeshEntry: no entry
  EXPECT_EQ(log_.size(), 0u);

  nflogpb::MeshEntry bad_time;
  DelimitedReader(good, 1 << 20).Next(&bad_time);
  bad_time.mutable_expires_at()->set_nanos(1'000'000'000);
  bad.clear();
  AppendDelimited(bad_time, &bad);
  EXPECT_THROW(log_.Merge(bad), ParseError);
  bad_time.mutable_expires_at()->set_nanos(0);
  bad_time.mutable_expires_at()->set_seconds(253402300800);  // year 10000
  bad.clear();
  AppendDelimited(bad_time, &bad);
  EXPECT_THROW(log_.Merge(bad), ParseError);
  EXPECT_EQ(log_.size(), 0u);
}

TEST_F(NflogTest, MergeRejectsOversizedEntries) {
  Options o = MakeOptions();
  o.max_entry_bytes = 64;
  Log small(o);
  const Time t = clock_.now;
  std::vector<uint64_t> many(20, ~uint64_t{0});
  EXPECT_THROW(small.Merge(PeerEntry("g", kHook, t, t + hours(1), many)), ParseError);
  EXPECT_TRUE(small.Merge(PeerEntry("g", kHook, t, t + hours(1), {1})));
}

TEST_F(NflogTest, EntryWithoutExpiryIsDroppedByMergeAndGC) {
  nflogpb::MeshEntry m;
  DelimitedReader(PeerEntry("g", kHook, clock_.now, clock_.now + hours(1), {1}), 1 << 20).Next(&m);
  m.clear_expires_at();  // reads as Go's zero time
  std::string bytes;
  AppendDelimited(m, &bytes);
  EXPECT_FALSE(log_.Merge(bytes));
  // A snapshot may still hold one: Load keeps it, GC removes it.
  TempDir dir;
  WriteAll(dir.path() / "nflog", bytes);
  ASSERT_TRUE(log_.Load(dir.path() / "nflog"));
  EXPECT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_.Query("g", kHook)->expires_at, kZeroTime);
  EXPECT_EQ(log_.GC(clock_.now), 1u);
}

TEST_F(NflogTest, GCRemovesEntriesExpiringAtOrBeforeNow) {
  log_.Record(kHook, "g1", {1}, {}, hours(1));
  log_.Record(kHook, "g2", {1}, {}, hours(2));
  log_.Record(kHook, "g3", {1}, {}, hours(3));
  const Time t = clock_.now;
  EXPECT_EQ(log_.GC(t + hours(1) - nanoseconds(1)), 0u);
  EXPECT_EQ(log_.GC(t + hours(2)), 2u);  // g1 (past) and g2 (exactly now)
  EXPECT_FALSE(log_.Query("g1", kHook).has_value());
  EXPECT_FALSE(log_.Query("g2", kHook).has_value());
  EXPECT_TRUE(log_.Query("g3", kHook).has_value());
  EXPECT_EQ(log_.GC(t + hours(2)), 0u);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_gc_duration_seconds"), 3);
}

TEST_F(NflogTest, SnapshotRoundTrip) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  log_.Record(kHook, "g1", {1, 2}, {}, hours(8));
  clock_.now += seconds(1);
  log_.Record({"other", "email", 2}, "g2", {}, {3}, hours(2), {{"k", std::string("v")}});
  const size_t n = log_.Snapshot(path);
  EXPECT_EQ(n, fs::file_size(path));
  EXPECT_EQ(ReadAll(path), log_.MarshalBinary());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"nflog"});  // no temporary file left

  Log loaded({.now = clock_.fn()});
  ASSERT_TRUE(loaded.Load(path));
  EXPECT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.MarshalBinary(), log_.MarshalBinary());
  auto e = loaded.Query("g2", {"other", "email", 2});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->resolved_alerts, (std::vector<uint64_t>{3}));
  EXPECT_EQ(e->timestamp, clock_.now);
  EXPECT_EQ(e->expires_at, clock_.now + hours(2));
  EXPECT_EQ(std::get<std::string>(e->receiver_data.at("k")), "v");
}

TEST_F(NflogTest, SnapshotReplacesTheOldFile) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  WriteAll(path, "old contents");
  log_.Record(kHook, "g1", {1}, {}, hours(8));
  log_.Snapshot(path);
  EXPECT_EQ(ReadAll(path), log_.MarshalBinary());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"nflog"});
}

TEST_F(NflogTest, EmptyLogSnapshotIsAnEmptyFile) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  EXPECT_EQ(log_.Snapshot(path), 0u);
  EXPECT_TRUE(fs::exists(path));
  Log loaded;
  EXPECT_TRUE(loaded.Load(path));
  EXPECT_EQ(loaded.size(), 0u);
}

// A write that fails half-way (the file size limit, EFBIG) leaves the old snapshot as it was and
// no temporary file behind.
TEST_F(NflogTest, FailedSnapshotLeavesOldFileIntact) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  log_.Record(kHook, "g0", {1}, {}, hours(8));
  log_.Snapshot(path);
  const std::string old = ReadAll(path);
  ASSERT_LT(old.size(), 4096u);
  for (int i = 0; i < 200; ++i) log_.Record(kHook, "group-" + std::to_string(i), {1}, {}, hours(8));
  ASSERT_GT(log_.MarshalBinary().size(), 4096u);

  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  try {
    log_.Snapshot(path);
  } catch (const std::system_error& e) {
    threw = true;
    EXPECT_EQ(e.code().value(), EFBIG) << e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, old_handler);

  EXPECT_TRUE(threw);
  EXPECT_EQ(ReadAll(path), old);
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"nflog"});
}

TEST_F(NflogTest, SnapshotIntoMissingDirectoryThrows) {
  TempDir dir;
  EXPECT_THROW(log_.Snapshot(dir.path() / "missing" / "nflog"), std::system_error);
  EXPECT_TRUE(dir.Files().empty());
}

TEST_F(NflogTest, FailedRenameRemovesTheTemporaryFile) {
  TempDir dir;
  // A non-empty directory where the snapshot should go: rename(2) fails.
  fs::create_directories(dir.path() / "nflog" / "x");
  log_.Record(kHook, "g", {1}, {}, hours(8));
  EXPECT_THROW(log_.Snapshot(dir.path() / "nflog"), std::system_error);
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"nflog"});
}

TEST_F(NflogTest, LoadOfMissingFileIsFineAndKeepsState) {
  TempDir dir;
  log_.Record(kHook, kGroup, {1}, {}, hours(8));
  EXPECT_FALSE(log_.Load(dir.path() / "nflog"));
  EXPECT_EQ(log_.size(), 1u);
}

TEST_F(NflogTest, LoadReplacesState) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  const Time t = clock_.now;
  WriteAll(path, PeerEntry("g9", kHook, t, t + hours(1), {9}));
  log_.Record(kHook, kGroup, {1}, {}, hours(8));
  ASSERT_TRUE(log_.Load(path));
  EXPECT_EQ(log_.size(), 1u);
  EXPECT_TRUE(log_.Query("g9", kHook).has_value());
}

TEST_F(NflogTest, CorruptSnapshotIsRejectedWithAClearErrorAndStateKept) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  const Time t = clock_.now;
  log_.Record(kHook, kGroup, {1}, {}, hours(8));
  const std::string good =
      PeerEntry("g1", kHook, t, t + hours(1), {1}) + PeerEntry("g2", kHook, t, t + hours(1), {2});
  const std::vector<std::string> bad = {
      good.substr(0, good.size() - 1),                 // truncated last entry
      good.substr(0, good.size() / 2 + 1),             // cut in the middle
      good + "\x85",                                   // a dangling length byte
      std::string("\xff\xff\xff\xff\x0f", 5),          // a 4 GiB length
      std::string("\x80\x80\x80\x80\x80\x80\x01", 7),  // an over-long varint
      std::string("\x03\xff\xff\xff", 4),              // bytes that are not a MeshEntry
      "this is not a snapshot at all",
  };
  for (const auto& b : bad) {
    WriteAll(path, b);
    try {
      log_.Load(path);
      ADD_FAILURE() << "accepted corrupt snapshot of " << b.size() << " bytes";
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find("nflog snapshot " + path + ": "), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(log_.size(), 1u);
    EXPECT_TRUE(log_.Query(kGroup, kHook).has_value());
  }
}

// Random damage to a valid snapshot never crashes: it loads or is rejected with ParseError.
TEST_F(NflogTest, MangledBytesNeverCrash) {
  const Time t = clock_.now;
  std::string good;
  for (int i = 0; i < 5; ++i) {
    good += PeerEntry("group-" + std::to_string(i), kHook, t, t + hours(1), {1, 2, 3}, {4});
  }
  // Damaged receiver names are invalid UTF-8 to protobuf, which logs each rejection: mute it here.
  google::protobuf::LogSilencer quiet;
  std::mt19937 rng(42);
  int accepted = 0, rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string b = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    Log l({.now = clock_.fn()});
    try {
      l.Merge(b);
      ++accepted;
    } catch (const ParseError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(accepted, 0);
}

TEST_F(NflogTest, MaintainCollectsGarbageThenSnapshots) {
  TempDir dir;
  const std::string path = dir.path() / "nflog";
  log_.Record(kHook, "short", {1}, {}, hours(1));
  log_.Record(kHook, "long", {1}, {}, hours(8));
  clock_.now += hours(2);
  const size_t n = log_.Maintain(path);
  EXPECT_EQ(log_.size(), 1u);
  EXPECT_EQ(n, fs::file_size(path));
  EXPECT_EQ(ReadAll(path), log_.MarshalBinary());
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_maintenance_total"), 1);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_maintenance_errors_total"), 0);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_snapshot_size_bytes"), static_cast<double>(n));
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_snapshot_duration_seconds"), 1);

  EXPECT_THROW(log_.Maintain(dir.path() / "missing" / "nflog"), std::system_error);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_maintenance_total"), 2);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_maintenance_errors_total"), 1);

  // Without a snapshot path only GC runs.
  EXPECT_EQ(log_.Maintain(""), 0u);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_maintenance_total"), 3);
}

TEST_F(NflogTest, QueryMetricsCountNotFoundAsError) {
  log_.Record(kHook, kGroup, {1}, {}, hours(8));
  log_.Query(kGroup, kHook);
  log_.Query("nope", kHook);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_queries_total"), 2);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_query_errors_total"), 1);
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_query_duration_seconds"), 2);
  log_.CountPropagated();
  EXPECT_EQ(Value(registry_, "alertmanager_nflog_gossip_messages_propagated_total"), 1);
}

TEST_F(NflogTest, ConcurrentRecordQueryMergeAndMarshal) {
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([this, w] {
      for (int i = 0; i < 300; ++i) {
        const std::string g = "g" + std::to_string(i % 17);
        switch (w) {
          case 0:
            log_.Record(kHook, g, {static_cast<uint64_t>(i)}, {}, hours(1));
            break;
          case 1:
            log_.Query(g, kHook);
            break;
          case 2:
            log_.Merge(log_.MarshalBinary());
            break;
          default:
            log_.GC(Time(seconds(0)));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(log_.size(), 17u);
}

}  // namespace
}  // namespace am::nflog
