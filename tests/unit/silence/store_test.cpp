// Store semantics without persistence: create / update / replace / expire, states, validation,
// limits, GC, queries, MutedBy, merge, broadcast, version and metrics.
#include "silence/store.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "core/error.h"

#include "silence/codec.h"
#include "test_util.h"

namespace am::silence {
namespace {

using namespace testing;  // NOLINT

const Time kT0 = T("2024-05-01T10:00:00Z");

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : clock_(kT0) { Reset(); }

  void Reset(Limits limits = {}) {
    store_.reset();
    registry_ = std::make_unique<prometheus::Registry>();
    Options o;
    o.now = clock_.Fn();
    o.broadcaster = &bc_;
    o.limits = limits;
    store_ = std::make_unique<Store>(std::move(o), *registry_);
  }

  Silence Get(const std::string& id) {
    auto s = store_->Get(id);
    EXPECT_TRUE(s.has_value()) << id;
    return s.value_or(Silence{});
  }

  StoreError::Kind SetError(Silence s, std::string* msg = nullptr) {
    try {
      store_->Set(std::move(s));
    } catch (const StoreError& e) {
      if (msg) *msg = e.what();
      return e.kind();
    }
    ADD_FAILURE() << "Set succeeded";
    return StoreError::Kind::kStorage;
  }

  FakeClock clock_;
  RecordingBroadcaster bc_;
  std::unique_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, CreateAssignsUuidV4AndClampsStartToNow) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0 - 1h, kT0 + 1h));
  EXPECT_TRUE(std::regex_match(
      id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  Silence s = Get(id);
  EXPECT_EQ(s.starts_at, kT0);
  EXPECT_EQ(s.ends_at, kT0 + 1h);
  EXPECT_EQ(s.updated_at, kT0);
  EXPECT_EQ(s.created_by, "tester");
  EXPECT_EQ(StateAt(s, kT0), State::kActive);
}

TEST_F(StoreTest, CreateInTheFutureIsPendingAndKeepsItsStart) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0 + 1h, kT0 + 2h));
  Silence s = Get(id);
  EXPECT_EQ(s.starts_at, kT0 + 1h);
  EXPECT_EQ(StateAt(s, kT0), State::kPending);
  EXPECT_EQ(StateAt(s, kT0 + 1h), State::kActive);
  EXPECT_EQ(StateAt(s, kT0 + 2h), State::kActive);      // end inclusive for the store
  EXPECT_EQ(ApiStateAt(s, kT0 + 2h), State::kExpired);  // and exclusive for the API
  EXPECT_EQ(StateAt(s, kT0 + 2h + 1ns), State::kExpired);
}

TEST_F(StoreTest, ManyCreatesGiveDistinctIds) {
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.insert(store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h)));
  EXPECT_EQ(ids.size(), 200u);
}

TEST_F(StoreTest, UpdateOfUnknownIdIsNotFound) {
  std::string msg;
  EXPECT_EQ(
      SetError(Make({Eq("a", "b")}, kT0, kT0 + 1h, "0b9d1b1e-0000-4000-8000-000000000000"), &msg),
      StoreError::Kind::kNotFound);
  EXPECT_EQ(msg, "silence not found");
  // Not-found wins over validation, as in 0.25.
  EXPECT_EQ(SetError(Make({}, kT0, kT0 + 1h, "nope")), StoreError::Kind::kNotFound);
}

TEST_F(StoreTest, ActiveSilenceUpdatesInPlaceWhenStartSecondAndMatchersUnchanged) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  clock_.Advance(10min);
  Silence upd = Get(id);
  upd.ends_at = kT0 + 3h;
  upd.comment = "longer";
  upd.starts_at = kT0 + 500ms;  // same Unix second
  EXPECT_EQ(store_->Set(upd), id);
  Silence s = Get(id);
  EXPECT_EQ(s.ends_at, kT0 + 3h);
  EXPECT_EQ(s.comment, "longer");
  EXPECT_EQ(s.starts_at, kT0 + 500ms);  // stored as given
  EXPECT_EQ(s.updated_at, kT0 + 10min);
  EXPECT_EQ(store_->size(), 1u);
}

