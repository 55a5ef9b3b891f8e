// The MeshSilence codec and delimited framing, the validation helpers and the UUID helpers.
#include "silence/codec.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "proto/silence.pb.h"
#include "silence/delimited.h"
#include "silence/uuid.h"
#include "silence/validate.h"
#include "test_util.h"

namespace am::silence {
namespace {

using namespace testing;  // NOLINT

const Time kT0 = T("2024-05-01T10:00:00.123456789Z");

std::string Delimit(const google::protobuf::MessageLite& m) {
  std::string out;
  AppendVarint(m.ByteSizeLong(), &out);
  m.AppendToString(&out);
  return out;
}

TEST(Codec, RoundTripKeepsEveryField) {
  MeshSilence m;
  m.silence = Make({Eq("a", "b"), Ne("c", "d"), Re("e", "f.*"), Nre("g", "h|i")}, kT0, kT0 + 1h,
                   "0b9d1b1e-0000-4000-8000-000000000000");
  m.silence.matcher_sets.push_back({Eq("x", "y")});
  m.silence.updated_at = kT0 + 1s;
  m.silence.created_by = "me";
  m.silence.comment = "why ü";
  m.silence.annotations = {{"k1", "v1"}, {"k2", "v2"}};
  m.expires_at = kT0 + 121h;
  std::string bytes;
  AppendMeshSilence(m, &bytes);
  AppendMeshSilence(m, &bytes);
  auto d = DecodeMeshSilences(bytes);
  ASSERT_EQ(d.entries.size(), 2u);
  EXPECT_EQ(d.entries[0].silence, m.silence);
  EXPECT_EQ(d.entries[0].expires_at, m.expires_at);
  EXPECT_EQ(d.skipped, 0u);
}

TEST(Codec, WritesLegacyMatchersAsTheFirstSet) {
  MeshSilence m;
  m.silence = Make({Eq("a", "b")}, kT0, kT0 + 1h, "id");
  m.silence.matcher_sets.push_back({Re("c", "d")});
  std::string bytes;
  AppendMeshSilence(m, &bytes);
  silencepb::MeshSilence pb;
  ASSERT_TRUE(pb.ParseFromString(bytes.substr(1)));
  ASSERT_EQ(pb.silence().matchers_size(), 1);
  EXPECT_EQ(pb.silence().matchers(0).name(), "a");
  ASSERT_EQ(pb.silence().matcher_sets_size(), 2);
  EXPECT_EQ(pb.silence().matcher_sets(1).matchers(0).type(), silencepb::Matcher::REGEXP);
  EXPECT_EQ(pb.silence().starts_at().nanos(), 123456789);
}

TEST(Codec, ReadsLegacyOnlyRecordsAndUpgradesComments) {
  silencepb::MeshSilence pb;
  auto* s = pb.mutable_silence();
  s->set_id("old");
  auto* m = s->add_matchers();
  m->set_type(silencepb::Matcher::NOT_REGEXP);
  m->set_name("job");
  m->set_pattern("x.*");
  auto* c = s->add_comments();
  c->set_author("alice");
  c->set_comment("from 0.15");
  s->set_created_by("ignored");
  s->mutable_starts_at()->set_seconds(1700000000);
  // ends_at and updated_at absent: Go's zero time.
  pb.mutable_expires_at()->set_seconds(1800000000);
  auto d = DecodeMeshSilences(Delimit(pb));
  ASSERT_EQ(d.entries.size(), 1u);
  const Silence& got = d.entries[0].silence;
  ASSERT_EQ(got.matcher_sets.size(), 1u);
  EXPECT_EQ(got.matcher_sets[0], (MatcherSet{Nre("job", "x.*")}));
  EXPECT_EQ(got.created_by, "alice");
  EXPECT_EQ(got.comment, "from 0.15");
  EXPECT_EQ(got.starts_at.time_since_epoch(), std::chrono::seconds(1700000000));
  EXPECT_TRUE(IsZero(got.ends_at));
  EXPECT_TRUE(IsZero(got.updated_at));
}

TEST(Codec, ZeroTimeIsWrittenAsGoWritesIt) {
  MeshSilence m;
  m.silence = Make({Eq("a", "b")}, kT0, kT0 + 1h, "id");  // updated_at unset: zero
  std::string bytes;
  AppendMeshSilence(m, &bytes);
  silencepb::MeshSilence pb;
  ASSERT_TRUE(pb.ParseFromString(bytes.substr(1)));
  EXPECT_TRUE(pb.silence().has_updated_at());
  EXPECT_EQ(pb.silence().updated_at().seconds(), -62135596800);
  EXPECT_TRUE(IsZero(DecodeMeshSilences(bytes).entries[0].silence.updated_at));
}

TEST(Codec, UninterpretableRecordsAreSkipped) {
  silencepb::MeshSilence bad_type, no_id, good;
  bad_type.mutable_silence()->set_id("x");
  bad_type.mutable_silence()->add_matchers()->set_type(static_cast<silencepb::Matcher::Type>(9));
  no_id.mutable_silence()->add_matchers()->set_name("a");
  good.mutable_silence()->set_id("good");
  auto d = DecodeMeshSilences(Delimit(bad_type) + Delimit(no_id) + Delimit(good));
  EXPECT_EQ(d.skipped, 2u);
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].silence.id, "good");
}

