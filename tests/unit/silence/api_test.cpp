// The silence routes over real HTTP (HttpServer on a loopback port): status codes, bodies and
// key orders as observed on prometheus-alertmanager 0.25, and the 0.26+ / 0.34 deviations.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "api/http_server.h"
#include "api/silence_api.h"
#include "silence/codec.h"
#include "silence/store.h"
#include "silence/wal.h"
#include "test_util.h"

namespace am::silence {
namespace {

using namespace testing;  // NOLINT

struct HttpResult {
  int status = 0;
  std::string headers;  // raw, lower-cased names
  std::string body;
  std::string Header(const std::string& name) const {
    std::regex re("(^|\r\n)" + name + ": ([^\r\n]*)", std::regex::icase);
    std::smatch m;
    if (std::regex_search(headers, m, re)) return m[2];
    return "";
  }
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
};

HttpResult Do(uint16_t port, const std::string& method, const std::string& path,
              const std::string& body = "", const std::string& content_type = "application/json") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST") {
    if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  ::send(fd, req.data(), req.size(), 0);
  std::string resp;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) resp.append(buf, n);
  ::close(fd);
  HttpResult r;
  auto head_end = resp.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  r.status = std::stoi(resp.substr(9, 3));
  r.headers = resp.substr(0, head_end);
  r.body = resp.substr(head_end + 4);
  return r;
}

class SilenceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.storage_dir = dir_.path();
    store_ = std::make_unique<Store>(std::move(o), reg_);
    api::HttpServer::Options h;
    h.listen_addresses = {"127.0.0.1:0"};
    h.threads = 1;
    h.blocking_threads = 2;
    server_ = std::make_unique<api::HttpServer>(h, reg_);
    api::RegisterSilenceRoutes(*server_, *store_);
    server_->Start();
    port_ = server_->BoundPorts().at(0);
  }
  void TearDown() override { server_->Stop(); }

  HttpResult Get(const std::string& p) { return Do(port_, "GET", p); }
  HttpResult Post(const std::string& p, const std::string& body,
                  const std::string& ct = "application/json") {
    return Do(port_, "POST", p, body, ct);
  }
  HttpResult Delete(const std::string& p) { return Do(port_, "DELETE", p); }

  // A postable silence starting now-ish and ending in `hours`.
  static std::string Body(const std::string& matchers, int start_h = 0, int end_h = 1,
                          const std::string& extra = "") {
    Time now = am::Now();
    return "{\"matchers\":" + matchers + ",\"startsAt\":\"" +
           FormatRFC3339Millis(now + std::chrono::hours(start_h)) + "\",\"endsAt\":\"" +
           FormatRFC3339Millis(now + std::chrono::hours(end_h)) +
           "\",\"createdBy\":\"me\",\"comment\":\"c\"" + extra + "}";
  }

  std::string Create(const std::string& matchers = R"([{"name":"a","value":"b","isRegex":false}])",
                     int start_h = 0, int end_h = 1) {
    auto r = Post("/api/v2/silences", Body(matchers, start_h, end_h));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["silenceID"];
  }

  TempDir dir_;
  prometheus::Registry reg_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<api::HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(SilenceApiTest, PostThenGetInUpstreamShape) {
  auto r = Post("/api/v2/silences", Body(R"([{"name":"a","value":"b","isRegex":false}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("vary"), "Origin");
  EXPECT_TRUE(std::regex_match(r.body, std::regex(R"(\{"silenceID":"[0-9a-f-]{36}"\}\n)")))
      << r.body;
  std::string id = r.Json()["silenceID"];

  r = Get("/api/v2/silence/" + id);
  ASSERT_EQ(r.status, 200);
  std::regex shape(
      R"(\{"id":"[0-9a-f-]{36}","status":\{"state":"active"\},"updatedAt":"[0-9T:.-]{23}Z",)"
      R"("comment":"c","createdBy":"me","endsAt":"[0-9T:.-]{23}Z","matchers":\[\{"isEqual":true,)"
      R"("isRegex":false,"name":"a","value":"b"\}\],"startsAt":"[0-9T:.-]{23}Z"\}\n)");
  EXPECT_TRUE(std::regex_match(r.body, shape)) << r.body;

  r = Get("/api/v2/silences");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.back(), '\n');
  ASSERT_EQ(r.Json().size(), 1u);
  EXPECT_EQ(r.Json()[0]["id"], id);
}

TEST_F(SilenceApiTest, PostValidationAsUpstream) {
  struct Case {
    std::string body;
    int status;
    std::string want;
  } cases[] = {
      {Body("[]"), 422,
       R"({"code":612,"message":"matchers in body should have at least 1 items"})"},
      {"{}", 422, R"({"code":602,"message":"comment in body is required"})"},
      {"", 422, R"({"code":602,"message":"silence in body is required"})"},
      {Body(R"([{"name":"a","value":"x"}])"), 422,
       R"({"code":602,"message":"matchers.0.isRegex in body is required"})"},
      {Body(R"([{"value":"x","isRegex":false}])"), 422,
       R"({"code":602,"message":"matchers.0.name in body is required"})"},
      {Body(R"([{"name":"a","value":"","isRegex":false}])"), 400,
       "\"silence invalid: at least one matcher must not match the empty string\"\n"},
      {Body(R"([{"name":"a","value":"(","isRegex":true}])"), 400,
       "\"silence invalid: invalid label matcher 0: invalid regular expression \\\"(\\\": error "
       "parsing regexp: missing closing ): `(`\"\n"},
      {Body(R"([{"name":"a","value":"x","isRegex":false}])", 2, 1), 400,
       "\"Failed to create silence: start time must be before end time\"\n"},
      {Body(R"([{"name":"a","value":"x","isRegex":false}])", -3, -2), 400,
       "\"Failed to create silence: end time can't be in the past\"\n"},
      {Body(R"([{"name":"a","value":"x","isRegex":false}])", 0, 1,
            R"(,"id":"e9ff310b-025f-434c-9bcb-2139a8e2a3ad")"),
       404, "\"silence not found\"\n"},
      {"{bad", 400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because invalid character 'b' looking for beginning of object key string"})"},
      {"[]", 400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because json: cannot unmarshal array into Go value of type struct { ID string \"json:\\\"id,omitempty\\\"\" }"})"},
      {Body(R"([{"name":"a","value":"x","isRegex":"x"}])"), 400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because json: cannot unmarshal string into Go struct field Matcher.matchers.isRegex of type bool"})"},
      {Body("{}"), 400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because json: cannot unmarshal object into Go struct field Silence.matchers of type models.Matchers"})"},
      {R"({"id":5})", 400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because json: cannot unmarshal number into Go struct field .id of type string"})"},
      {R"({"comment":"x","createdBy":"y","matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"2020-01-01","endsAt":"2099-01-01T00:00:00Z"})",
       400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because parsing time \"2020-01-01\" as \"2006-01-02 15:04:05\": cannot parse \"\" as \"15\""})"},
      {R"({"comment":"x","createdBy":"y","matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"bad","endsAt":"2099-01-01T00:00:00Z"})",
       400,
       R"({"code":400,"message":"parsing silence body from \"\" failed, because parsing time \"bad\" as \"2006-01-02 15:04:05\": cannot parse \"bad\" as \"2006\""})"},
  };
  for (const auto& c : cases) {
    auto r = Post("/api/v2/silences", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << "\n" << r.body;
    EXPECT_EQ(r.body, c.want) << c.body;
  }
  EXPECT_EQ(store_->size(), 0u);
}

TEST_F(SilenceApiTest, PostAcceptsWhatGoAccepts) {
  // Case-insensitive keys, unknown keys, trailing bytes, isEqual defaulting to true, other
  // go-openapi date-time layouts, a null id.
  auto r = Post(
      "/api/v2/silences",
      R"({"Comment":"x","CREATEDBY":"y","matchers":[{"Name":"a","value":"b","isregex":false}],)"
      R"("startsAt":"2020-01-01 10:00:00","endsAt":"2099-01-01T00:00:00+0200","extra":1,"id":null} trailing)");
  ASSERT_EQ(r.status, 200) << r.body;
  auto s = store_->Get(r.Json()["silenceID"]);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->comment, "x");
  EXPECT_EQ(s->created_by, "y");
  EXPECT_EQ(s->matcher_sets.at(0).at(0).type, MatchType::kEqual);
  EXPECT_EQ(FormatRFC3339Nano(s->ends_at), "2098-12-31T22:00:00Z");
}