TEST_F(StoreTest, ActiveSilenceWithNewStartIsReplacedAndOldOneExpired) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  clock_.Advance(10min);
  Silence upd = Get(id);
  upd.starts_at = kT0 + 5min;
  std::string id2 = store_->Set(upd);
  EXPECT_NE(id2, id);
  Silence old = Get(id);
  EXPECT_EQ(old.ends_at, kT0 + 10min);
  EXPECT_EQ(old.starts_at, kT0);
  EXPECT_EQ(old.updated_at, kT0 + 10min);
  EXPECT_EQ(StateAt(old, kT0 + 10min + 1ns), State::kExpired);
  Silence n = Get(id2);
  EXPECT_EQ(n.starts_at, kT0 + 10min);  // clamped to now
  EXPECT_EQ(n.ends_at, kT0 + 1h);
  EXPECT_EQ(store_->size(), 2u);
}

TEST_F(StoreTest, ChangedMatchersReplaceTheSilence) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  Silence upd = Get(id);
  upd.matcher_sets[0].push_back(Eq("c", "d"));
  std::string id2 = store_->Set(upd);
  EXPECT_NE(id2, id);
  EXPECT_EQ(Get(id).ends_at, kT0);
  EXPECT_EQ(Get(id2).matcher_sets[0].size(), 2u);
}

TEST_F(StoreTest, ActiveSilenceWithEndInThePastIsRefusedAndKept) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  clock_.Advance(30min);
  Silence upd = Get(id);
  upd.ends_at = kT0 + 10min;
  std::string msg;
  EXPECT_EQ(SetError(upd, &msg), StoreError::Kind::kInvalid);
  EXPECT_EQ(msg, "silence invalid: end time must not be before start time");
  EXPECT_EQ(Get(id).ends_at, kT0 + 1h);  // not expired by the refused update
}

TEST_F(StoreTest, PendingSilenceUpdatesInPlaceWhileNewStartIsNotInThePast) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0 + 1h, kT0 + 2h));
  Silence upd = Get(id);
  upd.starts_at = kT0 + 30min;
  upd.ends_at = kT0 + 5h;
  EXPECT_EQ(store_->Set(upd), id);
  EXPECT_EQ(Get(id).starts_at, kT0 + 30min);

  // A start in the past replaces it; the pending one is expired with start = end = now.
  clock_.Advance(1min);
  upd = Get(id);
  upd.starts_at = kT0;
  std::string id2 = store_->Set(upd);
  EXPECT_NE(id2, id);
  Silence old = Get(id);
  EXPECT_EQ(old.starts_at, kT0 + 1min);
  EXPECT_EQ(old.ends_at, kT0 + 1min);
  EXPECT_EQ(Get(id2).starts_at, kT0 + 1min);
}

TEST_F(StoreTest, ExpiredSilenceIsReplacedWithoutTouchingIt) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  clock_.Advance(2h);
  Silence before = Get(id);
  bc_.Take();
  Silence upd = before;
  upd.ends_at = kT0 + 5h;
  std::string id2 = store_->Set(upd);
  EXPECT_NE(id2, id);
  EXPECT_EQ(Get(id), before);
  EXPECT_EQ(bc_.Take().size(), 1u);  // only the new silence
}

