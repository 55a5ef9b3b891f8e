// Compatibility with Alertmanager 0.25's `silences` snapshot. testdata/go025_silences was written
// by Debian's prometheus-alertmanager 0.25 on SIGTERM, after silences were created (and one
// deleted) through its API; testdata/go025_silences.json is its GET /api/v2/silences answer at
// that time. Both were captured with testdata/capture_go_snapshot.sh:
//   cd tests/unit/silence/testdata && sh capture_go_snapshot.sh
// The other direction (our snapshot loaded by the real daemon) is
// tests/integration/test_silences.py.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "proto/silence.pb.h"
#include "silence/codec.h"
#include "silence/delimited.h"
#include "silence/file_util.h"
#include "silence/store.h"
#include "test_util.h"

namespace am::silence {
namespace {

using namespace testing;  // NOLINT
namespace fs = std::filesystem;

const std::string kData = AM_SILENCE_TESTDATA;

class GoSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(kData + "/go025_silences", dir_.path() + "/silences");
    json_ = nlohmann::json::parse(*ReadFileIfExists(kData + "/go025_silences.json"));
    Options o;
    o.storage_dir = dir_.path();
    store_ = std::make_unique<Store>(std::move(o), reg_);
  }

  TempDir dir_;
  prometheus::Registry reg_;
  std::unique_ptr<Store> store_;
  nlohmann::json json_;
};

TEST_F(GoSnapshotTest, LoadsEverySilenceWithTheFieldsTheGoApiShowed) {
  ASSERT_EQ(json_.size(), 4u);
  EXPECT_EQ(store_->size(), json_.size());
  for (const auto& js : json_) {
    std::string id = js["id"];
    auto s = store_->Get(id);
    ASSERT_TRUE(s) << id;
    EXPECT_EQ(s->created_by, js["createdBy"]);
    EXPECT_EQ(s->comment, js["comment"]);
    EXPECT_EQ(FormatRFC3339Millis(s->starts_at), js["startsAt"]) << id;
    EXPECT_EQ(FormatRFC3339Millis(s->ends_at), js["endsAt"]) << id;
    EXPECT_EQ(FormatRFC3339Millis(s->updated_at), js["updatedAt"]) << id;
    ASSERT_EQ(s->matcher_sets.size(), 1u);
    const auto& ms = s->matcher_sets[0];
    ASSERT_EQ(ms.size(), js["matchers"].size());
    for (size_t i = 0; i < ms.size(); ++i) {
      const auto& jm = js["matchers"][i];
      EXPECT_EQ(ms[i].name, jm["name"]);
      EXPECT_EQ(ms[i].pattern, jm["value"]);
      bool is_regex = ms[i].type == MatchType::kRegexp || ms[i].type == MatchType::kNotRegexp;
      bool is_equal = ms[i].type == MatchType::kEqual || ms[i].type == MatchType::kRegexp;
      EXPECT_EQ(is_regex, jm["isRegex"].get<bool>());
      EXPECT_EQ(is_equal, jm["isEqual"].get<bool>());
    }
    if (js["status"]["state"] == "expired") {
      EXPECT_EQ(ApiStateAt(*s, Now()), State::kExpired);
    }
  }
}

TEST_F(GoSnapshotTest, TheGoSilencesMute) {
  // The first captured silence: alertname="DiskFull", instance=~"host1|host2", env!="dev",
  // job!~"test.*"; active until 2027.
  LabelSet alert{{"alertname", "DiskFull"}, {"instance", "host2"}, {"job", "node"}};
  auto ids = store_->MutedBy(alert, Now());
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], json_[0]["id"]);
  alert.Set("env", "dev");
  EXPECT_TRUE(store_->MutedBy(alert, Now()).empty());
}

// Our records carry the same legacy fields, byte for byte, as Go's; we only add matcher_sets.
TEST_F(GoSnapshotTest, OurRecordsEqualGoRecordsPlusMatcherSets) {
  std::string go = *ReadFileIfExists(kData + "/go025_silences");
  std::map<std::string, std::string> go_by_id;
  DelimitedReader r(go, 1 << 20);
  std::string_view p;
  while (r.Next(&p)) {
    silencepb::MeshSilence pb;
    ASSERT_TRUE(pb.ParseFromArray(p.data(), static_cast<int>(p.size())));
    EXPECT_EQ(pb.silence().matcher_sets_size(), 0);
    go_by_id[pb.silence().id()] = std::string(p);
  }
  ASSERT_EQ(go_by_id.size(), 4u);
  std::string ours = store_->MarshalBinary();
  DelimitedReader r2(ours, 1 << 20);
  size_t n = 0;
  while (r2.Next(&p)) {
    silencepb::MeshSilence pb;
    ASSERT_TRUE(pb.ParseFromArray(p.data(), static_cast<int>(p.size())));
    ASSERT_EQ(pb.silence().matcher_sets_size(), 1);
    EXPECT_EQ(pb.silence().matcher_sets(0).matchers_size(), pb.silence().matchers_size());
    pb.mutable_silence()->clear_matcher_sets();
    EXPECT_EQ(pb.SerializeAsString(), go_by_id[pb.silence().id()]) << pb.silence().id();
    ++n;
  }
  EXPECT_EQ(n, 4u);
}

// Maintenance rewrites the directory in a form that loads again.
TEST_F(GoSnapshotTest, SnapshotOfTheLoadedStateLoadsAgain) {
  store_->Maintenance();
  prometheus::Registry reg;
  Options o;
  o.storage_dir = dir_.path();
  Store again(std::move(o), reg);
  EXPECT_EQ(again.MarshalBinary(), store_->MarshalBinary());
}

}  // namespace
}  // namespace am::silence
