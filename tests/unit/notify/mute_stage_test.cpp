#include "notify/mute_stage.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "notify/dispatch_muter.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

double SuppressedValue(Metrics& m, std::string_view reason) { return m.Suppressed(reason).Value(); }

TEST(MuteStage, DropsMutedAlertsKeepsOrderAndCounts) {
  boost::asio::io_context io;
  prometheus::Registry reg;
  Metrics metrics(reg);
  FakeMuter muter("sev", "low");
  MuteStage stage(&muter, kSuppressedInhibition, &metrics);
  Alerts in = {MakeAlert(LabelSet{{"n", "1"}, {"sev", "low"}}, Now()),
               MakeAlert(LabelSet{{"n", "2"}, {"sev", "high"}}, Now()),
               MakeAlert(LabelSet{{"n", "3"}, {"sev", "low"}}, Now()),
               MakeAlert(LabelSet{{"n", "4"}}, Now())};
  Result r;
  stage.Exec(MakeExec(io, MakeFlush(Now())), in, r.Callback());
  ASSERT_TRUE(r.done);
  EXPECT_TRUE(r.status.ok);
  ASSERT_EQ(r.alerts.size(), 2u);
  EXPECT_EQ(r.alerts[0].labels.Get("n"), "2");
  EXPECT_EQ(r.alerts[1].labels.Get("n"), "4");
  EXPECT_EQ(muter.calls.load(), 4);
  EXPECT_EQ(SuppressedValue(metrics, "inhibition"), 2);
  EXPECT_EQ(SuppressedValue(metrics, "silence"), 0);
}

TEST(MuteStage, NullMuterPassesEverything) {
  boost::asio::io_context io;
  MuteStage stage(nullptr, kSuppressedSilence, nullptr);
  Result r;
  stage.Exec(MakeExec(io, MakeFlush(Now())), {MakeAlert(LabelSet{{"a", "b"}}, Now())},
             r.Callback());
  EXPECT_EQ(r.alerts.size(), 1u);
}

TEST(MuteStage, FilterWithoutCountingLeavesMetricAlone) {
  prometheus::Registry reg;
  Metrics metrics(reg);
  FakeMuter muter("a", "b");
  MuteStage stage(&muter, kSuppressedSilence, &metrics);
  Alerts out = stage.Filter({MakeAlert(LabelSet{{"a", "b"}}, Now())}, Now(), /*count=*/false);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(SuppressedValue(metrics, "silence"), 0);
}

TEST(MuteStage, AllMutedStopsAMultiStage) {
  boost::asio::io_context io;
  FakeMuter muter("a", "b");
  auto mute = std::make_shared<MuteStage>(&muter, kSuppressedSilence, nullptr);
  bool next_ran = false;
  class Probe : public Stage {
   public:
    explicit Probe(bool* ran) : ran_(ran) {}
    void Exec(std::shared_ptr<ExecContext>, Alerts a, StageDone d) const override {
      *ran_ = true;
      d(Status::Ok(), std::move(a));
    }
    bool* ran_;
  };
  MultiStage ms({mute, std::make_shared<Probe>(&next_ran)});
  Result r;
  ms.Exec(MakeExec(io, MakeFlush(Now())), {MakeAlert(LabelSet{{"a", "b"}}, Now())}, r.Callback());
  EXPECT_TRUE(r.status.ok);
  EXPECT_FALSE(next_ran);
}

class FakeInhibitor : public dispatch::Muter {
 public:
  std::vector<uint64_t> Mutes(const LabelSet& labels, Time) const override {
    if (labels.Get("target") == "yes") return {0x05158176712c1ea8ULL};
    return {};
  }
};

TEST(FingerprintMuter, AdaptsTheDispatchersInhibitor) {
  FakeInhibitor inhibitor;
  FingerprintMuter m(&inhibitor);
  EXPECT_EQ(m.MutedBy(LabelSet{{"target", "yes"}}, Now()),
            (std::vector<std::string>{"05158176712c1ea8"}));
  EXPECT_TRUE(m.MutedBy(LabelSet{{"target", "no"}}, Now()).empty());
  FingerprintMuter none(nullptr);
  EXPECT_TRUE(none.MutedBy(LabelSet{{"target", "yes"}}, Now()).empty());
}

}  // namespace
}  // namespace am::notify