TEST_F(StoreTest, ExpireByState) {
  std::string active = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  std::string pending = store_->Set(Make({Eq("a", "c")}, kT0 + 1h, kT0 + 2h));
  clock_.Advance(1min);
  store_->Expire(active);
  store_->Expire(pending);
  Silence a = Get(active), p = Get(pending);
  EXPECT_EQ(a.starts_at, kT0);
  EXPECT_EQ(a.ends_at, kT0 + 1min);
  EXPECT_EQ(a.updated_at, kT0 + 1min);
  EXPECT_EQ(p.starts_at, kT0 + 1min);
  EXPECT_EQ(p.ends_at, kT0 + 1min);
  EXPECT_EQ(ApiStateAt(a, kT0 + 1min), State::kExpired);
  // Expiring an expired silence is a no-op without error and without broadcast.
  clock_.Advance(1min);
  bc_.Take();
  store_->Expire(active);
  EXPECT_EQ(Get(active), a);
  EXPECT_TRUE(bc_.Take().empty());
  try {
    store_->Expire("unknown");
    ADD_FAILURE();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kNotFound);
    EXPECT_STREQ(e.what(), "silence not found");
  }
}

TEST_F(StoreTest, ValidationMessagesAsUpstream) {
  struct Case {
    Silence s;
    std::string msg;
  } cases[] = {
      {Make({}, kT0, kT0 + 1h), "silence invalid: at least one matcher required"},
      {Make({Eq("a", "")}, kT0, kT0 + 1h),
       "silence invalid: at least one matcher must not match the empty string"},
      {Make({Re("a", ".*"), Eq("b", "")}, kT0, kT0 + 1h),
       "silence invalid: at least one matcher must not match the empty string"},
      {Make({Eq("a", "b"), Re("c", "(")}, kT0, kT0 + 1h),
       "silence invalid: invalid label matcher 1: invalid regular expression \"(\": error "
       "parsing regexp: missing closing ): `(`"},
      {Make({Eq("a", "\xff")}, kT0, kT0 + 1h),
       "silence invalid: invalid label matcher 0: invalid label value \"\\xff\""},
      {Make({Eq("", "x")}, kT0, kT0 + 1h),
       "silence invalid: invalid label matcher 0: invalid label name \"\""},
      {Make({Eq("a", "b")}, kT0, kZeroTime), "silence invalid: invalid zero end timestamp"},
      {Make({Eq("a", "b")}, kT0 + 2h, kT0 + 1h),
       "silence invalid: end time must not be before start time"},
  };
  for (auto& c : cases) {
    std::string msg;
    EXPECT_EQ(SetError(c.s, &msg), StoreError::Kind::kInvalid) << c.msg;
    EXPECT_EQ(msg, c.msg);
  }
  EXPECT_EQ(store_->size(), 0u);
  // Negative matchers may match the empty string as long as one matcher does not.
  EXPECT_NO_THROW(store_->Set(Make({Ne("a", "x"), Eq("b", "y")}, kT0, kT0 + 1h)));
}

TEST_F(StoreTest, ZeroStartMeansNow) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kZeroTime, kT0 + 1h));
  EXPECT_EQ(Get(id).starts_at, kT0);
}

TEST_F(StoreTest, LabelNameRulesFollowTheParseMode) {
  Silence s = Make({Eq("team-name", "x")}, kT0, kT0 + 1h);
  ParseMode saved = DefaultParseMode();
  SetDefaultParseMode(ParseMode::kClassic);
  std::string msg;
  EXPECT_EQ(SetError(s, &msg), StoreError::Kind::kInvalid);
  EXPECT_EQ(msg, "silence invalid: invalid label matcher 0: invalid label name \"team-name\"");
  SetDefaultParseMode(ParseMode::kUtf8Strict);
  EXPECT_NO_THROW(store_->Set(s));
  SetDefaultParseMode(ParseMode::kFallback);
  EXPECT_NO_THROW(store_->Set(s));
  SetDefaultParseMode(saved);
}

