// The matcher index and the MutedBy cache against a brute-force matcher on random silences and
// label sets, across creates, expiries, replacements, merges, GC and the passage of time.
#include "silence/matcher_index.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "silence/codec.h"
#include "silence/store.h"
#include "test_util.h"

namespace am::silence {
namespace {

using namespace testing;  // NOLINT

TEST(MatcherIndex, LiteralAlternatives) {
  std::vector<std::string> out;
  EXPECT_TRUE(MatcherIndex::LiteralAlternatives("a", &out));
  EXPECT_EQ(out, std::vector<std::string>{"a"});
  EXPECT_TRUE(MatcherIndex::LiteralAlternatives("host2|host1|host2", &out));
  EXPECT_EQ(out, (std::vector<std::string>{"host1", "host2"}));
  EXPECT_TRUE(MatcherIndex::LiteralAlternatives("a\\.b|c-d/e f", &out));
  EXPECT_EQ(out, (std::vector<std::string>{"a.b", "c-d/e f"}));
  EXPECT_TRUE(MatcherIndex::LiteralAlternatives("héllo|日本", &out));
  for (const char* p : {"", "a|", "|a", "a||b", "a.*", "a+", "(a|b)", "[ab]", "a\\d", "^a", "a$",
                        "a{2}", "a?", "\\", "\xff", "(?i)a", "a\xEF\xBF\xBD"}) {
    EXPECT_FALSE(MatcherIndex::LiteralAlternatives(p, &out)) << p;
  }
}

TEST(MatcherIndex, AddRemoveAndUnanchored) {
  auto e1 = MakeEntry({Make({Eq("a", "1"), Eq("b", "2")}, kZeroTime, kZeroTime, "1"), kZeroTime});
  auto e2 = MakeEntry({Make({Ne("a", "1")}, kZeroTime, kZeroTime, "2"), kZeroTime});
  auto e3 = MakeEntry({Make({Re("a", "1|3")}, kZeroTime, kZeroTime, "3"), kZeroTime});
  MatcherIndex idx;
  idx.Add(e1.get());
  idx.Add(e2.get());
  idx.Add(e3.get());
  EXPECT_EQ(idx.size(), 3u);
  EXPECT_EQ(idx.unanchored(), 1u);
  std::vector<const Entry*> out;
  idx.Match(LabelSet{{"a", "1"}, {"b", "2"}}, &out);
  std::sort(out.begin(), out.end());
  std::vector<const Entry*> want{e1.get(), e3.get()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(out, want);
  out.clear();
  idx.Match(LabelSet{{"a", "3"}}, &out);
  std::sort(out.begin(), out.end());
  want = {e2.get(), e3.get()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(out, want);
  idx.Remove(e3.get());
  idx.Remove(e2.get());
  idx.Remove(e2.get());
  out.clear();
  idx.Match(LabelSet{{"a", "3"}}, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(idx.size(), 1u);
  EXPECT_EQ(idx.unanchored(), 0u);
}

TEST(MatcherIndex, AnchorSpreadsOverRarePairs) {
  // Every silence shares severity=critical; the index must not pile them on that pair.
  std::vector<EntryPtr> entries;
  MatcherIndex idx;
  for (int i = 0; i < 1000; ++i) {
    entries.push_back(
        MakeEntry({Make({Eq("severity", "critical"), Eq("alertname", "A" + std::to_string(i))},
                        kZeroTime, kZeroTime, std::to_string(i)),
                   kZeroTime}));
    idx.Add(entries.back().get());
  }
  std::vector<const Entry*> out;
  idx.Match(LabelSet{{"alertname", "A7"}, {"severity", "critical"}}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->silence().id, "7");
}

// The regex range pre-check and the RE2::Set filing agree with Matcher::Matches on tricky
// patterns (case folding, Unicode, alternations, classes, anchors inside the pattern).
TEST(MatcherIndex, RegexFilingAgreesWithMatcher) {
  const std::vector<std::string> patterns = {
      "host-1.*", "(?i)HoSt-.*",  "h[0-9]+",        "é.*",          "(a|b)c+",
      "x?y",      ".+:9100",      "[^a].*",         "\\d+",         "a{2,}",
      "(?s).+",   "^abc$",        "ab|abc.*",       "日本.*",       "(?i)straße",
      "Z+z*",     "[[:alpha:]]+", ".*\\.example.*", "(foo|bar)baz", "\\x{00e9}t.*"};
  const std::vector<std::string> values = {
      "",       "host-1", "host-12", "HOST-9",  "h12",    "h",     "été",    "éa",
      "ac",     "bccc",   "y",       "xy",      "x",      ":9100", "a:9100", "abc",
      "ab",     "abcd",   "日本語",  "STRASSE", "straße", "ZZzz",  "z",      "a.example.org",
      "foobaz", "barbaz", "étoile",  "a\nb",    "123",    "aa",    "a"};
  std::vector<EntryPtr> entries;
  MatcherIndex idx;
  for (size_t i = 0; i < patterns.size(); ++i) {
    for (auto type : {MatchType::kRegexp, MatchType::kNotRegexp}) {
      MatcherSet ms{{type, "v", patterns[i]}};
      if (type == MatchType::kNotRegexp) ms.push_back(Eq("k", "1"));
      entries.push_back(MakeEntry(
          {Make(ms, kZeroTime, kZeroTime, std::to_string(i) + MatchTypeString(type)), kZeroTime}));
      ASSERT_FALSE(entries.back()->compile_error) << patterns[i];
      idx.Add(entries.back().get());
    }
  }
  EXPECT_GE(idx.regex_filed(), 4u);  // enough for an RE2::Set
  for (const auto& v : values) {
    LabelSet ls{{"k", "1"}, {"v", v}};
    if (v.empty()) ls = LabelSet{{"k", "1"}};
    std::vector<const Entry*> got;
    idx.Match(ls, &got);
    std::set<std::string> got_ids, want_ids;
    for (const Entry* e : got) got_ids.insert(e->silence().id);
    for (const auto& e : entries) {
      if (MatchesAll(e->compiled[0], ls)) want_ids.insert(e->silence().id);
    }
    EXPECT_EQ(got_ids, want_ids) << v;
  }
}

// Small vocabularies so that random silences and label sets overlap often.
struct Gen {
  std::mt19937 rng{12345};
  const std::vector<std::string> names{"alertname", "instance", "job", "severity", "team"};
  const std::vector<std::string> values{"a", "b", "c", "d", ""};

  int R(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  const std::string& Name() { return names[R(static_cast<int>(names.size()))]; }
  std::string Value() { return values[R(4)]; }  // never "" as a label value

  SilenceMatcher RandomMatcher() {
    switch (R(7)) {
      case 0:
      case 1:
        return Eq(Name(), Value());
      case 2:
        return Ne(Name(), values[R(5)]);
      case 3:
        return Re(Name(), Value() + "|" + Value());
      case 4:
        return Re(Name(), R(2) ? "[ab]" : Value() + ".*");
      case 5:
        return Nre(Name(), R(2) ? "a|b" : "c.*");
      default:
        return Eq(Name(), "");
    }
  }

  Silence RandomSilence(Time now) {
    Silence s;
    int sets = R(4) == 0 ? 2 : 1;
    for (int k = 0; k < sets; ++k) {
      MatcherSet ms;
      int n = 1 + R(3);
      for (int i = 0; i < n; ++i) ms.push_back(RandomMatcher());
      s.matcher_sets.push_back(std::move(ms));
    }
    s.starts_at = now + std::chrono::minutes(R(3) == 0 ? R(60) : 0);
    s.ends_at = s.starts_at + std::chrono::minutes(1 + R(120));
    s.created_by = "gen";
    return s;
  }

  LabelSet RandomLabels() {
    LabelSet ls;
    for (const auto& n : names) {
      if (R(3)) ls.Set(n, Value());
    }
    return ls;
  }
};

// Every silence tested against the label set, matchers compiled once per snapshot of the store.
struct BruteForce {
  explicit BruteForce(std::vector<Silence> all) : silences(std::move(all)) {
    for (const auto& s : silences) {
      auto& sets = compiled.emplace_back();
      for (const auto& set : s.matcher_sets) {
        auto& ms = sets.emplace_back();
        for (const auto& m : set) ms.push_back(Matcher::Create(m.type, m.name, m.pattern));
      }
    }
  }
  std::vector<std::string> MutedBy(const LabelSet& ls, Time now) const {
    std::vector<std::string> ids;
    for (size_t i = 0; i < silences.size(); ++i) {
      if (StateAt(silences[i], now) != State::kActive) continue;
      bool any = false;
      for (const auto& ms : compiled[i]) {
        bool ok = true;
        for (const auto& m : ms) ok = ok && m.Matches(ls.Get(m.name()));
        any = any || ok;
      }
      if (any) ids.push_back(silences[i].id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  std::vector<Silence> silences;
  std::vector<std::vector<Matchers>> compiled;
};

TEST(MatcherIndex, MutedByAgreesWithBruteForceOnRandomSilences) {
  Gen g;
  FakeClock clock(T("2024-05-01T10:00:00Z"));
  prometheus::Registry reg;
  Options o;
  o.now = clock.Fn();
  Store store(std::move(o), reg);

  std::vector<LabelSet> alerts;
  for (int i = 0; i < 300; ++i) alerts.push_back(g.RandomLabels());

  size_t checks = 0, muted = 0;
  auto gauge = [&](const char* state) {
    std::string text = Expose(reg, &store);
    std::string key = std::string("alertmanager_silences{state=\"") + state + "\"} ";
    auto pos = text.find(key);
    return pos == std::string::npos ? -1.0 : std::stod(text.substr(pos + key.size()));
  };
  auto check_all = [&](Time at) {
    BruteForce bf(store.Query({}));
    // The state gauges, counted by binary search, agree with a scan.
    clock.Set(at);
    double want[3] = {0, 0, 0};
    for (const auto& s : bf.silences) ++want[static_cast<int>(StateAt(s, at))];
    ASSERT_EQ(gauge("pending"), want[static_cast<int>(State::kPending)]);
    ASSERT_EQ(gauge("active"), want[static_cast<int>(State::kActive)]);
    ASSERT_EQ(gauge("expired"), want[static_cast<int>(State::kExpired)]);
    for (const auto& ls : alerts) {
      auto want = bf.MutedBy(ls, at);
      ASSERT_EQ(store.MutedBy(ls, at), want) << ls.String();
      ++checks;
      muted += !want.empty();
    }
  };

  for (int round = 0; round < 30; ++round) {
    // Create a batch (skipping silences the store refuses, e.g. all matchers match "").
    for (int i = 0; i < 20; ++i) {
      try {
        store.Set(g.RandomSilence(clock.Now()));
      } catch (const StoreError& e) {
        ASSERT_EQ(e.kind(), StoreError::Kind::kInvalid) << e.what();
      }
    }
    auto all = store.Query({});
    ASSERT_FALSE(all.empty());
    // Expire some, replace some, update some in place.
    for (int i = 0; i < 3; ++i) {
      const Silence& s = all[g.R(static_cast<int>(all.size()))];
      store.Expire(s.id);
    }
    for (int i = 0; i < 3; ++i) {
      Silence s = all[g.R(static_cast<int>(all.size()))];
      if (StateAt(s, clock.Now()) == State::kExpired) continue;
      s.matcher_sets = g.RandomSilence(clock.Now()).matcher_sets;
      try {
        store.Set(s);
      } catch (const StoreError&) {
      }
    }
    // A merged silence from a peer.
    Silence peer = g.RandomSilence(clock.Now());
    peer.id = "peer-" + std::to_string(round);
    peer.updated_at = clock.Now();
    std::string bytes;
    AppendMeshSilence({peer, clock.Now() + 200h}, &bytes);
    store.Merge(bytes);

    check_all(clock.Now());
    check_all(clock.Now());  // from the cache
    clock.Advance(std::chrono::minutes(7 + g.R(20)));
    check_all(clock.Now());  // cache, with states moved by time
    if (round % 10 == 9) {
      clock.Advance(kDefaultRetention / 2);
      store.Maintenance();  // GC + cache eviction
      check_all(clock.Now());
    }
  }
  EXPECT_GT(checks, 10000u);
  EXPECT_GT(muted, checks / 10) << "the random data should mute a fair share of label sets";
}

}  // namespace
}  // namespace am::silence
