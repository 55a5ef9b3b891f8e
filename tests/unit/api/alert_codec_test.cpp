#include "api/alert_codec.h"

#include <gtest/gtest.h>

#include "api/json_writer.h"
#include "core/timeutil.h"

namespace am::api {
namespace {

const Time kNow = *ParseRFC3339("2026-11-22T08:00:00.123456789Z");
const Duration kResolve = std::chrono::minutes(5);

DecodedAlerts Decode(std::string_view body, bool v2 = true) {
  return DecodePostableAlerts(body, kNow, kResolve, v2, /*utf8_names=*/false);
}

TEST(AlertCodec, DefaultsStartAndEndAsUpstream) {
  auto d = Decode(R"([{"labels":{"alertname":"A","empty":""}}])");
  ASSERT_EQ(d.status, DecodedAlerts::Status::kOk);
  ASSERT_EQ(d.valid.size(), 1u);
  const Alert& a = d.valid[0];
  EXPECT_EQ(a.starts_at, kNow);
  EXPECT_EQ(a.ends_at, kNow + kResolve);
  EXPECT_TRUE(a.timeout);
  EXPECT_EQ(a.updated_at, kNow);
  EXPECT_FALSE(a.labels.Has("empty"));  // empty values are dropped before validation
  EXPECT_EQ(d.firing, 1u);
}

TEST(AlertCodec, StartDefaultsToEndWhenOnlyEndIsGiven) {
  auto d = Decode(R"([{"labels":{"a":"b"},"endsAt":"2026-11-22T07:00:00Z"}])");
  ASSERT_EQ(d.valid.size(), 1u);
  EXPECT_EQ(d.valid[0].starts_at, d.valid[0].ends_at);
  EXPECT_FALSE(d.valid[0].timeout);
  EXPECT_EQ(d.resolved, 1u);
}

TEST(AlertCodec, SchemaErrorsAre422WithSwaggerCodes) {
  auto d = Decode(R"([{"labels":{"a":"b"}},{"annotations":{}}])");
  EXPECT_EQ(d.status, DecodedAlerts::Status::kUnprocessable);
  EXPECT_EQ(d.code, 602);
  EXPECT_EQ(d.message, "1.labels in body is required");
  d = Decode("  ");
  EXPECT_EQ(d.code, 602);
  EXPECT_EQ(d.message, "alerts in body is required");
  // v1 has no schema layer: the same problems are plain 400s.
  EXPECT_EQ(Decode("", false).status, DecodedAlerts::Status::kBadRequest);
}

TEST(AlertCodec, TypeErrorsFailTheWholeBody) {
  for (const char* body : {R"([{"labels":{"a":1}}])", R"({"labels":{}})", R"([1])", "[{",
                           R"([{"labels":{"a":"b"},"startsAt":"nope"}])",
                           R"([{"labels":{"a":"b"},"generatorURL":7}])"}) {
    auto d = Decode(body);
    EXPECT_EQ(d.status, DecodedAlerts::Status::kBadRequest) << body;
    EXPECT_TRUE(d.valid.empty()) << body;
  }
}

TEST(AlertCodec, ValidationErrorsKeepValidAlerts) {
  auto d = Decode(
      R"([{"labels":{}},{"labels":{"ok":"1"}},{"labels":{"0x":"1"}},)"
      R"({"labels":{"a":"b"},"annotations":{"1y":"z"}},)"
      R"({"labels":{"a":"c"},"startsAt":"2026-01-02T00:00:00Z","endsAt":"2026-01-01T00:00:00Z"}])");
  ASSERT_EQ(d.status, DecodedAlerts::Status::kOk);
  ASSERT_EQ(d.valid.size(), 1u);
  EXPECT_EQ(d.valid[0].labels.Get("ok"), "1");
  EXPECT_EQ(d.errors,
            (std::vector<std::string>{
                "at least one label pair required", "invalid label set: invalid name \"0x\"",
                "invalid annotations: invalid name \"1y\"", "start time must be before end time"}));
}

TEST(AlertCodec, Utf8NamesOnlyWhenAllowed) {
  const char* body = R"([{"labels":{"service.name":"x"}}])";
  EXPECT_EQ(DecodePostableAlerts(body, kNow, kResolve, true, false).errors.size(), 1u);
  EXPECT_EQ(DecodePostableAlerts(body, kNow, kResolve, true, true).valid.size(), 1u);
}

TEST(AlertCodec, GeneratorUrlMustBeAUri) {
  EXPECT_EQ(Decode(R"([{"labels":{"a":"b"},"generatorURL":"/graph"}])").valid.size(), 1u);
  EXPECT_EQ(Decode(R"([{"labels":{"a":"b"},"generatorURL":"http://x/y?z=1"}])").valid.size(), 1u);
  auto d = Decode(R"([{"labels":{"a":"b"},"generatorURL":"not a url"}])");
  EXPECT_EQ(d.code, 601);
}

TEST(AlertCodec, V2AlertBytesInUpstreamOrder) {
  Alert a;
  a.labels = {{"alertname", "A"}, {"job", "<j>"}};
  a.annotations = {{"summary", "x\"y"}};
  a.starts_at = kNow;
  a.ends_at = kNow + kResolve;
  a.updated_at = kNow;
  std::string out;
  AlertStatusView st;
  AppendV2Alert(&out, a, st, {"web"});
  EXPECT_EQ(out,
            "{\"annotations\":{\"summary\":\"x\\\"y\"},\"endsAt\":\"2026-11-22T08:05:00.123Z\","
            "\"fingerprint\":\"" +
                FingerprintString(a.Fingerprint()) +
                "\",\"receivers\":[{\"name\":\"web\"}],\"startsAt\":\"2026-11-22T08:00:00.123Z\","
                "\"status\":{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"active\"},"
                "\"updatedAt\":\"2026-11-22T08:00:00.123Z\","
                "\"labels\":{\"alertname\":\"A\",\"job\":\"\\u003cj\\u003e\"}}");
}

TEST(AlertCodec, V1AlertUsesNanosAndNulls) {
  Alert a;
  a.labels = {{"alertname", "A"}};
  a.starts_at = kNow;
  a.ends_at = kNow + kResolve;
  std::string out;
  AppendV1Alert(&out, a, AlertStatusView{}, {});
  EXPECT_NE(out.find("\"startsAt\":\"2026-11-22T08:00:00.123456789Z\""), std::string::npos);
  EXPECT_NE(out.find("\"silencedBy\":null"), std::string::npos);
  EXPECT_NE(out.find("\"receivers\":null"), std::string::npos);
  EXPECT_NE(out.find("\"generatorURL\":\"\""), std::string::npos);
}

TEST(JsonWriter, EscapesLikeGo) {
  std::string out;
  JsonWriter::AppendString(&out, "a<b>&\x01\n\xe2\x80\xa8");
  EXPECT_EQ(out, "\"a\\u003cb\\u003e\\u0026\\u0001\\n\\u2028\"");
}

TEST(SwagBool, AcceptsSwaggerTruthyWords) {
  for (const char* t :
       {"true", "1", "yes", "ok", "y", "on", "selected", "checked", "t", "enabled", "TRUE"}) {
    EXPECT_TRUE(SwagBool(t)) << t;
  }
  for (const char* f : {"false", "0", "maybe", ""}) EXPECT_FALSE(SwagBool(f)) << f;
}

}  // namespace
}  // namespace am::api