TEST_F(StoreTest, MaxSilencesCountsExpiredOnes) {
  Reset(Limits{.max_silences = 2});
  std::string a = store_->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  std::string b = store_->Set(Make({Eq("a", "2")}, kT0, kT0 + 1h));
  store_->Expire(a);
  std::string msg;
  EXPECT_EQ(SetError(Make({Eq("a", "3")}, kT0, kT0 + 1h), &msg), StoreError::Kind::kLimit);
  EXPECT_EQ(msg, "exceeded maximum number of silences: 2 (limit: 2)");
  // An in-place update needs no room; a replacement does.
  Silence upd = Get(b);
  upd.comment = "in place";
  EXPECT_EQ(store_->Set(upd), b);
  upd.matcher_sets[0][0].pattern = "changed";
  EXPECT_EQ(SetError(upd), StoreError::Kind::kLimit);
  EXPECT_EQ(Get(b).ends_at, kT0 + 1h);  // and the refused replacement did not expire it
  // GC frees room once retention has passed.
  clock_.Advance(kDefaultRetention + 1s);
  EXPECT_EQ(store_->GC(), 1u);
  EXPECT_NO_THROW(store_->Set(Make({Eq("a", "3")}, clock_.Now(), clock_.Now() + 1h)));
}

TEST_F(StoreTest, MaxSilenceSizeBytes) {
  Silence s = Make({Eq("a", "b")}, kT0, kT0 + 1h);
  MeshSilence m{s, kT0};
  m.silence.id = "00000000-0000-4000-8000-000000000000";
  size_t base = LimitSize(m);
  Reset(Limits{.max_silence_size_bytes = base + 10});
  EXPECT_NO_THROW(store_->Set(s));
  s.comment = std::string(100, 'x');
  std::string msg;
  EXPECT_EQ(SetError(s, &msg), StoreError::Kind::kLimit);
  EXPECT_TRUE(
      std::regex_match(msg, std::regex("silence exceeded maximum size: \\d+ bytes \\(limit: " +
                                       std::to_string(base + 10) + " bytes\\)")))
      << msg;
  // In-place updates are measured too.
  std::string id = store_->Query({}).front().id;
  Silence upd = Get(id);
  upd.comment = std::string(100, 'y');
  EXPECT_EQ(SetError(upd), StoreError::Kind::kLimit);
}

TEST_F(StoreTest, GCRemovesSilencesRetentionAfterTheyEnded) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  clock_.Set(kT0 + 1h + kDefaultRetention - 1s);
  EXPECT_EQ(store_->GC(), 0u);
  clock_.Set(kT0 + 1h + kDefaultRetention);
  EXPECT_EQ(store_->GC(), 1u);  // expires_at <= now
  EXPECT_FALSE(store_->Get(id));
}

TEST_F(StoreTest, QueryByIdsStatesAndFilter) {
  std::string a = store_->Set(Make({Eq("job", "x"), Re("inst", "h.*")}, kT0, kT0 + 1h));
  std::string p = store_->Set(Make({Eq("job", "x")}, kT0 + 1h, kT0 + 2h));
  std::string e = store_->Set(Make({Eq("job", "y")}, kT0, kT0 + 1h));
  store_->Expire(e);
  clock_.Advance(1ns);

  SilenceQuery q;
  q.ids = std::vector<std::string>{p, "missing", a};
  auto r = store_->Query(q);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, p);
  EXPECT_EQ(r[1].id, a);

  q = {};
  q.states = {State::kActive, State::kPending};
  r = store_->Query(q);
  ASSERT_EQ(r.size(), 2u);
  q.states = {State::kExpired};
  r = store_->Query(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, e);

  q = {};
  q.filter = {Matcher::Create(MatchType::kEqual, "job", "x")};
  EXPECT_EQ(store_->Query(q).size(), 2u);
  q.filter.push_back(Matcher::Create(MatchType::kRegexp, "inst", "h.*"));
  r = store_->Query(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, a);
  // The filter compares matchers, not label values.
  q.filter = {Matcher::Create(MatchType::kEqual, "inst", "h1")};
  EXPECT_TRUE(store_->Query(q).empty());

  q = {};
  q.matches = LabelSet{{"job", "x"}, {"inst", "h1"}};
  EXPECT_EQ(store_->Query(q).size(), 2u);
  q.states = {State::kActive};
  r = store_->Query(q);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, a);
}

