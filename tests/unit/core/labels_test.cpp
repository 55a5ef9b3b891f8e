// LabelSet identity: fingerprints, the notification log's xxhash and the printed form must equal
// what Debian's Alertmanager 0.25 computes, because HA peers and operators compare them.
//
// How the expected values were captured (2026-11, on this project's machine):
//   /usr/bin/prometheus-alertmanager --config.file=am.yml --storage.path=data
//       --web.listen-address=127.0.0.1:19193 --cluster.listen-address=
// with am.yml = route {receiver: web, group_by: ['...'], group_wait: 1s} and receivers 'null' and
// 'web' (a webhook to a local sink). The label sets of kCases were POSTed in one batch to
// /api/v2/alerts; `fingerprint` is the field of each alert in GET /api/v2/alerts; `xxhash` is the
// firing_alerts value of each group's entry in the `nflog` snapshot written on SIGTERM after the
// webhook notifications; `group_label_string` is the label part of that entry's group key.
// The API drops empty-valued labels before fingerprinting; the fingerprints of the raw label sets
// with their empty values were computed with model.LabelSet.Fingerprint() of the
// prometheus/common sources the Debian binary is built from.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/labels.h"

namespace am {
namespace {

struct Captured {
  const char* what;
  LabelSet labels;  // as stored by the daemon (empty values dropped)
  const char* fingerprint;
  const char* xxhash;
  const char* group_label_string;
};

LabelSet ManyLabels() {
  LabelSet ls{{"alertname", "Many"}};
  for (int i = 0; i < 30; ++i) {
    char n[4], v[4];
    std::snprintf(n, sizeof n, "%02d", i);
    std::snprintf(v, sizeof v, "%02d", i);
    ls.Set(std::string("l") + n, std::string("v") + v);
  }
  return ls;
}

std::string LongValue() {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "abcdefghij";
  return s;
}

const std::vector<Captured>& Cases() {
  static const std::vector<Captured> kCases = {
      {"one label",
       {{"alertname", "HighCPU"}},
       "b5160f6bd9249a48",
       "def99e4f92753425",
       R"({alertname="HighCPU"})"},
      {"typical",
       {{"alertname", "Test"},
        {"instance", "localhost:9090"},
        {"job", "node"},
        {"severity", "critical"}},
       "9fbc72fdc4f69cf9",
       "c884b535f31283d4",
       R"({alertname="Test", instance="localhost:9090", job="node", severity="critical"})"},
      {"unicode values",
       {{"alertname", "Ünïcödé"}, {"team", "日本語"}, {"emoji", "🙂🔥"}},
       "c363e8f58d4cb0a6",
       "76943663f1aa80aa",
       R"({alertname="Ünïcödé", emoji="🙂🔥", team="日本語"})"},
      {"empty value dropped",
       {{"alertname", "EmptyVal"}},
       "111e6cbc5e40c3cc",
       "0aacb3178fadb057",
       R"({alertname="EmptyVal"})"},
      {"special characters",
       {{"alertname", "Special"},
        {"path", "/a/b?c=d&e=f"},
        {"quote", "say \"hi\""},
        {"backslash", "C:\\dir\\"},
        {"newline", "line1\nline2"},
        {"tab", "a\tb"}},
       "4342112fce77d250",
       "b1b68d8661b7dddd",
       R"({alertname="Special", backslash="C:\\dir\\", newline="line1\nline2", path="/a/b?c=d&e=f", quote="say \"hi\"", tab="a\tb"})"},
      {"31 labels", ManyLabels(), "1164c345924e1ecd", "50b334f799fb266c", nullptr},
      {"1000-byte value",
       {{"alertname", "Long"}, {"long", LongValue()}},
       "591eaf42c0ecf2f2",
       "230068b2988818d0",
       nullptr},
      {"underscores and digits",
       {{"__name__", "up"}, {"a1_b2", "x"}, {"alertname", "Underscore"}},
       "d813da4d3c83c319",
       "0200db199729daab",
       R"({__name__="up", a1_b2="x", alertname="Underscore"})"},
      {"byte order of names",
       {{"alertname", "Order"}, {"zzz", "last"}, {"AAA", "upper"}, {"_first", "u"}},
       "2980e5860a0c1c45",
       "8bbbdbff6cfa2287",
       R"({AAA="upper", _first="u", alertname="Order", zzz="last"})"},
      {"matcher punctuation",
       {{"alertname", "Punct"}, {"v", "a=b,c{d}e~f!g'h`i"}},
       "e1bce8bdf5cba354",
       "ecfddc82c3e524ee",
       R"({alertname="Punct", v="a=b,c{d}e~f!g'h`i"})"},
      {"control and invisible characters",
       {{"alertname", "Ctrl"}, {"c", "\x01\x7f\u00a0\u200b"}},
       "69f60e74343934fb",
       "235eafddc1cc41c5",
       R"({alertname="Ctrl", c="\x01\x7f\u00a0\u200b"})"},
      {"surrounding spaces",
       {{"alertname", "Spaces"}, {"s", "  leading and trailing  "}},
       "2840535b5841cc0f",
       "3f982453708ad77e",
       R"({alertname="Spaces", s="  leading and trailing  "})"},
      {"all other values empty",
       {{"alertname", "AllEmpty"}},
       "01c2dd82dfb59818",
       "18ae8d1ccfb4de84",
       R"({alertname="AllEmpty"})"},
      {"one-letter value",
       {{"alertname", "x"}},
       "d240efc3896bf266",
       "1c73c0192a74bf09",
       R"({alertname="x"})"},
  };
  return kCases;
}

TEST(Fingerprint, EqualsTheDaemonsFingerprint) {
  for (const auto& c : Cases()) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(FingerprintString(c.labels.Fingerprint()), c.fingerprint);
  }
}

TEST(Fingerprint, XxHashEqualsTheDaemonsNotificationLogHash) {
  for (const auto& c : Cases()) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(FingerprintString(c.labels.XxHash()), c.xxhash);
  }
}