TEST_F(SilenceApiTest, ContentTypeMustBeJson) {
  auto r =
      Post("/api/v2/silences", Body(R"([{"name":"a","value":"b","isRegex":false}])"), "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(
      r.body,
      R"({"code":415,"message":"unsupported media type \"text/plain\", only [application/json] are allowed"})");
  r = Post("/api/v2/silences", Body(R"([{"name":"a","value":"b","isRegex":false}])"), "");
  EXPECT_EQ(r.status, 415);
  r = Post("/api/v2/silences", Body(R"([{"name":"a","value":"b","isRegex":false}])"),
           "Application/JSON; charset=utf-8");
  EXPECT_EQ(r.status, 200);
}

TEST_F(SilenceApiTest, UpdateKeepsOrReplacesTheId) {
  std::string id = Create();
  auto s = store_->Get(id);
  std::string body = R"({"id":")" + id +
                     R"(","matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":")" +
                     FormatRFC3339Nano(s->starts_at) + R"(","endsAt":")" +
                     FormatRFC3339Millis(s->ends_at + std::chrono::hours(5)) +
                     R"(","createdBy":"me","comment":"longer"})";
  auto r = Post("/api/v2/silences", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["silenceID"], id);
  EXPECT_EQ(store_->Get(id)->comment, "longer");
  // Other matchers: a new id, the old one expired.
  std::string changed = std::regex_replace(body, std::regex(R"("value":"b")"), R"("value":"c")");
  r = Post("/api/v2/silences", changed);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Json()["silenceID"], id);
  EXPECT_EQ(Get("/api/v2/silence/" + id).Json()["status"]["state"], "expired");
}

TEST_F(SilenceApiTest, GetAndDeleteById) {
  std::string id = Create();
  auto r = Get("/api/v2/silence/nonuuid");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            R"({"code":601,"message":"silenceID in path must be of type uuid: \"nonuuid\""})");
  r = Get("/api/v2/silence/e9ff310b-025f-434c-9bcb-2139a8e2a3ad");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "");
  r = Delete("/api/v2/silence/nonuuid");
  EXPECT_EQ(r.status, 422);
  // 0.26+: unknown id → 404 (0.25 answered 500 "silence not found").
  r = Delete("/api/v2/silence/e9ff310b-025f-434c-9bcb-2139a8e2a3ad");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "");
  r = Delete("/api/v2/silence/" + id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  r = Delete("/api/v2/silence/" + id);  // already expired: still 200
  EXPECT_EQ(r.status, 200);
  r = Get("/api/v2/silence/" + id);
  EXPECT_EQ(r.Json()["status"]["state"], "expired");
  // The id is matched exactly: an upper-case spelling passes the UUID check but finds nothing.
  std::string upper = id;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(Get("/api/v2/silence/" + upper).status, 404);
}

TEST_F(SilenceApiTest, ListOrderFilterAndStateFlags) {
  std::string a2 = Create(R"([{"name":"job","value":"x","isRegex":false}])", 0, 2);
  std::string a1 = Create(R"([{"name":"job","value":"y","isRegex":false}])", 0, 1);
  std::string p2 = Create(R"([{"name":"job","value":"x","isRegex":false}])", 2, 3);
  std::string p1 = Create(R"([{"name":"job","value":"x","isRegex":true}])", 1, 3);
  std::string e1 = Create(R"([{"name":"job","value":"x","isRegex":false}])", 0, 1);
  std::string e2 = Create(R"([{"name":"job","value":"z","isRegex":false}])", 0, 1);
  ASSERT_EQ(Delete("/api/v2/silence/" + e1).status, 200);
  ASSERT_EQ(Delete("/api/v2/silence/" + e2).status, 200);  // expired later: listed first

  auto ids = [](const HttpResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.Json()) out.push_back(s["id"]);
    return out;
  };
  EXPECT_EQ(ids(Get("/api/v2/silences")), (std::vector<std::string>{a1, a2, p1, p2, e2, e1}));
  EXPECT_EQ(ids(Get("/api/v2/silences?filter=job%3D%22x%22")),
            (std::vector<std::string>{a2, p2, e1}));
  EXPECT_EQ(ids(Get("/api/v2/silences?filter=job%3D~%22x%22")), (std::vector<std::string>{p1}));
  EXPECT_EQ(ids(Get("/api/v2/silences?active=false")), (std::vector<std::string>{p1, p2, e2, e1}));
  EXPECT_EQ(ids(Get("/api/v2/silences?expired=false&pending=0")),
            (std::vector<std::string>{a1, a2}));
  EXPECT_EQ(Get("/api/v2/silences?active=false&pending=false&expired=false").body, "[]\n");
  auto r = Get("/api/v2/silences?filter=bad%21");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "\"bad matcher format: bad!\"\n");
}

