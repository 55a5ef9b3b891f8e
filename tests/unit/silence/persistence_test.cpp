// Snapshot and write-ahead log: atomic snapshots at maintenance, loading at start, replay of the
// log after a crash (no snapshot written), torn and zero-filled tails, corrupt files, fsync
// failures, and folding of the log into the snapshot.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "proto/silence.pb.h"
#include "silence/codec.h"
#include "silence/delimited.h"
#include "silence/file_util.h"
#include "silence/store.h"
#include "silence/wal.h"
#include "test_util.h"

namespace am::silence {
namespace {

using namespace testing;  // NOLINT
namespace fs = std::filesystem;

const Time kT0 = T("2024-05-01T10:00:00Z");

class PersistenceTest : public ::testing::Test {
 protected:
  PersistenceTest() : clock_(kT0) {}

  std::unique_ptr<Store> Open() {
    Options o;
    o.storage_dir = dir_.path();
    o.now = clock_.Fn();
    regs_.push_back(std::make_unique<prometheus::Registry>());
    return std::make_unique<Store>(std::move(o), *regs_.back());
  }

  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> Segments() const {
    std::vector<std::string> out;
    for (const auto& f : Files()) {
      if (f.rfind("silences.wal.", 0) == 0) out.push_back(f);
    }
    return out;
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  void Append(const std::string& file, std::string_view bytes) {
    std::ofstream f(Path(file), std::ios::binary | std::ios::app);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  TempDir dir_;
  FakeClock clock_;
  std::vector<std::unique_ptr<prometheus::Registry>> regs_;
};

TEST_F(PersistenceTest, EmptyDirectoryStartsEmpty) {
  auto s = Open();
  EXPECT_EQ(s->size(), 0u);
  EXPECT_FALSE(fs::exists(Path("silences")));  // nothing to fold
}

TEST_F(PersistenceTest, MissingStorageDirIsCreated) {
  Options o;
  o.storage_dir = dir_.path() + "/a/b";
  o.now = clock_.Fn();
  prometheus::Registry r;
  Store s(std::move(o), r);
  s.Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  EXPECT_TRUE(fs::is_directory(dir_.path() + "/a/b"));
}

TEST_F(PersistenceTest, AcknowledgedChangesSurviveWithoutASnapshot) {
  std::vector<std::string> ids;
  {
    auto s = Open();
    for (int i = 0; i < 10; ++i) {
      ids.push_back(s->Set(Make({Eq("i", std::to_string(i))}, kT0, kT0 + 1h)));
    }
    clock_.Advance(1s);
    s->Expire(ids[3]);
    Silence upd = *s->Get(ids[4]);
    upd.comment = "updated";
    s->Set(upd);
    EXPECT_FALSE(fs::exists(Path("silences")));
    // The store is dropped without Maintenance(): as after SIGKILL, only the log has the data.
  }
  auto s = Open();
  EXPECT_EQ(s->size(), 10u);
  EXPECT_EQ(s->Get(ids[3])->ends_at, kT0 + 1s);
  EXPECT_EQ(s->Get(ids[4])->comment, "updated");
  // The start-up folded the log into a snapshot a Go node can read, and kept one fresh segment.
  ASSERT_TRUE(fs::exists(Path("silences")));
  auto snap = DecodeMeshSilences(*ReadFileIfExists(Path("silences")));
  EXPECT_EQ(snap.entries.size(), 10u);
  EXPECT_EQ(Segments().size(), 1u);
}

TEST_F(PersistenceTest, MaintenanceWritesTheSnapshotAndDropsOldSegments) {
  auto s = Open();
  for (int i = 0; i < 5; ++i) s->Set(Make({Eq("i", std::to_string(i))}, kT0, kT0 + 1h));
  auto before = Segments();
  ASSERT_EQ(before.size(), 1u);
  size_t n = s->Maintenance();
  EXPECT_EQ(n, fs::file_size(Path("silences")));
  EXPECT_EQ(*ReadFileIfExists(Path("silences")), s->MarshalBinary());
  auto after = Segments();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after, before);
  // No temporary files are left behind.
  for (const auto& f : Files()) {
    EXPECT_TRUE(f == "silences" || f.rfind("silences.wal.", 0) == 0) << f;
  }
  // Changes after the snapshot are in the new segment; both come back.
  std::string late = s->Set(Make({Eq("late", "1")}, kT0, kT0 + 1h));
  s.reset();
  auto r = Open();
  EXPECT_EQ(r->size(), 6u);
  EXPECT_TRUE(r->Get(late));
  auto text = Expose(*regs_.front());
  EXPECT_NE(text.find("alertmanager_silences_snapshot_size_bytes " + std::to_string(n)),
            std::string::npos)
      << text;
}

TEST_F(PersistenceTest, SnapshotHasLegacyMatchersAndMatcherSets) {
  auto s = Open();
  Silence in = Make({Eq("a", "b"), Re("c", "d|e")}, kT0, kT0 + 1h);
  in.matcher_sets.push_back({Ne("x", "y"), Eq("z", "1")});
  s->Set(in);
  s->Maintenance();
  std::string data = *ReadFileIfExists(Path("silences"));
  DelimitedReader reader(data, 1 << 20);
  std::string_view rec;
  ASSERT_TRUE(reader.Next(&rec));
  silencepb::MeshSilence pb;
  ASSERT_TRUE(pb.ParseFromArray(rec.data(), static_cast<int>(rec.size())));
  EXPECT_FALSE(reader.Next(&rec));
  ASSERT_EQ(pb.silence().matchers_size(), 2);
  EXPECT_EQ(pb.silence().matchers(1).type(), silencepb::Matcher::REGEXP);
  EXPECT_EQ(pb.silence().matchers(1).pattern(), "d|e");
  ASSERT_EQ(pb.silence().matcher_sets_size(), 2);
  EXPECT_EQ(pb.silence().matcher_sets(1).matchers(0).type(), silencepb::Matcher::NOT_EQUAL);
  EXPECT_EQ(pb.expires_at().seconds(), std::chrono::duration_cast<std::chrono::seconds>(
                                           (kT0 + 1h + kDefaultRetention).time_since_epoch())
                                           .count());
}

TEST_F(PersistenceTest, TornTailIsDroppedAndEarlierRecordsKept) {
  std::vector<std::string> ids;
  {
    auto s = Open();
    for (int i = 0; i < 3; ++i)
      ids.push_back(s->Set(Make({Eq("i", std::to_string(i))}, kT0, kT0 + 1h)));
  }
  auto segs = Segments();
  ASSERT_EQ(segs.size(), 1u);
  std::string data = *ReadFileIfExists(Path(segs[0]));
  // Cut the last record in half, as a crash during its write(2) would.
  fs::resize_file(Path(segs[0]), data.size() - 20);
  auto s = Open();
  EXPECT_EQ(s->size(), 2u);
  EXPECT_TRUE(s->Get(ids[0]));
  EXPECT_TRUE(s->Get(ids[1]));
  EXPECT_FALSE(s->Get(ids[2]));
  // The bad tail is gone after the fold: the next start is clean and new writes are kept.
  std::string id = s->Set(Make({Eq("after", "1")}, kT0, kT0 + 1h));
  s.reset();
  EXPECT_EQ(Open()->size(), 3u);
  (void)id;
}

TEST_F(PersistenceTest, ZeroFilledAndCorruptTailsAreDropped) {
  for (std::string tail :
       {std::string(4096, '\0'), std::string("\x05\x00\x00\x00\x01\x02\x03\x04xxxxx", 13),
        std::string("\x03\x00", 2)}) {
    std::string id;
    {
      auto s = Open();
      id = s->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
    }
    auto segs = Segments();
    ASSERT_EQ(segs.size(), 1u);
    Append(segs[0], tail);
    auto s = Open();
    EXPECT_TRUE(s->Get(id));
  }
}

TEST_F(PersistenceTest, SegmentWithAnotherMagicIsAnError) {
  Append("silences.wal.00000001", "NOTAWAL!\x01\x00\x00\x00");
  try {
    Open();
    FAIL() << "loaded";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("silences.wal.00000001"), std::string::npos) << e.what();
  }
}

TEST_F(PersistenceTest, CorruptSnapshotIsAClearError) {
  Append("silences", "\x20garbage");
  try {
    Open();
    FAIL() << "loaded";
  } catch (const ParseError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("loading silences snapshot " + Path("silences")), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated message at byte offset 0"), std::string::npos) << msg;
  }
  fs::remove(Path("silences"));
  // A MeshSilence without a silence: upstream's "invalid state".
  Append("silences", std::string("\x02\x12\x00", 3));
  EXPECT_THROW(Open(), ParseError);
}

TEST_F(PersistenceTest, SyncFailureIsReportedAndTheNextWriteUsesANewSegment) {
  auto s = Open();
  std::string a = s->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  s->wal_for_test()->FailNextSyncsForTest(1);
  try {
    s->Set(Make({Eq("a", "2")}, kT0, kT0 + 1h));
    FAIL() << "no error";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kStorage);
    EXPECT_NE(std::string(e.what()).find("syncing the silence log failed"), std::string::npos);
  }
  std::string b = s->Set(Make({Eq("a", "3")}, kT0, kT0 + 1h));
  EXPECT_EQ(Segments().size(), 2u);
  s.reset();
  auto r = Open();
  EXPECT_TRUE(r->Get(a));
  EXPECT_TRUE(r->Get(b));
}

TEST_F(PersistenceTest, SnapshotWriteFailureKeepsTheLog) {
  auto s = Open();
  std::string a = s->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  // A directory where the snapshot should go makes the rename fail.
  fs::create_directory(Path("silences"));
  fs::create_directory(Path("silences/x"));
  EXPECT_THROW(s->Maintenance(), std::system_error);
  std::string b = s->Set(Make({Eq("a", "2")}, kT0, kT0 + 1h));
  fs::remove_all(Path("silences"));
  s.reset();
  auto r = Open();
  EXPECT_TRUE(r->Get(a));
  EXPECT_TRUE(r->Get(b));
  auto text = Expose(*regs_.front());
  EXPECT_NE(text.find("alertmanager_silences_maintenance_errors_total 1"), std::string::npos);
}

TEST_F(PersistenceTest, ReplaySkipsSilencesPastRetention) {
  std::string id;
  {
    auto s = Open();
    id = s->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  }
  clock_.Advance(1h + kDefaultRetention + 1s);
  auto s = Open();
  EXPECT_FALSE(s->Get(id));
}

TEST_F(PersistenceTest, GCAtMaintenanceRemovesFromTheSnapshot) {
  auto s = Open();
  s->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  std::string keep = s->Set(Make({Eq("a", "2")}, kT0, kT0 + 300h));
  clock_.Advance(1h + kDefaultRetention);
  s->Maintenance();
  auto snap = DecodeMeshSilences(*ReadFileIfExists(Path("silences")));
  ASSERT_EQ(snap.entries.size(), 1u);
  EXPECT_EQ(snap.entries[0].silence.id, keep);
}

TEST_F(PersistenceTest, MergedSilencesReachDiskAtMaintenance) {
  Silence peer = Make({Eq("p", "1")}, kT0, kT0 + 1h, "33333333-3333-4333-8333-333333333333");
  peer.updated_at = kT0;
  std::string bytes;
  AppendMeshSilence({peer, kT0 + 10h}, &bytes);
  {
    auto s = Open();
    s->Merge(bytes);
    s->Maintenance();
  }
  EXPECT_TRUE(Open()->Get(peer.id));
}

TEST_F(PersistenceTest, WalRecordsHaveTheDocumentedLayout) {
  auto s = Open();
  std::string id = s->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  auto segs = Segments();
  ASSERT_EQ(segs.size(), 1u);
  std::string data = *ReadFileIfExists(Path(segs[0]));
  ASSERT_GE(data.size(), Wal::kHeaderSize + 8);
  EXPECT_EQ(data.substr(0, 8), "AMSILWAL");
  EXPECT_EQ(data.substr(8, 4), std::string("\x01\x00\x00\x00", 4));
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i)
    len |= static_cast<uint32_t>(static_cast<unsigned char>(data[12 + i])) << (8 * i);
  ASSERT_EQ(data.size(), Wal::kHeaderSize + 8 + len);
  auto d = DecodeMeshSilences(data.substr(Wal::kHeaderSize + 8));
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].silence.id, id);
}

}  // namespace
}  // namespace am::silence