TEST(LabelSet, StringEqualsTheDaemonsGroupKeyLabels) {
  for (const auto& c : Cases()) {
    if (c.group_label_string == nullptr) continue;
    SCOPED_TRACE(c.what);
    EXPECT_EQ(c.labels.String(), c.group_label_string);
  }
}

TEST(Fingerprint, RawLabelSetsWithEmptyValues) {
  // Empty values take part in the hash of a raw model.LabelSet; the API removes them first.
  LabelSet empty_val{{"alertname", "EmptyVal"}, {"empty", ""}};
  EXPECT_EQ(FingerprintString(empty_val.Fingerprint()), "b49753e72f4f999b");
  LabelSet all_empty{{"alertname", "AllEmpty"}, {"a", ""}, {"b", ""}};
  EXPECT_EQ(FingerprintString(all_empty.Fingerprint()), "88efae9593c11c1f");
  EXPECT_EQ(all_empty.String(), R"({a="", alertname="AllEmpty", b=""})");
  // The empty label set hashes to the FNV-1a offset basis.
  EXPECT_EQ(FingerprintString(LabelSet{}.Fingerprint()), "cbf29ce484222325");
  // Dropping the empty values gives the daemon's fingerprint.
  empty_val.Erase("empty");
  EXPECT_EQ(FingerprintString(empty_val.Fingerprint()), "111e6cbc5e40c3cc");
}

TEST(Fingerprint, IndependentOfInsertionOrder) {
  LabelSet a = LabelSet::FromPairs({{"severity", "critical"},
                                    {"job", "node"},
                                    {"alertname", "Test"},
                                    {"instance", "localhost:9090"}});
  EXPECT_EQ(FingerprintString(a.Fingerprint()), "9fbc72fdc4f69cf9");
  EXPECT_EQ(a, Cases()[1].labels);
}

TEST(Fingerprint, NameValueBoundaryMatters) {
  // The 0xff separators keep {a="bc"} and {ab="c"} apart.
  EXPECT_NE(LabelSet({{"a", "bc"}}).Fingerprint(), LabelSet({{"ab", "c"}}).Fingerprint());
  EXPECT_NE(LabelSet({{"a", "bc"}}).XxHash(), LabelSet({{"ab", "c"}}).XxHash());
}

TEST(FingerprintString, SixteenLowerCaseHexDigits) {
  EXPECT_EQ(FingerprintString(0), "0000000000000000");
  EXPECT_EQ(FingerprintString(0x1c2dd82dfb59818ULL), "01c2dd82dfb59818");
  EXPECT_EQ(FingerprintString(~0ULL), "ffffffffffffffff");
}

TEST(ParseFingerprint, AcceptsUpToSixteenHexDigits) {
  uint64_t fp = 0;
  EXPECT_TRUE(ParseFingerprint("01c2dd82dfb59818", &fp));
  EXPECT_EQ(fp, 0x01c2dd82dfb59818ULL);
  EXPECT_TRUE(ParseFingerprint("ABC", &fp));
  EXPECT_EQ(fp, 0xabcULL);
  EXPECT_FALSE(ParseFingerprint("", &fp));
  EXPECT_FALSE(ParseFingerprint("01c2dd82dfb598180", &fp));
  EXPECT_FALSE(ParseFingerprint("xyz", &fp));
}

TEST(LabelSet, SetFindEraseKeepOrder) {
  LabelSet ls;
  ls.Set("b", "2");
  ls.Set("a", "1");
  ls.Set("b", "3");
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls.pairs()[0].first, "a");
  EXPECT_EQ(*ls.Find("b"), "3");
  EXPECT_EQ(ls.Find("c"), nullptr);
  EXPECT_EQ(ls.Get("c"), "");
  EXPECT_TRUE(ls.Erase("a"));
  EXPECT_FALSE(ls.Erase("a"));
  EXPECT_EQ(ls.String(), R"({b="3"})");
  EXPECT_EQ(LabelSet::FromPairs({{"x", "1"}, {"x", "2"}}).String(), R"({x="2"})");
}

TEST(LabelNames, ClassicAndUtf8Rules) {
  EXPECT_TRUE(IsValidClassicLabelName("alertname"));
  EXPECT_TRUE(IsValidClassicLabelName("_a1"));
  EXPECT_FALSE(IsValidClassicLabelName("1a"));
  EXPECT_FALSE(IsValidClassicLabelName("a-b"));
  EXPECT_FALSE(IsValidClassicLabelName("a:b"));
  EXPECT_FALSE(IsValidClassicLabelName(""));
  EXPECT_TRUE(IsValidUtf8LabelName("a-b.c 🙂"));
  EXPECT_FALSE(IsValidUtf8LabelName(""));
  EXPECT_FALSE(IsValidUtf8LabelName("\xff"));
}

}  // namespace
}  // namespace am