TEST(Codec, MalformedInputThrows) {
  EXPECT_THROW(DecodeMeshSilences("\x80"), ParseError);                  // truncated varint
  EXPECT_THROW(DecodeMeshSilences("\x05\x0a"), ParseError);              // truncated message
  EXPECT_THROW(DecodeMeshSilences("\x02\xff\xff"), ParseError);          // does not parse
  EXPECT_THROW(DecodeMeshSilences(std::string("\x00", 1)), ParseError);  // no silence
  EXPECT_THROW(DecodeMeshSilences("\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 5), ParseError);
  EXPECT_TRUE(DecodeMeshSilences("").entries.empty());
}

TEST(Delimited, VarintsAndLimits) {
  std::string out;
  AppendVarint(300, &out);
  EXPECT_EQ(out, "\xac\x02");
  std::string data = out + std::string(300, 'x');
  DelimitedReader r(data, 300);
  std::string_view p;
  ASSERT_TRUE(r.Next(&p));
  EXPECT_EQ(p.size(), 300u);
  EXPECT_FALSE(r.Next(&p));
  DelimitedReader small(data, 299);
  EXPECT_THROW(small.Next(&p), ParseError);
}

TEST(Validate, MatchersAsUpstream) {
  EXPECT_EQ(ValidateMatcher(Re("a", "x+"), ParseMode::kClassic), "");
  EXPECT_EQ(ValidateMatcher(Re("a", "x**"), ParseMode::kClassic),
            "invalid regular expression \"x**\": error parsing regexp: invalid nested repetition "
            "operator: `**`");
  EXPECT_EQ(ValidateMatcher(Eq("1a", "x"), ParseMode::kClassic), "invalid label name \"1a\"");
  EXPECT_EQ(ValidateMatcher(Eq("1a", "x"), ParseMode::kFallback), "");
  EXPECT_EQ(ValidateMatcher(Eq("\xff", "x"), ParseMode::kUtf8Strict),
            "invalid label name \"\\xff\"");
  EXPECT_TRUE(MatchesEmpty(Eq("a", "")));
  EXPECT_TRUE(MatchesEmpty(Re("a", "x*")));
  EXPECT_TRUE(MatchesEmpty(Re("a", "x|")));
  EXPECT_FALSE(MatchesEmpty(Re("a", "x+")));
  EXPECT_FALSE(MatchesEmpty(Ne("a", "")));  // upstream only counts = and =~
  EXPECT_FALSE(MatchesEmpty(Nre("a", "x")));
}

TEST(Uuid, V4AndSwaggerFormat) {
  std::string id = NewUuidV4();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_TRUE(IsSwaggerUuid(id));
  EXPECT_TRUE(IsSwaggerUuid("E9FF310B-025F-434C-9BCB-2139A8E2A3AC"));
  EXPECT_TRUE(IsSwaggerUuid("e9ff310b025f434c9bcb2139a8e2a3ac"));
  EXPECT_TRUE(IsSwaggerUuid("e9ff310b-025f434c-9bcb2139a8e2a3ac"));
  EXPECT_FALSE(IsSwaggerUuid("nonuuid"));
  EXPECT_FALSE(IsSwaggerUuid("e9ff310b-025f-434c-9bcb-2139a8e2a3a"));
  EXPECT_FALSE(IsSwaggerUuid("e9ff310b-025f-434c-9bcb-2139a8e2a3acc"));
  EXPECT_FALSE(IsSwaggerUuid("e9ff310b--025f-434c-9bcb-2139a8e2a3ac"));
  EXPECT_FALSE(IsSwaggerUuid("g9ff310b-025f-434c-9bcb-2139a8e2a3ac"));
}

}  // namespace
}  // namespace am::silence