TEST_F(StoreTest, MutedByReturnsActiveMatchingSilencesSorted) {
  LabelSet alert{{"alertname", "Disk"}, {"instance", "h1"}, {"severity", "critical"}};
  std::vector<std::string> want;
  want.push_back(store_->Set(Make({Eq("alertname", "Disk")}, kT0, kT0 + 1h)));
  want.push_back(store_->Set(Make({Re("instance", "h1|h2")}, kT0, kT0 + 1h)));
  want.push_back(store_->Set(Make({Ne("severity", "info")}, kT0, kT0 + 1h)));
  want.push_back(store_->Set(Make({Nre("team", "x.*"), Re("alertname", "D.*")}, kT0, kT0 + 1h)));
  store_->Set(Make({Eq("alertname", "Other")}, kT0, kT0 + 1h));
  store_->Set(Make({Eq("alertname", "Disk"), Eq("instance", "h2")}, kT0, kT0 + 1h));
  std::string pending = store_->Set(Make({Eq("alertname", "Disk")}, kT0 + 1h, kT0 + 2h));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(store_->MutedBy(alert, clock_.Now()), want);
  EXPECT_EQ(store_->MutedBy(alert, clock_.Now()), want);  // cached

  // Time alone moves silences in and out (no version change).
  auto later = store_->MutedBy(alert, kT0 + 1h + 1s);
  EXPECT_EQ(later, std::vector<std::string>{pending});
  EXPECT_TRUE(store_->MutedBy(alert, kT0 + 3h).empty());

  // Expiring one drops it at once.
  store_->Expire(want[0]);
  clock_.Advance(1ns);
  auto now = store_->MutedBy(alert, clock_.Now());
  EXPECT_EQ(now, std::vector<std::string>(want.begin() + 1, want.end()));
}

TEST_F(StoreTest, MutedBySeesNewSilencesAfterACachedMiss) {
  LabelSet alert{{"alertname", "X"}};
  EXPECT_TRUE(store_->MutedBy(alert, kT0).empty());
  std::string id = store_->Set(Make({Eq("alertname", "X")}, kT0, kT0 + 1h));
  EXPECT_EQ(store_->MutedBy(alert, kT0), std::vector<std::string>{id});
  // Replacement: the new id mutes, the old (expired at now) does not after now.
  clock_.Advance(1s);
  Silence upd = Get(id);
  upd.matcher_sets[0][0] = Re("alertname", "X|Y");
  std::string id2 = store_->Set(upd);
  EXPECT_EQ(store_->MutedBy(alert, clock_.Now() + 1ns), std::vector<std::string>{id2});
}

TEST_F(StoreTest, MultipleMatcherSetsAreOred) {
  Silence s = Make({Eq("a", "1")}, kT0, kT0 + 1h);
  s.matcher_sets.push_back({Eq("b", "2"), Re("c", "x|y")});
  std::string id = store_->Set(s);
  EXPECT_EQ(store_->MutedBy(LabelSet{{"a", "1"}}, kT0).size(), 1u);
  EXPECT_EQ(store_->MutedBy(LabelSet{{"b", "2"}, {"c", "y"}}, kT0).size(), 1u);
  EXPECT_TRUE(store_->MutedBy(LabelSet{{"b", "2"}}, kT0).empty());
  // Both sets matching still yields the id once.
  EXPECT_EQ(store_->MutedBy(LabelSet{{"a", "1"}, {"b", "2"}, {"c", "x"}}, kT0),
            std::vector<std::string>{id});
  s.matcher_sets.push_back({});
  std::string msg;
  EXPECT_EQ(SetError(s, &msg), StoreError::Kind::kInvalid);
  EXPECT_EQ(msg, "silence invalid: matcher set 2 is empty");
}