TEST_F(SilenceApiTest, V1RoutesInTheirEnvelope) {
  Time now = am::Now();
  std::string body = R"({"matchers":[{"name":"a","value":"v1","isRegex":false}],"startsAt":")" +
                     FormatRFC3339Nano(now) + R"(","endsAt":")" +
                     FormatRFC3339Nano(now + std::chrono::hours(1)) +
                     R"(","createdBy":"me","comment":""})";
  auto r = Post("/api/v1/silences", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(r.Header("access-control-allow-methods"), "GET, POST, DELETE, OPTIONS");
  EXPECT_EQ(r.Header("cache-control"), "no-cache, no-store, must-revalidate");
  ASSERT_TRUE(std::regex_match(
      r.body, std::regex(R"(\{"status":"success","data":\{"silenceId":"[0-9a-f-]{36}"\}\})")))
      << r.body;
  std::string id = r.Json()["data"]["silenceId"];

  r = Get("/api/v1/silence/" + id);
  ASSERT_EQ(r.status, 200);
  std::regex shape(
      R"(\{"status":"success","data":\{"id":"[0-9a-f-]{36}","matchers":\[\{"name":"a","value":"v1",)"
      R"("isRegex":false,"isEqual":true\}\],"startsAt":"[^"]+","endsAt":"[^"]+","updatedAt":"[^"]+",)"
      R"("createdBy":"me","status":\{"state":"active"\}\}\})");
  EXPECT_TRUE(std::regex_match(r.body, shape)) << r.body;

  r = Get("/api/v1/silences?filter=%7Ba%3D%22v1%22%7D");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["data"].size(), 1u);
  r = Get("/api/v1/silences?filter=%7Ba%3D%22other%22%7D");
  EXPECT_EQ(r.body, R"({"status":"success","data":[]})");
  r = Get("/api/v1/silences?filter=bad%21");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"bad matcher format: bad!"})");

  r = Get("/api/v1/silence/nonexist");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Error getting silence: <nil>\n");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  r = Delete("/api/v1/silence/nonexist");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":"silence not found"})");
  r = Delete("/api/v1/silence/" + id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success"})");

  struct Case {
    std::string body, want;
  } cases[] = {
      {"", "EOF"},
      {"{bad", "invalid character 'b' looking for beginning of object key string"},
      {std::regex_replace(body, std::regex(R"("endsAt":"[^"]+")"),
                          "\"endsAt\":\"" + FormatRFC3339Nano(now) + "\""),
       "start time must not be equal to end time"},
      {std::regex_replace(body, std::regex(R"("v1","isRegex":false)"), R"("(","isRegex":true)"),
       "error parsing regexp: missing closing ): `^(?:()$`"},
      {std::regex_replace(body, std::regex(R"(\[\{.*\}\])"), "[]"),
       "silence invalid: at least one matcher required"},
      {std::regex_replace(body, std::regex(R"(^\{)"), R"({"id":"zzz",)"), "silence not found"},
  };
  for (const auto& c : cases) {
    r = Post("/api/v1/silences", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(r.Json()["error"], c.want) << c.body << "\n" << r.body;
    EXPECT_EQ(r.Json()["errorType"], "bad_data");
  }
}

TEST_F(SilenceApiTest, PostedSilenceIsOnDiskBeforeTheAnswer) {
  std::string id = Create();
  // The write-ahead log in the directory already holds it when the answer arrives.
  Wal wal(dir_.path());
  std::vector<std::string> warnings;
  auto d = DecodeMeshSilences(wal.ReadAll(&warnings));
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].silence.id, id);
}

}  // namespace
}  // namespace am::silence
