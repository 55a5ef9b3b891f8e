#include "silence/codec.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "proto/silence.pb.h"
#include "silence/delimited.h"

namespace am::silence {
namespace {

using google::protobuf::Timestamp;

// Go's zero time.Time as gogoproto writes it (non-nullable timestamps are always present).
constexpr int64_t kGoZeroSeconds = -62135596800;

void WriteTime(Time t, Timestamp* ts) {
  if (IsZero(t)) {
    ts->set_seconds(kGoZeroSeconds);
    ts->set_nanos(0);
    return;
  }
  int64_t ns = t.time_since_epoch().count();
  int64_t s = ns / 1'000'000'000;
  int64_t n = ns % 1'000'000'000;
  if (n < 0) {
    n += 1'000'000'000;
    --s;
  }
  ts->set_seconds(s);
  ts->set_nanos(static_cast<int32_t>(n));
}

// Clamps to am::Time's range (years 1678..2262); earlier instants, Go's zero time included,
// become kZeroTime.
Time ReadTime(bool present, const Timestamp& ts) {
  if (!present) return kZeroTime;
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  constexpr int64_t kMinSeconds = std::numeric_limits<int64_t>::min() / 1'000'000'000 + 1;
  if (ts.seconds() > kMaxSeconds) return Time::max();
  if (ts.seconds() < kMinSeconds) return kZeroTime;
  int64_t nanos = std::clamp<int64_t>(ts.nanos(), 0, 999'999'999);
  return Time(std::chrono::nanoseconds(ts.seconds() * 1'000'000'000 + nanos));
}

silencepb::Matcher::Type ToProto(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return silencepb::Matcher::EQUAL;
    case MatchType::kNotEqual:
      return silencepb::Matcher::NOT_EQUAL;
    case MatchType::kRegexp:
      return silencepb::Matcher::REGEXP;
    case MatchType::kNotRegexp:
      return silencepb::Matcher::NOT_REGEXP;
  }
  return silencepb::Matcher::EQUAL;
}

bool FromProto(int t, MatchType* out) {
  switch (t) {
    case silencepb::Matcher::EQUAL:
      *out = MatchType::kEqual;
      return true;
    case silencepb::Matcher::NOT_EQUAL:
      *out = MatchType::kNotEqual;
      return true;
    case silencepb::Matcher::REGEXP:
      *out = MatchType::kRegexp;
      return true;
    case silencepb::Matcher::NOT_REGEXP:
      *out = MatchType::kNotRegexp;
      return true;
    default:
      return false;
  }
}

void FillMatchers(const MatcherSet& set,
                  google::protobuf::RepeatedPtrField<silencepb::Matcher>* out) {
  for (const auto& m : set) {
    auto* pm = out->Add();
    pm->set_type(ToProto(m.type));
    pm->set_name(m.name);
    pm->set_pattern(m.pattern);
  }
}

// legacy_only: the 0.25..0.31 form (no matcher_sets), used to measure size as 0.28 does.
void ToProto(const MeshSilence& m, bool legacy_only, silencepb::MeshSilence* pb) {
  const Silence& s = m.silence;
  auto* ps = pb->mutable_silence();
  ps->set_id(s.id);
  if (!s.matcher_sets.empty()) FillMatchers(s.matcher_sets.front(), ps->mutable_matchers());
  WriteTime(s.starts_at, ps->mutable_starts_at());
  WriteTime(s.ends_at, ps->mutable_ends_at());
  WriteTime(s.updated_at, ps->mutable_updated_at());
  ps->set_created_by(s.created_by);
  ps->set_comment(s.comment);
  for (const auto& [k, v] : s.annotations) (*ps->mutable_annotations())[k] = v;
  if (!legacy_only) {
    for (const auto& set : s.matcher_sets) {
      FillMatchers(set, ps->add_matcher_sets()->mutable_matchers());
    }
  }
  WriteTime(m.expires_at, pb->mutable_expires_at());
}

bool ReadMatchers(const google::protobuf::RepeatedPtrField<silencepb::Matcher>& in,
                  MatcherSet* out) {
  out->reserve(in.size());
  for (const auto& pm : in) {
    SilenceMatcher m;
    if (!FromProto(pm.type(), &m.type)) return false;
    m.name = pm.name();
    m.pattern = pm.pattern();
    out->push_back(std::move(m));
  }
  return true;
}

}  // namespace

void AppendMeshSilence(const MeshSilence& m, std::string* out) {
  silencepb::MeshSilence pb;
  ToProto(m, /*legacy_only=*/false, &pb);
  AppendVarint(pb.ByteSizeLong(), out);
  pb.AppendToString(out);
}

size_t LimitSize(const MeshSilence& m) {
  silencepb::MeshSilence pb;
  ToProto(m, /*legacy_only=*/true, &pb);
  return pb.ByteSizeLong();
}

DecodeResult DecodeMeshSilences(std::string_view bytes, size_t max_entry_bytes) {
  DecodeResult res;
  DelimitedReader reader(bytes, max_entry_bytes);
  std::string_view payload;
  silencepb::MeshSilence pb;
  for (;;) {
    size_t at = reader.offset();
    if (!reader.Next(&payload)) break;
    pb.Clear();
    if (!pb.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      throw ParseError("malformed MeshSilence at byte offset " + std::to_string(at));
    }
    if (!pb.has_silence()) {
      throw ParseError("invalid state: MeshSilence without a silence at byte offset " +
                       std::to_string(at));
    }
    const auto& ps = pb.silence();
    MeshSilence m;
    Silence& s = m.silence;
    s.id = ps.id();
    bool ok = !s.id.empty();
    if (ps.matcher_sets_size() > 0) {
      for (const auto& set : ps.matcher_sets()) {
        ok = ok && ReadMatchers(set.matchers(), &s.matcher_sets.emplace_back());
      }
    } else if (ps.matchers_size() > 0) {
      ok = ok && ReadMatchers(ps.matchers(), &s.matcher_sets.emplace_back());
    }
    if (!ok) {
      ++res.skipped;
      continue;
    }
    s.starts_at = ReadTime(ps.has_starts_at(), ps.starts_at());
    s.ends_at = ReadTime(ps.has_ends_at(), ps.ends_at());
    s.updated_at = ReadTime(ps.has_updated_at(), ps.updated_at());
    s.created_by = ps.created_by();
    s.comment = ps.comment();
    if (ps.comments_size() > 0) {
      // Upstream's upgrade of the pre-0.16 comment list.
      s.comment = ps.comments(0).comment();
      s.created_by = ps.comments(0).author();
    }
    for (const auto& [k, v] : ps.annotations()) s.annotations.emplace_back(k, v);
    std::sort(s.annotations.begin(), s.annotations.end());
    m.expires_at = ReadTime(pb.has_expires_at(), pb.expires_at());
    res.entries.push_back(std::move(m));
  }
  return res;
}

}  // namespace am::silence