TEST_F(StoreTest, BroadcastsEachChangeAsOneDelimitedMeshSilence) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  auto sent = bc_.Take();
  ASSERT_EQ(sent.size(), 1u);
  auto d = DecodeMeshSilences(sent[0]);
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].silence, Get(id));
  EXPECT_EQ(d.entries[0].expires_at, kT0 + 1h + kDefaultRetention);

  clock_.Advance(1s);
  Silence upd = Get(id);
  upd.starts_at = kT0 + 2s;  // another second: replaced
  std::string id2 = store_->Set(upd);
  sent = bc_.Take();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(DecodeMeshSilences(sent[0]).entries.at(0).silence.id, id);
  EXPECT_EQ(DecodeMeshSilences(sent[1]).entries.at(0).silence.id, id2);
}

TEST_F(StoreTest, MergeKeepsNewerAndSkipsExpired) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  Silence cur = Get(id);
  uint64_t v = store_->Version();

  auto encode = [](const Silence& s, Time expires) {
    std::string out;
    AppendMeshSilence({s, expires}, &out);
    return out;
  };
  Silence older = cur;
  older.comment = "older";
  older.updated_at = cur.updated_at - 1s;
  EXPECT_TRUE(store_->Merge(encode(older, kT0 + 10h)).changed.empty());
  Silence same = cur;
  same.comment = "same time";
  EXPECT_TRUE(store_->Merge(encode(same, kT0 + 10h)).changed.empty());
  EXPECT_EQ(store_->Version(), v);

  Silence newer = cur;
  newer.comment = "newer";
  newer.updated_at = cur.updated_at + 1s;
  Silence fresh = Make({Eq("x", "y")}, kT0, kT0 + 1h, "11111111-1111-4111-8111-111111111111");
  fresh.updated_at = kT0;
  Silence gone = Make({Eq("x", "z")}, kT0 - 10h, kT0 - 9h, "22222222-2222-4222-8222-222222222222");
  gone.updated_at = kT0 - 9h;
  std::string bytes = encode(newer, kT0 + 10h) + encode(fresh, kT0 + 10h) +
                      encode(gone, kT0 - 1s);  // expires_at before now: skipped
  bc_.Take();
  MergeResult r = store_->Merge(bytes);
  std::sort(r.changed.begin(), r.changed.end());
  EXPECT_EQ(r.changed, (std::vector<std::string>{fresh.id, id}));
  EXPECT_GT(store_->Version(), v);
  EXPECT_EQ(Get(id).comment, "newer");
  EXPECT_FALSE(store_->Get(gone.id));
  EXPECT_TRUE(bc_.Take().empty());  // re-gossip is the cluster layer's job
  EXPECT_EQ(store_->MutedBy(LabelSet{{"x", "y"}}, kT0), std::vector<std::string>{fresh.id});

  EXPECT_THROW(store_->Merge("\x05\x0a\x03"), ParseError);
  EXPECT_THROW(store_->Merge(std::string("\x02\x12\x00", 3)), ParseError);  // no silence
}

TEST_F(StoreTest, LocalChangesWinEvenWhenTheClockWentBack) {
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  Silence s = Get(id);
  // A peer with a clock ahead updated it.
  s.comment = "peer";
  s.updated_at = kT0 + 1h;
  std::string bytes;
  AppendMeshSilence({s, kT0 + 10h}, &bytes);
  ASSERT_EQ(store_->Merge(bytes).changed.size(), 1u);
  Silence upd = Get(id);
  upd.comment = "local";
  EXPECT_EQ(store_->Set(upd), id);
  EXPECT_EQ(Get(id).comment, "local");
  EXPECT_EQ(Get(id).updated_at, kT0 + 1h + 1ns);
}

TEST_F(StoreTest, MarshalBinaryRoundTrips) {
  store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  store_->Set(Make({Re("c", "d.*"), Nre("e", "f")}, kT0 + 1h, kT0 + 2h));
  std::string bytes = store_->MarshalBinary();
  prometheus::Registry r2;
  Options o;
  o.now = clock_.Fn();
  Store other(std::move(o), r2);
  EXPECT_EQ(other.Merge(bytes).changed.size(), 2u);
  EXPECT_EQ(other.MarshalBinary(), bytes);
  EXPECT_EQ(other.Query({}).size(), 2u);
}

TEST_F(StoreTest, VersionIncreasesOnEveryChange) {
  uint64_t v0 = store_->Version();
  std::string id = store_->Set(Make({Eq("a", "b")}, kT0, kT0 + 1h));
  uint64_t v1 = store_->Version();
  EXPECT_GT(v1, v0);
  store_->Expire(id);
  uint64_t v2 = store_->Version();
  EXPECT_GT(v2, v1);
  clock_.Advance(kDefaultRetention + 2h);
  store_->GC();
  EXPECT_GT(store_->Version(), v2);
}

TEST_F(StoreTest, StateMetricsAndQueryCounters) {
  store_->Set(Make({Eq("a", "1")}, kT0, kT0 + 1h));
  store_->Set(Make({Eq("a", "2")}, kT0 + 1h, kT0 + 2h));
  std::string e = store_->Set(Make({Eq("a", "3")}, kT0, kT0 + 1h));
  store_->Expire(e);
  clock_.Advance(1s);
  std::string text = Expose(*registry_, store_.get());
  EXPECT_NE(text.find("alertmanager_silences{state=\"active\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("alertmanager_silences{state=\"pending\"} 1"), std::string::npos);
  EXPECT_NE(text.find("alertmanager_silences{state=\"expired\"} 1"), std::string::npos);
  EXPECT_EQ(store_->Count(State::kActive), 1u);
  // Counted at scrape time: the pending one turns active with time alone.
  clock_.Advance(1h);
  text = Expose(*registry_, store_.get());
  EXPECT_NE(text.find("alertmanager_silences{state=\"active\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("alertmanager_silences{state=\"pending\"} 0"), std::string::npos);
  EXPECT_NE(text.find("alertmanager_silences{state=\"expired\"} 2"), std::string::npos);
  clock_.Set(kT0 + 1s);
  store_->MutedBy(LabelSet{{"a", "1"}}, kT0);
  store_->Query({});
  text = Expose(*registry_);
  EXPECT_NE(text.find("alertmanager_silences_queries_total 2"), std::string::npos) << text;
  for (const char* name :
       {"alertmanager_silences_gc_duration_seconds_count",
        "alertmanager_silences_snapshot_duration_seconds_count",
        "alertmanager_silences_snapshot_size_bytes", "alertmanager_silences_query_errors_total",
        "alertmanager_silences_query_duration_seconds_bucket",
        "alertmanager_silences_gossip_messages_propagated_total",
        "alertmanager_silences_maintenance_total",
        "alertmanager_silences_maintenance_errors_total"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  store_->CountPropagated();
  store_->Maintenance();
  text = Expose(*registry_);
  EXPECT_NE(text.find("alertmanager_silences_gossip_messages_propagated_total 1"),
            std::string::npos);
  EXPECT_NE(text.find("alertmanager_silences_maintenance_total 1"), std::string::npos);
}

TEST_F(StoreTest, ConcurrentSetsAndMutedBy) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  LabelSet alert{{"alertname", "A"}, {"i", "0"}};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop) store_->MutedBy(alert, kT0);
    });
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    ids.push_back(
        store_->Set(Make({Eq("alertname", "A"), Eq("i", std::to_string(i % 3))}, kT0, kT0 + 1h)));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(store_->MutedBy(alert, kT0).size(), 100u);
}

}  // namespace
}  // namespace am::silence
